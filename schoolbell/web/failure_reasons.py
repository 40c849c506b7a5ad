"""Why a message failed or a person cannot be reached, in the reader's language, with what a school can do."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Twilio's error codes (https://www.twilio.com/docs/api/errors) and SMTP reply codes seen for schools.
BY_CODE = {
    "21211": _l("The phone number is not valid. Check it with the family."),
    "21614": _l("The number is not a mobile phone. Ask the family for a mobile number."),
    "21408": _l("Sending to this country is not enabled. Ask the office to check the SMS account."),
    "21610": _l("The person blocked our messages on their phone. Ask them to allow them or use email."),
    "30003": _l("The phone was off or out of reach. It may work if tried again later."),
    "30004": _l("The carrier or the phone blocked the message. Ask the family to allow our sender number."),
    "30005": _l("The number does not exist at the carrier. Check it with the family."),
    "30006": _l("The number is a landline or cannot take text messages. Ask for a mobile number."),
    "30007": _l("The carrier filtered the message as spam. Tell the office; the wording may need changing."),
    "30008": _l("The carrier could not say why. Try again later."),
    "550": _l("The mailbox does not exist. Check the email address with the family."),
    "551": _l("The mailbox does not exist. Check the email address with the family."),
    "552": _l("The mailbox is full. Ask the family to make room, or use SMS."),
    "553": _l("The email address is not valid. Check it with the family."),
    "554": _l("The mail server refused the message. Tell the office."),
}
UNREACHABLE = {
    ("missing", None): _l("no phone number or email address"),
    ("missing", "sms"): _l("no phone number"),
    ("missing", "email"): _l("no email address"),
    ("blocked", "sms"): _l("SMS blocked (%(detail)s)"),
    ("blocked", "email"): _l("email blocked (%(detail)s)"),
    ("opted_out", "sms"): _l("chose no SMS"),
    ("opted_out", "email"): _l("chose no email"),
}


def failure_words(code: str | None, reason: str | None) -> str:
    """A failed message's reason for a school to act on; the provider's own words when we know no better."""
    known = BY_CODE.get(str(code or "").strip())
    if known is not None:
        return str(known)
    if reason and reason.startswith("carrier reported"):
        return _("The carrier could not deliver the message (%(code)s).", code=code or "?")
    return _("The provider said: %(reason)s", reason=reason or code or "?")


def unreachable_words(reasons: list[dict]) -> str:
    """Why a person cannot be reached, joined in the reader's language."""
    words = []
    for reason in reasons:
        template = UNREACHABLE.get((reason["why"], reason.get("channel")))
        if template is not None:
            words.append(str(template) % {"detail": reason.get("detail", "")})
    return ", ".join(words)


def init_app(app: Flask) -> None:
    """Make the reasons available to templates."""
    app.jinja_env.filters.update(unreachable=unreachable_words, failure=failure_words)
