"""Signed, expiring tokens for links in messages: they carry ids only, never personal data."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

DAY = 24 * 3600


class InvalidLink(ValueError):
    """A link whose signature is wrong, or which has expired."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    # The purpose is the salt: a token made for one page is refused by every other.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"schoolbell.{purpose}")


def make_token(purpose: str, payload: list | dict) -> str:
    """Sign a small payload of ids for one purpose."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age_seconds: int):
    """The payload of a token made for this purpose, or InvalidLink if forged or expired."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except BadSignature as error:
        raise InvalidLink(str(error)) from None


def public_url(path: str) -> str:
    """An absolute link to a page of this service, for use in messages."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
