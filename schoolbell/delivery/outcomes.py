"""Recording what happened to a batch of sends, in a few set-based statements."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Boolean, Integer, String, bindparam, column, func, or_, update, values

from schoolbell import timeutil
from schoolbell.alerts.delivery_status import move, record_send
from schoolbell.alerts.models import (
    Delivery,
    DeliveryStatus,
)
from schoolbell.database import UTCDateTime, is_postgresql
from schoolbell.delivery.fallback import email_fallback
from schoolbell.directory.models import Contact
from schoolbell.extensions import db


@dataclass
class BatchOutcome:
    """The results of one batch, grouped by what must be written.

    Rows are executemany parameters: sent {b_id, b_ref, b_dup}; uncertain and retry {b_id, b_code,
    b_reason, b_next, b_give_up}; deferred {b_id, b_next}; failed {b_id, b_code, b_reason};
    skipped {b_id, b_reason}.
    """

    sent: list[dict] = field(default_factory=list)
    uncertain: list[dict] = field(default_factory=list)
    retry: list[dict] = field(default_factory=list)
    deferred: list[dict] = field(default_factory=list)  # held back unsent: not an attempt
    failed: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    sms_blocked: dict[int, str] = field(default_factory=dict)
    sms_failed_people: dict[int, set[int]] = field(default_factory=dict)

    def count(self) -> int:
        """Deliveries this batch settled or rescheduled."""
        return sum(map(len, (self.sent, self.uncertain, self.retry, self.deferred, self.failed,
                             self.skipped)))


def _mine(worker: str):
    return (Delivery.id == bindparam("b_id"), Delivery.lease_owner == worker)


# Three parameters a row: PostgreSQL takes at most 65,535 in one statement.
SENT_PER_STATEMENT = 10_000


def _sent_list(rows: list[dict]):
    """The sent rows {b_id, b_ref, b_dup} as a VALUES list to update from."""
    return values(column("b_id", Integer), column("b_ref", String), column("b_dup", Boolean),
                  name="sent").data([(row["b_id"], row["b_ref"], bool(row.get("b_dup", False)))
                                     for row in rows])


def write_outcome(worker: str, outcome: BatchOutcome) -> int:
    """Write a batch's results; only rows this worker still leases are touched. Returns fallbacks.

    One transaction: if the database fails midway nothing is written, and the same outcome can be
    written again once it is back.
    """
    now = timeutil.utcnow()
    done = {"lease_owner": None, "lease_expires_at": None, "updated_at": now}
    code, reason = bindparam("b_code"), bindparam("b_reason")
    sending = [DeliveryStatus.SENDING]
    sent_again = bindparam("b_dup", False, type_=Boolean())  # optional per row
    # Retries wait in their class's retry lane (one below its fresh rows), until their deadline.
    retry = {"next_attempt_at": bindparam("b_next"), "error_code": code, "error_reason": reason,
             "priority": Delivery.priority - Delivery.priority % 2,
             "give_up_at": func.coalesce(Delivery.give_up_at, bindparam("b_give_up", type_=UTCDateTime())),
             **done}
    sent = dict(sent_at=now, error_code=None, error_reason=None, uncertain=False, **done)
    statements = (
        (outcome.sent, record_send(*_mine(worker), provider_ref=bindparam("b_ref"),
                                   maybe_duplicate=or_(Delivery.maybe_duplicate, sent_again), **sent)),
        (outcome.uncertain, move(DeliveryStatus.PENDING, *_mine(worker), only_from=sending,
                                 uncertain=True, **retry)),
        (outcome.retry, move(DeliveryStatus.PENDING, *_mine(worker), only_from=sending, **retry)),
        (outcome.deferred, move(DeliveryStatus.PENDING, *_mine(worker), only_from=sending,
                                next_attempt_at=bindparam("b_next"), attempts=Delivery.attempts - 1,
                                **done)),
        (outcome.failed, move(DeliveryStatus.FAILED, *_mine(worker), only_from=sending,
                              error_code=code, error_reason=reason, **done)),
        (outcome.skipped, move(DeliveryStatus.SKIPPED, *_mine(worker), only_from=sending,
                               error_reason=reason, **done)),
    )
    connection = db.session.connection()
    if outcome.sent and is_postgresql():
        # Most of a batch was sent: one UPDATE … FROM a list of values, not a statement a row that
        # PostgreSQL parses, plans and runs each time. (SQLite cannot name a VALUES list's columns
        # in FROM, and its executemany costs about 20 µs a row.)
        for start in range(0, len(outcome.sent), SENT_PER_STATEMENT):
            listed = _sent_list(outcome.sent[start:start + SENT_PER_STATEMENT])
            connection.execute(record_send(
                Delivery.id == listed.c.b_id, Delivery.lease_owner == worker, provider_ref=listed.c.b_ref,
                maybe_duplicate=or_(Delivery.maybe_duplicate, listed.c.b_dup), **sent))
        statements = statements[1:]
    for rows, statement in statements:
        if rows:
            connection.execute(statement, rows)
    for contact_id, reason in outcome.sms_blocked.items():
        connection.execute(update(Contact.__table__).where(Contact.id == contact_id)
                           .values(sms_blocked_reason=reason[:200]))
    fallbacks = sum(email_fallback(alert_id, people) for alert_id, people
                    in outcome.sms_failed_people.items())
    db.session.commit()
    return fallbacks
