"""Pooled PostgreSQL connections: asked whether they are alive after sitting idle, not before every page."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from schoolbell.database import PING_AFTER_IDLE_SECONDS, ping_when_idle
from schoolbell.extensions import db


@pytest.fixture
def postgresql(app) -> str:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's pooled connections")
    return app.config["SQLALCHEMY_DATABASE_URI"]


def backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar()


def end_session(url: str, pid: int) -> None:
    """What a server restart does to a pooled connection: its backend goes."""
    other = create_engine(url, poolclass=NullPool)
    try:
        with other.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(50):
                if not connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                          {"pid": pid}).scalar():
                    return
                time.sleep(0.1)
    finally:
        other.dispose()


def test_a_pages_connection_that_lived_through_a_database_restart_is_replaced_before_it_is_used(postgresql):
    """The app's own engine: a parent opening a page after the restart gets the page, not an error."""
    db.session.remove()  # the pool's one connection is the test's
    first = backend_pid(db.engine)
    end_session(postgresql, first)
    time.sleep(PING_AFTER_IDLE_SECONDS + 0.2)
    assert backend_pid(db.engine) != first


def test_connections_in_steady_use_skip_the_round_trip(postgresql, monkeypatch):
    engine = create_engine(postgresql, pool_size=1)
    ping_when_idle(engine, idle_seconds=60)
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(1) or True)
    try:
        for _ in range(5):
            backend_pid(engine)
        assert pings == []
    finally:
        engine.dispose()


def test_without_the_check_the_first_page_after_a_restart_would_fail(postgresql):
    """What the check is for: the same restart, and an engine that does not ask."""
    engine = create_engine(postgresql, pool_size=1)
    try:
        end_session(postgresql, backend_pid(engine))
        with pytest.raises(Exception, match="terminat|closed|connection"):
            backend_pid(engine)
    finally:
        engine.dispose()
