"""Propose to fund this need: a donor proposes one of its compatible offers by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from matchmaker.models import (
    Category,
    NeedStatus,
    Offer,
    OfferRegion,
    Proposal,
    ProposalOrigin,
    ProposalState,
    Region,
)
from tests import factories
from tests.proposals.conftest import events_of, make_proposal


def region(session, m49: str) -> Region:
    return session.scalars(select(Region).where(Region.m49 == m49)).one()


@pytest.fixture
def shelf(session, cast):
    """A Ghanaian need for marking machines (equipment, $100,000) and German offers."""
    germany = factories.state_org(session, "DEU")
    machines = factories.topic(session, "marking.machines")
    need = factories.make_need(session, "GHA", title="Marking machines for Ghana",
                               topic=machines, cost_usd=100_000)
    offers = {
        "fits": factories.make_offer(session, germany, [machines], title="Marking fund",
                                     budget_usd=80_000),
        "area": factories.make_offer(
            session, germany, [session.scalars(select(Category).where(
                Category.code == "marking")).one()], title="Whole marking area",
            budget_usd=300_000),
        "topic": factories.make_offer(session, germany,
                                      [factories.topic(session, "marking.records")],
                                      title="Records fund"),
        "modality": factories.make_offer(session, germany, [machines],
                                         [factories.modality(session, "training")],
                                         title="Training only"),
        "americas": factories.make_offer(session, germany, [machines], title="Americas only"),
        "west_africa": factories.make_offer(session, germany, [machines],
                                            title="West Africa fund", budget_usd=40_000),
        "ldc": factories.make_offer(session, germany, [machines], title="LDC fund",
                                    ldc_only=True),
        "window": factories.make_offer(session, germany, [machines], title="Closing fund",
                                       available_until=date.today() + timedelta(days=5)),
    }
    session.add(OfferRegion(offer_id=offers["americas"].id, region_id=region(session, "019").id))
    session.add(OfferRegion(offer_id=offers["west_africa"].id,
                            region_id=region(session, "011").id))
    factories.make_offer(session, factories.state_org(session, "NLD"), [machines],
                         title="Dutch fund")
    session.commit()
    return need, offers


def test_the_form_lists_compatible_offers_and_says_why_others_cannot_fund(
    cast, shelf, browser_for
):
    need, offers = shelf
    html = browser_for(cast.donor).get(f"/proposals/new?need={need.reference}").text
    select_html = html[html.index('<select id="input-offer"'):html.index("</select>")]
    for key in ("fits", "area", "west_africa"):
        assert offers[key].reference in select_html
    for key in ("topic", "modality", "americas", "ldc", "window"):
        assert offers[key].reference not in select_html
    assert "Dutch fund" not in html
    assert "does not cover the topic" in html
    assert "does not give assistance as" in html
    assert "is not open to Ghana" in html
    assert "least-developed countries only" in html
    assert "before the need&#39;s wanted start" in html
    assert 'value="80000"' in html  # min(need remaining, the first offer's remaining)


def test_a_donors_proposal_waits_for_the_requester(session, cast, shelf, browser_for):
    need, offers = shelf
    donor = browser_for(cast.donor)
    response = donor.form("/proposals/new", {"need": need.reference,
                                             "offer": offers["fits"].reference,
                                             "amount_usd": ""})
    assert response.status_code == 303
    proposal = session.scalars(select(Proposal)).one()
    assert response.headers["location"] == f"/proposals/{proposal.id}"
    assert proposal.amount_usd == 80_000  # as much as fits: the offer's remaining budget
    assert proposal.state == ProposalState.ACCEPTED_BY_DONOR
    assert proposal.origin == ProposalOrigin.MANUAL
    assert proposal.donor_accepted_by_id == cast.donor.id
    assert proposal.share == pytest.approx(0.8)
    assert proposal.expires_at is not None
    [event] = events_of(session, "proposal", proposal.id)
    assert event.action == "proposed" and event.after["state"] == "accepted_by_donor"
    assert event.after["amount_usd"] == 80_000

    queue = browser_for(cast.requester).get("/proposals?tab=awaiting_me").text
    assert "Marking machines for Ghana" in queue and 'data-action="accept"' in queue


def test_an_admins_proposal_waits_for_both_sides(session, cast, shelf, browser_for):
    need, offers = shelf
    response = browser_for(cast.admin).api("POST", "/api/proposals", {
        "need": need.reference, "offer": offers["area"].reference, "amount_usd": 25_000})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "proposed" and body["amount_usd"] == 25_000


@pytest.mark.parametrize("offer_key, amount, field, words", [
    ("topic", "", "offer", "does not cover the topic"),
    ("fits", "90000", "amount_usd", "has only $80,000 left"),
    ("area", "120000", "amount_usd", "still requires only $100,000"),
    ("fits", "-5", "amount_usd", "more than zero"),
    ("fits", "lots", "amount_usd", "whole US dollars"),
])
def test_errors_are_shown_at_the_field(session, cast, shelf, browser_for, offer_key, amount,
                                       field, words):
    need, offers = shelf
    donor = browser_for(cast.donor)
    data = {"need": need.reference, "offer": offers[offer_key].reference, "amount_usd": amount}
    response = donor.form("/proposals/new", data)
    assert response.status_code == 422
    html = response.text
    assert f'id="error-{field}"' in html
    error = html[html.index(f'id="error-{field}"'):]
    assert words in error[:300]
    assert f'value="{amount}"' in html or field != "amount_usd"  # kept as typed
    fragment = donor.client.post("/proposals/new", data=data,
                                 headers={"HX-Request": "true", "X-CSRF-Token": donor.token})
    assert fragment.status_code == 422 and fragment.text.lstrip().startswith("<form")
    api_amount = int(amount) if amount.lstrip("-").isdigit() else None
    if field == "offer" or api_amount is not None:
        api = donor.api("POST", "/api/proposals", {**data, "amount_usd": api_amount})
        assert api.status_code == 422 and words in api.json()["errors"][field]
    assert session.scalars(select(Proposal)).all() == []


def test_need_not_open_is_refused(session, cast, shelf, browser_for):
    need, offers = shelf
    need.status = NeedStatus.MATCHED
    session.commit()
    donor = browser_for(cast.donor)
    page = donor.get(f"/proposals/new?need={need.reference}").text
    assert "not open for funding" in page and 'id="input-offer"' not in page
    response = donor.form("/proposals/new", {"need": need.reference,
                                             "offer": offers["fits"].reference})
    assert response.status_code == 422 and 'id="error-need"' in response.text


def test_a_declined_or_already_proposed_pair_is_not_offered_again(session, cast, shelf,
                                                                  browser_for):
    need, offers = shelf
    make_proposal(session, need, offers["fits"], 50_000, ProposalState.DECLINED,
                  declined_by_side="requester", decline_reason="No")
    make_proposal(session, need, offers["area"], 50_000)
    session.commit()
    donor = browser_for(cast.donor)
    html = donor.get(f"/proposals/new?need={need.reference}").text
    assert "was declined before" in html and "already proposed for this need" in html
    response = donor.api("POST", "/api/proposals", {"need": need.reference,
                                                    "offer": offers["fits"].reference})
    assert response.status_code == 422
    assert "declined before" in response.json()["errors"]["offer"]


def test_only_donors_the_regions_coordinators_and_admins_propose(cast, shelf, browser_for):
    need, offers = shelf
    for who in ("requester", "far_coordinator"):
        browser = browser_for(getattr(cast, who))
        assert browser.get(f"/proposals/new?need={need.reference}").status_code == 403
        assert browser.form("/proposals/new", {"need": need.reference,
                                               "offer": offers["fits"].reference}
                            ).status_code == 403
        assert browser.api("POST", "/api/proposals", {"need": need.reference,
                                                      "offer": offers["fits"].reference}
                           ).status_code == 403


def test_another_donors_offer_cannot_be_proposed(session, cast, shelf, browser_for):
    need, _offers = shelf
    dutch = session.scalars(select(Offer).where(Offer.title == "Dutch fund")).one()
    response = browser_for(cast.donor).form("/proposals/new", {"need": need.reference,
                                                               "offer": dutch.reference})
    assert response.status_code == 422 and "Choose one of your published offers" in response.text
