"""Settings checked at start: a malformed or missing one stops the app with one clear line."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

# Values that have been published as examples: a key anyone can read signs nothing.
KNOWN_KEYS = {"dev-only-not-secret", "changeme", "secret", "dev", "development", "test"}
MIN_KEY_LENGTH = 16
NUMBERS = ("SMTP_PORT", "DISPATCH_BATCH_SIZE", "DISPATCH_SMS_CONCURRENCY", "DISPATCH_EMAIL_THREADS",
           "DISPATCH_LEASE_SECONDS", "SMS_RATE_PER_SENDER", "EMAIL_RATE_PER_SECOND",
           "TWILIO_TIMEOUT_SECONDS", "SMTP_TIMEOUT_SECONDS", "SCHEDULER_POLL_SECONDS",
           "SCHEDULER_HEARTBEAT_SECONDS", "SCHEDULER_LOCK_STALE_SECONDS", "MAX_UPLOAD_MB",
           "SMS_SEGMENT_CAP", "SMS_SEGMENT_WARN")
POSITIVE = ("DISPATCH_BATCH_SIZE", "DISPATCH_SMS_CONCURRENCY", "DISPATCH_EMAIL_THREADS",
            "DISPATCH_LEASE_SECONDS", "TWILIO_TIMEOUT_SECONDS", "SMTP_TIMEOUT_SECONDS",
            "SCHEDULER_POLL_SECONDS", "SCHEDULER_HEARTBEAT_SECONDS", "SCHEDULER_LOCK_STALE_SECONDS",
            "MAX_UPLOAD_MB", "SMS_SEGMENT_CAP", "SMS_SEGMENT_WARN")


@dataclass(frozen=True)
class Malformed:
    """An environment variable whose text is not what its setting needs (found at start)."""

    name: str
    raw: str
    expected: str

    def __str__(self) -> str:
        return f"{self.name} must be {self.expected}, got {self.raw!r}"


class SettingsError(RuntimeError):
    """The app cannot start: the message names each setting that is wrong and why."""


def check_settings(config) -> None:
    """Raise SettingsError naming every malformed or missing setting; derive the ones that follow."""
    from schoolbell.alerts.quiet_hours import parse_quiet_hours
    from schoolbell.channels.registry import EMAIL_BACKEND_NAMES, SMS_BACKEND_NAMES
    from schoolbell.channels.smtp_email import SECURITY_MODES
    from schoolbell.logging_setup import FORMATS as LOG_FORMATS

    problems = [str(value) for value in config.values() if isinstance(value, Malformed)]
    for name in NUMBERS:
        value = config.get(name)
        if name in POSITIVE and isinstance(value, int | float) and value <= 0:
            problems.append(f"{name} must be above 0, got {value}")
        elif isinstance(value, int | float) and value < 0:
            problems.append(f"{name} cannot be negative, got {value}")
    cap, warn = config.get("SMS_SEGMENT_CAP"), config.get("SMS_SEGMENT_WARN")
    if isinstance(cap, int) and isinstance(warn, int) and warn > cap:
        problems.append(f"SMS_SEGMENT_WARN ({warn}) cannot be above SMS_SEGMENT_CAP ({cap})")
    key = config.get("SECRET_KEY") or ""
    if key in KNOWN_KEYS or len(key) < MIN_KEY_LENGTH:
        problems.append("SECRET_KEY is missing or weak: set it to a long random value, e.g. "
                        "python -c 'import secrets; print(secrets.token_urlsafe(48))' "
                        "(make run writes one to instance/secret_key)")
    if config.get("DISPATCH_PREFER_CHANNEL") not in ("", None, "sms", "email"):
        problems.append(f"DISPATCH_PREFER_CHANNEL must be sms, email or empty, "
                        f"got {config.get('DISPATCH_PREFER_CHANNEL')!r}")
    if config.get("SMS_BACKEND") not in SMS_BACKEND_NAMES:
        problems.append(f"SMS_BACKEND must be one of {', '.join(SMS_BACKEND_NAMES)}, "
                        f"got {config.get('SMS_BACKEND')!r}")
    if config.get("EMAIL_BACKEND") not in EMAIL_BACKEND_NAMES:
        problems.append(f"EMAIL_BACKEND must be one of {', '.join(EMAIL_BACKEND_NAMES)}, "
                        f"got {config.get('EMAIL_BACKEND')!r}")
    if config.get("SMS_BACKEND") == "twilio":
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not config.get(name)]
        if not (config.get("TWILIO_MESSAGING_SERVICE_SID") or config.get("TWILIO_FROM_NUMBERS")):
            missing.append("TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBERS")
        if missing:
            problems.append(f"SMS_BACKEND is twilio but {', '.join(missing)} is not set")
    if config.get("LOG_FORMAT", "text") not in LOG_FORMATS:
        problems.append(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, "
                        f"got {config.get('LOG_FORMAT')!r}")
    if config.get("EMAIL_BACKEND") == "smtp" and config.get("SMTP_SECURITY") not in SECURITY_MODES:
        problems.append(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, "
                        f"got {config.get('SMTP_SECURITY')!r}")
    if config.get("MAIL_SENDER") is not None:
        problems.extend(_sender_problems(config["MAIL_SENDER"]))
    if config.get("BABEL_DEFAULT_TIMEZONE") is not None:
        problems.extend(_timezone_problems("BABEL_DEFAULT_TIMEZONE", config["BABEL_DEFAULT_TIMEZONE"]))
    try:
        parse_quiet_hours(config.get("QUIET_HOURS"))
    except ValueError as error:
        problems.append(f"QUIET_HOURS: {error}")
    base = urlsplit(config.get("PUBLIC_BASE_URL") or "")
    if base.scheme not in ("http", "https") or not base.hostname:
        problems.append(f"PUBLIC_BASE_URL must be an http(s) address, got {config.get('PUBLIC_BASE_URL')!r}")
    if problems:
        raise SettingsError("SchoolBell cannot start: " + "; ".join(problems))
    if isinstance(config.get("MAX_UPLOAD_MB"), int | float):
        config["MAX_CONTENT_LENGTH"] = int(config["MAX_UPLOAD_MB"] * 1024 * 1024)


def _sender_problems(sender: str) -> list[str]:
    # Every email would be refused, one by one, by the relay: say it once, at start. Not
    # email-validator: it refuses .invalid, the documented default's domain.
    from email.utils import parseaddr

    from schoolbell.channels.smtp_email import ascii_sender

    _name, address = parseaddr(sender)
    local, at, domain = address.rpartition("@")
    if at and local and domain and local.isascii() and "@" not in local \
            and not any(c.isspace() for c in address):
        try:
            ascii_sender(sender)
            return []
        except ValueError:
            pass
    return [f"MAIL_SENDER must be an address such as 'SchoolBell <noreply@example.org>' with an ASCII "
            f"part before @, got {sender!r}"]


def _timezone_problems(name: str, value: str) -> list[str]:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return [f"{name} must be a time zone such as Asia/Seoul, got {value!r}"]
    return []
