"""Masks for phone numbers and email addresses, so logs and error texts never hold them whole."""

import re

_PHONE = re.compile(r"\+\d{7,15}")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def mask_phone(number: str) -> str:
    """Keep the country and area prefix and the last four digits: +821012345678 → +8210****5678."""
    if len(number) >= 10:
        return f"{number[:5]}****{number[-4:]}"
    if len(number) > 4:
        return f"****{number[-2:]}"
    return "****"


def mask_email(address: str) -> str:
    """Keep the first letter and the domain: kim@example.com → k**@example.com."""
    local, at, domain = address.rpartition("@")
    if not at:
        return f"{address[:1]}***" if address else address
    if len(local) <= 1:
        return f"*@{domain}"
    return f"{local[0]}{'*' * (len(local) - 1)}@{domain}"


def redact(text: str) -> str:
    """Mask every phone number and email address inside a free text (e.g. a provider's error)."""
    text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    return _PHONE.sub(lambda m: mask_phone(m.group()), text)
