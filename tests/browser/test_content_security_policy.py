"""The Content-Security-Policy breaks nothing: in a real browser, the htmx search of the needs
list, the live check of a form and accepting a proposal in the review queue work in place, the
score bars keep their widths, and the browser reports no violation of the policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.accounts.conftest import people  # noqa: F401 - a fixture
from tests.browser.steps import assert_same_document, no_full_reload
from tests.browser.test_form_errors import deal, signed_in  # noqa: F401 - a fixture
from tests.browser.test_journey import accept_in_queue

# Recorded from the first script of every document, before the page's own scripts run.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def watched(page: Page) -> Page:
    """The page, recording CSP violations (the event, and the console's "Refused to" errors)."""
    page.add_init_script(RECORD_VIOLATIONS)
    page.console_refusals = []
    page.on("console", lambda message: message.type == "error"
            and "Content Security Policy" in message.text
            and page.console_refusals.append(message.text))
    return page


def assert_no_violation(page: Page) -> None:
    assert page.evaluate("window.__cspViolations") == []
    assert page.console_refusals == []


def test_the_needs_search_works_under_the_policy(watched, live_server, session):
    factories.make_need(session, "GHA", title="Marking machines for Ghana")
    factories.make_need(session, "PER", title="Stockpile training in Peru")
    session.commit()
    response = watched.goto(live_server("/needs"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    no_full_reload(watched)

    watched.get_by_role("searchbox", name="Search").fill("Peru")
    results = watched.locator("#results")
    expect(results).to_contain_text("Stockpile training in Peru")
    expect(results).not_to_contain_text("Marking machines for Ghana")
    assert "q=Peru" in watched.url  # htmx pushed the search into the address
    assert_same_document(watched)
    assert_no_violation(watched)


def test_forms_queue_and_bars_work_under_the_policy(watched, live_server, people, deal):
    need, _offer, proposal = deal
    page = signed_in(watched, live_server, people.requester, "/needs/new")

    # The live check of a field (hx-post with hx-vals) answers in place.
    no_full_reload(page)
    page.locator("#need-form").get_by_label("Quantity").fill("two")
    page.locator("#need-form").get_by_label("Quantity").press("Tab")
    expect(page.locator("#error-quantity")).to_contain_text("Enter a whole number")
    assert_same_document(page)

    # Accepting in the review queue swaps the row and the header count in place.
    accept_in_queue(page, "Accepted by the requester", need.title)

    # Bars drawn with a computed width (style attributes) keep it.
    page.goto(live_server(f"/proposals/{proposal.id}"))
    bar = page.locator(".score-bar .bar").first
    expect(bar).to_be_visible()
    assert bar.bounding_box()["width"] > 0
    assert_no_violation(page)
