"""Collect what happened since each webhook's last collection into its event log (no personal data).

Deliveries that changed status (grouped per alert, 500 to an event), alerts whose last message became
final, and acknowledgements (counted per alert and kind). Test- and team-key alerts are included and
say so (`mode`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, select

from schoolbell import timeutil
from schoolbell.alerts.audience import AlertApiMode
from schoolbell.alerts.models import FINAL, Acknowledgement, Alert, AlertStatus, Delivery, DeliveryStatus
from schoolbell.api.webhooks.models import Webhook, WebhookEvent
from schoolbell.extensions import db

BATCH = 500
KEEP_TRYING = timedelta(hours=24)
# A first collection looks back this far, not to the beginning of time.
FIRST_LOOK_BACK = timedelta(minutes=10)
# A change is stamped (updated_at) before its transaction commits; a window closes only this long
# after its end, so a batch committed a few seconds after its stamp is not left behind.
SETTLE = timedelta(seconds=15)
OPEN = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]


def _add(hook: Webhook, event_type: str, data: dict, now: datetime) -> None:
    if event_type not in (hook.events or []):
        return
    payload = {"type": event_type, "office_id": hook.office_id, "created_at": timeutil.seoul(now).isoformat(
        timespec="seconds"), "data": data}
    db.session.add(WebhookEvent(webhook_id=hook.id, event_type=event_type,
                                payload=json.dumps(payload, ensure_ascii=False), status="pending",
                                next_attempt_at=now, give_up_at=now + KEEP_TRYING))


def _modes(alert_ids: set[int]) -> dict[int, str]:
    if not alert_ids:
        return {}
    return dict(db.session.execute(select(AlertApiMode.alert_id, AlertApiMode.mode)
                                   .where(AlertApiMode.alert_id.in_(alert_ids))).all())


def collect(now: datetime | None = None, settle: timedelta = SETTLE) -> int:
    """Add the events of every active webhook up to `settle` before now; returns how many were added."""
    now = (now or timeutil.utcnow()) - settle
    added = 0
    for hook in db.session.scalars(select(Webhook).where(Webhook.active.is_(True)).order_by(Webhook.id)):
        since = hook.collected_until or (now - FIRST_LOOK_BACK)
        before = len(db.session.new)
        _collect_one(hook, since, now)
        added += len(db.session.new) - before
        hook.collected_until = now
    db.session.commit()
    return added


def _collect_one(hook: Webhook, since: datetime, now: datetime) -> None:
    changed = db.session.execute(
        select(Delivery.alert_id, Delivery.id, Delivery.channel, Delivery.status, Delivery.error_code)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(Alert.office_id == hook.office_id, Delivery.updated_at > since, Delivery.updated_at <= now)
        .order_by(Delivery.alert_id, Delivery.id)).all()
    acks = db.session.execute(
        select(Acknowledgement.alert_id, Acknowledgement.kind, func.count())
        .join(Alert, Alert.id == Acknowledgement.alert_id)
        .where(Alert.office_id == hook.office_id, Acknowledgement.at > since, Acknowledgement.at <= now)
        .group_by(Acknowledgement.alert_id, Acknowledgement.kind)).all()
    modes = _modes({row[0] for row in changed} | {row[0] for row in acks})
    by_alert: dict[int, list] = {}
    for alert_id, delivery_id, channel, status, code in changed:
        by_alert.setdefault(alert_id, []).append({"id": delivery_id, "channel": str(channel),
                                                  "status": str(status), "error_code": code})
    for alert_id, rows in by_alert.items():
        for start in range(0, len(rows), BATCH):
            _add(hook, "delivery.status", {"alert_id": alert_id, "mode": modes.get(alert_id, "live"),
                                           "deliveries": rows[start:start + BATCH]}, now)
        _finished(hook, alert_id, modes.get(alert_id, "live"), now)
    for alert_id, kind, count in acks:
        _add(hook, "acknowledgement", {"alert_id": alert_id, "mode": modes.get(alert_id, "live"),
                                       "kind": str(kind), "new": count}, now)


def _finished(hook: Webhook, alert_id: int, mode: str, now: datetime) -> None:
    """An alert whose changed deliveries left none pending or in flight has finished."""
    still_open = db.session.scalar(select(Delivery.id).where(Delivery.alert_id == alert_id,
                                                             Delivery.status.in_(OPEN)).limit(1))
    if still_open is not None:
        return
    status = db.session.scalar(select(Alert.status).where(Alert.id == alert_id))
    counts = dict(db.session.execute(select(Delivery.status, func.count())
                                     .where(Delivery.alert_id == alert_id).group_by(Delivery.status)).all())
    _add(hook, "alert.finished", {"alert_id": alert_id, "mode": mode,
                                  "status": str(status or AlertStatus.SENT),
                                  "final": all(DeliveryStatus(s) in FINAL or s == "sent" for s in counts),
                                  "by_status": {str(s): n for s, n in counts.items()}}, now)
