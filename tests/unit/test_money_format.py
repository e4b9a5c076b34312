"""Amounts as the pages print them, in the reader's language."""

from __future__ import annotations

import pytest

from matchmaker import i18n
from matchmaker.web.templating import money


@pytest.fixture
def language():
    def use(code: str) -> None:
        i18n.set_language(code)

    yield use
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


def test_compact_amounts_put_the_currency_where_the_language_does(language):
    language("en")
    assert money(1_300_000, "USD", compact=True) == "$1.3M"
    assert money(45_000, "USD") == "$45,000"
    language("fr")
    compact = money(1_300_000, "USD", compact=True)
    assert compact.startswith("1,3") and compact.endswith("$US")  # not "$1,3 M"
    assert money(45_000, "USD").endswith("$US")
