"""The single-scheduler lock: one database row that a live scheduler holds and renews."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from schoolbell import timeutil
from schoolbell.extensions import db
from schoolbell.scheduling.models import LOCK_NAME, SchedulerLock


class SchedulerLockHeld(RuntimeError):
    """Another scheduler holds the lock and is alive; the message says who and what to do."""

    def __init__(self, holder: str, heartbeat_age: float, stale_after: float):
        self.holder = holder
        super().__init__(
            f"another scheduler is already running against this database: {holder}, last heartbeat "
            f"{heartbeat_age:.0f} s ago. Only one scheduler may run (its jobs would fire twice). Stop it "
            f"first, or, if it died, start again after {stale_after:.0f} s without a heartbeat.")


@dataclass(frozen=True)
class LockState:
    """Who holds the lock and how recently they showed they are alive."""

    holder: str
    acquired_at: datetime
    heartbeat_at: datetime
    last_pass_at: datetime | None


def new_holder_id() -> str:
    """An id naming this process: host:pid:random."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def current() -> LockState | None:
    """The lock's holder, or None when no scheduler has ever held it or the last one let go."""
    row = db.session.execute(select(SchedulerLock.holder, SchedulerLock.acquired_at,
                                     SchedulerLock.heartbeat_at, SchedulerLock.last_pass_at)
                             .where(SchedulerLock.name == LOCK_NAME)).one_or_none()
    if row is None:
        return None
    return LockState(row.holder, row.acquired_at, row.heartbeat_at,
                     row.last_pass_at)


def acquire(holder: str, stale_after: float, now: datetime | None = None) -> None:
    """Take the lock, taking over from a holder that is silent or dead; else raise SchedulerLockHeld."""
    now = now or timeutil.utcnow()
    try:
        db.session.execute(insert(SchedulerLock).values(
            name=LOCK_NAME, holder=holder, acquired_at=now, heartbeat_at=now))
        db.session.commit()
        return
    except IntegrityError:
        db.session.rollback()
    state = current()
    if state is not None:
        age = (now - state.heartbeat_at).total_seconds()
        dead = _is_dead_here(state.holder)
        if not dead and age < stale_after:
            db.session.rollback()
            raise SchedulerLockHeld(state.holder, age, stale_after)
        # Compare-and-set on the holder we saw: of two schedulers taking over at once, one wins.
        conditions = [SchedulerLock.name == LOCK_NAME, SchedulerLock.holder == state.holder]
        if not dead:
            conditions.append(SchedulerLock.heartbeat_at < now - timedelta(seconds=stale_after))
        taken = db.session.execute(update(SchedulerLock).where(*conditions).values(
            holder=holder, acquired_at=now, heartbeat_at=now, last_pass_at=None))
        db.session.commit()
        if taken.rowcount == 1:
            return
    # The row changed between reading and writing: someone else got there first.
    state = current()
    db.session.rollback()
    if state is None:
        return acquire(holder, stale_after, now)
    raise SchedulerLockHeld(state.holder, max(0.0, (now - state.heartbeat_at).total_seconds()),
                            stale_after)


def renew(holder: str, now: datetime | None = None, passed: bool = False) -> bool:
    """Show the holder is alive (and, with passed, that it finished a pass); False if it lost the lock."""
    now = now or timeutil.utcnow()
    values = {"heartbeat_at": now, **({"last_pass_at": now} if passed else {})}
    result = db.session.execute(update(SchedulerLock).where(
        SchedulerLock.name == LOCK_NAME, SchedulerLock.holder == holder).values(**values))
    db.session.commit()
    return result.rowcount == 1


def release(holder: str) -> None:
    """Let go of the lock, so the next scheduler starts at once."""
    db.session.execute(delete(SchedulerLock).where(SchedulerLock.name == LOCK_NAME,
                                                   SchedulerLock.holder == holder))
    db.session.commit()


def _is_dead_here(holder: str) -> bool:
    """True when the holder ran on this host and its process is gone (killed, crashed)."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
