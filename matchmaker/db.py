"""Database engine, sessions and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
POOL_SPARE = 8  # connections beyond one per thread: the run worker, the outbox, commands
POOL_TIMEOUT = 10  # seconds; with the pool sized to the threads, a wait this long is a fault


def _enable_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # the accent- and case-blind search of the lists (matchmaker.portfolio.search)
    from matchmaker.portfolio.search import SQLITE_FOLD, fold

    dbapi_connection.create_function(SQLITE_FOLD, 1, fold, deterministic=True)


def make_engine(database_url: str, threads: int = 8) -> Engine:
    """An engine for ``database_url`` whose pool serves ``threads`` threads at once.

    Every thread that may hold a connection (request handlers, the session middleware, a run
    worker and the outbox) must be able to get one without waiting: a thread that waits for a
    connection held by a request that itself waits for a thread stalls the whole server. So
    the pool holds ``threads`` connections plus a few for background work. SQLite gets foreign
    keys, WAL and a busy timeout.
    """
    pool = {"pool_size": threads, "max_overflow": POOL_SPARE, "pool_timeout": POOL_TIMEOUT}
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:
            pool = {}  # an in-memory database lives in one connection: no pool to size
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
        return engine
    return create_engine(database_url, pool_pre_ping=True, **pool)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database schema to ``revision`` with Alembic."""
    command.upgrade(alembic_config(database_url), revision)
