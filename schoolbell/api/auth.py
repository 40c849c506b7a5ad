"""Who is calling: the Bearer key, its office, kind and whether it may write; the per-key rate limit."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from schoolbell import timeutil
from schoolbell.api.keys import key_for_token
from schoolbell.api.models import ApiKey, KeyKind
from schoolbell.api.problems import ApiProblem
from schoolbell.extensions import db

WRITES = ("POST", "PUT", "PATCH", "DELETE")
TEST_HEADER = "SchoolBell-Test-Mode"
DEFAULT_RATE = "3000 per minute"
LAST_USED_PRECISION = timedelta(minutes=1)


def bearer_token() -> str | None:
    """The token of `Authorization: Bearer …`, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def rate_limit_key() -> str:
    """The limiter's bucket: the key's public prefix (never its secret), else the client address."""
    token = bearer_token() or ""
    parts = token.split("_", 3)
    if len(parts) == 4 and parts[0] == "sb" and parts[2].isalnum() and len(parts[2]) <= 16:
        return f"api-key:{parts[2]}"
    return f"api-anon:{get_remote_address()}"


def rate_limit() -> str:
    """The per-key limit (API_RATE_LIMIT, e.g. "3000 per minute")."""
    return current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE)


def authenticate() -> None:
    """Before every API view: a live key of an office, allowed to do this, or a 401/403 problem."""
    token = bearer_token()
    if token is None:
        raise ApiProblem(401, "send your API key as `Authorization: Bearer <key>`",
                         headers={"WWW-Authenticate": 'Bearer realm="schoolbell"'})
    key = key_for_token(token)
    if key is None:
        raise ApiProblem(401, "this API key is unknown or revoked",
                         headers={"WWW-Authenticate": 'Bearer realm="schoolbell", error="invalid_token"'})
    g.api_key = key
    if key.read_only and request.method in WRITES:
        raise ApiProblem(403, "this key is read-only; use a key that may write")
    now = timeutil.utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_PRECISION:
        key.last_used_at = now  # at most one write a minute per key, not one per request
        db.session.commit()


def current_key() -> ApiKey:
    """The calling key (after authenticate)."""
    return g.api_key


def is_test() -> bool:
    """Whether the calling key is a test key: nothing it does is ever sent."""
    key = getattr(g, "api_key", None)
    return key is not None and key.kind is KeyKind.TEST
