"""Fixtures shared by every test: an app on a freshly migrated database, a client and a CLI runner."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from config import Config
from schoolbell import create_app
from schoolbell.extensions import db

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SCHOOL_DATA = SHARED_DATA / "schools"
# CI sets this to run the whole suite again on a real PostgreSQL server.
POSTGRES_URL = os.environ.get("SCHOOLBELL_TEST_DATABASE_URL", "")


class TestConfig(Config):
    """Settings for tests: memory channels, no real server is ever reached."""

    TESTING = True
    SECRET_KEY = "test-secret"
    SMS_BACKEND = "memory"
    EMAIL_BACKEND = "memory"
    SCHOOL_DATA_DIR = str(SCHOOL_DATA)
    PUBLIC_BASE_URL = "http://schoolbell.test"
    # Tests run at any hour; quiet-hour tests set their own window and clock.
    QUIET_HOURS = "off"


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A brand-new empty database for one test."""
    if POSTGRES_URL:
        _reset_postgres(POSTGRES_URL)
        return POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{tmp_path / 'schoolbell.db'}"


@pytest.fixture
def app(tmp_path: Path, database_url: str):
    """The app on an empty database that migrations have built."""
    instance = tmp_path / "instance"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url,
                     OUTBOX_DIR=str(instance / "outbox"))
    app.instance_path = str(instance)
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client for the web pages."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A runner for `flask …` commands."""
    return app.test_cli_runner()


@pytest.fixture
def school_data() -> Path:
    """The shared folder of real Seoul school files."""
    return SCHOOL_DATA


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app on 127.0.0.1 (a free port) from a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def backends():
    """In-memory SMS and email transports whose outboxes tests read."""
    from schoolbell.channels.memory import MemoryEmailBackend, MemorySmsBackend
    from schoolbell.delivery.backends import Backends

    return Backends(sms=MemorySmsBackend(), email=MemoryEmailBackend())


@pytest.fixture
def dispatcher(app, backends):
    """A dispatcher on the memory transports that drains without waiting for later retries."""
    from schoolbell.delivery.dispatcher import Dispatcher, DispatcherSettings

    settings = DispatcherSettings(batch_size=50, sms_concurrency=2, idle_sleep=0.01, drain_horizon=0)
    running = Dispatcher(app, settings, backends)
    yield running
    running.close()


@pytest.fixture(scope="module")
def module_simulator():
    """A Twilio simulator on 127.0.0.1 shared by one test module."""
    from schoolbell.simulator.testing import running_simulator

    with running_simulator() as running:
        yield running


@pytest.fixture
def simulator(module_simulator):
    """The module's simulator, emptied of what earlier tests sent and set back to its defaults."""
    module_simulator.reset()
    return module_simulator
