"""How parents know an office: the name every SMS starts with ("[서울시교육청]"), set per office."""

from __future__ import annotations

import re

from schoolbell.directory.models import EducationOffice

MAX_KO, MAX_EN = 30, 40
# English names by NEIS office code, for offices that have not set their own.
ENGLISH_BY_CODE = {
    "B10": "Seoul", "C10": "Busan", "D10": "Daegu", "E10": "Incheon", "F10": "Gwangju", "G10": "Daejeon",
    "H10": "Ulsan", "I10": "Sejong", "J10": "Gyeonggi", "K10": "Gangwon", "M10": "Chungbuk",
    "N10": "Chungnam", "P10": "Jeonbuk", "Q10": "Jeonnam", "R10": "Gyeongbuk", "S10": "Gyeongnam",
    "T10": "Jeju",
}
_LONG_FORMS = re.compile(r"(특별자치시|특별시|광역시)(?=교육청)")


class SenderNameError(ValueError):
    """A sender name an SMS cannot start with; the message says why."""


def short_korean_name(official: str) -> str:
    """The name people say: 서울특별시교육청 → 서울시교육청, 부산광역시교육청 → 부산시교육청."""
    return _LONG_FORMS.sub("시", official).replace("특별자치도교육청", "도교육청")


def sender_for(office: EducationOffice, language: str) -> str:
    """The office's SMS sender name in a language: its setting, else the short form of its name."""
    if language == "en":
        if office.sender_name_en:
            return office.sender_name_en
        city = ENGLISH_BY_CODE.get(office.code)
        if city:
            return f"{city} Education Office"
        return office.sender_name_ko or short_korean_name(office.name)
    return office.sender_name_ko or short_korean_name(office.name)


def set_sender_names(office: EducationOffice, korean: str | None, english: str | None) -> None:
    """Set the office's sender names (None leaves one as it is; "" returns it to the default)."""
    for value, limit, field in ((korean, MAX_KO, "Korean"), (english, MAX_EN, "English")):
        if value is None:
            continue
        value = value.strip()
        if len(value) > limit:
            raise SenderNameError(f"the {field} sender name is {len(value)} characters; at most {limit}")
        if any(ch in value for ch in "[]\n\r\t"):
            raise SenderNameError(f"the {field} sender name {value!r} may not hold brackets or line breaks")
        try:
            value.encode("cp949")
        except UnicodeEncodeError:
            raise SenderNameError(f"the {field} sender name {value!r} has characters Korean phones "
                                  "cannot show") from None
        if field == "English" and value and not value.isascii():
            raise SenderNameError(f"the English sender name {value!r} must be plain Latin letters "
                                  "(else every English SMS costs twice the segments)")
    if korean is not None:
        office.sender_name_ko = korean.strip() or None
    if english is not None:
        office.sender_name_en = english.strip() or None
