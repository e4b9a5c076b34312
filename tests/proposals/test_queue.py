"""The review queue: what awaits the viewer comes first, tabs with counts, search, the count in
the navigation (expiry is the scheduler's: tests/scheduler)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from matchmaker.models import ProposalState, utcnow
from tests import factories
from tests.proposals.conftest import make_proposal


@pytest.fixture
def queue(session, cast):
    """Proposals between Ghana / Peru and Germany / the Netherlands, in several states."""
    germany, netherlands = (factories.state_org(session, iso) for iso in ("DEU", "NLD"))
    german, dutch = (factories.make_offer(session, org, title=title, budget_usd=1_000_000)
                     for org, title in ((germany, "German fund"), (netherlands, "Dutch fund")))
    made = {}
    for key, iso, offer, state in [
        ("gha_new", "GHA", german, ProposalState.PROPOSED),
        ("gha_donor_ok", "GHA", german, ProposalState.ACCEPTED_BY_DONOR),
        ("gha_i_accepted", "GHA", german, ProposalState.ACCEPTED_BY_REQUESTER),
        ("gha_agreed", "GHA", german, ProposalState.AGREED),
        ("gha_declined", "GHA", german, ProposalState.DECLINED),
        ("gha_dutch", "GHA", dutch, ProposalState.PROPOSED),
        ("gha_superseded", "GHA", german, ProposalState.SUPERSEDED),
        ("per_new", "PER", german, ProposalState.PROPOSED),
        ("per_dutch", "PER", dutch, ProposalState.PROPOSED),
    ]:
        need = factories.make_need(session, iso, title=f"Need {key}", cost_usd=10_000)
        made[key] = make_proposal(session, need, offer, 10_000, state)
    # The oldest activity is the first of its group: answers waiting come first regardless.
    made["gha_new"].updated_at = utcnow() - timedelta(days=3)
    session.commit()
    return made


def titles(html: str) -> list[str]:
    return re.findall(r'class="need-title">Need (\w+)<', html)


def test_requester_sees_what_awaits_its_answer_first(cast, queue, browser_for):
    html = browser_for(cast.requester).get("/proposals").text
    order = titles(html)
    assert set(order[:3]) == {"gha_new", "gha_donor_ok", "gha_dutch"}  # awaiting my answer
    assert order[3] == "gha_i_accepted"  # open, waiting for the donor
    assert set(order[4:]) == {"gha_agreed", "gha_declined", "gha_superseded"}
    assert not any(title.startswith("per") for title in order)
    assert html.count('data-action="accept"') == 3
    assert "3 proposals await your answer" in html


def test_donor_sees_its_offers_proposals_for_its_side(cast, queue, browser_for):
    html = browser_for(cast.donor).get("/proposals").text
    order = titles(html)
    assert set(order[:3]) == {"gha_new", "gha_i_accepted", "per_new"}
    assert "gha_dutch" not in order and "per_dutch" not in order
    assert html.count('data-action="accept"') == 3


def tab_counts(html: str) -> dict[str, int]:
    return {tab: int(count) for tab, count in re.findall(
        r'data-tab="(\w+)">[^<]*<span class="tab-count">(\d+)</span>', html)}


def test_tabs_count_and_filter_by_state(cast, queue, browser_for):
    requester = browser_for(cast.requester)
    html = requester.get("/proposals").text
    assert tab_counts(html) == {"all": 7, "awaiting_me": 3, "awaiting_other": 1, "agreed": 1,
                                "declined": 1, "closed": 1}
    assert set(titles(requester.get("/proposals?tab=awaiting_me").text)) == {
        "gha_new", "gha_donor_ok", "gha_dutch"}
    assert titles(requester.get("/proposals?tab=awaiting_other").text) == ["gha_i_accepted"]
    assert titles(requester.get("/proposals?tab=agreed").text) == ["gha_agreed"]
    assert titles(requester.get("/proposals?tab=declined").text) == ["gha_declined"]
    assert titles(requester.get("/proposals?tab=closed").text) == ["gha_superseded"]
    assert requester.get("/proposals?tab=bogus").status_code == 400


def test_coordinators_and_admins_see_their_scope_without_answering(cast, queue, browser_for):
    near = browser_for(cast.coordinator).get("/proposals").text
    assert tab_counts(near)["all"] == 7 and tab_counts(near)["awaiting_me"] == 0
    assert 'data-action="accept"' not in near
    far = browser_for(cast.far_coordinator).get("/proposals").text
    assert set(titles(far)) == {"per_new", "per_dutch"}
    assert tab_counts(browser_for(cast.admin).get("/proposals").text)["all"] == 9


def test_search_by_need_offer_and_state(cast, queue, browser_for):
    donor = browser_for(cast.donor)
    assert titles(donor.get("/proposals?q=per_new").text) == ["per_new"]
    peru = donor.get("/proposals?q=peru").text
    assert titles(peru) == ["per_new"] and tab_counts(peru)["all"] == 1
    fragment = donor.get("/proposals?q=german", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'class="tabs"' in fragment.text
    assert fragment.headers["vary"] == "HX-Request"


def test_pagination(session, cast, queue, browser_for):
    html = browser_for(cast.admin).get("/proposals?per_page=20&page=1").text
    assert "Showing 1–9 of 9 proposals" in html
    assert browser_for(cast.admin).get("/proposals?page=0").status_code == 400


def test_navigation_shows_the_number_awaiting_an_answer(cast, queue, browser_for):
    requester = browser_for(cast.requester)
    badge = requester.get("/proposals/awaiting-count").text
    assert 'data-awaiting="3"' in badge
    assert 'hx-get="/proposals/awaiting-count"' in requester.get("/needs").text
    assert 'data-awaiting="3"' in requester.get("/proposals").text  # drawn at once here
    requester.form(f"/proposals/{queue['gha_new'].id}/accept")
    assert 'data-awaiting="2"' in requester.get("/proposals/awaiting-count").text
    assert "data-awaiting" not in browser_for(cast.coordinator).get(
        "/proposals/awaiting-count").text


def test_api_queue_lists_what_awaits_first(cast, queue, browser_for):
    body = browser_for(cast.donor).api("GET", "/api/proposals").json()
    assert body["counts"]["awaiting_me"] == 3 and body["total"] == 7
    assert [item["awaiting_me"] for item in body["items"]][:4] == [True, True, True, False]
    assert body["items"][0]["answer_side"] == "donor"
