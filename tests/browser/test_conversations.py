"""A donor asks a State a question about its need, in a real browser, and the State answers in
place on a phone-sized screen; each side reads the other's words."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories
from tests.accounts.conftest import PASSWORD, people  # noqa: F401 - a fixture
from tests.browser.steps import assert_same_document, label, menu, no_full_reload, sign_in

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_asking_a_question_and_answering_it(session, live_server, people, new_page):
    need = factories.make_need(session, "GHA", title="Marking machines for Ghana")
    session.commit()

    donor = new_page()
    sign_in(donor, live_server("/login"), people.donor.email, PASSWORD)
    donor.goto(live_server(f"/needs/{need.reference}"))
    donor.get_by_role("link", name="Ask the State a question").click()
    donor.get_by_label(label("Your question")).fill("Which marking machines do you use?")
    donor.get_by_role("button", name="Send the question").click()
    expect(donor.locator("#alerts")).to_contain_text("Your message was sent.")
    expect(donor.locator("#messages")).to_contain_text("Which marking machines do you use?")

    requester = new_page()
    requester.set_viewport_size(PHONE)
    sign_in(requester, live_server("/login"), people.requester.email, PASSWORD)
    menu(requester, "Conversations").click()
    assert no_sideways_scroll(requester)
    requester.get_by_role("link", name=f"Need {need.reference}: Marking machines for Ghana").click()
    expect(requester.locator("#messages")).to_contain_text("Which marking machines do you use?")
    assert no_sideways_scroll(requester)
    no_full_reload(requester)
    requester.get_by_label(label("Write a message")).fill("Dot-peen machines, twelve of them.")
    requester.get_by_role("button", name="Send message").click()
    expect(requester.locator("#alerts")).to_contain_text("Your message was sent.")
    expect(requester.locator("#messages")).to_contain_text("Dot-peen machines, twelve of them.")
    expect(requester.get_by_label(label("Write a message"))).to_have_value("")
    assert_same_document(requester)

    donor.reload()
    expect(donor.locator("#messages")).to_contain_text("Dot-peen machines, twelve of them.")
