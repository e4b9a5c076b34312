"""The whole journey in a real browser, each person in a browser of their own: a State posts a
need, a donor posts an offer that covers it, a coordinator runs the solver and reads why the
pair was proposed, both parties accept in their review queues, and the need shows as matched.

Only the accounts are made directly in the database; every step of the journey goes through
the pages, as a person would do it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from matchmaker.demo import DEMO_PASSWORD, build_demo
from matchmaker.models import ProposalOrigin, Role
from tests import factories
from tests.accounts.conftest import PASSWORD, make_person
from tests.browser.steps import assert_same_document, menu, money, no_full_reload, sign_in
from tests.matching.conftest import category
from tests.proposals.conftest import make_proposal

NEED_TITLE = "Marking machines for the Ghana Police Service"
OFFER_TITLE = "Marking kits and training for West Africa"
NEED_COST = 45_000
OFFER_BUDGET = 100_000


@pytest.fixture
def live_settings(live_settings):
    # The app's own worker thread carries out the runs, as on a laptop with `matchmaker run`.
    return replace(live_settings, run_worker=True)


@pytest.fixture
def people(session):
    people = {
        "requester": make_person(session, "gha", Role.REQUESTER, name="Ama Mensah"),
        "donor": make_person(session, "deu", Role.DONOR, name="Dieter Braun"),
        "coordinator": make_person(session, "unrec", Role.COORDINATOR, name="Kofi Agbeko"),
    }
    session.commit()
    return people


def post_need(page: Page, title: str = NEED_TITLE) -> str:
    """The requester fills every field of the need form and publishes; returns the reference."""
    menu(page, "My needs").click()
    page.get_by_role("link", name="Post a need").click()
    expect(page.get_by_role("heading", name="Post a need")).to_be_visible()
    form = page.locator("#need-form")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Description").fill(
        "The police armoury holds 12,000 unmarked service weapons; two dot-peen machines "
        "and operator training will let the national commission mark them all.")
    form.get_by_label("Measurable goal").fill(
        "All 12,000 police service weapons marked and recorded within 18 months.")
    form.get_by_label("Topic").select_option(label="Marking machines")
    form.get_by_label("Modality").select_option(label="Equipment")
    form.get_by_label("Quantity").fill("2")
    form.get_by_label("Unit").fill("marking machines")
    form.get_by_label("Estimated cost").fill(str(NEED_COST))
    form.get_by_label("Currency").select_option("USD")
    form.get_by_label("Priority").select_option(label="High")
    form.get_by_label("Wanted start").fill((date.today() + timedelta(days=30)).isoformat())
    form.get_by_label("Deadline").fill((date.today() + timedelta(days=240)).isoformat())
    expect(form.get_by_role("checkbox", name="English")).to_be_checked()
    form.get_by_label("PoA / ITI commitment").fill("ITI para. 8 (marking of State stocks)")
    form.get_by_label("National action plan").fill("NAP 2025-2029, measure 3.2")
    form.get_by_role("radio", name=re.compile("^Public")).check()
    form.get_by_role("button", name="Publish").click()

    page.wait_for_url(re.compile(r"/needs/[A-Z0-9-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("#need-status")).to_have_text("Open")
    return page.url.rsplit("/", 1)[1]


def post_offer(page: Page, title: str = OFFER_TITLE, eligible_state: str = "") -> str:
    """The donor fills the offer form so that it covers the need, and publishes it: for the
    States of Africa, or for ``eligible_state`` only."""
    menu(page, "My offers").click()
    page.get_by_role("link", name="Post an offer").click()
    form = page.locator("#offer-form")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Description").fill(
        "Dot-peen marking machines with consumables, and a week of operator training.")
    form.get_by_role("checkbox", name="Marking machines", exact=True).check()
    form.get_by_role("checkbox", name="Equipment", exact=True).check()
    form.get_by_label("Budget").fill(str(OFFER_BUDGET))
    form.get_by_label("Currency").select_option("USD")
    form.get_by_label("Available from").fill(date.today().isoformat())
    form.get_by_label("Available until").fill((date.today() + timedelta(days=540)).isoformat())
    expect(form.get_by_role("checkbox", name="English")).to_be_checked()
    if eligible_state:
        states = form.get_by_role("group", name="Eligible States")
        states.get_by_role("searchbox").fill(eligible_state)  # the picker's filter box
        states.get_by_role("checkbox", name=eligible_state, exact=True).check()
    else:
        form.get_by_role("checkbox", name=re.compile(r"^Africa\b")).check()
    form.get_by_role("button", name="Publish").click()

    page.wait_for_url(re.compile(r"/offers/[A-Z0-9-]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("[data-fact=remaining]")).to_have_text(money(OFFER_BUDGET))
    return page.url.rsplit("/", 1)[1]


def run_solver(page: Page) -> None:
    """The coordinator starts a run for the States it covers and follows it to its result."""
    menu(page, "Solver").click()
    expect(page.get_by_label("Scope")).to_have_value("region")
    page.get_by_role("button", name="Start the run").click()
    page.wait_for_url(re.compile(r"/runs/\d+$"))
    expect(page.locator("#run-progress")).to_have_attribute("data-state", "done",
                                                              timeout=30_000)


def accept_in_queue(page: Page, expected_state: str, need_title: str = NEED_TITLE,
                    search: bool = False) -> None:
    """Open the review queue, find the proposal for the need and accept it in place."""
    menu(page, re.compile("^Proposals")).click()
    if search:  # a long queue: the search box narrows it as one types
        page.get_by_role("searchbox", name="Search").fill(need_title)
    row = page.get_by_role("row").filter(has_text=need_title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Awaiting your answer")
    awaiting = menu(page, re.compile("^Proposals")).locator("[data-awaiting]")
    before = int(awaiting.get_attribute("data-awaiting"))
    no_full_reload(page)
    row.get_by_role("button", name="Accept").click()
    expect(row).to_contain_text(expected_state)
    expect(row).not_to_contain_text("Awaiting your answer")
    expect(row.get_by_role("button", name="Accept")).to_have_count(0)
    # The count of proposals awaiting an answer, in the header, follows at once.
    if before == 1:
        expect(awaiting).to_have_count(0)
    else:
        expect(awaiting).to_have_attribute("data-awaiting", str(before - 1))
    assert_same_document(page)


def test_a_need_is_posted_matched_and_agreed_in_the_browser(live_server, new_page, people):
    requester, donor, coordinator = new_page(), new_page(), new_page()

    # 1. The State's focal point posts a need.
    sign_in(requester, live_server("/login"), people["requester"].email, PASSWORD)
    need_reference = post_need(requester)

    # 2. A donor posts an offer covering that topic in Africa.
    sign_in(donor, live_server("/login"), people["donor"].email, PASSWORD)
    offer_reference = post_offer(donor)

    # 3. The regional centre runs the solver and sees the pair proposed, with the reasons.
    sign_in(coordinator, live_server("/login"), people["coordinator"].email, PASSWORD)
    run_solver(coordinator)
    proposals = coordinator.locator("table.run-proposals")
    row = proposals.get_by_role("row").filter(has_text=NEED_TITLE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(OFFER_TITLE)
    expect(row.get_by_role("cell").nth(2)).to_contain_text(money(NEED_COST))
    expect(row.get_by_role("cell").nth(2)).to_contain_text("100 % of the need")
    expect(row.locator(".breakdown-text")).to_contain_text("Topic match")
    expect(row.locator(".stack span").first).to_be_visible()

    # The proposal's own page explains the score criterion by criterion.
    row.get_by_role("link", name=NEED_TITLE).click()
    breakdown = coordinator.locator("table.score-breakdown")
    expect(breakdown.get_by_role("row").filter(has_text="Topic match")).to_have_count(1)
    expect(coordinator.get_by_text("Neither side has answered yet.")).to_be_visible()

    # 4. Both parties accept in their review queues, in place.
    accept_in_queue(requester, "Accepted by the requester")
    accept_in_queue(donor, "Agreed")

    # 5. The need is matched, for its State and for everyone reading it.
    menu(requester, "My needs").click()
    mine = requester.get_by_role("row").filter(has_text=NEED_TITLE)
    expect(mine).to_contain_text("Matched")
    expect(mine.locator("[data-cell=agreed]")).to_contain_text(money(NEED_COST))
    expect(mine.locator("[data-cell=agreed]")).to_contain_text("100 %")
    mine.get_by_role("link", name=NEED_TITLE).click()
    expect(requester.locator("#need-status")).to_have_text("Matched")

    # The offer's remaining amount went down by what was agreed.
    menu(donor, "My offers").click()
    offer_row = donor.get_by_role("row").filter(has_text=OFFER_TITLE)
    expect(offer_row.locator("[data-cell=committed]")).to_contain_text(money(NEED_COST))
    expect(offer_row.locator("[data-cell=remaining]")).to_have_text(
        money(OFFER_BUDGET - NEED_COST))
    donor.goto(live_server(f"/offers/{offer_reference}"))
    expect(donor.locator("[data-fact=remaining]")).to_have_text(money(OFFER_BUDGET - NEED_COST))

    # The coordinator sees the agreement on the proposal, a visitor sees the need matched.
    coordinator.reload()
    expect(coordinator.locator("article.proposal")).to_have_attribute("data-state", "agreed")
    visitor = new_page()
    visitor.goto(live_server(f"/needs/{need_reference}"))
    expect(visitor.locator("#need-status")).to_have_text("Matched")


def demo_login(page: Page, live_server, email: str) -> None:
    # Some demo people read French or Spanish: the footer's language switch keeps English.
    page.goto(live_server("/login"))
    page.get_by_role("link", name="English", exact=True).click()
    sign_in(page, live_server("/login"), email, DEMO_PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_journey_on_the_demo_portfolio(live_server, new_page, session):
    """The same journey by the documented demo accounts, among the demo's 330 needs."""
    build_demo(session)
    session.commit()
    requester, donor, coordinator = new_page(), new_page(), new_page()
    need_title = "Marking machines for the Tamale police armoury"
    offer_title = "German marking kits for Ghana"

    demo_login(requester, live_server, "requester.ghana@demo.matchmaker.test")
    need_reference = post_need(requester, need_title)
    demo_login(donor, live_server, "donor.germany@demo.matchmaker.test")
    offer_reference = post_offer(donor, offer_title, eligible_state="Ghana")

    demo_login(coordinator, live_server, "coordinator@unrec.demo.matchmaker.test")
    run_solver(coordinator)
    row = coordinator.locator("table.run-proposals").get_by_role("row").filter(
        has_text=need_title)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(offer_title)

    accept_in_queue(requester, "Accepted by the requester", need_title, search=True)
    accept_in_queue(donor, "Agreed", need_title, search=True)
    requester.goto(live_server(f"/needs/{need_reference}"))
    expect(requester.locator("#need-status")).to_have_text("Matched")
    donor.goto(live_server(f"/offers/{offer_reference}"))
    expect(donor.locator("[data-fact=remaining]")).to_have_text(money(OFFER_BUDGET - NEED_COST))


def test_the_run_pages_follow_the_language_chosen_in_the_footer(live_server, page, session):
    """A French-speaking coordinator who switched to English reads English names of States and
    regions on the solver pages (they came in the account's language before)."""
    coordinator = make_person(session, "unrec", Role.COORDINATOR, name="Koffi Agbeko",
                              language="fr")
    machines = category(session, "marking.machines")
    factories.make_need(session, "SEN", topic=machines, cost_usd=40_000,
                        title="Marking machines for the Senegalese gendarmerie")
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 topics=[machines], budget_usd=100_000,
                                 title="German marking kits")
    by_hand = factories.make_need(session, "SEN", topic=machines, cost_usd=30_000,
                                  title="Marking machines for the Senegalese customs")
    make_proposal(session, by_hand, offer, origin=ProposalOrigin.MANUAL)
    session.commit()

    page.goto(live_server("/login"))
    page.get_by_role("link", name="English", exact=True).click()
    sign_in(page, live_server("/login"), coordinator.email, PASSWORD)
    menu(page, "Solver").click()
    regions = page.get_by_label("Region").locator("option")
    expect(regions.filter(has_text="Western Africa")).to_have_count(1)
    expect(regions.filter(has_text="Afrique")).to_have_count(0)
    page.get_by_role("button", name="Start the run").click()
    expect(page.locator("#run-progress")).to_have_attribute("data-state", "done",
                                                            timeout=30_000)
    row = page.locator("table.run-proposals").get_by_role("row").filter(
        has_text="Senegalese gendarmerie")
    expect(row).to_contain_text("Senegal")
    expect(row).not_to_contain_text("Sénégal")
    # The proposal made by hand was kept, in a sentence that counts it right.
    kept = page.get_by_text("1 open proposal ($30,000) was kept and its amount set aside.")
    expect(kept).to_be_visible()
