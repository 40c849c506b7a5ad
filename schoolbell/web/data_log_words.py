"""The personal-data log in the reader's language: what a record is about, and its details.

Records store their subject in one fixed English form (`directory/audit.py` callers: "person #12",
"class 3-2 of 7000001", "search by phone", "API bulk of 40", or a file's name); pages word it here.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

SEARCH_KINDS = {"name": _l("name"), "phone": _l("phone number"), "email": _l("email address")}
DETAIL_KEYS = {"rows": _l("rows"), "people": _l("people"), "sync": _l("sync"), "left": _l("leave"),
               "messages": _l("messages")}
_PERSON = re.compile(r"person #(\d+)")
_CLASS = re.compile(r"class (.+) of (\w+)")
_SEARCH = re.compile(r"search by (\w+)")
_API_BULK = re.compile(r"API bulk of (\d+)")


def subject_words(subject: str) -> str:
    """What the record is about, in the reader's language (a file's name stays as it is)."""
    if found := _PERSON.fullmatch(subject):
        return _("person #%(id)s", id=found[1])
    if found := _CLASS.fullmatch(subject):
        return _("class %(name)s of school %(code)s", name=found[1], code=found[2])
    if found := _SEARCH.fullmatch(subject):
        return _("search by %(kind)s", kind=str(SEARCH_KINDS.get(found[1], found[1])))
    if found := _API_BULK.fullmatch(subject):
        return _("%(count)s people through the API", count=found[1])
    return subject


def detail_words(detail: dict) -> str:
    """A record's details as "words value" pairs in the reader's language."""
    return " · ".join(f"{DETAIL_KEYS.get(key, key)} {value}" for key, value in detail.items()
                      if value not in ("", None))
