"""On a phone (390 px wide), a signed-in person sees the unread count on the header's bell,
opens the notification centre, marks one and then everything read in place, and the bell
follows to zero."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.accounts.conftest import people  # noqa: F401 - a fixture
from tests.browser.steps import assert_same_document, no_full_reload, sign_in
from tests.factories import PASSWORD
from tests.notifications.test_centre import tell

PHONE = {"width": 390, "height": 844}


def fits_the_width(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_bell_counts_and_marking_all_read_clears_it_on_a_phone(page, live_server,
                                                                      session, people):
    tell(session, people.requester, 1)
    tell(session, people.requester, 2, "message_new")
    page.set_viewport_size(PHONE)
    sign_in(page, live_server("/login"), people.requester.email, PASSWORD)

    bell = page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name=re.compile("^Notifications"))
    expect(bell).to_have_accessible_name("Notifications, 2 unread")
    expect(bell).to_contain_text("2")
    bell.click()

    expect(page.get_by_role("heading", level=1, name="Notifications")).to_be_visible()
    items = page.get_by_role("list", name="Your notifications").get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("New message on N-00002")
    assert fits_the_width(page)

    no_full_reload(page)
    items.first.get_by_role("button", name=re.compile("^Mark as read")).click()
    expect(items.first).to_contain_text("The notification is marked as read.")
    expect(bell).to_have_accessible_name("Notifications, 1 unread")
    expect(page.get_by_text("1 unread notification.")).to_be_visible()

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator("#alerts")).to_have_text("All your notifications are marked as read.")
    expect(page.get_by_text("Nothing unread.")).to_be_visible()
    expect(bell).to_have_accessible_name("Notifications")
    expect(bell).not_to_contain_text("2")
    expect(page.locator(".badge-unread")).to_have_count(0)
    assert_same_document(page)
    assert fits_the_width(page)
