"""Reminders by the calendar: a proposal 7 days and 1 day before it expires (to the sides that
have not answered), an uncovered need 14 days before its deadline; each once."""

from __future__ import annotations

from datetime import date, timedelta

from matchmaker.models import NeedStatus, ProposalState, utcnow
from tests import factories
from tests.proposals.conftest import make_proposal
from tests.scheduler.conftest import notifications, told


def test_an_expiring_proposal_is_recalled_7_days_and_1_day_before(session, cast, deal, ticker):
    deal.proposal.state = ProposalState.ACCEPTED_BY_DONOR  # only the requester still to answer
    deal.proposal.expires_at = utcnow() + timedelta(days=6)
    session.commit()
    now = utcnow()
    ticker(now)
    ticker(now + timedelta(hours=2))
    [week] = notifications(session, "proposal_expiring")
    assert week.user_id == cast.requester.id
    assert week.event_key == f"proposal:{deal.proposal.id}:expiring:7"
    assert week.params["expires_on"] == deal.proposal.expires_at.date().isoformat()
    assert week.link == f"/proposals/{deal.proposal.id}"

    ticker(now + timedelta(days=5, hours=12))  # half a day left
    ticker(now + timedelta(days=5, hours=14))
    assert [n.event_key.rsplit(":", 1)[1] for n in notifications(session, "proposal_expiring")
            ] == ["7", "1"]


def test_a_proposal_far_from_expiry_or_answered_is_not_recalled(session, cast, deal, ticker):
    agreed = make_proposal(session, factories.make_need(session, "GHA"), deal.offer,
                           state=ProposalState.AGREED, expires_at=utcnow() + timedelta(days=2))
    session.commit()
    ticker()
    assert agreed.id and notifications(session, "proposal_expiring") == []


def test_an_uncovered_need_is_recalled_14_days_before_its_deadline(session, cast, ticker):
    soon = factories.make_need(session, "GHA", title="Soon", start_date=date.today(),
                               deadline=date.today() + timedelta(days=10), cost_usd=40_000,
                               agreed_usd=10_000, status=NeedStatus.PARTLY_MATCHED)
    factories.make_need(session, "GHA", deadline=date.today() + timedelta(days=30))
    factories.make_need(session, "GHA", deadline=date.today() + timedelta(days=5),
                        start_date=date.today(), status=NeedStatus.MATCHED)
    session.commit()
    assert ticker()["remind_need_deadlines"] == (
        "1 need nearing its deadline uncovered was recalled.")
    ticker(utcnow() + timedelta(hours=2))
    assert told(session, "need_deadline") == {cast.requester.id, cast.coordinator.id}
    reminder = notifications(session, "need_deadline")[0]
    assert reminder.params["percent"] == 25 and reminder.params["need_ref"] == soon.reference
    assert reminder.link == f"/needs/{soon.reference}"
