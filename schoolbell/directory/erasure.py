"""Erasing people: their contact details, memberships and choices go; their deliveries stay as
counts, with nothing left that leads back to them."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select

from schoolbell.directory.models import Contact, Membership
from schoolbell.directory.signals import contacts_erasing
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

    Their deliveries are the alerts' counts, so they stay, but cut loose (alerts/erasure.py, told
    through the `contacts_erasing` signal, since the directory must not import alerts).
    """
    ids = list(contact_ids)
    erased = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        # Rows other packages hold about these people go first (alerts: deliveries, confirmations).
        contacts_erasing.send(None, contact_ids=part)
        db.session.execute(delete(Membership).where(Membership.contact_id.in_(part)))
        erased += db.session.execute(delete(Contact).where(Contact.id.in_(part))
                                     .execution_options(synchronize_session=False)).rowcount or 0
    return erased

