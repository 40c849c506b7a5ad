"""When the directory erases people: their deliveries stay as the alerts' counts but lead back to nobody."""

from __future__ import annotations

from sqlalchemy import delete, null, update

from schoolbell.alerts.delivery_status import move
from schoolbell.alerts.models import Acknowledgement, Delivery, DeliveryStatus
from schoolbell.directory.signals import contacts_erasing
from schoolbell.extensions import db


def cut_loose(_sender, contact_ids: list[int]) -> None:
    """Unsent deliveries of these people are cancelled; each keeps only its alert, channel, status and times
    (contact_id becomes the delivery's own id, negated, which names nobody; the provider's reference and
    reason go); their confirmations go."""
    db.session.execute(move(DeliveryStatus.CANCELLED, Delivery.contact_id.in_(contact_ids),
                            only_from=[DeliveryStatus.PENDING]))
    db.session.execute(update(Delivery).where(Delivery.contact_id.in_(contact_ids)).values(
        contact_id=-Delivery.id, provider_ref=null(), error_reason=null())
        .execution_options(synchronize_session=False))
    db.session.execute(delete(Acknowledgement).where(Acknowledgement.contact_id.in_(contact_ids)))


def connect() -> None:
    """Listen to the directory's erasures (create_app calls this; connecting twice is harmless)."""
    contacts_erasing.connect(cut_loose)
