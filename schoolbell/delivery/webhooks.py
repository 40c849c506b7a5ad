"""Twilio's status callbacks: signed, idempotent, and only ever moving a delivery forward."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, request
from sqlalchemy import update
from twilio.request_validator import RequestValidator

from schoolbell import timeutil
from schoolbell.alerts.delivery_status import carrier_report
from schoolbell.alerts.models import Channel, Delivery, DeliveryStatus
from schoolbell.delivery.fallback import email_fallback
from schoolbell.directory.models import Contact
from schoolbell.extensions import db

log = logging.getLogger(__name__)
webhooks = Blueprint("webhooks", __name__, url_prefix="/webhooks")

# Twilio's message statuses → ours; queued/accepted/sending say nothing new.
TWILIO_STATUS = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
}
UNSUBSCRIBED = "21610"


def _authentic() -> bool:
    token = current_app.config.get("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    return RequestValidator(token).validate(request.url, request.form.to_dict(), signature)


@webhooks.post("/twilio/status")
def twilio_status():
    """Apply a status callback; 403 for unsigned or forged requests, 204 otherwise."""
    if not _authentic():
        abort(403)
    status = TWILIO_STATUS.get(request.form.get("MessageStatus", ""))
    delivery = _find_delivery()
    if status is None or delivery is None:
        return "", 204
    code = request.form.get("ErrorCode") or None
    values = {"updated_at": timeutil.utcnow()}
    failed = status in (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)
    if failed:
        values.update(error_code=code, error_reason=f"carrier reported {status.value}")
    # Forward only: a late 'sent' never overwrites 'delivered', and a repeat changes nothing.
    moved = db.session.execute(carrier_report(status, Delivery.id == delivery.id, **values)).rowcount
    if moved and failed and delivery.channel is Channel.SMS:
        # The carrier gave up on the SMS: email instead, as when a send fails at once.
        email_fallback(delivery.alert_id, {delivery.contact_id})
    if code == UNSUBSCRIBED:
        db.session.execute(update(Contact).where(Contact.id == delivery.contact_id)
                           .values(sms_blocked_reason="21610: recipient unsubscribed")
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return "", 204


def _find_delivery() -> Delivery | None:
    """The delivery and attempt named in the signed callback URL, else the one holding the SID.

    A callback for an earlier attempt (a late or repeated one, after a resend) finds nothing.
    """
    delivery_id = request.args.get("d", type=int)
    attempt_no = request.args.get("a", type=int)
    sid = request.form.get("MessageSid")
    if delivery_id is not None:
        delivery = db.session.get(Delivery, delivery_id)
        if delivery is None or delivery.provider_ref not in (None, sid):
            return None
        if attempt_no is not None and attempt_no != delivery.attempt_no:
            return None
        return delivery
    if sid:
        return db.session.query(Delivery).filter(Delivery.provider_ref == sid).one_or_none()
    return None
