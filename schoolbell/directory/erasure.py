"""Erasing people: their contact details, memberships and choices go; their deliveries stay as
counts, with nothing left that leads back to them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, null, select, update

from schoolbell.directory.models import Contact, Membership
from schoolbell.extensions import db

BATCH = 500


def orphans(contact_ids: Collection[int]) -> list[int]:
    """Those of these people who have no membership left."""
    left: list[int] = []
    ids = list(contact_ids)
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        kept = set(db.session.scalars(select(Membership.contact_id).where(Membership.contact_id.in_(part))))
        left += [contact_id for contact_id in part if contact_id not in kept]
    return left


def erase_contacts(contact_ids: Collection[int]) -> int:
    """Delete these people in the session's transaction; return how many were deleted.

    Their deliveries are the alerts' counts, so they stay, but cut loose: unsent ones are
    cancelled, and each keeps only its alert, channel, status and times (contact_id becomes the
    delivery's own id, negated, which names nobody; the provider's reference and reason go).
    """
    # The one place the directory reaches up to alerts: Delivery's docstring asks whoever deletes
    # a contact to deal with their deliveries in the same transaction.
    from schoolbell.alerts.delivery_status import move
    from schoolbell.alerts.models import Acknowledgement, Delivery, DeliveryStatus

    ids = list(contact_ids)
    erased = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        db.session.execute(move(DeliveryStatus.CANCELLED, Delivery.contact_id.in_(part),
                                only_from=[DeliveryStatus.PENDING]))
        db.session.execute(update(Delivery).where(Delivery.contact_id.in_(part)).values(
            contact_id=-Delivery.id, provider_ref=null(), error_reason=null())
            .execution_options(synchronize_session=False))
        db.session.execute(delete(Acknowledgement).where(Acknowledgement.contact_id.in_(part)))
        db.session.execute(delete(Membership).where(Membership.contact_id.in_(part)))
        erased += db.session.execute(delete(Contact).where(Contact.id.in_(part))
                                     .execution_options(synchronize_session=False)).rowcount or 0
    return erased

