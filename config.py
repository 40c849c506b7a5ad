"""Settings for SchoolBell, each read from an environment variable with a default that needs no set-up."""

import os
from pathlib import Path

from schoolbell.settings import Malformed

ROOT = Path(__file__).resolve().parent
INSTANCE = Path(os.environ.get("SCHOOLBELL_INSTANCE_DIR", ROOT / "instance")).resolve()


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_parsed(name: str, default, parse, expected: str):
    """The variable parsed, its default when unset, or a Malformed the app refuses to start with."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return parse(raw)
    except ValueError:
        return Malformed(name, raw, expected)


def _env_int(name: str, default: int) -> int | Malformed:
    return _env_parsed(name, default, int, "a whole number")


def _env_float(name: str, default: float) -> float | Malformed:
    return _env_parsed(name, default, float, "a number")


def _boolean(raw: str) -> bool:
    word = raw.strip().lower()
    if word not in ("1", "true", "yes", "on", "0", "false", "no", "off", ""):
        raise ValueError(raw)
    return word in ("1", "true", "yes", "on")


def _env_bool(name: str, default: bool) -> bool | Malformed:
    return _env_parsed(name, default, _boolean, "true or false")


def _secret_key() -> str:
    # `make run` writes a random key here once, so a newcomer needs no set-up; production sets
    # SECRET_KEY, and the app refuses to start with neither (schoolbell/settings.py).
    key = os.environ.get("SECRET_KEY", "")
    path = INSTANCE / "secret_key"
    if not key and path.is_file():
        key = path.read_text(encoding="utf-8").strip()
    return key


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'schoolbell.db'}")
    # Heroku-style URLs name the old driver; SchoolBell ships psycopg 3.
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Config:
    """Settings for one deployment; every value comes from the environment."""

    SECRET_KEY = _secret_key()
    # Console forms carry Flask-WTF's CSRF token; Lax keeps the session off cross-site POSTs too.
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # valid as long as the session: a form left open all morning still works
    SQLALCHEMY_DATABASE_URI = _database_url()
    # Pooled PostgreSQL connections idle for a second are checked before use (database.ping_when_idle).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    INSTANCE_DIR = str(INSTANCE)

    BABEL_DEFAULT_LOCALE = _env("BABEL_DEFAULT_LOCALE", "ko")
    BABEL_DEFAULT_TIMEZONE = _env("BABEL_DEFAULT_TIMEZONE", "Asia/Seoul")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")
    SCHOOLBELL_TIMEZONE = _env("SCHOOLBELL_TIMEZONE", "Asia/Seoul")
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Behind a reverse proxy (nginx, a load balancer): trust its X-Forwarded-* headers, so links and
    # Twilio's signatures use the public URL.
    BEHIND_PROXY = _env_bool("BEHIND_PROXY", False)
    # Session cookies only over HTTPS, unless the service itself is plain HTTP (development).
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", PUBLIC_BASE_URL.startswith("https://"))
    SESSION_COOKIE_HTTPONLY = True
    # The largest request accepted (a contacts file uploaded in the console is the biggest).
    MAX_UPLOAD_MB = _env_int("MAX_UPLOAD_MB", 32)
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    # Requests per API key (docs/api.md), in Flask-Limiter's notation.
    API_RATE_LIMIT = _env("API_RATE_LIMIT", "3000 per minute")

    # Who runs this deployment, as the KRDS identifier on every page names it ("이 누리집은 … 누리집입니다").
    SITE_OPERATOR_KO = _env("SITE_OPERATOR_KO", "서울특별시교육청")
    SITE_OPERATOR_EN = _env("SITE_OPERATOR_EN", "Seoul Metropolitan Office of Education")

    LESSONS_DIR = _env("LESSONS_DIR", str(ROOT / "lessons"))
    SCHOOL_DATA_DIR = _env("SCHOOL_DATA_DIR", str(ROOT.parent / "shared" / "data" / "schools"))

    SMS_BACKEND = _env("SMS_BACKEND", "file")
    EMAIL_BACKEND = _env("EMAIL_BACKEND", "file")
    OUTBOX_DIR = _env("OUTBOX_DIR", str(INSTANCE / "outbox"))
    # The console's costly figures, shared by every web process of a machine (empty: the app's
    # instance folder/readings). A local folder: tmpfs (/run/…) suits it.
    READINGS_DIR = _env("READINGS_DIR", "")

    TWILIO_ACCOUNT_SID = _env("TWILIO_ACCOUNT_SID", "")
    TWILIO_AUTH_TOKEN = _env("TWILIO_AUTH_TOKEN", "")
    TWILIO_MESSAGING_SERVICE_SID = _env("TWILIO_MESSAGING_SERVICE_SID", "")
    TWILIO_FROM_NUMBERS = _env("TWILIO_FROM_NUMBERS", "")
    TWILIO_STATUS_CALLBACK_URL = _env("TWILIO_STATUS_CALLBACK_URL", "")
    TWILIO_API_BASE_URL = _env("TWILIO_API_BASE_URL", "")
    TWILIO_TIMEOUT_SECONDS = _env_float("TWILIO_TIMEOUT_SECONDS", 10.0)

    SMTP_HOST = _env("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = _env_int("SMTP_PORT", 25)
    SMTP_USERNAME = _env("SMTP_USERNAME", "")
    SMTP_PASSWORD = _env("SMTP_PASSWORD", "")
    SMTP_SECURITY = _env("SMTP_SECURITY", "none")
    SMTP_TIMEOUT_SECONDS = _env_float("SMTP_TIMEOUT_SECONDS", 10.0)
    MAIL_SENDER = _env("MAIL_SENDER", "SchoolBell <noreply@schoolbell.invalid>")

    QUIET_HOURS = _env("QUIET_HOURS", "21:00-08:00")
    # An SMS longer than this many segments (per message, per language) cannot be sent; above
    # SMS_SEGMENT_WARN the sender must confirm. One LMS (2,000 CP949 bytes) is a hard limit besides.
    SMS_SEGMENT_CAP = _env_int("SMS_SEGMENT_CAP", 10)
    SMS_SEGMENT_WARN = _env_int("SMS_SEGMENT_WARN", 4)
    # What the SMS route's carriers put in front of each SMS on a Korean phone ("[국제발신]" for
    # Twilio, "[Web발신]" for a domestic web relay); unset: the route's own (alerts/sms_rendering.py),
    # "none": nothing. Shown and explained in every preview; it counts toward the Korean byte limits.
    SMS_CARRIER_PREFIX = os.environ.get("SMS_CARRIER_PREFIX")

    # Deliveries a worker holds at most; a crash can send up to this many twice (at-least-once).
    # 2,000 kept a 0 ms provider's loop fed (0.81 -> 0.92 of the bare client; bench/dispatch_bench.py).
    DISPATCH_BATCH_SIZE = _env_int("DISPATCH_BATCH_SIZE", 2000)
    # SMS requests in flight per worker, on one event loop: at 100 ms provider latency, 1,000/s
    # needs over 100; 256 leaves room for slower answers (bench/dispatch_bench.py).
    DISPATCH_SMS_CONCURRENCY = _env_int("DISPATCH_SMS_CONCURRENCY", 256)
    # Emails in flight per worker over as many SMTP connections (aiosmtplib). Relays cap connections
    # per client (Postfix: 50), so 16 lets three workers share one relay; against smtp-sink one worker
    # sent ~700/s at 8, ~1,000-1,600/s at 16 and ~3,000/s at 32 (bench/dispatch_bench.py).
    DISPATCH_EMAIL_THREADS = _env_int("DISPATCH_EMAIL_THREADS", 16)
    DISPATCH_LEASE_SECONDS = _env_int("DISPATCH_LEASE_SECONDS", 120)
    # A worker that takes this channel's deliveries first and the others' when none of its own are due
    # ("sms", "email" or empty): one email-first worker per few lets a city's emails go in minutes
    # instead of trickling out beside the SMS (docs/operations.md).
    DISPATCH_PREFER_CHANNEL = os.environ.get("DISPATCH_PREFER_CHANNEL", "")
    # Twilio sends about one SMS per second per Korean long code; 0 means no limit (file channels).
    SMS_RATE_PER_SENDER = _env_float("SMS_RATE_PER_SENDER", 0.0)
    EMAIL_RATE_PER_SECOND = _env_float("EMAIL_RATE_PER_SECOND", 0.0)
    SCHEDULER_POLL_SECONDS = _env_float("SCHEDULER_POLL_SECONDS", 15.0)
    SCHEDULER_HEARTBEAT_SECONDS = _env_float("SCHEDULER_HEARTBEAT_SECONDS", 10.0)
    SCHEDULER_LOCK_STALE_SECONDS = _env_float("SCHEDULER_LOCK_STALE_SECONDS", 60.0)

    # Process logs: "text", or "json" (one object a line with alert_id/delivery_id; phones and
    # emails masked either way). LOG_LEVEL: DEBUG, INFO, WARNING, ERROR.
    LOG_FORMAT = _env("LOG_FORMAT", "text")
    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    # Who may read /metrics: a request with "Authorization: Bearer <this>"; empty: this machine only.
    METRICS_TOKEN = _env("METRICS_TOKEN", "")
