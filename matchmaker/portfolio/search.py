"""Finding needs and offers: the text search of the lists, and references in URLs.

The search ignores case and accents, so "Cote d'Ivoire" finds "Côte d’Ivoire": the query is
folded in Python (``fold``) and each column in the database the same way, with no extra
column or extension to install. PostgreSQL folds with ``translate`` over the accented letters
that decompose to one ASCII letter (the same letters ``fold`` reduces); SQLite calls ``fold``
itself, registered on each connection by :mod:`matchmaker.db`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from sqlalchemy import or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import String
from sqlmodel import Session

from matchmaker.models import Country
from matchmaker.reference.names import country_name

ESCAPE = "\\"
_REFERENCE = re.compile(r"[A-Z]-\d{1,12}")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
SQLITE_FOLD = "mm_fold"  # the name of the SQL function on SQLite connections


def fold(text: str | None) -> str | None:
    """``text`` in lower case without accents, with one kind of apostrophe."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.translate(_APOSTROPHES)


@lru_cache(maxsize=1)
def _translate_map() -> tuple[str, str]:
    """The single letters ``fold`` reduces to one ASCII letter, and those letters."""
    source, target = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        folded = fold(char)
        if char != char.lower():
            continue  # lower() in the database has folded upper case already
        if len(folded) == 1 and folded != char and folded.isascii():
            source.append(char)
            target.append(folded)
    for char, plain in (("’", "'"), ("‘", "'"), ("ʼ", "'"), ("`", "'")):
        source.append(char)
        target.append(plain)
    return "".join(source), "".join(target)


class folded(FunctionElement):  # noqa: N801 - reads as a SQL function
    """A column folded as ``fold`` folds text, in SQL."""

    type = String()
    inherit_cache = True


@compiles(folded)
def _folded_default(element, compiler, **kw) -> str:
    return f"{SQLITE_FOLD}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw) -> str:
    source, target = (value.replace("'", "''") for value in _translate_map())
    return f"translate(lower({compiler.process(element.clauses, **kw)}), '{source}', '{target}')"


def contains_text(text: str, *columns, extra: ColumnElement[bool] | None = None
                  ) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``text``, ignoring case and accents (or ``extra`` holds).

    ``%`` and ``_`` are what a visitor typed (“50%”), not LIKE wildcards, so they are escaped.
    """
    escaped = (fold(text).replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%")
               .replace("_", ESCAPE + "_"))
    pattern = f"%{escaped}%"
    matches = [folded(column).like(pattern, escape=ESCAPE) for column in columns]
    return or_(*matches, *([extra] if extra is not None else []))


def countries_named(session: Session, text: str, language: str) -> list[int]:
    """The States whose name in ``language`` contains ``text``, accents and case aside
    ("Egypte" finds Égypte for a French reader; the English names are searched in SQL)."""
    wanted = fold(text)
    return [country.id for country in session.scalars(select(Country))
            if wanted in fold(country_name(country, language))]


def is_reference(text: str) -> bool:
    """Whether ``text`` has the shape of a reference (``N-00042``); anything else is looked up
    nowhere, so that stray bytes in a URL make a 404 rather than a database error."""
    return bool(_REFERENCE.fullmatch(text))
