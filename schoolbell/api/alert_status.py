"""/api/v1/alerts/<id>/status and /deliveries: how far an alert got, and each message (masked)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from schoolbell.alerts.audience import TEST, mode_of
from schoolbell.alerts.models import FINAL, Acknowledgement, AlertEvent, AlertStatus, Channel, Delivery
from schoolbell.alerts.reports import status_counts
from schoolbell.api.alert_io import iso_seoul, office_alert
from schoolbell.api.framework import api_blueprint
from schoolbell.api.pagination import page
from schoolbell.api.schemas import DeliveryArgs, DeliveryPage, StatusOut
from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.extensions import db

blp = api_blueprint("api_alert_status", __name__, "/api/v1/alerts", "Alert status and deliveries")


def _simulated(alert_id: int) -> dict | None:
    detail = db.session.scalar(select(AlertEvent.detail).where(
        AlertEvent.alert_id == alert_id, AlertEvent.action == "sent").order_by(AlertEvent.id.desc()).limit(1))
    return (detail or {}).get("would_send") if detail else None


@blp.route("/<int:alert_id>/status")
@blp.response(200, StatusOut)
def alert_status(alert_id: int):
    """The alert's status and its messages counted by status and by channel; poll it to follow a send."""
    alert = office_alert(alert_id)
    counts = status_counts(alert)
    acknowledged = db.session.scalar(select(func.count(func.distinct(Acknowledgement.contact_id)))
                                     .where(Acknowledgement.alert_id == alert.id))
    open_count = sum(count for status, count in counts["by_status"].items()
                     if status not in {str(final) for final in FINAL} and status != "sent")
    finished = alert.status in (AlertStatus.SENT, AlertStatus.CANCELLED) or (
        alert.status is AlertStatus.SENDING and open_count == 0)
    mode = mode_of(alert.id) or "live"
    return {"alert_id": alert.id, "status": alert.status.value, "mode": mode, "total": counts["total"],
            "by_status": counts["by_status"], "by_channel": counts["by_channel"],
            "uncertain": counts["uncertain"], "acknowledged": acknowledged or 0, "finished": finished,
            "simulated": _simulated(alert.id) if mode == TEST else None}


def delivery_out(delivery: Delivery) -> dict:
    """A delivery with its address masked."""
    contact = delivery.contact
    if delivery.channel is Channel.SMS:
        address = mask_phone(contact.phone) if contact and contact.phone else ""
    else:
        address = mask_email(contact.email) if contact and contact.email else ""
    return {"id": delivery.id, "channel": delivery.channel.value, "status": delivery.status.value,
            "address": address, "language": delivery.language, "attempts": delivery.attempts,
            "error_code": delivery.error_code, "error_reason": delivery.error_reason,
            "sent_at": iso_seoul(delivery.sent_at), "updated_at": iso_seoul(delivery.updated_at)}


@blp.route("/<int:alert_id>/deliveries")
@blp.arguments(DeliveryArgs, location="query", as_kwargs=True)
@blp.response(200, DeliveryPage)
def deliveries(alert_id: int, **args):
    """The alert's messages, 100 at most per page, addresses masked; filter by status or channel."""
    alert = office_alert(alert_id)
    query = select(Delivery).options(joinedload(Delivery.contact)).where(Delivery.alert_id == alert.id)
    if args.get("status"):
        query = query.where(Delivery.status == args["status"])
    if args.get("channel"):
        query = query.where(Delivery.channel == args["channel"])
    rows, next_cursor = page(query, Delivery.id, args)
    return {"items": [delivery_out(row) for row in rows], "next_cursor": next_cursor}
