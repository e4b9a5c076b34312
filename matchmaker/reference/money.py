"""Currencies and conversion to US dollars at the fixed reference rates of ``seeds/currencies.csv``.

Amounts are whole currency units (see ``models``); converted amounts are rounded to the nearest
whole dollar, halves up. ``CURRENCIES`` (code -> :class:`Currency`) is read from the file on first
use and kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from matchmaker.reference.files import SEEDS_DIR
from matchmaker.reference.sourcefile import read_csv

CURRENCIES_FILE = SEEDS_DIR / "currencies.csv"


class UnknownCurrency(ValueError):
    """The currency code is not one of ``seeds/currencies.csv``."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"unknown currency {code!r}")


@dataclass(frozen=True)
class Currency:
    code: str
    name: str
    usd_per_unit: Decimal


@cache
def load_currencies(path: Path = CURRENCIES_FILE) -> dict[str, Currency]:
    """The currencies of ``path`` by code, in file order; raises ``SeedError`` on bad data."""
    currencies: dict[str, Currency] = {}
    for row in read_csv(path, ("code", "name", "usd_per_unit")):
        code = row.matching("code", r"[A-Z]{3}", "an ISO 4217 code")
        if code in currencies:
            raise row.error(f"code {code!r} is given twice")
        try:
            rate = Decimal(row.text("usd_per_unit"))
        except InvalidOperation:
            rate = Decimal(0)
        if not rate.is_finite() or rate <= 0:
            raise row.error(f"usd_per_unit must be a positive number, got {row.values['usd_per_unit']!r}")
        currencies[code] = Currency(code, row.text("name"), rate)
    return currencies


def __getattr__(name: str) -> dict[str, Currency]:
    # CURRENCIES is read on first access rather than at import.
    if name == "CURRENCIES":
        return load_currencies()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_currency(code: str) -> Currency:
    """The currency of ``code`` (case and surrounding spaces ignored)."""
    normalised = code.strip().upper()
    try:
        return load_currencies()[normalised]
    except KeyError:
        raise UnknownCurrency(code) from None


def to_usd(amount: int, currency: str) -> int:
    """``amount`` whole units of ``currency`` in whole US dollars, rounded half up."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"amount must be a whole number, got {amount!r}")
    rate = get_currency(currency).usd_per_unit
    return int((amount * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
