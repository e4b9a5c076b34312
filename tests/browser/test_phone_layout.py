"""Every main page at 390 px, the width of a common phone: nothing scrolls the page sideways,
every action button lies within the screen, and tables read as cards whose cells say what they
hold (a needs-list card says "Cost" and "Deadline", not a bare "$80,000" and a date)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.tour import PHONE, each_failure, tour, walk  # noqa: F401 - a fixture

OUT_OF_REACH = """() => [...document.querySelectorAll('button, .button, [type=submit]')]
  .filter((element) => element.getClientRects().length > 0)
  .map((element) => [element.textContent.trim(), element.getBoundingClientRect()])
  .filter(([, box]) => box.left < 0 || box.right > window.innerWidth)
  .map(([name, box]) => `${name} spans ${Math.round(box.left)}-${Math.round(box.right)} px`)"""


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-3).map((element) => `${element.tagName.toLowerCase()}.${element.className}`)"""


def overflow(page: Page) -> list[str]:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    problems = ([f"the page is {width} px wide ({', '.join(page.evaluate(WIDEST))})"]
                if width > PHONE["width"] else [])
    return problems + page.evaluate(OUT_OF_REACH)


def label_of(page: Page, cell) -> str:
    return cell.evaluate("(cell) => getComputedStyle(cell, '::before').content")


def test_no_page_scrolls_sideways_and_every_button_is_within_reach(browser, live_server, tour):
    failures = each_failure(walk(browser, live_server, tour, PHONE), overflow)
    assert failures == []


@pytest.mark.parametrize("language", ["fr", "es", "ar", "ru", "zh"])
def test_no_page_overflows_a_phone_in_the_other_languages(browser, live_server, tour, language):
    """Longer words (French, Russian), right to left (Arabic), no spaces to break at (Chinese):
    every page still fits 390 px, and is served in the language asked for."""
    def check(page: Page) -> list[str]:
        served = page.evaluate("() => document.documentElement.lang")
        return overflow(page) + ([f"served in {served}"] if served != language else [])

    failures = each_failure(walk(browser, live_server, tour, PHONE, language=language), check)
    assert failures == []


def test_the_queue_and_the_lists_are_labelled_cards_on_a_phone(browser, live_server, tour):
    for stop, page in walk(browser, live_server, tour, PHONE,
                           only=("public /needs", "requester /proposals")):
        if stop.path == "/needs":
            card = page.locator("table.needs-table tbody tr").first
            assert label_of(page, card.locator("td.num")) == '"Cost"'
            assert label_of(page, card.locator("td").nth(5)) == '"Deadline"'
        if (stop.role, stop.path) == ("requester", "/proposals"):
            row = page.locator("tr.proposal-row").first
            accept = row.get_by_role("button", name="Accept")
            accept.scroll_into_view_if_needed()
            expect(accept).to_be_in_viewport()
            box = accept.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
            assert label_of(page, row.locator("td.num").first) == '"Amount"'
            accept.click()
            expect(row.get_by_role("status")).to_contain_text("Done: this proposal is now")
            assert overflow(page) == []
