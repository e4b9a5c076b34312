"""Fixtures of the matching tests: a small hand-made portfolio and people of every role."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from matchmaker.matching.scope import Scope
from matchmaker.models import Category, Region
from matchmaker.runs.execute import plan_run
from tests import factories
from tests.accounts.conftest import people  # noqa: F401 - the same people, shared


def category(session, code: str) -> Category:
    return session.scalars(select(Category).where(Category.code == code)).one()


def region(session, m49: str) -> Region:
    return session.scalars(select(Region).where(Region.m49 == m49)).one()


def plan(session, mode: str = "split", scope: Scope | None = None, weights=None):
    """Load, encode, solve and decode the current portfolio without writing anything."""
    session.commit()
    return plan_run(session, scope or Scope(), weights=weights, mode=mode, time_limit_s=5,
                    today=date.today())


def pairs(plan_result) -> set[tuple[str, str]]:
    """Compatible (need reference, offer reference) pairs of a plan."""
    problem = plan_result.encoded.problem
    return {
        (problem.need_ids[n], problem.offer_ids[o])
        for n, o in zip(problem.arc_need.tolist(), problem.arc_offer.tolist(), strict=True)
    }


@pytest.fixture
def donor_org(session):
    return factories.state_org(session, "DEU")
