"""Migrations build the schema from empty, match the models exactly, and can be undone."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from schoolbell.extensions import db


def schema_differences() -> list:
    with db.engine.connect() as connection:
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
