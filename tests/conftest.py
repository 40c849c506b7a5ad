"""Fixtures shared by every test: an app on a freshly migrated database, a client and a CLI runner."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text
from werkzeug.serving import make_server

from config import Config
from schoolbell import create_app
from schoolbell.alerts import read_cache
from schoolbell.extensions import db
from tests.clock import start_session_clock

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SCHOOL_DATA = SHARED_DATA / "schools"
# CI sets this to run the whole suite again on a real PostgreSQL server.
POSTGRES_URL = os.environ.get("SCHOOLBELL_TEST_DATABASE_URL", "")
CLOCK_OFFSET = pytest.StashKey[float]()
MIGRATIONS = Path(__file__).resolve().parents[1] / "schoolbell" / "migrations"


def pytest_configure(config):
    """Move the session to SCHOOLBELL_TEST_CLOCK when it is set (see tests/clock.py)."""
    offset = start_session_clock()
    if offset:
        config.stash[CLOCK_OFFSET] = offset


def pytest_report_header(config):
    """Say which clock the suite ran on."""
    from datetime import UTC, datetime

    return f"clock: {datetime.now(UTC).isoformat(timespec='seconds')}" + (
        f" ({os.environ['SCHOOLBELL_TEST_CLOCK']} via time-machine)" if CLOCK_OFFSET in config.stash else
        " (the real clock)")


class TestConfig(Config):
    """Settings for tests: memory channels, no real server is ever reached."""

    TESTING = True
    SECRET_KEY = "test-secret-not-for-production"
    SMS_BACKEND = "memory"
    EMAIL_BACKEND = "memory"
    SCHOOL_DATA_DIR = str(SCHOOL_DATA)
    PUBLIC_BASE_URL = "http://schoolbell.test"
    # Tests run at any hour; quiet-hour tests set their own window and clock.
    QUIET_HOURS = "off"


def _psycopg(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _admin_engine(url: str):
    """An engine on the server's `postgres` database that can create and drop others."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    return create_engine(make_url(_psycopg(url)).set(database="postgres"), isolation_level="AUTOCOMMIT")


def _migrate(database_uri: str, instance: Path) -> None:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_uri, OUTBOX_DIR=str(instance / "outbox"))
    app.instance_path = str(instance)
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _browser_without_libfaketime(request, monkeypatch):
    """Under `make test-faketime`, Chromium and Playwright's driver would load libfaketime too and hang
    in it; the clock the pages follow is the server's, which stays moved."""
    if request.node.get_closest_marker("browser"):
        monkeypatch.delenv("LD_PRELOAD", raising=False)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """A database the migrations built once per session; each test gets a copy (SQLite file, PG template)."""
    instance = tmp_path_factory.mktemp("template")
    if not POSTGRES_URL:
        path = instance / "template.db"
        _migrate(f"sqlite:///{path}", instance)
        return str(path)
    from sqlalchemy.engine import make_url

    template = make_url(_psycopg(POSTGRES_URL)).database + "_template"
    admin = _admin_engine(POSTGRES_URL)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{template}"'))
    _migrate(make_url(_psycopg(POSTGRES_URL)).set(database=template).render_as_string(False), instance)
    admin.dispose()
    return template


@pytest.fixture
def database_url(tmp_path: Path, migrated_template: str) -> str:
    """A fresh database for one test, with the schema already built from the session's template.

    SQLite: a copy of the template file. PostgreSQL: the test database emptied (TRUNCATE, 40 ms)
    while its schema is the template's; cloned from the template (200 ms) when it is not.
    """
    if not POSTGRES_URL:
        path = tmp_path / "schoolbell.db"
        shutil.copyfile(migrated_template, path)
        return f"sqlite:///{path}"
    from sqlalchemy.engine import make_url

    url = make_url(_psycopg(POSTGRES_URL))
    if not _emptied(url.render_as_string(False)):
        admin = _admin_engine(POSTGRES_URL)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{url.database}" TEMPLATE "{migrated_template}"'))
        admin.dispose()
    return url.render_as_string(False)


def _emptied(url: str) -> bool:
    """Empty every table of a database whose schema is at the migrations' head; False if it is not."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.exc import DBAPIError

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '5s'"))
            if connection.execute(text("SELECT version_num FROM alembic_version")).scalar() != head:
                return False
            tables = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        return True
    except DBAPIError:
        return False  # no such database or table yet, or a connection left holding a lock
    finally:
        engine.dispose()


@pytest.fixture
def app(tmp_path: Path, database_url: str):
    """The app on a fresh database whose schema the migrations built."""
    instance = tmp_path / "instance"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url,
                     OUTBOX_DIR=str(instance / "outbox"))
    app.instance_path = str(instance)
    with app.app_context():
        yield app
        read_cache.settle()  # no reading left running against a database about to go
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
