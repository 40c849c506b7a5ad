"""What a console password must be: long enough, and not one an attacker tries first (zxcvbn)."""

from __future__ import annotations

from zxcvbn import zxcvbn

MIN_LENGTH = 12
# zxcvbn's 0–4 scale: 3 is "safely unguessable" against an online attack with throttling.
MIN_SCORE = 3


class WeakPassword(ValueError):
    """A password the policy refuses; the message says why."""


def check_password_strength(password: str, *related: str) -> None:
    """Raise WeakPassword unless the password is long and hard to guess (also from the user's own
    email or name, passed as `related`)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    verdict = zxcvbn(password[:100], user_inputs=[value for value in related if value])
    if verdict["score"] < MIN_SCORE:
        hint = verdict["feedback"].get("warning") or "it is too easy to guess"
        raise WeakPassword(f"this password is too easy to guess: {hint}")
