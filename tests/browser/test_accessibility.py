"""Accessibility in a real browser: axe-core finds nothing on any main page at 1280 and 390 px;
dangerous actions look dangerous; a form with errors opens with a summary that takes focus and
links each error to its field; focus follows the result of an action; the focus ring is an
outline; proposing by hand ends on the new proposal's address.

axe-core is vendored for the tests only (tests/browser/vendor/axe.min.js, from the npm
package); it is injected as an inline script, which the app's CSP rightly refuses, so the axe
pages are opened in contexts that bypass the CSP."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests import factories
from tests.accounts.conftest import PASSWORD, people  # noqa: F401 - a fixture
from tests.browser.steps import label, sign_in
from tests.browser.tour import DESKTOP, PHONE, each_failure, tour, walk  # noqa: F401 - a fixture
from tests.matching.conftest import category

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .map((rule) => `${rule.id} (${rule.impact}): ${rule.nodes.slice(0, 3)
    .map((node) => node.target.join(" ")).join(", ")}`)"""
DANGER_RED = "rgb(180, 35, 24)"
WHITE = "rgb(255, 255, 255)"


def violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE)


def style(locator, prop: str) -> str:
    return locator.evaluate(f"(element) => getComputedStyle(element).{prop}")


def test_axe_finds_no_violation_on_any_page_at_1280_and_390_px(browser, live_server, tour):
    failures = []
    for viewport in (DESKTOP, PHONE):
        pages = walk(browser, live_server, tour, viewport, bypass_csp=True)
        failures += [f"{viewport['width']} px {line}" for line in each_failure(pages, violations)]
    assert failures == []


def test_dangerous_actions_look_dangerous_and_save_draft_looks_secondary(
        browser, live_server, tour):
    offer = tour.stops[6].path  # the German offer's page, as its donor sees it
    for stop, page in walk(browser, live_server, tour, DESKTOP,
                           only=("requester /needs/new", "requester /proposals",
                                 f"donor {offer}", "admin /admin/accounts", "admin /admin")):
        if stop.path == "/needs/new":
            draft = page.get_by_role("button", name="Save draft")
            assert style(draft, "backgroundColor") == WHITE
            assert style(page.get_by_role("button", name="Publish"), "backgroundColor") != WHITE
        elif stop.path == "/proposals":
            decline = page.locator("summary", has_text="Decline…").first
            assert style(decline, "color") == DANGER_RED
            decline.click()
            button = page.get_by_role("button", name="Decline this proposal").first
            assert style(button, "backgroundColor") == DANGER_RED
        elif stop.path == offer:
            withdraw = page.get_by_role("link", name="Withdraw")
            assert style(withdraw, "backgroundColor") == DANGER_RED
        elif stop.path == "/admin/accounts":
            assert style(page.get_by_role("button", name="Disable").first,
                         "backgroundColor") == DANGER_RED
        else:
            assert style(page.get_by_role("button", name="Reject").first,
                         "backgroundColor") == DANGER_RED


def test_an_error_summary_takes_focus_and_leads_to_each_field(page, live_server, people):
    sign_in(page, live_server("/login"), people.requester.email, PASSWORD)
    page.goto(live_server("/needs/new"))
    page.get_by_label(label("Title")).fill("Marking machines")
    page.get_by_label("Estimated cost").fill("12k")
    page.get_by_role("button", name="Publish").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links.filter(has_text="Enter a whole number, like 25000")).to_have_count(1)
    assert links.count() == page.locator(".field-error").count() >= 3
    links.filter(has_text="Enter a whole number, like 25000").click()
    expect(page.get_by_label("Estimated cost")).to_be_focused()
    # the invalid field is drawn with a red border, the ring around it is an outline
    cost = page.get_by_label("Estimated cost")
    assert style(cost, "borderTopColor") == DANGER_RED
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert style(cost, "outlineStyle") == "solid"
    assert style(cost, "outlineWidth") == "3px"


def test_focus_moves_to_the_answer_and_proposing_by_hand_opens_the_proposal(
        new_page, live_server, people, session):
    machines = category(session, "marking.machines")
    need = factories.make_need(session, "GHA", topic=machines, cost_usd=40_000,
                               title="Marking machines for the Ghana police")
    factories.make_offer(session, factories.state_org(session, "DEU"), topics=[machines],
                         budget_usd=100_000, title="German marking kits")
    session.commit()
    page = new_page()
    sign_in(page, live_server("/login"), people.donor.email, PASSWORD)
    page.goto(live_server(f"/proposals/new?need={need.reference}"))
    expect(page.get_by_label(label("Your offer"))).to_contain_text("German marking kits")
    page.get_by_role("button", name="Propose").click()
    expect(page).to_have_url(re.compile(r"/proposals/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Marking machines for the Ghana police")

    # the requester answers in the queue: focus lands on the sentence that says what happened
    page = new_page()
    sign_in(page, live_server("/login"), people.requester.email, PASSWORD)
    page.goto(live_server("/proposals"))
    row = page.locator("tr.proposal-row").first
    row.get_by_role("button", name="Accept").click()
    note = page.locator("tr.proposal-row").first.get_by_role("status")
    expect(note).to_contain_text("Done: this proposal is now")
    expect(note).to_be_focused()
