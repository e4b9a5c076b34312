"""Agreement holds amounts: acceptances that would over-commit an offer or over-fund a need are
refused with a clear 409, and the open proposals they would break carry a warning."""

from __future__ import annotations

import pytest

from matchmaker.models import NeedStatus, OfferStatus, ProposalState
from tests import factories
from tests.proposals.conftest import events_of, make_proposal, reload


@pytest.fixture
def contested(session, cast):
    """An offer of $100,000 and two needs of $70,000, each proposed in full and already
    accepted by its requesting State: both cannot be agreed."""
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 title="Shared fund", budget_usd=100_000)
    needs = [factories.make_need(session, "GHA", title=f"Need {n}", cost_usd=70_000)
             for n in (1, 2)]
    proposals = [make_proposal(session, need, offer, 70_000, ProposalState.ACCEPTED_BY_REQUESTER)
                 for need in needs]
    session.commit()
    return offer, needs, proposals


def test_second_acceptance_that_would_over_commit_the_offer_is_refused(
    session, cast, contested, browser_for
):
    offer, needs, (first, second) = contested
    donor = browser_for(cast.donor)
    assert donor.api("POST", f"/api/proposals/{first.id}/accept").status_code == 200

    response = donor.api("POST", f"/api/proposals/{second.id}/accept")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "has only $30,000 left" in detail and "over-commit" in detail
    assert reload(session, offer).committed_usd == 70_000
    assert reload(session, second).state == ProposalState.ACCEPTED_BY_REQUESTER
    assert reload(session, needs[1]).agreed_usd == 0
    assert [e.action for e in events_of(session, "proposal", second.id)] == []


def test_refusal_shows_in_the_row_and_on_the_page(session, cast, contested, browser_for):
    offer, needs, (first, second) = contested
    donor = browser_for(cast.donor)
    donor.form(f"/proposals/{first.id}/accept")

    row = donor.htmx(f"/proposals/{second.id}/accept", {"next": "/proposals"})
    assert row.status_code == 409
    assert f'id="refusal-{second.id}"' in row.text and "over-commit" in row.text
    assert row.text.lstrip().startswith(f'<tr id="proposal-{second.id}"')

    page = donor.form(f"/proposals/{second.id}/accept")
    assert page.status_code == 409
    assert "<html" in page.text and "over-commit the offer" in page.text


def test_open_proposals_that_no_longer_fit_carry_a_warning(session, cast, contested,
                                                           browser_for):
    offer, needs, (first, second) = contested
    requester, donor = browser_for(cast.requester), browser_for(cast.donor)
    assert "over-commit" not in donor.get("/proposals").text
    donor.form(f"/proposals/{first.id}/accept")

    queue = donor.get("/proposals").text
    assert queue.count("proposal-warning") == 1
    assert f"Offer {offer.reference} has only $30,000 left" in queue
    # Both sides see it, on the proposal's page too.
    assert "over-commit" in requester.get(f"/proposals/{second.id}").text
    api = donor.api("GET", f"/api/proposals/{second.id}").json()
    assert "over-commit" in api["warning"]
    assert donor.api("GET", f"/api/proposals/{first.id}").json()["warning"] is None


def test_acceptance_that_would_over_fund_the_need_is_refused(session, cast, browser_for):
    need = factories.make_need(session, "GHA", cost_usd=100_000, agreed_usd=50_000,
                               status=NeedStatus.PARTLY_MATCHED)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 budget_usd=500_000)
    proposal = make_proposal(session, need, offer, 70_000, ProposalState.ACCEPTED_BY_DONOR)
    session.commit()

    response = browser_for(cast.requester).api("POST", f"/api/proposals/{proposal.id}/accept")
    assert response.status_code == 409
    assert "still requires only $50,000" in response.json()["detail"]
    assert reload(session, need).agreed_usd == 50_000
    assert reload(session, offer).committed_usd == 0


@pytest.mark.parametrize("need_status, offer_status, words", [
    (NeedStatus.WITHDRAWN, OfferStatus.PUBLISHED, "no longer open for funding"),
    (NeedStatus.PUBLISHED, OfferStatus.WITHDRAWN, "no longer available"),
])
def test_acceptance_on_a_withdrawn_record_is_refused(session, cast, browser_for, need_status,
                                                     offer_status, words):
    need = factories.make_need(session, "GHA", status=need_status)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 status=offer_status)
    proposal = make_proposal(session, need, offer)
    session.commit()
    response = browser_for(cast.donor).api("POST", f"/api/proposals/{proposal.id}/accept")
    assert response.status_code == 409
    assert words in response.json()["detail"]
