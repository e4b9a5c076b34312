"""Reading the need and offer forms (HTML or JSON) into typed values, one message per field.

A ``FieldReader`` reads raw submitted values and collects the first error of each field, so a
form shows every problem at once, each next to its field. It accepts a ``FormMultiDict`` (HTML
forms, where a checkbox group repeats its name) and a plain mapping (JSON bodies, where a group
is a list and numbers may be numbers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from matchmaker.errors import FormErrors, InputError
from matchmaker.i18n import _, babel_locale, get_language
from matchmaker.models import utcnow
from matchmaker.reference.money import CURRENCIES_FILE, load_currencies, to_usd
from matchmaker.web.bounds import text_problem, whole_number

# Delivery languages: the six UN languages and Portuguese (Lusophone Africa, Brazil, Timor-Leste).
DELIVERY_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh", "pt")
# Integer columns hold at most 2**31 - 1; a billion in any listed currency stays below it in USD.
MAX_AMOUNT = 1_000_000_000
MAX_QUANTITY = 10_000_000


def form_errors(errors: dict[str, str]) -> FormErrors:
    """The FormErrors of a need or offer form."""
    return FormErrors(errors)


def publish_requested(data: Mapping[str, Any]) -> bool:
    """The ``publish`` flag of a JSON body: true, false or absent; anything else is refused
    rather than read as “no” (a client sending "yes" would get a draft without knowing)."""
    value = data.get("publish", False)
    if not isinstance(value, bool):
        raise form_errors({"publish": _("Give true or false.")})
    return value


def today() -> date:
    """Today's date in UTC, against which deadlines and windows are checked."""
    return utcnow().date()


def currency_codes() -> list[str]:
    return list(load_currencies(CURRENCIES_FILE))


def currency_options() -> list[tuple[str, str]]:
    """Each currency as “EUR — euro”, named in the language of the page (from CLDR)."""
    locale = babel_locale(get_language())
    return [(code, f"{code} — {locale.currencies.get(code, currency.name)}")
            for code, currency in load_currencies(CURRENCIES_FILE).items()]


class NotAValue(ValueError):
    """A JSON list or object where one text or number belongs."""


def _plain(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    if not isinstance(value, str | int | float):
        raise NotAValue
    return str(value).strip()


class FieldReader:
    """Typed values out of a submitted form; ``errors`` keeps the first problem per field."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raw(self, name: str) -> str:
        value = self.data.get(name)
        if isinstance(value, list | tuple):
            value = value[0] if value else ""
        try:
            return _plain(value)
        except NotAValue:
            self.error(name, _("Give one text or number here, not a list or an object."))
            return ""

    def many(self, name: str) -> list[str]:
        getall = getattr(self.data, "getall", None)
        if getall is not None:
            values = getall(name, [])
        else:
            value = self.data.get(name)
            if value is None:
                values = []
            elif isinstance(value, list | tuple):
                values = list(value)
            else:
                values = str(value).split(",")
        seen: list[str] = []
        try:
            plain = [_plain(v) for v in values]
        except NotAValue:
            self.error(name, _("Give a list of codes here."))
            return []
        for value in plain:
            if value and value not in seen:
                seen.append(value)
        return seen

    def present(self, name: str) -> bool:
        return name in self.data

    def text(self, name: str, max_length: int, required: str | None = None, *,
             single_line: bool = False) -> str:
        """A text field; ``single_line`` (titles, units) refuses line breaks, which would be
        copied into mail subjects and one-line lists."""
        value = self.raw(name)
        problem = text_problem(value, max_length, single_line=single_line)
        if problem:
            self.error(name, problem)
            return ""
        if not value and required:
            self.error(name, required)
        return value

    def whole_number(self, name: str, maximum: int, minimum: int = 0) -> int | None:
        raw = self.raw(name)
        if not raw:
            return None
        try:
            return whole_number(raw, minimum=minimum, maximum=maximum)
        except InputError as problem:
            self.error(name, problem.message)
            return None

    def day(self, name: str) -> date | None:
        raw = self.raw(name)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.error(name, _("Enter a date as YYYY-MM-DD, for example 2027-03-31."))
            return None

    def choice(self, name: str, allowed: Iterable[str], default: str = "",
               required: str | None = None) -> str:
        value = self.raw(name) or default
        if not value:
            if required:
                self.error(name, required)
            return ""
        if value not in set(allowed):
            self.error(name, _("Choose one of the options offered."))
            return ""
        return value

    def choices(self, name: str, allowed: Iterable[str], required: str | None = None) -> list[str]:
        values = self.many(name)
        allowed_set = set(allowed)
        unknown = [v for v in values if v not in allowed_set]
        if unknown:
            self.error(name, _("Unknown choice: %(values)s.", values=", ".join(unknown[:5])))
            values = [v for v in values if v in allowed_set]
        if not values and required:
            self.error(name, required)
        return values

    def flag(self, name: str) -> bool:
        return self.raw(name).lower() in ("on", "true", "1", "yes")

    def money(self, amount_field: str, currency_field: str, *,
              required: str | None = None) -> tuple[int | None, str, int | None]:
        """An amount, its currency and the amount in US dollars (None when not given)."""
        amount = self.whole_number(amount_field, MAX_AMOUNT)
        currency = self.choice(currency_field, currency_codes(), default="USD")
        if amount is None and required and amount_field not in self.errors:
            self.error(amount_field, required)
        if amount is None or not currency:
            return amount, currency or "USD", None
        return amount, currency, to_usd(amount, currency)

    def quantity(self, quantity_field: str, unit_field: str) -> tuple[int | None, str]:
        quantity = self.whole_number(quantity_field, MAX_QUANTITY, minimum=1)
        unit = self.text(unit_field, 40, single_line=True)
        if quantity is not None and not unit:
            self.error(unit_field, _("Say what the quantity counts, e.g. “marking machines”."))
        if unit and quantity is None and quantity_field not in self.errors:
            self.error(quantity_field, _("Give the number of %(unit)s.", unit=unit))
        return quantity, unit

    def languages(self, name: str = "languages") -> list[str]:
        return self.choices(name, DELIVERY_LANGUAGES,
                            required=_("Tick at least one language."))


def language_name(code: str) -> str:
    """The name of a language in the language of the page (from CLDR)."""
    name = babel_locale(get_language()).languages.get(code, code)
    return name[:1].upper() + name[1:]


def language_labels(codes: str) -> list[str]:
    """Display names of a comma-separated list of language codes."""
    return [language_name(code) for code in codes.split(",") if code]
