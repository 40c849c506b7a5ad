"""Addresses as SMTP carries them: domains in IDNA, Korean local parts through SMTPUTF8."""

from email.headerregistry import Address
from email.utils import parseaddr

from email_validator import EmailNotValidError, validate_email

from schoolbell.channels.errors import PermanentError

NEEDS_SMTPUTF8 = ("the part before @ is not ASCII: it needs SMTPUTF8, which the SMTP server does not "
                  "offer")


def ascii_address(address: str) -> str:
    """The address as plain SMTP can carry it: an internationalised domain in IDNA (xn--…).

    A non-ASCII local part has no ASCII form: PermanentError (see smtp_address for SMTPUTF8).
    """
    address, utf8 = smtp_address(address)
    if utf8:
        raise PermanentError("the part before @ is not ASCII: it has no form without SMTPUTF8")
    return address


def smtp_address(address: str) -> tuple[str, bool]:
    """The address with its domain in IDNA, and whether its local part needs SMTPUTF8 (RFC 6531)."""
    if address.isascii():
        return address, False
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise PermanentError(f"not an email address: {error}") from None
    if checked.ascii_email is not None:
        return checked.ascii_email, False
    # The domain in IDNA still works where a relay resolves names in ASCII only.
    return f"{checked.local_part}@{checked.ascii_domain}", True


def ascii_sender(sender: str) -> str:
    """The sender ("Name <noreply@domain>") with its domain in IDNA, as headers and MAIL FROM need."""
    name, address = parseaddr(sender)
    if address.isascii():
        return sender
    try:
        return str(Address(display_name=name, addr_spec=ascii_address(address)))
    except PermanentError as error:
        raise ValueError(f"sender {sender!r}: {error}") from None
