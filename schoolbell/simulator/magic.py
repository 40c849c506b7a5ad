"""Magic recipient numbers that make the simulator fail in a chosen way.

Rejected when the message is created (HTTP error answer, nothing recorded):

| To              | HTTP | Twilio code | meaning                                     |
|-----------------|------|-------------|---------------------------------------------|
| +15005550001    | 400  | 21211       | invalid 'To' phone number                   |
| +15005550009    | 400  | 21610       | recipient unsubscribed (replied STOP)       |
| +15005550429    | 429  | 20429       | too many requests, with `Retry-After: 1`    |
| +15005550500    | 500  | 20500       | internal server error                       |
| +15005550503    | 503  | 20503       | service unavailable                         |

Accepted (201, recorded), then a failing status callback:

| To              | callbacks                                   |
|-----------------|---------------------------------------------|
| +15005550002    | sent, then undelivered with ErrorCode 30003 |
| +15005550003    | failed with ErrorCode 30008                 |

Accepted after a long wait, to exercise client read timeouts:

| To              | behaviour                                   |
|-----------------|---------------------------------------------|
| +15005550408    | answers only after HANG_SECONDS (30 s)      |

Every other valid E.164 number is accepted: callbacks "sent", then "delivered".
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rejection:
    """An HTTP error answer in Twilio's error shape."""

    status: int
    code: int
    message: str
    retry_after: int | None = None


INVALID_NUMBER = "+15005550001"
UNDELIVERED = "+15005550002"
FAILED = "+15005550003"
UNSUBSCRIBED = "+15005550009"
THROTTLED = "+15005550429"
SERVER_ERROR = "+15005550500"
UNAVAILABLE = "+15005550503"
HANGS = "+15005550408"

HANG_SECONDS = 30.0

REJECTIONS: dict[str, Rejection] = {
    INVALID_NUMBER: Rejection(400, 21211, f"The 'To' number {INVALID_NUMBER} is not valid."),
    UNSUBSCRIBED: Rejection(400, 21610, "Attempt to send to unsubscribed recipient"),
    THROTTLED: Rejection(429, 20429, "Too Many Requests", retry_after=1),
    SERVER_ERROR: Rejection(500, 20500, "Internal Server Error"),
    UNAVAILABLE: Rejection(503, 20503, "Service Unavailable"),
}

# (status, ErrorCode) callbacks sent after the message was accepted.
DELIVERED_SEQUENCE: tuple[tuple[str, int | None], ...] = (("sent", None), ("delivered", None))
CALLBACK_SEQUENCES: dict[str, tuple[tuple[str, int | None], ...]] = {
    UNDELIVERED: (("sent", None), ("undelivered", 30003)),
    FAILED: (("failed", 30008),),
}
