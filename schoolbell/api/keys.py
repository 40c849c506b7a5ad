"""API keys: made with a secret shown once, stored as a SHA-256, found again by their public prefix."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy import select

from schoolbell import timeutil
from schoolbell.api.models import ApiKey, KeyKind
from schoolbell.directory.models import EducationOffice
from schoolbell.extensions import db

TOKEN_START = "sb"
# What a token we made looks like; anything else is refused before the database is asked (a NUL byte in a
# header would make PostgreSQL fail the query).
TOKEN_SHAPE = re.compile(r"^sb_(live|team|test)_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})$")


class ApiKeyError(ValueError):
    """A key that cannot be made or revoked; the message says why."""


def _digest(secret: str) -> str:
    # The secret is 32 random bytes: a fast hash cannot be brute-forced, and it lets every request be
    # checked without a password hash's deliberate slowness.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(office: EducationOffice, name: str, kind: str, actor: str,
               read_only: bool = False) -> tuple[ApiKey, str]:
    """A new key and its token (`sb_<kind>_<prefix>_<secret>`), which is never stored or shown again."""
    if kind not in KeyKind._value2member_map_:
        raise ApiKeyError(f"unknown kind {kind!r}; use {', '.join(KeyKind)}")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApiKeyError("a key needs a name of 1 to 100 characters")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(office_id=office.id, name=name, kind=KeyKind(kind), read_only=read_only, prefix=prefix,
                 secret_hash=_digest(secret), created_by=actor)
    db.session.add(key)
    db.session.flush()
    return key, f"{TOKEN_START}_{kind}_{prefix}_{secret}"


def key_for_token(token: str) -> ApiKey | None:
    """The live (not revoked) key a token belongs to, or None."""
    shape = TOKEN_SHAPE.match(token)
    if shape is None:
        return None
    kind, prefix, secret = shape.groups()
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None or key.kind.value != kind:
        return None
    if not hmac.compare_digest(key.secret_hash, _digest(secret)):
        return None
    return key


def revoke_key(office: EducationOffice, prefix: str) -> ApiKey:
    """Revoke a key of the office by its prefix; a revoked key answers 401 from then on."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.office_id == office.id))
    if key is None:
        raise ApiKeyError(f"office {office.code} has no key {prefix!r}")
    if key.revoked_at is None:
        key.revoked_at = timeutil.utcnow()
    return key


def office_keys(office: EducationOffice) -> list[ApiKey]:
    """The office's keys, newest first, revoked ones included."""
    return list(db.session.scalars(select(ApiKey).where(ApiKey.office_id == office.id)
                                   .order_by(ApiKey.id.desc())))
