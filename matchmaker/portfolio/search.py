"""Finding needs and offers: the text search of the lists, and references in URLs."""

from __future__ import annotations

import re

from sqlalchemy import func, or_
from sqlalchemy.sql import ColumnElement

ESCAPE = "\\"
_REFERENCE = re.compile(r"[A-Z]-\d{1,12}")


def contains_text(text: str, *columns) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``text``, ignoring case.

    ``%`` and ``_`` are what a visitor typed (“50%”), not LIKE wildcards, so they are escaped.
    """
    escaped = (text.lower().replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%")
               .replace("_", ESCAPE + "_"))
    pattern = f"%{escaped}%"
    return or_(*(func.lower(column).like(pattern, escape=ESCAPE) for column in columns))


def is_reference(text: str) -> bool:
    """Whether ``text`` has the shape of a reference (``N-00042``); anything else is looked up
    nowhere, so that stray bytes in a URL make a 404 rather than a database error."""
    return bool(_REFERENCE.fullmatch(text))
