"""One-time links for accounts: an invitation or a password reset, expiring, used once; only a hash
of the token is stored, so a copy of the database opens no account."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from schoolbell.accounts.models import AccountToken, User
from schoolbell.extensions import db
from schoolbell.timeutil import utcnow

LIFETIMES = {"invite": timedelta(days=3), "reset": timedelta(hours=1)}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, purpose: str) -> str:
    """A new link token for the user (added to the session); earlier unused ones of that purpose end."""
    now = utcnow()
    db.session.execute(update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now))
    token = secrets.token_urlsafe(32)
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=_digest(token),
                                created_at=now, expires_at=now + LIFETIMES[purpose]))
    return token


def find(token: str, purpose: str) -> AccountToken | None:
    """The token's record if it is of this purpose, unused and unexpired; None otherwise."""
    if not token or len(token) > 100:
        return None
    found = db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _digest(token),
                                                          AccountToken.purpose == purpose))
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        return None
    return found


def use(found: AccountToken) -> None:
    """Mark the token used, so the link opens nothing again."""
    found.used_at = utcnow()
