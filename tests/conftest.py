"""Shared fixtures: one migrated, seeded database per test session, emptied after each test.

The database is SQLite in a temporary folder, or PostgreSQL when ``MATCHMAKER_DATABASE_URL``
points at one (CI runs the suite on both). Reference data (States, regions, taxonomy, reference
organisations) is loaded once; everything a test writes is deleted after it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from matchmaker import db, models
from matchmaker.reference.seed import seed_reference

REFERENCE_TABLES = {"region", "regionalcentre", "country", "category", "modality"}
REFERENCE_FLAGGED = {"organisation"}
REFERENCE_LINKS = {"organisationcountry", "organisationregion"}


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("MATCHMAKER_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = db.make_engine(database_url)
    if database_url.startswith("postgresql"):
        _reset_postgres(engine)
    db.upgrade(database_url)
    with db.session_scope(engine) as session:
        seed_reference(session)
    yield engine
    engine.dispose()


def empty_portfolio(engine: Engine) -> None:
    """Delete every row a test may have written, keeping the reference data."""
    reference_org_ids = (
        models.Organisation.__table__.c.is_reference == True  # noqa: E712
    )
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name in REFERENCE_TABLES:
                continue
            if table.name in REFERENCE_LINKS:
                org = models.Organisation.__table__
                connection.execute(
                    delete(table).where(
                        table.c.organisation_id.not_in(
                            org.select().with_only_columns(org.c.id).where(reference_org_ids)
                        )
                    )
                )
            elif table.name in REFERENCE_FLAGGED:
                connection.execute(delete(table).where(~reference_org_ids))
            else:
                connection.execute(delete(table))


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    yield migrated_engine
    empty_portfolio(migrated_engine)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


TEST_SECRET = "test-secret-key-that-is-long-enough-for-signing-0123456789"


@pytest.fixture
def settings(database_url: str):
    from matchmaker.settings import load_settings

    return load_settings(
        {
            "MATCHMAKER_DATABASE_URL": database_url,
            "MATCHMAKER_SECRET_KEY": TEST_SECRET,
            "MATCHMAKER_MAIL_BACKEND": "outbox",
            "MATCHMAKER_WORKER": "0",
        },
        demo=False,
    )


@pytest.fixture
def app(settings, engine):
    from matchmaker.app import create_app

    return create_app(settings, engine=engine)


@pytest.fixture
def client(app):
    from litestar.testing import TestClient

    with TestClient(app=app, base_url="https://testserver.local") as test_client:
        yield test_client
