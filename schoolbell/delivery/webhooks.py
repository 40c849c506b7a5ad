"""Twilio's status callbacks: signed, idempotent, and only ever moving a delivery forward."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, request
from sqlalchemy import update
from twilio.request_validator import RequestValidator

from schoolbell.alerts.models import RANK, Delivery, DeliveryStatus
from schoolbell.directory.models import Contact
from schoolbell.extensions import db
from schoolbell.timeutil import to_db, utcnow

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
    later = [s.value for s, rank in RANK.items() if rank >= RANK[status]]
    values = {"status": status.value, "updated_at": to_db(utcnow())}
    if status in (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED):
        values.update(error_code=code, error_reason=f"carrier reported {status.value}")
    # Forward only: a late 'sent' never overwrites 'delivered', and a repeat changes nothing.
    db.session.execute(update(Delivery).where(Delivery.id == delivery.id,
                                              Delivery.status.not_in(later))
                       .values(**values).execution_options(synchronize_session=False))
    if code == UNSUBSCRIBED:
        db.session.execute(update(Contact).where(Contact.id == delivery.contact_id)
                           .values(sms_blocked_reason="21610: recipient unsubscribed")
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return "", 204


def _find_delivery() -> Delivery | None:
    """The delivery named in the signed callback URL, else the one holding the message SID."""
    delivery_id = request.args.get("d", type=int)
    sid = request.form.get("MessageSid")
    if delivery_id is not None:
        delivery = db.session.get(Delivery, delivery_id)
        if delivery is not None and (delivery.provider_ref in (None, sid)):
            return delivery
        return None
    if sid:
        return db.session.query(Delivery).filter(Delivery.provider_ref == sid).one_or_none()
    return None
