"""The one owner of delivery status: which moves are allowed, and the UPDATEs that make them.

pending → sending → sent → delivered | undelivered | failed, or skipped / cancelled; never backward,
except two moves that start a new attempt rather than undo one: an attempt that ended without a
send (a retry, a quiet-hours hold, an expired lease) returns sending → pending, and a resend
reopens failed | undelivered → pending. Every writer of `deliveries.status` goes through `move`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, case, null, or_, update
from sqlalchemy.sql import Update

from schoolbell.alerts.models import Delivery, DeliveryStatus

PENDING, SENDING, SENT = DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT
DELIVERED, UNDELIVERED, FAILED = DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED
SKIPPED, CANCELLED = DeliveryStatus.SKIPPED, DeliveryStatus.CANCELLED

ALLOWED: frozenset[tuple[DeliveryStatus, DeliveryStatus]] = frozenset({
    (PENDING, SENDING),  # a worker claims it
    (PENDING, CANCELLED),  # the office cancels before it goes
    (SENDING, PENDING),  # the attempt ended unsent: retry later, held for quiet hours, lease expired
    (SENDING, SENT), (SENDING, FAILED), (SENDING, SKIPPED), (SENDING, CANCELLED),
    # A carrier's callback can land before the worker records its own send.
    (SENDING, DELIVERED), (SENDING, UNDELIVERED),
    (SENT, DELIVERED), (SENT, UNDELIVERED), (SENT, FAILED),
    (FAILED, PENDING), (UNDELIVERED, PENDING),  # a resend: a new attempt
})
# What a carrier can still say about a message: it moves forward only, a repeat changes nothing.
CARRIER_REPORTS = (SENT, DELIVERED, UNDELIVERED, FAILED)


class IllegalMove(ValueError):
    """A delivery status change that the life cycle does not allow."""


def sources(to: DeliveryStatus) -> frozenset[DeliveryStatus]:
    """The statuses a delivery may move to `to` from."""
    return frozenset(start for start, end in ALLOWED if end is to)


def allowed(start: DeliveryStatus, to: DeliveryStatus) -> bool:
    """True when a delivery may move from `start` to `to`."""
    return (start, to) in ALLOWED


def move(to: DeliveryStatus, *where: ColumnElement, only_from: Iterable[DeliveryStatus] | None = None,
         **values) -> Update:
    """An UPDATE moving the deliveries matching `where` to `to`, touching only rows it may move.

    `only_from` narrows the starting statuses further (e.g. a cancel moves only pending rows);
    a start the life cycle forbids raises IllegalMove, so a mistake fails loudly in tests.
    """
    starts = sources(to) if only_from is None else frozenset(only_from)
    illegal = [start for start in starts if not allowed(start, to)]
    if illegal:
        raise IllegalMove(f"{', '.join(sorted(illegal))} → {to} is not allowed")
    return (update(Delivery).where(*where, _status_is_one_of(starts))
            .values(status=to.value, **values).execution_options(synchronize_session=False))


def _status_is_one_of(statuses: Iterable[DeliveryStatus]) -> ColumnElement:
    # OR of equalities rather than IN: an expanding IN cannot run as executemany (a batch's outcome).
    return or_(*(Delivery.status == status.value for status in sorted(statuses)))


# What a carrier's callback may already have written before the worker records its own send.
CARRIER_FIELDS = ("error_code", "error_reason")


def record_send(*where: ColumnElement, **values) -> Update:
    """An UPDATE recording a worker's send (its reference, time, lease released) as sent.

    A carrier's callback can land first and move the row past sending: then its status, error
    code and reason stand, and only the worker's other fields (reference, lease) are written.
    """
    still_sending = Delivery.status == SENDING.value
    guarded = {name: case((still_sending, null() if value is None else value), else_=getattr(Delivery, name))
               for name, value in values.items() if name in CARRIER_FIELDS}
    plain = {name: value for name, value in values.items() if name not in CARRIER_FIELDS}
    reported = [start for start in CARRIER_REPORTS if allowed(SENDING, start)]
    return (update(Delivery).where(*where, _status_is_one_of([SENDING, *reported]))
            .values(status=case((still_sending, SENT.value), else_=Delivery.status), **guarded, **plain)
            .execution_options(synchronize_session=False))


def carrier_report(status: DeliveryStatus, *where: ColumnElement, **values) -> Update:
    """An UPDATE applying a carrier's status report: forward only, a repeat or a late one is a no-op."""
    if status not in CARRIER_REPORTS:
        raise IllegalMove(f"a carrier cannot report {status}")
    # 'sent' after 'delivered' is late news, and 'delivered' twice changes nothing.
    starts = [start for start in (SENDING, SENT) if allowed(start, status)]
    return move(status, *where, only_from=starts, **values)
