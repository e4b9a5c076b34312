"""Paging and sorting of the needs and offers lists, and their filters in links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from matchmaker.web.params import choice_param, int_param

PER_PAGE_CHOICES = ("20", "50", "100")
DEFAULTS = (("sort", "newest"), ("per_page", 20), ("page", 1))


def paging(params: Mapping[str, str], sorts: Mapping[str, Any]) -> dict[str, Any]:
    """The sort order, page and page size asked for; InputError naming a bad one."""
    return {
        "sort": choice_param(params, "sort", sorts, "newest"),
        "page": int_param(params, "page", 1, 1, 100_000),
        "per_page": int(choice_param(params, "per_page", PER_PAGE_CHOICES, "20")),
    }


def link_params(filters) -> dict[str, object]:
    """A filters dataclass as the query parameters of a link; defaults are left empty."""
    params = asdict(filters)
    for name, default in DEFAULTS:
        if params[name] == default:
            params[name] = ""
    return params
