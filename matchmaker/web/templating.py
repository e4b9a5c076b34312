"""The Jinja environment: autoescaped templates, translations and display filters."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from babel.dates import format_datetime, format_skeleton
from babel.numbers import format_compact_currency, format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from matchmaker import i18n
from matchmaker.settings import PROJECT_ROOT

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@lru_cache(maxsize=64)
def _static_hash(path: str) -> str:
    file = STATIC_DIR / path
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10] if file.exists() else "0"


def static_url(path: str) -> str:
    """URL of a static file with a content hash, so browsers may cache it for long."""
    return f"/static/{path}?v={_static_hash(path)}"


def money(amount: float | int | None, currency: str = "USD", compact: bool = False) -> str:
    """An amount in whole units of ``currency``, in the current language's currency format."""
    if amount is None:
        return "—"
    locale = i18n.babel_locale()
    if compact and abs(amount) >= 10_000:
        # The locale places the sign and the unit: "$1.3M", but "1,3 M $US" in French.
        return format_compact_currency(amount, currency, locale=locale, fraction_digits=1)
    # Amounts are whole units: the locale's pattern without its fraction digits.
    pattern = locale.currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=i18n.babel_locale())


def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{number(value * 100, 0)} %"


def day(value: date | datetime | None, style: str = "medium") -> str:
    """A date, or a moment with its time and zone, in the one format every page uses.

    The month is spelled out ("2 Dec 2026", "2026年12月2日"): a numeric ``12/2/26`` reads
    differently on each side of the Atlantic. Moments are stored in UTC and say so. ``style``
    is accepted for older callers; every style gives this same format.
    """
    if value is None:
        return "—"
    locale = i18n.babel_locale()
    if not isinstance(value, datetime):
        return format_skeleton("yMMMd", value, locale=locale)
    moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    when = format_skeleton("Hm", moment, tzinfo=UTC, locale=locale)
    zone = format_datetime(moment, "z", tzinfo=UTC, locale=locale)
    return str(locale.datetime_formats["medium"]).format(
        f"{when} {zone}", format_skeleton("yMMMd", moment.date(), locale=locale))


def make_environment(debug: bool = False) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=debug,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations(i18n.get_language()).gettext(message),
        lambda singular, plural, n: i18n.translations(i18n.get_language()).ngettext(
            singular, plural, n
        ),
        newstyle=True,
    )
    env.globals.update(
        new_idempotency_key=lambda: secrets.token_urlsafe(24),  # one per rendered form
        static_url=static_url,
        ui_languages=i18n.LANGUAGES,
    )
    env.filters.update(money=money, number=number, percent=percent, day=day)
    return env
