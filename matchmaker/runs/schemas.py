"""What a person asks a solver run for, validated field by field (form and JSON alike)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from matchmaker.errors import FormErrors
from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import RunMode, RunScope
from matchmaker.web.bounds import text_problem
from solver.score import CRITERIA, DEFAULT_WEIGHTS

MAX_WEIGHT = 10.0
MIN_TIME_LIMIT, MAX_TIME_LIMIT, DEFAULT_TIME_LIMIT = 1, 60, 10
COVERAGE = "coverage"  # the region value meaning "every State my organisation covers"
WEIGHT_PREFIX = "weight_"

CRITERION_LABELS = {
    "topic": lazy_gettext("Topic match"),
    "region": lazy_gettext("Proximity"),
    "language": lazy_gettext("Shared language"),
    "priority": lazy_gettext("Priority"),
    "urgency": lazy_gettext("Urgency"),
    "cost_fit": lazy_gettext("Cost fit"),
    "past_cooperation": lazy_gettext("Past cooperation"),
    "ldc": lazy_gettext("Least-developed country"),
}
CRITERION_HINTS = {
    "topic": lazy_gettext("Exact topic 1, same area only 0.5"),
    "region": lazy_gettext("Donor in the same sub-region 1, same region 0.5"),
    "language": lazy_gettext("The offer is delivered in one of the need's languages"),
    "priority": lazy_gettext("High 1, medium 0.5, low 0"),
    "urgency": lazy_gettext("Halves with every 90 days left before the deadline"),
    "cost_fit": lazy_gettext("Share of the need's cost the offer's budget can cover"),
    "past_cooperation": lazy_gettext("The donor has an agreed match with this State"),
    "ldc": lazy_gettext("The requesting State is a least-developed country"),
}
assert set(CRITERION_LABELS) == set(CRITERIA)

MODE_LABELS = {
    RunMode.SPLIT: lazy_gettext("Split: a need may be co-funded by several offers"),
    RunMode.WHOLE: lazy_gettext("Whole: each need goes wholly to one offer"),
}
SCOPE_LABELS = {
    RunScope.GLOBAL: lazy_gettext("Global: the whole portfolio"),
    RunScope.REGION: lazy_gettext("A region"),
    RunScope.CATEGORY: lazy_gettext("An area or topic"),
}


@dataclass(frozen=True)
class RunInput:
    """A valid run request; region and category are still codes (resolved by the service)."""

    scope: str = RunScope.GLOBAL
    region: str = ""  # M49 code, COVERAGE, or ""
    category: str = ""  # area or topic code, or ""
    mode: str = RunMode.SPLIT
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    time_limit: float = DEFAULT_TIME_LIMIT

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> RunInput:
        """Read the solver page's form; every weight field must be filled in."""
        weights = {name: form.get(WEIGHT_PREFIX + name) for name in CRITERIA}
        return cls.parse(form, weights, field_prefix=WEIGHT_PREFIX)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunInput:
        """Read an API request; missing weights keep their defaults."""
        weights = data.get("weights") or {}
        if not isinstance(weights, Mapping):
            raise FormErrors({"weights": _("Give the weights as an object: criterion → number.")})
        unknown = sorted(set(weights) - set(CRITERIA))
        if unknown:
            raise FormErrors({"weights": _(
                "Unknown criteria: %(names)s. Known: %(known)s.",
                names=", ".join(map(str, unknown)), known=", ".join(CRITERIA))})
        merged = {name: weights.get(name, DEFAULT_WEIGHTS[name]) for name in CRITERIA}
        return cls.parse(data, merged, field_prefix="weights.")

    @classmethod
    def parse(cls, values: Mapping[str, Any], weights: Mapping[str, Any],
              field_prefix: str) -> RunInput:
        errors: dict[str, str] = {}
        scope = _text(values.get("scope")) or RunScope.GLOBAL
        if scope not in set(RunScope):
            errors["scope"] = _("Choose global, a region, or an area or topic.")
        mode = _text(values.get("mode")) or RunMode.SPLIT
        if mode not in set(RunMode):
            errors["mode"] = _("Choose split or whole.")
        region, category = _code(values, "region", errors), _code(values, "category", errors)
        if scope == RunScope.REGION and not region and "region" not in errors:
            errors["region"] = _("Choose the region to run the solver for.")
        if scope == RunScope.CATEGORY and not category and "category" not in errors:
            errors["category"] = _("Choose the area or topic to run the solver for.")
        time_limit = _number(values.get("time_limit", DEFAULT_TIME_LIMIT))
        if time_limit is None or not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
            errors["time_limit"] = _(
                "Enter a number of seconds between %(min)s and %(max)s.",
                min=MIN_TIME_LIMIT, max=MAX_TIME_LIMIT)
        parsed: dict[str, float] = {}
        for name in CRITERIA:
            weight = _number(weights.get(name))
            if weight is None or not 0 <= weight <= MAX_WEIGHT:
                errors[field_prefix + name] = _(
                    "Enter a number between 0 and %(max)s.", max=int(MAX_WEIGHT))
            else:
                parsed[name] = weight
        if len(parsed) == len(CRITERIA) and not any(parsed.values()):
            errors[field_prefix + next(iter(CRITERIA))] = _(
                "At least one criterion needs a weight above 0.")
        if errors:
            raise FormErrors(errors)
        return cls(scope=scope, region=region if scope != RunScope.GLOBAL else "",
                   category=category if scope == RunScope.CATEGORY else "", mode=mode,
                   weights=parsed, time_limit=float(time_limit))


def _text(value: Any) -> str:
    return value.strip()[:64] if isinstance(value, str) else ""


def _code(values: Mapping[str, Any], name: str, errors: dict[str, str]) -> str:
    """A region or category code, through the text check: the service looks it up next."""
    code = _text(values.get(name))
    problem = text_problem(code, 64, single_line=True)
    if problem:
        errors[name] = problem
        return ""
    return code


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            number = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None
