"""Brokering by everyone who should: a coordinator proposes a match in its region, a State asks
for a donor's offer, and the donor's answer makes it agreed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.models import (
    Notification,
    OfferRegion,
    Proposal,
    ProposalOrigin,
    ProposalState,
    Region,
)
from tests import factories
from tests.proposals.conftest import reload


@pytest.fixture
def pair(session, cast):
    """A Ghanaian need of $100,000 and a German offer of $250,000 that can fund it."""
    need = factories.make_need(session, "GHA", title="Marking machines for Ghana",
                               cost_usd=100_000)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 title="German marking fund", budget_usd=250_000)
    session.commit()
    return need, offer


def notifications(session, user, kind: str) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind)))


def only_proposal(session) -> Proposal:
    session.expire_all()
    return session.scalars(select(Proposal)).one()


def test_a_coordinator_proposes_a_match_in_its_region(session, cast, pair, browser_for):
    need, offer = pair
    coordinator = browser_for(cast.coordinator)
    assert "Propose a match" in coordinator.get(f"/needs/{need.reference}").text
    page = coordinator.get(f"/proposals/new?need={need.reference}")
    assert page.status_code == 200 and offer.reference in page.text
    response = coordinator.form("/proposals/new", {"need": need.reference,
                                                   "offer": offer.reference})
    assert response.status_code == 303
    proposal = only_proposal(session)
    assert response.headers["location"] == f"/proposals/{proposal.id}"
    assert proposal.state == ProposalState.PROPOSED  # both sides still answer
    assert proposal.origin == ProposalOrigin.MANUAL and proposal.amount_usd == 100_000
    for side in (cast.requester, cast.donor):
        queue = browser_for(side).get("/proposals?tab=awaiting_me").text
        assert need.reference in queue
        assert len(notifications(session, side, "proposal_new")) == 1


def test_a_coordinator_cannot_broker_outside_its_region(session, cast, pair, browser_for):
    need, offer = pair
    far = browser_for(cast.far_coordinator)
    assert "Propose a match" not in far.get(f"/needs/{need.reference}").text
    assert far.get(f"/proposals/new?need={need.reference}").status_code == 403
    assert far.form("/proposals/new", {"need": need.reference,
                                       "offer": offer.reference}).status_code == 403
    assert far.api("POST", "/api/proposals", {"need": need.reference,
                                              "offer": offer.reference}).status_code == 403
    assert session.scalars(select(Proposal)).first() is None


def test_a_coordinator_cannot_propose_an_offer_closed_to_the_state(session, cast, pair,
                                                                   browser_for):
    need, offer = pair
    americas = session.scalars(select(Region).where(Region.m49 == "019")).one()
    session.add(OfferRegion(offer_id=offer.id, region_id=americas.id))
    session.commit()
    coordinator = browser_for(cast.coordinator)
    assert offer.reference not in coordinator.get(f"/proposals/new?need={need.reference}").text
    response = coordinator.form("/proposals/new", {"need": need.reference,
                                                   "offer": offer.reference})
    assert response.status_code == 422
    assert "No published offer can fund this need." in response.text
    assert session.scalars(select(Proposal)).first() is None


def test_a_requester_asks_for_an_offer_and_the_donor_agrees(session, cast, pair, browser_for):
    need, offer = pair
    requester = browser_for(cast.requester)
    assert "Ask for this offer" in requester.get(f"/offers/{offer.reference}").text
    page = requester.get(f"/proposals/ask?offer={offer.reference}")
    assert page.status_code == 200 and need.reference in page.text
    response = requester.form("/proposals/ask", {"offer": offer.reference,
                                                 "need": need.reference,
                                                 "amount_usd": "60000"})
    assert response.status_code == 303
    proposal = only_proposal(session)
    assert proposal.state == ProposalState.ACCEPTED_BY_REQUESTER
    assert proposal.origin == ProposalOrigin.MANUAL and proposal.amount_usd == 60_000

    donor = browser_for(cast.donor)
    queue = donor.get("/proposals?tab=awaiting_me").text
    assert need.reference in queue and offer.reference in queue
    asked = notifications(session, cast.donor, "offer_requested")
    assert len(asked) == 1 and asked[0].link == f"/proposals/{proposal.id}"
    assert notifications(session, cast.requester, "offer_requested") == []

    answer = donor.form(f"/proposals/{proposal.id}/accept", {"side": "donor"})
    assert answer.status_code == 303
    assert reload(session, proposal).state == ProposalState.AGREED
    assert reload(session, offer).committed_usd == 60_000


def test_only_a_states_requester_asks_and_only_for_its_own_open_needs(session, cast, pair,
                                                                       browser_for):
    need, offer = pair
    for who in (cast.donor, cast.coordinator):
        browser = browser_for(who)
        assert "Ask for this offer" not in browser.get(f"/offers/{offer.reference}").text
        assert browser.get(f"/proposals/ask?offer={offer.reference}").status_code == 403
    peru = browser_for(cast.other_requester)
    response = peru.form("/proposals/ask", {"offer": offer.reference, "need": need.reference})
    assert response.status_code == 422
    assert "Choose one of your State&#39;s open needs" in response.text
    assert session.scalars(select(Proposal)).first() is None
