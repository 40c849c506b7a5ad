"""When a recipient confirmed, as each language writes it: "12월 1일 오후 3:05" / "1 December, 3:05 PM"."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime

from schoolbell import timeutil

PATTERNS = {"ko": "M월 d일 aaaa h:mm", "en": "d MMMM, h:mm a"}


def confirmed_on(moment: datetime, language: str) -> str:
    """A confirmation's moment in Seoul time, short, in the page's language."""
    local = timeutil.seoul(moment).replace(tzinfo=None)
    return format_datetime(local, PATTERNS.get(language, PATTERNS["en"]), locale=language)
