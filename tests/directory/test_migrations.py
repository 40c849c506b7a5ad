"""Migrations build the schema from empty, match the models exactly, and can be undone."""

from __future__ import annotations

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from schoolbell.extensions import db


def schema_differences() -> list:
    # SQLite cannot reflect the lower(email) index; PostgreSQL can, and compares it.
    with warnings.catch_warnings(), db.engine.connect() as connection:
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def test_migrations_build_exactly_the_models_schema(app):
    assert schema_differences() == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"education_offices", "district_offices", "schools", "contacts", "memberships"} <= tables


def test_downgrade_to_empty_and_up_again(app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert schema_differences() == []


def _add_contacts(*emails: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO education_offices (id, code, name) SELECT 1, 'B10', 'x'"
                                " WHERE NOT EXISTS (SELECT 1 FROM education_offices)"))
        for number, email in enumerate(emails):
            connection.execute(text(
                "INSERT INTO contacts (office_id, name, email, language, sms_consent, email_consent,"
                " created_at, updated_at) VALUES (1, :name, :email, 'ko', true, true,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"name": f"p{number}", "email": email})


def test_email_case_migration_lowercases_and_never_merges(app):
    downgrade(revision="0007_session_epoch")
    _add_contacts("Parent@X.com", "other@x.com")
    upgrade()
    with db.engine.connect() as connection:
        emails = connection.execute(text("SELECT email FROM contacts ORDER BY id")).scalars().all()
    assert emails == ["parent@x.com", "other@x.com"]

    downgrade(revision="0007_session_epoch")
    _add_contacts("PARENT@x.com")
    with pytest.raises(SystemExit):  # Flask-Migrate logs the RuntimeError and exits
        upgrade()
    with db.engine.connect() as connection:
        emails = connection.execute(text("SELECT email FROM contacts ORDER BY id")).scalars().all()
    assert emails == ["parent@x.com", "other@x.com", "PARENT@x.com"]
