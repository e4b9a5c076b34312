"""The bounds every id, text and number is held to before the database sees it.

Beyond them the database fails rather than answers: PostgreSQL cannot store NUL in text nor an
id above 2**31 - 1 in an integer column, SQLite none above 2**63 - 1, and Python refuses to read
an integer of more than 4,300 digits. Each of those was a 500; here each becomes a message.
"""

from __future__ import annotations

import re
from typing import Annotated

from litestar.params import Parameter

from matchmaker.errors import InputError
from matchmaker.i18n import _

# Primary keys are 32-bit integer columns on PostgreSQL.
MAX_ID = 2**31 - 1

RecordId = Annotated[int, Parameter(ge=1, le=MAX_ID, description="The record's number.")]
"""A record number in a path (``/proposals/{proposal_id:int}``): a number outside the range
of ids is answered 404, as for any id with no record (web/errors.py)."""

# Control characters other than tab and line breaks: nobody types them, PostgreSQL cannot store
# or compare NUL at all, and terminal escapes would reach the console mailer raw.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Every character that starts a new line somewhere (a mail header or subject among them).
_LINE_BREAKS = re.compile(r"[\n\r\x85\u2028\u2029]")
_ASCII_ID = re.compile(r"[0-9]{1,10}")
# More digits than any amount the app holds; refused before int() reads them.
MAX_DIGITS = 15
# Digits grouped by thousands ("1,500", "1 500", "1'500", "1_500"); the separator is optional.
_GROUPED = re.compile(r"-?\d{1,3}(?:[,\s_\u00a0\u202f']\d{3})*")
_PLAIN = re.compile(r"-?\d+")


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL_CHARACTERS.search(text))


def text_problem(text: str, max_length: int, *, single_line: bool = False) -> str | None:
    """What is wrong with a submitted text, or None: the one check every text field passes.

    ``single_line`` fields (titles, names, units) refuse line breaks, which would otherwise be
    copied into mail subjects and one-line displays; multi-line fields keep them.
    """
    if has_control_characters(text):
        return _("Remove the invisible control characters from this text.")
    if single_line and _LINE_BREAKS.search(text):
        return _("Keep this on one line (no line breaks).")
    if len(text) > max_length:
        return _("Keep this under %(max)s characters (now %(n)s).", max=max_length, n=len(text))
    return None


def record_id(value: object) -> int | None:
    """The record number ``value`` names (ASCII digits, or a JSON integer), or None when it is
    not one: Unicode digits ("²", "٣"), signs, and numbers beyond any id are not ids."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if _ASCII_ID.fullmatch(text) else None
    if isinstance(value, int) and 1 <= value <= MAX_ID:
        return value
    return None


def whole_number(raw: str, *, minimum: int, maximum: int, not_a_number: str = "") -> int:
    """An amount or a count as typed; InputError with the message to show at its field
    (``not_a_number`` when it is not a whole number at all).

    Thousands may be grouped ("1,500", "1 500"), but a comma that could be a decimal comma
    ("1,5") is refused rather than read as 15.
    """
    text = raw.strip()
    if not (_PLAIN.fullmatch(text) or _GROUPED.fullmatch(text)):
        if re.fullmatch(r"-?\d+(?:[,.]\d+)+", text):
            raise InputError(_("Enter a whole number; group thousands as in 1,500 (no decimals)."))
        raise InputError(not_a_number or _(
            "Enter a whole number, like 25000 (no decimals or letters)."))
    digits = re.sub(r"\D", "", text)
    if len(digits.lstrip("0")) > MAX_DIGITS:
        raise InputError(_("This number is too large: enter at most %(max)s.", max=f"{maximum:,}"))
    value = int(("-" if text.startswith("-") else "") + digits)
    if value < minimum:
        raise InputError(_("Enter at least %(min)s.", min=minimum))
    if value > maximum:
        raise InputError(_("Enter at most %(max)s.", max=f"{maximum:,}"))
    return value
