"""Accepting and declining proposals: the state machine, amounts, statuses, events, refusals."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from matchmaker.models import NeedStatus, OfferStatus, OutboxMail, ProposalState
from tests import factories
from tests.accounts.conftest import mails_to
from tests.proposals.conftest import events_of, make_proposal, reload


def test_requester_accepts_then_donor_accepts_and_the_proposal_is_agreed(
    session, cast, deal, browser_for
):
    requester, donor = browser_for(cast.requester), browser_for(cast.donor)

    response = requester.form(f"/proposals/{deal.proposal.id}/accept",
                              {"side": "requester", "next": "/proposals"})
    assert response.status_code == 303
    assert response.headers["location"] == "/proposals"
    proposal = reload(session, deal.proposal)
    assert proposal.state == ProposalState.ACCEPTED_BY_REQUESTER
    assert proposal.requester_accepted_by_id == cast.requester.id
    assert reload(session, deal.need).agreed_usd == 0  # nothing held until both agree

    response = donor.form(f"/proposals/{deal.proposal.id}/accept", {"side": "donor"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/proposals/{deal.proposal.id}"
    proposal = reload(session, deal.proposal)
    assert proposal.state == ProposalState.AGREED
    assert proposal.agreed_at is not None
    assert proposal.donor_accepted_by_id == cast.donor.id
    need, offer = reload(session, deal.need), reload(session, deal.offer)
    assert need.agreed_usd == 100_000 and need.status == NeedStatus.MATCHED
    assert offer.committed_usd == 100_000 and offer.status == OfferStatus.PUBLISHED

    page = donor.get(f"/proposals/{deal.proposal.id}").text
    assert "Agreed" in page
    assert "Dieter Braun" in page and "Ama Mensah" in page  # who accepted
    assert re.search(r'data-figure="offer-remaining">\s*\$150,000', page)


def test_agreement_events_record_before_and_after(session, cast, deal, browser_for):
    browser_for(cast.requester).form(f"/proposals/{deal.proposal.id}/accept")
    browser_for(cast.donor).form(f"/proposals/{deal.proposal.id}/accept")

    accepted, agreed = events_of(session, "proposal", deal.proposal.id)
    assert (accepted.action, accepted.actor_id) == ("accepted", cast.requester.id)
    assert accepted.before["state"] == "proposed"
    assert accepted.after["state"] == "accepted_by_requester"
    assert (agreed.action, agreed.actor_id) == ("agreed", cast.donor.id)
    assert agreed.before["state"] == "accepted_by_requester"
    assert agreed.after["state"] == "agreed" and agreed.after["agreed_at"]
    [need_event] = events_of(session, "need", deal.need.id)
    assert need_event.before == {"agreed_usd": 0, "delivered_usd": 0, "status": "published"}
    assert need_event.after == {"agreed_usd": 100_000, "delivered_usd": 0, "status": "matched"}
    [offer_event] = events_of(session, "offer", deal.offer.id)
    assert offer_event.before == {"committed_usd": 0, "status": "published"}
    assert offer_event.after == {"committed_usd": 100_000, "status": "published"}


def test_partial_amount_leaves_the_need_partly_matched_and_can_exhaust_the_offer(
    session, cast, browser_for
):
    need = factories.make_need(session, "GHA", cost_usd=100_000)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"), budget_usd=60_000)
    proposal = make_proposal(session, need, offer, 60_000, ProposalState.ACCEPTED_BY_DONOR)
    session.commit()

    response = browser_for(cast.requester).api("POST", f"/api/proposals/{proposal.id}/accept")
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "agreed"
    need, offer = reload(session, need), reload(session, offer)
    assert (need.agreed_usd, need.status) == (60_000, NeedStatus.PARTLY_MATCHED)
    assert (offer.committed_usd, offer.status) == (60_000, OfferStatus.EXHAUSTED)


def test_accept_in_place_returns_the_updated_row(session, cast, deal, browser_for):
    response = browser_for(cast.requester).htmx(f"/proposals/{deal.proposal.id}/accept",
                                                {"side": "requester", "next": "/proposals"})
    assert response.status_code == 200
    assert response.headers["hx-trigger"] == "proposals-changed"
    html = response.text
    assert html.lstrip().startswith(f'<tr id="proposal-{deal.proposal.id}"')
    assert "Accepted by the requester" in html
    assert 'data-action="accept"' not in html  # nothing left to answer on this side


def test_the_other_side_hears_of_an_acceptance_and_everyone_of_the_agreement(
    session, cast, deal, browser_for
):
    browser_for(cast.requester).form(f"/proposals/{deal.proposal.id}/accept")
    [accepted] = mails_to(session, cast.donor.email)
    assert accepted.subject.startswith("Accepted by the other side:")
    assert "Ama Mensah" in accepted.body
    assert mails_to(session, cast.requester.email) == []  # who acted is not told

    browser_for(cast.donor).form(f"/proposals/{deal.proposal.id}/accept")
    session.expire_all()
    agreed = {m.recipient: m for m in session.scalars(select(OutboxMail)).all()
              if m.subject.startswith("Agreed:")}
    assert set(agreed) == {cast.requester.email, cast.donor.email, cast.coordinator.email}
    assert f"/proposals/{deal.proposal.id}" in agreed[cast.donor.email].body


# --- declining ------------------------------------------------------------------------------


def test_decline_with_a_reason_in_place(session, cast, deal, browser_for):
    response = browser_for(cast.donor).htmx(
        f"/proposals/{deal.proposal.id}/decline",
        {"side": "donor", "reason": "Our fund <b>closed</b> for 2027", "next": "/proposals"},
    )
    assert response.status_code == 200
    assert "Declined" in response.text
    assert "Our fund &lt;b&gt;closed&lt;/b&gt; for 2027" in response.text
    proposal = reload(session, deal.proposal)
    assert proposal.state == ProposalState.DECLINED
    assert (proposal.declined_by_side, proposal.declined_by_id) == ("donor", cast.donor.id)
    [event] = events_of(session, "proposal", proposal.id)
    assert event.action == "declined" and event.before["state"] == "proposed"
    assert event.after["decline_reason"] == "Our fund <b>closed</b> for 2027"
    session.expire_all()
    [told, coordinator] = session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert (told.recipient, coordinator.recipient) == (cast.requester.email,
                                                       cast.coordinator.email)
    assert told.subject.startswith("Declined:")
    assert "Our fund <b>closed</b> for 2027" in told.body  # the reason, as written (plain text)


def test_decline_without_a_reason_is_refused_at_the_field(session, cast, deal, browser_for):
    requester = browser_for(cast.requester)
    url = f"/proposals/{deal.proposal.id}/decline"

    row = requester.htmx(url, {"side": "requester", "reason": "   "})
    assert row.status_code == 422
    assert f'id="reason-error-{deal.proposal.id}"' in row.text
    assert "Give a reason" in row.text
    assert "<details class=\"decline\" open>" in row.text  # the reason field stays open

    page = requester.form(url, {"side": "requester"})
    assert page.status_code == 422
    assert "<html" in page.text and "Give a reason" in page.text

    api = requester.api("POST", f"/api/proposals/{deal.proposal.id}/decline", {"reason": ""})
    assert api.status_code == 422
    assert api.json()["errors"] == {"reason": "Give a reason, so the other side knows why."}
    assert reload(session, deal.proposal).state == ProposalState.PROPOSED
    assert events_of(session, "proposal", deal.proposal.id) == []


def test_a_declined_proposal_cannot_be_accepted(session, cast, deal, browser_for):
    browser_for(cast.requester).form(f"/proposals/{deal.proposal.id}/decline",
                                     {"reason": "Already funded by another partner"})
    response = browser_for(cast.donor).api("POST", f"/api/proposals/{deal.proposal.id}/accept")
    assert response.status_code == 409
    assert "already declined" in response.json()["detail"]


def test_a_side_cannot_accept_twice(session, cast, deal, browser_for):
    requester = browser_for(cast.requester)
    requester.form(f"/proposals/{deal.proposal.id}/accept")
    response = requester.api("POST", f"/api/proposals/{deal.proposal.id}/accept")
    assert response.status_code == 409
    assert "already accepted" in response.json()["detail"]


# --- who may answer -------------------------------------------------------------------------


def answer(browser, channel: str, action: str, proposal_id: int, side: str | None = None):
    """Accept or decline proposal ``proposal_id`` through a form, htmx or the API."""
    url = f"/proposals/{proposal_id}/{action}"
    data = {"reason": "Not for us"} if action == "decline" else {}
    if side:
        data["side"] = side
    if channel == "form":
        return browser.form(url, data)
    if channel == "htmx":
        return browser.htmx(url, data)
    return browser.api("POST", "/api" + url, data)


def message_of(response, channel: str) -> str:
    return response.json()["detail"] if channel == "api" else response.text


def without_id(text: str, proposal_id: int) -> str:
    """``text`` with the proposal's number (in the message and the page's links) left out."""
    return text.replace(f"number {proposal_id}.", "").replace(f"/proposals/{proposal_id}/", "")


@pytest.mark.parametrize("channel", ["form", "htmx", "api"])
@pytest.mark.parametrize(
    "who, side",
    [
        ("requester", "donor"),  # the right party, the wrong side
        ("donor", "requester"),
        ("coordinator", None),  # sees the proposal but answers for no side
        ("admin", None),
    ],
)
@pytest.mark.parametrize("action", ["accept", "decline"])
def test_who_sees_the_proposal_but_may_not_answer_for_the_side_gets_403(
    session, cast, deal, browser_for, channel, who, side, action
):
    response = answer(browser_for(getattr(cast, who)), channel, action, deal.proposal.id, side)
    assert response.status_code == 403, response.text[:300]
    assert "cannot answer" in message_of(response, channel)
    assert reload(session, deal.proposal).state == ProposalState.PROPOSED


@pytest.mark.parametrize("channel", ["form", "htmx", "api"])
@pytest.mark.parametrize("who", ["other_donor", "other_requester", "far_coordinator"])
@pytest.mark.parametrize("action", ["accept", "decline"])
def test_a_proposal_one_may_not_see_is_answered_like_a_missing_one(
    session, cast, deal, browser_for, channel, who, action
):
    browser = browser_for(getattr(cast, who))
    hidden = answer(browser, channel, action, deal.proposal.id, "donor")
    missing = answer(browser, channel, action, deal.proposal.id + 1000, "donor")
    assert hidden.status_code == missing.status_code == 404, hidden.text[:300]
    assert f"number {deal.proposal.id}." in message_of(hidden, channel)
    assert without_id(message_of(hidden, channel), deal.proposal.id) == without_id(
        message_of(missing, channel), deal.proposal.id + 1000)
    assert reload(session, deal.proposal).state == ProposalState.PROPOSED


def test_coordinators_see_their_regions_proposals_only(session, cast, deal, browser_for):
    near, far = browser_for(cast.coordinator), browser_for(cast.far_coordinator)
    url = f"/proposals/{deal.proposal.id}"
    assert near.get(url).status_code == 200
    assert "Marking machines for Ghana" in near.get("/proposals").text

    assert far.get(url).status_code == 404
    assert far.api("GET", "/api" + url).status_code == 404
    assert far.api("GET", "/api" + url + "/messages").status_code == 404
    assert "Marking machines for Ghana" not in far.get("/proposals").text
    assert browser_for(cast.other_donor).get(url).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, deal):
    response = client.get("/proposals", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"].startswith("/login?next=")
    assert client.get(f"/api/proposals/{deal.proposal.id}").status_code == 401


def test_unknown_proposal_is_not_found(cast, browser_for):
    donor = browser_for(cast.donor)
    assert donor.get("/proposals/999999").status_code == 404
    assert donor.api("POST", "/api/proposals/999999/accept").status_code == 404
