"""Fixtures of the scheduler tests: the proposal tests' cast, deal and signed-in clients, and
ticks of the scheduler at a chosen time."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from matchmaker.models import Notification, ScheduledJob, utcnow
from matchmaker.scheduler.runner import tick
from tests.proposals.conftest import browser_for, cast, deal  # noqa: F401 - fixtures


@pytest.fixture
def ticker(engine, settings):
    """``ticker(now=None, worker="w1")``: one tick of the whole schedule; what ran, by name."""

    def run(now: datetime | None = None, worker: str = "w1") -> dict[str, str]:
        return {outcome.name: outcome.message
                for outcome in tick(engine, settings, worker, now or utcnow())}

    return run


def notifications(session, kind: str) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).where(Notification.kind == kind)
                                .order_by(Notification.user_id, Notification.id)).all())


def told(session, kind: str) -> set[int]:
    """The ids of the people told of ``kind``."""
    return {notification.user_id for notification in notifications(session, kind)}


def job_row(session, name: str) -> ScheduledJob:
    session.expire_all()
    return session.get(ScheduledJob, name)
