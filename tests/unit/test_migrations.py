"""The Alembic migrations create exactly the tables of the models, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from matchmaker import db


def test_migrated_schema_matches_the_models(migrated_engine):
    with migrated_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_every_model_has_its_table(migrated_engine):
    tables = set(inspect(migrated_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert {"need", "offer", "proposal", "matchrun", "event", "message", "country"} <= tables


def test_database_is_at_the_single_head(migrated_engine, database_url):
    script = ScriptDirectory.from_config(db.alembic_config(database_url))
    assert len(script.get_heads()) == 1
    with migrated_engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == script.get_current_head()


def test_money_columns_hold_large_amounts(session):
    from tests import factories

    need = factories.make_need(session, "COL", estimated_cost=9_000_000_000, currency="COP",
                               cost_usd=2_100_000)
    session.commit()
    session.refresh(need)
    assert need.estimated_cost == 9_000_000_000
