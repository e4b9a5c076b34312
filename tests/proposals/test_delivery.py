"""After agreement: delivery starts, is marked delivered with a note, and each side closes the
proposal with feedback."""

from __future__ import annotations

import pytest

from matchmaker.models import NeedStatus, ProposalState
from tests.proposals.conftest import events_of, reload


@pytest.fixture
def agreed(session, cast, deal, browser_for):
    browser_for(cast.requester).form(f"/proposals/{deal.proposal.id}/accept")
    browser_for(cast.donor).form(f"/proposals/{deal.proposal.id}/accept")
    return deal


def test_delivery_then_closure_feedback_from_both_sides(session, cast, agreed, browser_for):
    url = f"/proposals/{agreed.proposal.id}"
    donor, requester = browser_for(cast.donor), browser_for(cast.requester)
    assert "Delivery has started" not in requester.get(url).text  # not the requester's to say

    assert donor.form(url + "/delivery").status_code == 303
    assert reload(session, agreed.proposal).state == ProposalState.IN_DELIVERY
    assert reload(session, agreed.need).status == NeedStatus.IN_DELIVERY

    empty = donor.form(url + "/delivered", {"note": ""})
    assert empty.status_code == 422 and 'id="error-note"' in empty.text
    assert donor.form(url + "/delivered",
                      {"note": "12 marking machines installed"}).status_code == 303
    proposal, need = reload(session, agreed.proposal), reload(session, agreed.need)
    assert proposal.state == ProposalState.DELIVERED and proposal.delivered_at
    assert (need.delivered_usd, need.status) == (100_000, NeedStatus.COMPLETED)

    page = requester.get(url).text
    assert "Was the need met?" in page
    missing = requester.form(url + "/feedback", {"note": "Fine"})
    assert missing.status_code == 422 and 'id="error-met"' in missing.text
    assert requester.form(url + "/feedback",
                          {"met": "yes", "note": "Machines in use"}).status_code == 303
    again = requester.form(url + "/feedback", {"met": "yes", "note": "Twice"})
    assert again.status_code == 409 and "already given its feedback" in again.text
    response = donor.api("POST", f"/api{url}/feedback", {"met": "partly", "note": "Late"})
    assert response.status_code == 200

    page = donor.get(url).text
    assert "Machines in use" in page and "Late" in page and "Was the need met?" not in page
    actions = [e.action for e in events_of(session, "proposal", proposal.id)]
    assert actions[-4:] == ["in_delivery", "delivered", "feedback", "feedback"]
    delivered = events_of(session, "proposal", proposal.id)[-3]
    assert delivered.before["state"] == "in_delivery" and delivered.after["state"] == "delivered"
    assert delivered.note == "12 marking machines installed"
    need_actions = [e.action for e in events_of(session, "need", need.id)]
    assert need_actions == ["proposal_agreed", "in_delivery", "delivered"]


def test_coordinator_of_the_region_can_record_delivery_others_cannot(
    session, cast, agreed, browser_for
):
    url = f"/proposals/{agreed.proposal.id}"
    assert browser_for(cast.requester).form(url + "/delivery").status_code == 403
    assert browser_for(cast.far_coordinator).form(url + "/delivery").status_code == 404
    assert browser_for(cast.coordinator).api("POST", f"/api{url}/delivered",
                                             {"note": "Checked on site"}).status_code == 200
    assert reload(session, agreed.proposal).state == ProposalState.DELIVERED


def test_delivery_needs_an_agreed_proposal(session, cast, deal, browser_for):
    response = browser_for(cast.donor).form(f"/proposals/{deal.proposal.id}/delivery")
    assert response.status_code == 409 and "Only an agreed proposal" in response.text
    feedback = browser_for(cast.requester).api(
        "POST", f"/api/proposals/{deal.proposal.id}/feedback", {"met": "yes", "note": "x"})
    assert feedback.status_code == 409
