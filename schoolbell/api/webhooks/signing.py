"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>", and the receiver's check (replays refused).

Headers of every POST:
    SchoolBell-Timestamp: 1733300000                       (Unix seconds when it was signed)
    SchoolBell-Signature: v1=<key id>:<hex HMAC> [v1=<previous key id>:<hex HMAC>]
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TIMESTAMP_HEADER = "SchoolBell-Timestamp"
SIGNATURE_HEADER = "SchoolBell-Signature"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """A webhook request that must be refused: unsigned, too old, or signed with no secret we hold."""


def new_secret() -> tuple[str, str]:
    """(key id, secret) for a webhook."""
    return f"whk_{secrets.token_hex(4)}", secrets.token_hex(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" under a secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(body: bytes, timestamp: int, keys: list[tuple[str, str]]) -> dict[str, str]:
    """The headers for a POST, signed with every (key id, secret) given (two during a rotation)."""
    signed = " ".join(f"v1={key_id}:{signature(secret, timestamp, body)}" for key_id, secret in keys)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signed}


def verify(headers, body: bytes, held_secrets: list[str], now: int,
           tolerance: int = TOLERANCE_SECONDS) -> None:
    """The receiver's check: a fresh timestamp (±5 minutes) and a signature under a secret it holds.

    Raises SignatureError otherwise. `now` is the receiver's clock in Unix seconds; header names are
    matched whatever their case (HTTP clients and servers change it).
    """
    headers = {str(name).lower(): value for name, value in dict(headers).items()}
    try:
        timestamp = int(headers.get(TIMESTAMP_HEADER.lower(), ""))
    except ValueError as error:
        raise SignatureError("no or malformed SchoolBell-Timestamp") from error
    if abs(now - timestamp) > tolerance:
        raise SignatureError(f"timestamp {timestamp} is more than {tolerance} s from now: a replay?")
    offered = [part.partition("=")[2].partition(":")[2]
               for part in headers.get(SIGNATURE_HEADER.lower(), "").split() if part.startswith("v1=")]
    for secret in held_secrets:
        expected = signature(secret, timestamp, body)
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return
    raise SignatureError("no signature matches a secret held")
