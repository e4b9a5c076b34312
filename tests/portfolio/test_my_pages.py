"""My needs and my offers: every record of one's own organisation, its coverage and proposals."""

from __future__ import annotations

import re

import pytest

from matchmaker.models import NeedStatus, OfferStatus, ProposalState
from tests import factories
from tests.portfolio.conftest import proposal


def row(html: str, attribute: str, reference: str) -> str:
    """The table row of one record on a "my" page."""
    match = re.search(rf'<tr {attribute}="{reference}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {reference}"
    return match.group(1)


def cell(row_html: str, name: str) -> str:
    match = re.search(rf'data-cell="{name}">(.*?)</td>', row_html, re.S)
    assert match, f"no cell {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.fixture
def ghana(session):
    """Ghana's needs in several statuses, with proposals from German and Japanese offers."""
    germany = factories.state_org(session, "DEU")
    japan = factories.state_org(session, "JPN")
    fund = factories.make_offer(session, germany, title="German marking fund",
                                budget_usd=300_000)
    yen = factories.make_offer(session, japan, title="Japanese fund", budget_usd=100_000)
    needs = {
        "covered": factories.make_need(session, "GHA", title="Dot-peen machines for the police",
                                       cost_usd=100_000),
        "open": factories.make_need(session, "GHA", title="Record-keeping software",
                                    cost_usd=80_000),
        "draft": factories.make_need(session, "GHA", title="Armoury doors (idea)",
                                     status=NeedStatus.DRAFT, cost_usd=0, estimated_cost=0,
                                     goal="", deadline=None, commitment="ITI para. 8"),
        "withdrawn": factories.make_need(session, "GHA", title="Old request",
                                         status=NeedStatus.WITHDRAWN),
    }
    factories.make_need(session, "PER", title="Peru's own need")
    proposals = {
        "agreed": proposal(session, needs["covered"], fund, ProposalState.AGREED, 40_000),
        "waiting": proposal(session, needs["covered"], yen, ProposalState.PROPOSED, 25_000),
        "declined": proposal(session, needs["covered"], yen, ProposalState.DECLINED, 60_000),
        "accepted": proposal(session, needs["open"], fund,
                             ProposalState.ACCEPTED_BY_DONOR, 80_000),
    }
    session.commit()
    return needs, proposals, {"fund": fund, "yen": yen}


def test_my_needs_shows_each_needs_coverage_and_its_proposals(people, sign_in, ghana):
    needs, proposals, _offers = ghana
    html = sign_in(people.requester).get("/needs/mine").text
    covered = row(html, "data-need", needs["covered"].reference)
    assert "Dot-peen machines for the police" in covered and "Partly matched" in covered
    assert cell(covered, "agreed") == "$40,000 40 % 1 agreed proposal: #{}".format(
        proposals["agreed"].id)
    assert cell(covered, "open") == "$25,000 1 open proposal: #{}".format(
        proposals["waiting"].id)
    assert f'href="/proposals/{proposals["declined"].id}"' not in covered
    waiting = row(html, "data-need", needs["open"].reference)
    assert cell(waiting, "agreed") == "$0 0 %"
    assert cell(waiting, "open") == "$80,000 1 open proposal: #{}".format(
        proposals["accepted"].id)
    draft = row(html, "data-need", needs["draft"].reference)
    assert "Draft" in draft and "20 % complete" in draft
    assert cell(draft, "open") == "none"
    assert f'href="/needs/{needs["draft"].reference}/edit"' in draft
    assert f'href="/needs/{needs["covered"].reference}/edit"' not in covered  # committed
    withdrawn = row(html, "data-need", needs["withdrawn"].reference)
    assert "Withdrawn" in withdrawn and "/edit" not in withdrawn
    assert "Peru&#39;s own need" not in html and "Peru's own need" not in html


def test_my_needs_counts_each_status_and_filters_by_it(people, sign_in, ghana):
    needs, _proposals, _offers = ghana
    ama = sign_in(people.requester)
    html = ama.get("/needs/mine").text
    assert "4 needs" in html
    assert '<option value="draft" >Draft (1)</option>' in html
    assert '<option value="published" >Open (1)</option>' in html
    assert '<option value="partly_matched" >Partly matched (1)</option>' in html
    assert '<option value="matched" >Matched (0)</option>' in html
    drafts = ama.get("/needs/mine?status=draft").text
    assert "Armoury doors (idea)" in drafts and "Dot-peen machines" not in drafts
    assert '<option value="draft" selected>Draft (1)</option>' in drafts
    assert "1 of 4 needs" in drafts
    none = ama.get("/needs/mine?status=completed").text
    assert "None of your needs has this status." in none
    bad = ama.get("/needs/mine?status=lost")
    assert bad.status_code == 400 and "“lost” is not a valid status" in bad.text


def test_my_needs_is_a_fragment_for_htmx(people, sign_in, ghana):
    ama = sign_in(people.requester)
    full = ama.get("/needs/mine")
    fragment = ama.get("/needs/mine?status=draft", headers={"HX-Request": "true"})
    assert full.headers["vary"] == fragment.headers["vary"] == "HX-Request"
    assert "<html" in full.text and 'id="mine-results"' in full.text
    assert "<html" not in fragment.text and "<form" not in fragment.text
    assert 'data-table="my-needs"' in fragment.text
    assert "Armoury doors (idea)" in fragment.text and "Dot-peen machines" not in fragment.text


def test_another_state_sees_only_its_own_needs(people, sign_in, ghana):
    html = sign_in(people.other_requester).get("/needs/mine").text
    assert "Peru&#39;s own need" in html
    for title in ("Dot-peen machines", "Record-keeping software", "Armoury doors"):
        assert title not in html
    assert "1 need" in html


def test_a_need_an_admin_posted_for_the_state_is_among_its_needs(session, people, sign_in):
    admin = sign_in(people.admin)
    created = admin.post("/needs/new", {"country": "GHA", "title": "Posted by the secretariat",
                                        "topic": "marking.machines", "modality": "equipment",
                                        "languages": ["en"], "intent": "draft"})
    assert created.status_code == 303
    assert "Posted by the secretariat" in sign_in(people.requester).get("/needs/mine").text
    assert "Posted by the secretariat" not in sign_in(
        people.other_requester).get("/needs/mine").text


def test_an_empty_my_needs_page_invites_to_post(people, sign_in):
    html = sign_in(people.requester).get("/needs/mine").text
    assert "Your State has not posted any need yet." in html
    assert 'href="/needs/new"' in html


def test_my_offers_shows_committed_remaining_and_open_proposals(session, people, sign_in,
                                                                ghana):
    _needs, proposals, offers = ghana
    draft = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 title="Draft fund", status=OfferStatus.DRAFT)
    session.commit()
    dieter = sign_in(people.donor)
    html = dieter.get("/offers/mine").text
    fund = row(html, "data-offer", offers["fund"].reference)
    assert "German marking fund" in fund and "Open" in fund
    assert cell(fund, "committed") == "$40,000 1 agreed proposal: #{}".format(
        proposals["agreed"].id)
    assert cell(fund, "remaining") == "$260,000"
    assert cell(fund, "open") == "$80,000 1 open proposal: #{}".format(
        proposals["accepted"].id)
    draft_row = row(html, "data-offer", draft.reference)
    assert "Draft" in draft_row and cell(draft_row, "open") == "none"
    assert "Japanese fund" not in html
    assert "2 offers" in html and '<option value="draft" >Draft (1)</option>' in html

    yuki = sign_in(people.other_donor).get("/offers/mine").text
    assert "Japanese fund" in yuki and "German marking fund" not in yuki
    assert "Draft fund" not in yuki


def test_my_offers_filters_by_status_and_answers_htmx_with_rows(session, people, sign_in,
                                                               ghana):
    factories.make_offer(session, factories.state_org(session, "DEU"), title="Draft fund",
                         status=OfferStatus.DRAFT)
    session.commit()
    dieter = sign_in(people.donor)
    fragment = dieter.get("/offers/mine?status=draft", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Draft fund" in fragment.text and "German marking fund" not in fragment.text
    assert dieter.get("/offers/mine?status=gone").status_code == 400


def test_my_pages_belong_to_their_roles(people, sign_in):
    assert sign_in(people.donor).get("/needs/mine").status_code == 403
    assert sign_in(people.requester).get("/offers/mine").status_code == 403
