"""The demo built today dates nothing after the moment it was built."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from matchmaker.demo import build_demo
from matchmaker.models import Event, Proposal, utcnow


def test_a_demo_built_today_has_no_event_in_the_future(session: Session):
    build_demo(session, today=date.today())
    session.commit()
    built = utcnow()
    latest = session.scalar(select(func.max(Event.created_at)))
    assert latest.replace(tzinfo=built.tzinfo) <= built
    decided = session.scalar(select(func.max(Proposal.updated_at)))
    assert decided.replace(tzinfo=built.tzinfo) <= built

