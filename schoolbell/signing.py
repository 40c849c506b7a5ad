"""Signed, expiring tokens for links in messages: they carry ids only, never personal data."""

from __future__ import annotations

import functools
from datetime import datetime

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, int_to_bytes, want_bytes

DAY = 24 * 3600


class InvalidLink(ValueError):
    """A link whose signature is wrong, or which has expired."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"], purpose)


@functools.lru_cache(maxsize=32)
def _serializer_for(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    # The purpose is the salt: a token made for one page is refused by every other. Kept, since
    # the dispatcher signs a link per message; serializers hold no per-call state.
    return URLSafeTimedSerializer(secret_key, salt=f"schoolbell.{purpose}")


def make_token(purpose: str, payload: list | dict) -> str:
    """Sign a small payload of ids for one purpose."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age_seconds: int):
    """The payload of a token made for this purpose, or InvalidLink if forged or expired."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except BadSignature as error:
        raise InvalidLink(str(error)) from None


def sign_id(purpose: str, value: int, issued_at: datetime | None = None) -> str:
    """A short signed token for one id, "<id>.<time>.<signature>", for one purpose.

    The dispatcher signs one per message and every SMS carries one: with no JSON, compression
    or base64 it is shorter and about four times cheaper than `make_token` (7 vs 26 µs).
    With `issued_at` the token is the same at every call (its age counts from then): a message
    sent again is then identical, and the provider can be asked whether it already has it.
    """
    signer = _signer_for(current_app.config["SECRET_KEY"], purpose)
    if issued_at is None:
        return signer.sign(str(value)).decode()
    # TimestampSigner.sign with a given time instead of now, byte for byte.
    stamped = want_bytes(str(value)) + signer.sep + base64_encode(int_to_bytes(int(issued_at.timestamp())))
    return (stamped + signer.sep + signer.get_signature(stamped)).decode()


def read_id(purpose: str, token: str, max_age_seconds: int) -> int:
    """The id of a `sign_id` token made for this purpose, or InvalidLink if forged or expired."""
    try:
        value = _signer_for(current_app.config["SECRET_KEY"], purpose).unsign(token, max_age=max_age_seconds)
    except BadSignature as error:
        raise InvalidLink(str(error)) from None
    return int(value)


@functools.lru_cache(maxsize=32)
def _signer_for(secret_key: str, purpose: str) -> TimestampSigner:
    # Its own salt, so that no token of make_token's format can ever pass for one of these.
    return TimestampSigner(secret_key, salt=f"schoolbell.{purpose}.id")


def public_url(path: str) -> str:
    """An absolute link to a page of this service, for use in messages."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
