"""Parsing of query parameters into typed values, with a message naming the bad parameter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from matchmaker.errors import InputError
from matchmaker.i18n import _
from matchmaker.web.bounds import has_control_characters


def text_param(params: Mapping[str, str], name: str, max_length: int = 100) -> str:
    """A text parameter, stripped; InputError naming it if too long or holding control chars."""
    value = (params.get(name) or "").strip()
    if has_control_characters(value):
        raise InputError(_("“%(name)s” contains control characters.", name=name), field=name)
    if len(value) > max_length:
        raise InputError(
            _("“%(name)s” is too long (at most %(max)s characters).", name=name, max=max_length),
            field=name,
        )
    return value


def choice_param(
    params: Mapping[str, str], name: str, choices: Iterable[str], default: str = ""
) -> str:
    value = (params.get(name) or "").strip()
    if not value:
        return default
    allowed = list(choices)
    if value not in allowed:
        raise InputError(
            _("“%(value)s” is not a valid %(name)s; expected one of: %(allowed)s.",
              value=value[:40], name=name, allowed=", ".join(allowed)),
            field=name,
        )
    return value


def int_param(
    params: Mapping[str, str], name: str, default: int, minimum: int = 1, maximum: int = 10_000
) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(
            _("“%(name)s” must be a whole number.", name=name), field=name
        ) from None
    if not minimum <= value <= maximum:
        raise InputError(
            _("“%(name)s” must be between %(min)s and %(max)s.", name=name, min=minimum,
              max=maximum),
            field=name,
        )
    return value
