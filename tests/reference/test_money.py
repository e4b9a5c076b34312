"""Conversion of costs and budgets to US dollars at the fixed reference rates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from matchmaker.reference import money
from matchmaker.reference.money import CURRENCIES, UnknownCurrency, load_currencies, to_usd
from matchmaker.reference.sourcefile import SeedError


def test_the_currencies_of_the_design_are_known():
    wanted = ["USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "XOF", "XAF", "KES", "ZAR", "BRL", "MXN", "PEN", "INR"]
    assert set(wanted) <= CURRENCIES.keys()
    assert CURRENCIES["USD"].usd_per_unit == Decimal(1)
    assert CURRENCIES is money.CURRENCIES  # read once, then kept


@pytest.mark.parametrize(
    ("amount", "currency", "usd"),
    [
        (1_000, "USD", 1_000),
        (1_000, "EUR", 1_035),
        (250_000, "GBP", 313_000),
        (1_000_000, "JPY", 6_361),
        (10_000_000, "XOF", 15_780),
        (1_000, "xof", 2),  # 1.578 rounds up
        (0, "CHF", 0),
        (100, " eur ", 104),  # 103.5 rounds half up
    ],
)
def test_to_usd(amount, currency, usd):
    assert to_usd(amount, currency) == usd


def test_both_cfa_francs_follow_the_euro_peg():
    # 655.957 CFA francs to the euro.
    assert to_usd(655_957, "XOF") == to_usd(655_957, "XAF") == pytest.approx(1_035, abs=1)


def test_an_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrency) as caught:
        to_usd(100, "ABC")
    assert caught.value.code == "ABC"
    assert "unknown currency 'ABC'" in str(caught.value)


def test_amounts_are_whole_numbers():
    with pytest.raises(TypeError):
        to_usd(10.5, "USD")


def test_a_bad_rate_names_the_line(tmp_path):
    path = tmp_path / "currencies.csv"
    path.write_text("code,name,usd_per_unit\nUSD,US dollar,1\nEUR,Euro,one\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"currencies\.csv, line 3: usd_per_unit must be a positive"):
        load_currencies(path)
