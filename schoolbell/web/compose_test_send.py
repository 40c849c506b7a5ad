"""A test send: the author gets the alert on their own phone and email before anyone else does."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import SelectField, TelField
from wtforms.validators import Length, Optional, ValidationError

from schoolbell.accounts.auth import current_user, login_required
from schoolbell.accounts.models import User
from schoolbell.alerts.models import Alert
from schoolbell.alerts.services import AlertError, record
from schoolbell.alerts.sms_rendering import render_sms
from schoolbell.channels.errors import ChannelError
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.channels.messages import EmailMessage, SmsMessage
from schoolbell.delivery.backends import get_backends
from schoolbell.directory.validation import InvalidValue, NotMobile, normalize_phone
from schoolbell.extensions import db, limiter
from schoolbell.web.compose_actions import act_on
from schoolbell.web.compose_base import compose
from schoolbell.web.compose_forms import options
from schoolbell.web.message_preview import email_preview

TEST_SENDS_PER_HOUR = "10 per hour"


class SelfTestForm(FlaskForm):
    """Where the test goes: the user's own mobile (kept for next time) and email, in one language."""

    phone = TelField(validators=[Optional(), Length(max=30)])
    language = SelectField(choices=options([("ko", "한국어"), ("en", "English")]), default="ko")

    def validate_phone(self, field) -> None:
        """A mobile number in any Korean form, kept as E.164."""
        if field.data:
            try:
                field.data = normalize_phone(field.data)
            except (InvalidValue, NotMobile):
                raise ValidationError(_("Not a mobile number: %(value)s", value=field.data[:30])) from None


def send_test(alert: Alert, user: User, language: str) -> list[str]:
    """Send the alert in one language to the user's own phone and email; returns where it went (masked)."""
    backends = get_backends(current_app)
    went = []
    if user.phone:
        backends.sms.send(SmsMessage(to=user.phone, body=render_sms(alert, language).text))
        went.append(mask_phone(user.phone))
    preview = email_preview(alert, language)
    test = _("Test")
    backends.email.send(EmailMessage(to=user.email, subject=f"[{test}] {preview.subject}",
                                     text=preview.text, language=language))
    went.append(mask_email(user.email))
    return went


def _signed_in_user_key() -> str:
    return f"test-send:{current_user().id}"


@compose.post("/<int:alert_id>/test")
@login_required
@limiter.limit(TEST_SENDS_PER_HOUR, key_func=_signed_in_user_key)  # each one costs an SMS
def test_send(alert_id: int):
    """Send the alert to yourself first; recorded in the audit trail, sent to nobody else."""
    def go(alert: Alert, actor: str) -> str:
        form = SelfTestForm()
        if not form.validate():
            raise AlertError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        user = db.session.scalar(db.select(User).where(User.email == actor))
        if form.phone.data:
            user.phone = form.phone.data
        try:
            went = send_test(alert, user, form.language.data)
        except ChannelError as problem:
            raise AlertError(_("The test could not be sent: %(reason)s", reason=str(problem)[:200])) from None
        record(alert, "test_sent", actor, {"to": went, "language": form.language.data})
        db.session.commit()
        return _("Test sent to %(where)s.", where=", ".join(went))
    return act_on(alert_id, go)
