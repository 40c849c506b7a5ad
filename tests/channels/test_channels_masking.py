"""Masks for phone numbers and email addresses."""

from schoolbell.channels.masking import mask_email, mask_phone, redact


def test_mask_phone():
    assert mask_phone("+821012345678") == "+8210****5678"
    assert mask_phone("+15005550001") == "+1500****0001"
    assert mask_phone("01012") == "****12"
    assert mask_phone("112") == "****"


def test_mask_email():
    assert mask_email("kim@example.com") == "k**@example.com"
    assert mask_email("a@example.com") == "*@example.com"
    assert mask_email("not-an-address") == "n***"
    assert mask_email("") == ""


def test_redact_free_text():
    text = "To +821012345678 and kim.parent@example.co.kr failed at 2024-08-28"
    assert redact(text) == "To +8210****5678 and k*********@example.co.kr failed at 2024-08-28"
