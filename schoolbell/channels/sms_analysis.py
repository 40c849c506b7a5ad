"""How long an SMS really is: encoding, segments, Korean domestic bytes, characters lost."""

import math
from dataclasses import dataclass, field

# GSM 03.38 basic character set (the escape character itself is left out).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each of these is sent as ESC + char, so it costs two septets.
_GSM_EXTENDED = frozenset("\f^{}\\[~]|€")

GSM7 = "GSM-7"
UCS2 = "UCS-2"
_SINGLE = {GSM7: 160, UCS2: 70}
# A multipart message spends part of each segment on the concatenation header (UDH).
_PER_PART = {GSM7: 153, UCS2: 67}

KOREAN_SMS_BYTES = 90
KOREAN_LMS_BYTES = 2000


@dataclass(frozen=True)
class SmsAnalysis:
    """Lengths of one SMS text as the international and Korean domestic routes count them."""

    encoding: str
    characters: int
    segments: int
    cp949_bytes: int
    korean_domestic_type: str
    unsupported_characters: list[str] = field(default_factory=list)


def analyse_sms(text: str, prefix: str = "") -> SmsAnalysis:
    """Count `prefix + text` (a carrier prefix such as "[Web발신]" counts toward the length)."""
    full = prefix + text
    encoding, characters = encoded_length(full)
    cp949_bytes, unsupported = _cp949_length(full)
    return SmsAnalysis(
        encoding=encoding,
        characters=characters,
        segments=count_segments(characters, encoding),
        cp949_bytes=cp949_bytes,
        korean_domestic_type=korean_domestic_type(cp949_bytes),
        unsupported_characters=unsupported,
    )


def encoded_length(text: str) -> tuple[str, int]:
    """The encoding an SMS needs and its length in that encoding's units."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        return GSM7, sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
    return UCS2, len(text.encode("utf-16-le")) // 2


def sms_segments(text: str) -> int:
    """Segments of a text on the international route (cheaper than a full analysis)."""
    encoding, characters = encoded_length(text)
    return count_segments(characters, encoding)


def count_segments(characters: int, encoding: str) -> int:
    """Segments for a length in encoding units (an empty text still costs one segment)."""
    if characters <= _SINGLE[encoding]:
        return 1
    return math.ceil(characters / _PER_PART[encoding])


def korean_domestic_type(cp949_bytes: int) -> str:
    """"SMS" up to 90 CP949 bytes, "LMS" up to 2,000, else "too long"."""
    if cp949_bytes <= KOREAN_SMS_BYTES:
        return "SMS"
    if cp949_bytes <= KOREAN_LMS_BYTES:
        return "LMS"
    return "too long"


def _cp949_length(text: str) -> tuple[int, list[str]]:
    length = 0
    unsupported: dict[str, None] = {}
    for ch in text:
        try:
            length += len(ch.encode("cp949"))
        except UnicodeEncodeError:
            unsupported[ch] = None
    return length, list(unsupported)
