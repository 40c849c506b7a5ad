"""Database plumbing shared by every package: SQLite set-up, PostgreSQL connections, the dialect in use."""

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import DateTime, Engine, Enum, event, exc, text
from sqlalchemy.types import TypeDecorator

from schoolbell.extensions import db


def prepare(app: Flask) -> None:
    """Create the folder a SQLite database file lives in; set PostgreSQL connection options."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        # psycopg prepares a statement after five runs and PostgreSQL may then keep a generic plan
        # made while a table was still empty: an import's lookups became sequential scans of a
        # table growing to 800,000 rows. Planning each run sees the table as it is.
        # Named in pg_stat_activity, so an operator sees which sessions are SchoolBell's (and workers
        # rename theirs: name_connections).
        options["connect_args"] = {"prepare_threshold": None, "application_name": "schoolbell",
                                   **options.get("connect_args", {})}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    os.makedirs(app.instance_path, exist_ok=True)


def configure_engine_events(app: Flask) -> None:
    """Tune the engine: batched multi-row INSERTs on PostgreSQL; WAL and foreign keys on SQLite."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        # psycopg 3's executemany sends one pipelined statement per row; SQLAlchemy's
        # "insertmanyvalues" batches rows into multi-row VALUES, as it does for psycopg2.
        engine.dialect.use_insertmanyvalues_wo_returning = True
        ping_when_idle(engine)
        return
    if engine.dialect.name != "sqlite":
        return

    busy_ms = int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10000))

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        # WAL lets the web app read while the dispatcher writes; busy_timeout waits instead of failing.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# A pooled connection unused for this long is asked whether it is still alive before it is used.
PING_AFTER_IDLE_SECONDS = 1.0


def ping_when_idle(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Before a pooled connection that sat idle is used, check it is alive (a server restart closes
    it), as pool_pre_ping does, but let connections in steady use skip that round trip."""
    # Under load a web page's connection was in use milliseconds ago, and the ping was one of five
    # round trips of a parent's page, each waiting for a busy server's backend to be scheduled.
    # A restart takes longer than idle_seconds, so a connection that lived through one is asked.

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return  # just opened, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # As pool_pre_ping: every connection opened before now is replaced, this one at once.
            raise exc.InvalidatePoolError() from error


def without_transaction() -> None:
    """Run this request's statements on their own, without BEGIN and ROLLBACK: for pages that only
    read (each PostgreSQL statement sees its own snapshot under READ COMMITTED either way)."""
    # Two round trips of a parent's page's four (its two queries are the others). A session already
    # in a transaction (one shared with the caller, as in tests) is left as it is.
    if not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def name_connections(name: str) -> None:
    """Open this process's PostgreSQL sessions under `name` (pg_stat_activity.application_name)."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "do_connect")
    def _named(_dialect, _record, _cargs, cparams):
        cparams["application_name"] = name

    engine.dispose()  # sessions opened before now reconnect under the name


def is_postgresql() -> bool:
    """True when the bound database is PostgreSQL."""
    return db.engine.dialect.name == "postgresql"


def on_one_core() -> None:
    """Ask PostgreSQL to run this transaction's queries in one process, without parallel workers."""
    # A city-wide reading in three processes fills a 2-core machine for its duration, and every page
    # waits behind it; in one it takes longer (and is then shared longer) while the pages go on.
    if is_postgresql():
        db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))



def bulk_insert(connection, table, rows: list[dict]) -> None:
    """Insert many rows fast on both databases: COPY on PostgreSQL, executemany on SQLite.

    psycopg re-parses a long multi-row INSERT on every call (it caches only short statements),
    which made PostgreSQL imports several times slower than SQLite; COPY has no such cost.
    """
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    rows = _with_python_defaults(table, rows)
    columns = list(rows[0])
    processors = [_bind_processor(connection, table.c[name]) for name in columns]
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([process(row[name]) for name, process in zip(columns, processors, strict=True)])


def _with_python_defaults(table, rows: list[dict]) -> list[dict]:
    """Fill the columns that have a Python-side default (e.g. timestamps), which COPY would skip."""
    missing = {column.name: column.default.arg for column in table.columns
               if column.name not in rows[0] and column.default is not None
               and callable(column.default.arg)}
    if not missing:
        return rows
    # SQLAlchemy wraps a default callable to take the execution context; ours ignore it.
    values = {name: default(None) for name, default in missing.items()}
    return [{**row, **values} for row in rows]


def _bind_processor(connection, column):
    """The column type's own conversion (e.g. an Enum member to its stored text)."""
    processor = column.type.bind_processor(connection.dialect)
    return processor or (lambda value: value)


def in_values(column, values):
    """`column IN (values)`, as `= ANY(array)` on PostgreSQL: one parameter instead of thousands."""
    from sqlalchemy import any_, bindparam
    from sqlalchemy.dialects.postgresql import ARRAY

    values = list(values)
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


class UTCDateTime(TypeDecorator):
    """A moment stored in UTC on both databases and always read back aware, in UTC.

    SQLite keeps DATETIME as text and drops the offset, so every value goes in as naive UTC there;
    PostgreSQL's timestamptz gets it aware. A naive value is refused: its zone would be a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware time (timeutil.utcnow())")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def string_enum(kind: type, name: str) -> Enum:
    """A column type for a Python enum, stored as its plain text values on both databases."""
    return Enum(kind, name=name, native_enum=False, length=16,
                values_callable=lambda members: [member.value for member in members])
