"""Housekeeping by the scheduler: expired needs are never proposed, proposals that can no longer
be accepted leave every queue, unanswered proposals expire, overdue commitments are flagged;
each once, and told to the people concerned."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sqlalchemy import select

from matchmaker.models import (
    NeedStatus,
    OutboxMail,
    ProposalState,
    utcnow,
)
from solver.score import build_arcs
from tests import factories
from tests.matching.conftest import plan
from tests.proposals.conftest import events_of, make_proposal, reload
from tests.scheduler.conftest import notifications, told
from tests.solver.test_score import needs as solver_needs
from tests.solver.test_score import offers as solver_offers

YESTERDAY = date.today() - timedelta(days=1)


def test_a_need_past_its_deadline_is_expired_in_one_tick_and_never_proposed(
        session, cast, ticker):
    late = factories.make_need(session, "GHA", title="Late need", deadline=YESTERDAY,
                               start_date=YESTERDAY - timedelta(days=90))
    current = factories.make_need(session, "GHA", title="Current need")
    factories.make_offer(session, factories.state_org(session, "DEU"))
    session.commit()
    # Not proposed even before the tick marks it expired.
    assert plan(session).encoded.problem.need_ids == [current.reference]

    messages = ticker()
    assert messages["expire_needs"] == "1 need past its deadline expired."
    assert reload(session, late).status == NeedStatus.EXPIRED
    assert reload(session, current).status == NeedStatus.PUBLISHED
    [event] = events_of(session, "need", late.id)
    assert (event.action, event.before, event.actor_id) == ("expired", {"status": "published"},
                                                            None)
    assert told(session, "need_expired") == {cast.requester.id, cast.coordinator.id}
    # The same tick may also mail the bulletin and the subscription digests: only the expiry here.
    mails = session.scalars(select(OutboxMail).where(
        OutboxMail.recipient == cast.requester.email, OutboxMail.subject.startswith("Expired"))
    ).all()
    assert [mail.subject for mail in mails] == [f"Expired: {late.reference} passed its deadline"]

    ticker(utcnow() + timedelta(days=1))
    assert len(events_of(session, "need", late.id)) == 1
    assert len(notifications(session, "need_expired")) == 2
    assert late.reference not in plan(session).encoded.problem.need_ids


def test_the_solver_itself_refuses_a_need_past_its_deadline():
    on_time = build_arcs(solver_needs(deadline=[30.0, np.nan, 400.0]), solver_offers())
    late = build_arcs(solver_needs(deadline=[-1.0, np.nan, 400.0]), solver_offers())
    assert 0 in on_time.need_index.tolist() and 0 not in late.need_index.tolist()


def test_a_covered_need_leaves_no_open_proposal_in_any_queue(session, cast, deal, browser_for,
                                                             ticker):
    dutch = factories.make_offer(session, factories.state_org(session, "NLD"),
                                 title="Dutch marking fund", budget_usd=500_000)
    rival = make_proposal(session, deal.need, dutch)
    session.commit()
    requester, donor = browser_for(cast.requester), browser_for(cast.donor)
    other_donor = browser_for(cast.other_donor)
    assert 'data-awaiting="1"' in other_donor.get("/proposals/awaiting-count").text
    for party in (requester, donor):
        assert party.form(f"/proposals/{deal.proposal.id}/accept").status_code == 303
    assert reload(session, deal.need).status == NeedStatus.MATCHED

    messages = ticker()
    assert messages["withdraw_unanswerable"] == (
        "1 open proposal that could no longer be accepted was withdrawn.")
    assert reload(session, rival).state == ProposalState.WITHDRAWN
    for party in (requester, other_donor):
        assert "data-awaiting" not in party.get("/proposals/awaiting-count").text
        assert rival.offer_id and "Dutch marking fund" not in party.get(
            "/proposals?tab=awaiting_me").text
        closed = party.get("/proposals?tab=closed").text
        assert "Dutch marking fund" in closed and "Withdrawn" in closed
    assert other_donor.api("POST", f"/api/proposals/{rival.id}/accept").status_code == 409
    history = other_donor.get(f"/proposals/{rival.id}").text
    assert "It was withdrawn: it can no longer be accepted" in history
    assert "no longer open for funding" in history
    assert told(session, "proposal_withdrawn") == {cast.requester.id, cast.other_donor.id}
    [reason] = {n.params["reason"] for n in notifications(session, "proposal_withdrawn")}
    assert deal.need.reference in reason and "no longer open for funding" in reason
    # proposal_withdrawn goes in the daily digest, composed in the same tick.
    digest = session.scalars(select(OutboxMail).where(
        OutboxMail.recipient == cast.other_donor.email,
        OutboxMail.subject.contains("daily"))).one()
    assert "daily" in digest.subject and "was withdrawn: Need" in digest.body

    ticker(utcnow() + timedelta(hours=1))
    assert [e.action for e in events_of(session, "proposal", rival.id)].count("withdrawn") == 1


def test_a_spent_offer_withdraws_the_proposals_it_can_no_longer_fund(session, cast, deal, ticker):
    deal.offer.committed_usd = deal.offer.budget_usd - 40_000  # $40,000 left; $100,000 asked
    small = factories.make_need(session, "GHA", cost_usd=30_000)
    fits = make_proposal(session, small, deal.offer)
    session.commit()
    ticker()
    assert reload(session, deal.proposal).state == ProposalState.WITHDRAWN
    assert reload(session, fits).state == ProposalState.PROPOSED
    [event] = [e for e in events_of(session, "proposal", deal.proposal.id)]
    assert "has only $40,000 left" in event.note


def test_unanswered_proposals_expire_on_the_tick_not_on_a_queue_load(session, cast, deal,
                                                                     browser_for, ticker):
    deal.proposal.expires_at = utcnow() - timedelta(hours=1)
    session.commit()
    browser_for(cast.requester).get("/proposals")
    assert reload(session, deal.proposal).state == ProposalState.PROPOSED
    assert ticker()["expire_proposals"] == "1 unanswered proposal expired."
    assert reload(session, deal.proposal).state == ProposalState.EXPIRED
    [event] = events_of(session, "proposal", deal.proposal.id)
    assert event.action == "expired" and event.actor_id is None
    assert event.before == {"state": "proposed"} and event.after == {"state": "expired"}
    response = browser_for(cast.donor).api("POST", f"/api/proposals/{deal.proposal.id}/accept")
    assert response.status_code == 409


def test_expiry_spares_answered_and_unexpired_proposals(session, cast, ticker):
    need = factories.make_need(session, "GHA")
    germany = factories.state_org(session, "DEU")
    offers = [factories.make_offer(session, germany) for _ in range(4)]  # one live proposal each
    past = utcnow() - timedelta(days=1)
    overdue = make_proposal(session, need, offers[0], 1_000, ProposalState.ACCEPTED_BY_DONOR,
                            expires_at=past)
    agreed = make_proposal(session, need, offers[1], 1_000, ProposalState.AGREED,
                           expires_at=past)
    future = make_proposal(session, need, offers[2], 1_000)
    timeless = make_proposal(session, need, offers[3], 1_000, expires_at=None)
    session.commit()
    ticker()
    assert ticker(utcnow() + timedelta(minutes=2))["expire_proposals"] == (
        "0 unanswered proposals expired.")
    states = {p.id: reload(session, p).state for p in (overdue, agreed, future, timeless)}
    assert states == {overdue.id: "expired", agreed.id: "agreed", future.id: "proposed",
                      timeless.id: "proposed"}


def test_a_commitment_past_the_deadline_without_delivery_is_flagged_once(session, cast, ticker):
    need = factories.make_need(session, "GHA", status=NeedStatus.MATCHED, deadline=YESTERDAY,
                               start_date=YESTERDAY - timedelta(days=90), cost_usd=10_000)
    delivered_need = factories.make_need(session, "GHA", status=NeedStatus.COMPLETED,
                                         deadline=YESTERDAY, cost_usd=10_000,
                                         start_date=YESTERDAY - timedelta(days=90))
    offer = factories.make_offer(session, factories.state_org(session, "DEU"))
    late = make_proposal(session, need, offer, state=ProposalState.AGREED)
    done = make_proposal(session, delivered_need, offer, state=ProposalState.DELIVERED)
    session.commit()
    assert "1 commitment" in ticker()["flag_overdue"]
    ticker(utcnow() + timedelta(hours=2))
    assert [e.action for e in events_of(session, "proposal", late.id)] == ["overdue"]
    assert events_of(session, "proposal", done.id) == []
    assert told(session, "commitment_overdue") == {cast.requester.id, cast.donor.id,
                                                   cast.coordinator.id}
    assert len(notifications(session, "commitment_overdue")) == 3
    assert reload(session, need).status == NeedStatus.MATCHED  # a commitment is not expired
