"""The solver page in a real browser: errors shown at their fields, then a run followed live
until its proposals and explanations appear (the app's own worker carries it out)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from matchmaker.models import Role
from tests import factories
from tests.accounts.conftest import PASSWORD, make_person
from tests.browser.test_signup_flow import sign_in
from tests.matching.conftest import category


@pytest.fixture
def live_settings(live_settings):
    return replace(live_settings, run_worker=True)


@pytest.fixture
def portfolio(session):
    machines = category(session, "marking.machines")
    factories.make_need(session, "GHA", topic=machines, cost_usd=80_000,
                        title="Marking machines for the Ghana police")
    factories.make_need(session, "GHA", topic=category(session, "legislation.drafting"),
                        title="Drafting a firearms law")
    factories.make_offer(session, factories.state_org(session, "DEU"), topics=[machines],
                         budget_usd=60_000, title="German marking kits")
    admin = make_person(session, "unoda", Role.ADMIN, name="Ada Secretariat")
    session.commit()
    return admin


def test_run_form_errors_then_a_run_followed_to_its_result(page, live_server, portfolio):
    sign_in(page, live_server, portfolio.email, PASSWORD)
    page.goto(live_server("/runs"))
    page.click("#run-form details.advanced > summary")  # weights and time limit are folded
    page.fill("#input-weight_topic", "12")
    page.fill("#input-time_limit", "0")
    page.click("#run-form button[type=submit]")

    # htmx swaps the form in place: each error next to its field, the values as typed.
    topic_error = page.locator("#error-weight_topic")
    topic_error.wait_for()
    assert topic_error.inner_text() == "Enter a number between 0 and 10."
    assert page.locator("#field-weight_topic #input-weight_topic").input_value() == "12"
    assert page.locator("#input-weight_topic").get_attribute("aria-invalid") == "true"
    assert "between 1 and 60" in page.locator("#error-time_limit").inner_text()
    assert page.locator("#error-weight_priority").count() == 0
    assert page.url == live_server("/runs")

    page.fill("#input-weight_topic", "3")
    page.fill("#input-time_limit", "5")
    with page.expect_navigation():
        page.click("#run-form button[type=submit]")
    assert re.search(r"/runs/\d+$", page.url)
    # The progress fragment polls until the run is done, then shows the result in place.
    page.locator('#run-progress[data-state="done"]').wait_for(timeout=20_000)
    assert page.locator("h1").inner_text().startswith("Solver run #")
    assert page.locator("a.need-title").inner_text() == "Marking machines for the Ghana police"
    assert page.locator(".stack .crit-topic").count() == 1
    unmet = page.locator(".unmet-list li").all_inner_texts()
    assert any("No offer covers" in text and "for Ghana." in text for text in unmet)
    assert any("Partly covered: short by $20,000" in text for text in unmet)
    assert "Another $10,000 in this offer would add about" in page.locator(
        ".shadow-list").inner_text()
