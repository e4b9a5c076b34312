"""Steps the browser tests share, written as a person does them: by labels and button names."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def label(text: str) -> re.Pattern:
    """A field's label exactly, with or without the star of a required field."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    """Sign in through the login form and wait until the header names the person."""
    page.goto(url)
    page.get_by_label("Email address").fill(email)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def menu(page: Page, name: str | re.Pattern):
    """A link of the main navigation (the header), e.g. "My needs" or "Solver"."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def no_full_reload(page: Page) -> None:
    """Mark the document, so that :func:`assert_same_document` can tell a reload happened."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"


def money(amount: int) -> str:
    """A US dollar amount as the pages print it in English: $45,000."""
    return f"${amount:,}"
