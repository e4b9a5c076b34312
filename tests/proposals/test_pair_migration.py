"""Migration 0004 closes the duplicate live proposals that races left, before it builds the
index of one live proposal per pair."""

from __future__ import annotations

import importlib.util

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import select, text

from matchmaker.db import MIGRATIONS_DIR
from matchmaker.models import Event, Proposal
from tests.proposals.conftest import make_proposal


def migration_0004():
    [path] = (MIGRATIONS_DIR / "versions").glob("*_0004_*.py")
    spec = importlib.util.spec_from_file_location("migration_0004", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def without_pair_index(engine):
    """The database as it was before 0004: duplicates possible (the index comes back after)."""
    # Pooled SQLite connections left in a read transaction by earlier tests would go on seeing
    # the schema of their snapshot (WAL): start the schema change from fresh connections.
    engine.dispose()
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ux_proposal_live_pair"))
    yield
    engine.dispose()
    with engine.begin() as connection:
        Operations(MigrationContext.configure(connection)).create_index(
            "ux_proposal_live_pair", "proposal", ["need_id", "offer_id"], unique=True,
            postgresql_where=migration_0004().LIVE_PAIR, sqlite_where=migration_0004().LIVE_PAIR)


def close_duplicates(engine) -> None:
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        migration_0004()._close_duplicate_live_proposals()


def states(session, *proposals) -> list[str]:
    session.expire_all()
    return [session.get(Proposal, p.id).state for p in proposals]


def test_open_duplicates_give_way_to_the_committed_one_or_the_oldest(
    session, engine, deal, without_pair_index
):
    later = make_proposal(session, deal.need, deal.offer, 1_000, "accepted_by_donor")
    agreed = make_proposal(session, deal.need, deal.offer, 1_000, "agreed")
    session.commit()
    close_duplicates(engine)
    assert states(session, deal.proposal, later, agreed) == ["superseded", "superseded",
                                                             "agreed"]
    notes = session.scalars(select(Event.note).where(Event.entity_id == later.id)).all()
    assert notes == [f"Duplicate of proposal #{agreed.id}"]


def test_without_a_committed_one_the_oldest_stays(session, engine, deal, without_pair_index):
    later = make_proposal(session, deal.need, deal.offer, 1_000, "accepted_by_requester")
    session.commit()
    close_duplicates(engine)
    assert states(session, deal.proposal, later) == ["proposed", "superseded"]


def test_two_commitments_of_one_pair_stop_the_migration(session, engine, deal,
                                                        without_pair_index):
    first = make_proposal(session, deal.need, deal.offer, 1_000, "agreed")
    second = make_proposal(session, deal.need, deal.offer, 1_000, "in_delivery")
    session.commit()
    with pytest.raises(RuntimeError, match=f"{first.id}, {second.id}"):
        close_duplicates(engine)
    assert states(session, deal.proposal, first, second) == ["proposed", "agreed",
                                                             "in_delivery"]
    session.execute(Proposal.__table__.delete())  # lets the index be built again
    session.commit()
