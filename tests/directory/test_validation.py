"""Phone, email, role, language and consent parsing, and the phone fast path against the library."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from schoolbell.directory.validation import (
    InvalidValue,
    NotMobile,
    normalize_email,
    normalize_phone,
    parse_consent,
    parse_grade,
    parse_language,
    parse_role,
)


@pytest.mark.parametrize("typed", [
    "010-1234-5678", "01012345678", "010 1234 5678", "+82 10-1234-5678", "+821012345678",
    "010.1234.5678", "+82-10-1234-5678",
])
def test_korean_mobile_forms_become_e164(typed):
    assert normalize_phone(typed) == "+821012345678"


def test_foreign_numbers_use_the_library():
    assert normalize_phone("+1 650-253-0000") == "+16502530000"
    assert normalize_phone("+44 7400 123456") == "+447400123456"


@pytest.mark.parametrize("typed", ["02-2252-5950", "031-123-4567", "070-1234-5678", "1588-1234"])
def test_numbers_that_cannot_receive_an_sms_are_not_mobile(typed):
    with pytest.raises(NotMobile, match="not a mobile number"):
        normalize_phone(typed)


@pytest.mark.parametrize("typed", ["02-12", "010-5970-1234", "hello", "010-12-34", ""])
def test_invalid_numbers_are_refused(typed):
    with pytest.raises(InvalidValue):
        normalize_phone(typed)


def library_verdict(typed: str) -> str | None:
    try:
        parsed = phonenumbers.parse(typed, "KR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def test_fast_path_agrees_with_phonenumbers_on_many_random_mobile_numbers():
    rng = random.Random(7)
    for _ in range(20_000):
        carrier = rng.choice(["10", "11", "16", "17", "18", "19"])
        middle = str(rng.randrange(0, 10_000)).zfill(rng.choice([3, 4]))
        last = str(rng.randrange(0, 10_000)).zfill(4)
        typed = rng.choice(["0{}-{}-{}", "0{}{}{}", "+82 {} {} {}"]).format(carrier, middle, last)
        try:
            ours = normalize_phone(typed)
        except InvalidValue:
            ours = None
        assert ours == library_verdict(typed), typed


def test_email_is_normalised_and_bad_ones_refused():
    assert normalize_email(" Kim@Example.com ") == "kim@example.com"
    assert normalize_email("PARENT@x.COM") == normalize_email("parent@X.com") == "parent@x.com"
    for bad in ("kim", "kim@", "kim@@example.com", "kim@exa mple.com"):
        with pytest.raises(InvalidValue):
            normalize_email(bad)


def test_roles_languages_consent_and_grades():
    assert parse_role("학부모") == "guardian" and parse_role("Teacher") == "teacher"
    assert parse_language("") == "ko" and parse_language("English") == "en"
    assert parse_consent("") == (True, True) and parse_consent("sms") == (True, False)
    assert parse_consent("none") == (False, False) and parse_consent("Email") == (False, True)
    assert parse_grade("3학년") == 3 and parse_grade("") == 0
    for parse, bad in ((parse_role, "uncle"), (parse_language, "fr"), (parse_consent, "maybe"),
                       (parse_grade, "13"), (parse_grade, "two")):
        with pytest.raises(InvalidValue):
            parse(bad)


def library_email(typed: str) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(typed, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def test_email_fast_path_agrees_with_the_library():
    rng = random.Random(11)
    locals_ = ["kim", "kim.min", "a+b", "x_y-z", ".kim", "kim.", "k..m", "김", "o'neil", "a" * 65,
               "user%tag", "{weird}", "a b", ""]
    domains = ["example.com", "Example.COM", "naver.com", "sen.go.kr", "localhost", "exa_mple.com",
               "-bad.com", "münchen.de", "xn--mnchen-3ya.de", "a.b", "com", "example..com", "1.2.3.4"]
    for _ in range(3000):
        typed = rng.choice(locals_) + rng.choice(["@", "@@", ""]) + rng.choice(domains)
        try:
            ours = normalize_email(typed)
        except InvalidValue:
            ours = None
        assert ours == library_email(typed), typed
