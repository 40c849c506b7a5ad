"""Turning what people type into clean values: phones in E.164, emails, roles, languages, consent."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from schoolbell.directory.models import Language, Role

DEFAULT_REGION = "KR"
# The shape of a Korean mobile number as people write it: 010-1234-5678, 01012345678, +82 10 ...
_KOREAN_MOBILE = re.compile(r"^(?:\+82[\s-]?|0)(1[016789])[\s.-]?(\d{3,4})[\s.-]?(\d{4})$")

LANGUAGE_ALIASES = {
    "ko": Language.KO, "kor": Language.KO, "korean": Language.KO, "한국어": Language.KO,
    "en": Language.EN, "eng": Language.EN, "english": Language.EN, "영어": Language.EN,
}
ROLE_ALIASES = {
    "guardian": Role.GUARDIAN, "parent": Role.GUARDIAN, "보호자": Role.GUARDIAN,
    "학부모": Role.GUARDIAN, "teacher": Role.TEACHER, "교사": Role.TEACHER,
    "student": Role.STUDENT, "pupil": Role.STUDENT, "학생": Role.STUDENT,
    "staff": Role.STAFF, "직원": Role.STAFF,
}
CONSENT_VALUES = {
    "": (True, True), "all": (True, True), "both": (True, True), "yes": (True, True),
    "sms+email": (True, True), "email+sms": (True, True),
    "sms": (True, False), "email": (False, True), "none": (False, False), "no": (False, False),
}


class InvalidValue(ValueError):
    """A value that cannot be used; the message says why in words a person understands."""


class NotMobile(InvalidValue):
    """A real number that cannot receive an SMS: a landline, 070 internet phone, 1588 line."""


# FIXED_LINE_OR_MOBILE: countries (US, CA) whose numbers do not tell; Korean ones always do.
_SMS_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalize_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return a mobile number in E.164 (+821012345678); raise NotMobile or InvalidValue."""
    text = raw.strip()
    mobile = _KOREAN_MOBILE.match(text)
    if mobile:
        # Almost every row is a Korean mobile number; the library's verdict is cached per prefix.
        carrier, middle, last = mobile.groups()
        national = carrier + middle + last
        if _korean_mobile_prefix_is_valid(carrier + middle):
            return "+82" + national
        raise InvalidValue("not a valid Korean mobile number")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue("not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidValue("not a valid phone number")
    if phonenumbers.number_type(parsed) not in _SMS_TYPES:
        raise NotMobile("not a mobile number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def _korean_mobile_prefix_is_valid(prefix: str) -> bool:
    # Korean mobile patterns fix validity by the digits before the last four, so one sample
    # per prefix gives the library's answer for all of them (tests check this against the library).
    sample = phonenumbers.parse("0" + prefix + "0000", DEFAULT_REGION)
    return phonenumbers.is_valid_number(sample)


# A plain ASCII dot-atom local part: the form nearly every real address takes.
_PLAIN_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def normalize_email(raw: str) -> str:
    """Return an email address, lower-cased, or raise InvalidValue."""
    text = raw.strip()
    local, at, domain = text.rpartition("@")
    if at and len(local) <= 64 and _PLAIN_LOCAL.match(local):
        # Domains repeat across a city's parents, so the library's domain verdict is cached;
        # a plain local part is valid as written (tests compare this path with the library).
        return local.lower() + "@" + _normalized_domain(domain)
    # Stored lower-cased so the plain unique (office, email) constraint is case-insensitive on
    # both databases: mail services here ignore case, and Parent@X.com is parent@x.com's parent.
    return _library_email(text).lower()


@lru_cache(maxsize=65536)
def _normalized_domain(domain: str) -> str:
    return _library_email("x@" + domain).partition("@")[2]


def _library_email(text: str) -> str:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidValue(str(error)) from None


def parse_role(raw: str) -> Role:
    """Read a role such as guardian, teacher, student, staff (Korean names accepted)."""
    role = ROLE_ALIASES.get(raw.strip().lower())
    if role is None:
        raise InvalidValue("unknown role; use guardian, teacher, student or staff")
    return role


def parse_language(raw: str) -> Language:
    """Read a language: ko or en (empty means ko)."""
    if not raw.strip():
        return Language.KO
    language = LANGUAGE_ALIASES.get(raw.strip().lower())
    if language is None:
        raise InvalidValue("unknown language; use ko or en")
    return language


def parse_consent(raw: str) -> tuple[bool, bool]:
    """Read consent as (sms, email): sms, email, sms+email (or empty, all), none."""
    consent = CONSENT_VALUES.get(raw.strip().lower().replace(" ", ""))
    if consent is None:
        raise InvalidValue("unknown consent; use sms, email, sms+email or none")
    return consent


def parse_grade(raw: str) -> int:
    """Read a grade 1–12; empty means the person is not tied to a grade (0)."""
    if not raw.strip():
        return 0
    try:
        grade = int(raw.strip().removesuffix("학년"))
    except ValueError:
        raise InvalidValue("grade must be a whole number") from None
    if not 1 <= grade <= 12:
        raise InvalidValue("grade must be between 1 and 12")
    return grade


def parse_class(raw: str) -> str:
    """Read a class name such as 3 or 가; at most ten characters."""
    name = raw.strip().removesuffix("반")
    if len(name) > 10:
        raise InvalidValue("class name is longer than 10 characters")
    return name
