"""What to put instead of a character that Korean domestic routes (CP949) cannot carry."""

from __future__ import annotations

import unicodedata

# Look-alikes that Korean phones show; anything else without a CP949 form is best left out.
_KNOWN = {
    "\u2014": "-", "\u2013": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u2022": "·", "\u25cf": "●", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "",
    "\ufe0f": "", "\u200d": "", "\u20a9": "원", "\u2764": "♥", "\u2705": "√", "\u274c": "×",
    "\u26a0": "※", "\U0001f6a8": "[!]", "\u2757": "!", "\u2753": "?",
}


def fits_cp949(text: str) -> bool:
    """True when every character of the text survives a Korean domestic route."""
    try:
        text.encode("cp949")
    except UnicodeEncodeError:
        return False
    return True


def replacement_for(character: str) -> str:
    """A CP949 stand-in for the character ("" to leave it out)."""
    if character in _KNOWN:
        return _KNOWN[character]
    normalized = unicodedata.normalize("NFKC", character)
    if normalized != character and fits_cp949(normalized):
        return normalized
    return ""


def replace_unsupported(text: str) -> str:
    """The text with every character Korean routes would lose replaced by its stand-in."""
    return "".join(ch if fits_cp949(ch) else replacement_for(ch) for ch in text)
