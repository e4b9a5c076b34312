"""Names of reference records in the user's language.

Country and region names come from Babel's CLDR data (by ISO alpha-2 code and by M49 code,
which CLDR uses for regions). In English, and whenever CLDR has no name, the UN M49 English name
of the record is used: it is the UN's official short form ("Bolivia (Plurinational State of)",
"Türkiye"), which CLDR's English does not always follow.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

from babel import Locale, UnknownLocaleError


class _Country(Protocol):
    iso2: str
    name: str


class _Region(Protocol):
    m49: str
    name: str


class _Named(Protocol):
    name: str


@lru_cache(maxsize=64)
def _locale(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def _territory_name(code: str, fallback: str, locale: str) -> str:
    parsed = _locale(locale) if locale else None
    if parsed is None or parsed.language == "en":
        return fallback
    return parsed.territories.get(code) or fallback


def country_name(country: _Country, locale: str) -> str:
    """The name of ``country`` in ``locale`` (e.g. ``"fr"``, ``"zh_Hant"``, ``"ar"``)."""
    return _territory_name(country.iso2, country.name, locale)


def region_name(region: _Region, locale: str) -> str:
    """The name of an M49 region, sub-region or intermediate region in ``locale``."""
    return _territory_name(region.m49, region.name, locale)


def category_name(category: _Named, gettext: Callable[[str], str] | None = None) -> str:
    """The name of a taxonomy area or topic, through ``gettext`` when one is given.

    Category names are kept in English in the data; translations live in the gettext catalogues.
    """
    return gettext(category.name) if gettext else category.name


def sort_key(name: str) -> tuple[str, str]:
    """A key that sorts localised names by their letters, accents aside ("Égypte" under E)."""
    folded = unicodedata.normalize("NFKD", name).casefold()
    return ("".join(char for char in folded if not unicodedata.combining(char)), name)


class _Organisation(Protocol):
    name: str
    kind: str


def organisation_name(organisation: _Organisation, country: _Country | None, locale: str) -> str:
    """The name of an organisation in ``locale``: a State speaks by its country's name (CLDR),
    other organisations by the name they registered."""
    if organisation.kind == "state" and country is not None:
        return country_name(country, locale)
    return organisation.name
