"""Channel backends built from the app's settings: one SMS and one email backend per process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from schoolbell.channels.base import EmailBackend, SmsBackend
from schoolbell.channels.registry import make_email_backend, make_sms_backend


@dataclass
class Backends:
    """The process's transports."""

    sms: SmsBackend
    email: EmailBackend

    def close(self) -> None:
        """Close connections (SMTP) and pools (Twilio)."""
        self.sms.close()
        self.email.close()


def sms_options(config) -> dict:
    """Keyword options for the configured SMS backend."""
    name = config["SMS_BACKEND"]
    if name == "twilio":
        return {
            "account_sid": config["TWILIO_ACCOUNT_SID"],
            "auth_token": config["TWILIO_AUTH_TOKEN"],
            "messaging_service_sid": config["TWILIO_MESSAGING_SERVICE_SID"] or None,
            "from_numbers": sender_pool(config),
            "api_base_url": config["TWILIO_API_BASE_URL"] or None,
            "timeout": float(config["TWILIO_TIMEOUT_SECONDS"]),
        }
    if name == "file":
        return {"directory": Path(config["OUTBOX_DIR"]) / "sms"}
    return {}


def email_options(config) -> dict:
    """Keyword options for the configured email backend."""
    name = config["EMAIL_BACKEND"]
    if name == "smtp":
        return {
            "host": config["SMTP_HOST"], "port": int(config["SMTP_PORT"]),
            "username": config["SMTP_USERNAME"] or None, "password": config["SMTP_PASSWORD"] or None,
            "security": config["SMTP_SECURITY"], "sender": config["MAIL_SENDER"],
            "timeout": float(config["SMTP_TIMEOUT_SECONDS"]),
            "connections": int(config.get("DISPATCH_EMAIL_THREADS", 8)),
        }
    if name == "file":
        return {"directory": Path(config["OUTBOX_DIR"]) / "email"}
    return {}


def sender_pool(config) -> tuple[str, ...]:
    """The registered sender numbers, from a comma-separated setting."""
    return tuple(n.strip() for n in str(config.get("TWILIO_FROM_NUMBERS") or "").split(",") if n.strip())


def get_backends(app: Flask) -> Backends:
    """The app's backends, built on first use and kept in app.extensions (memory ones are shared)."""
    backends = app.extensions.get("schoolbell.backends")
    if backends is None:
        config = app.config
        backends = Backends(
            sms=make_sms_backend(config["SMS_BACKEND"], **sms_options(config)),
            email=make_email_backend(config["EMAIL_BACKEND"], **email_options(config)))
        app.extensions["schoolbell.backends"] = backends
    return backends
