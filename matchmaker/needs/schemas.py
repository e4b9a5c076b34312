"""Input models of the needs feature."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from matchmaker.errors import InputError
from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import NeedStatus, Priority
from matchmaker.portfolio.fields import FieldReader
from matchmaker.portfolio.listing import link_params, paging
from matchmaker.web.params import choice_param, text_param

SORTS = {
    "newest": lazy_gettext("Newest first"),
    "deadline": lazy_gettext("Deadline soonest"),
    "priority": lazy_gettext("Priority"),
    "cost_desc": lazy_gettext("Cost, highest first"),
    "cost_asc": lazy_gettext("Cost, lowest first"),
    "title": lazy_gettext("Title A–Z"),
}
LISTED_STATUSES = (
    NeedStatus.PUBLISHED,
    NeedStatus.PARTLY_MATCHED,
    NeedStatus.MATCHED,
    NeedStatus.IN_DELIVERY,
    NeedStatus.COMPLETED,
)


@dataclass(frozen=True)
class NeedFilters:
    """What a visitor asked the needs list for; values are validated, not yet resolved."""

    q: str = ""
    region: str = ""
    topic: str = ""
    modality: str = ""
    priority: str = ""
    status: str = ""
    deadline_before: date | None = None
    sort: str = "newest"
    page: int = 1
    per_page: int = 20

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> NeedFilters:
        """Read the query parameters; a bad one raises InputError naming it."""
        return cls(
            q=text_param(params, "q"),
            region=text_param(params, "region", 3),
            topic=text_param(params, "topic", 64),
            modality=text_param(params, "modality", 32),
            priority=choice_param(params, "priority", [p.value for p in Priority]),
            status=choice_param(params, "status", [s.value for s in LISTED_STATUSES]),
            deadline_before=date_param(params, "deadline_before"),
            **paging(params, SORTS),
        )

    def as_params(self) -> dict[str, object]:
        params = link_params(self)
        params["deadline_before"] = self.deadline_before.isoformat() if self.deadline_before else ""
        return params

    @property
    def is_filtered(self) -> bool:
        return any((self.q, self.region, self.topic, self.modality, self.priority, self.status,
                    self.deadline_before))


def date_param(params: Mapping[str, str], name: str) -> date | None:
    """An optional YYYY-MM-DD query parameter; a bad one raises InputError naming it."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(
            _("“%(name)s” must be a date as YYYY-MM-DD, for example 2027-06-30.", name=name),
            field=name,
        ) from None


MY_STATUSES = tuple(NeedStatus)


@dataclass(frozen=True)
class MyNeedsFilters:
    status: str = ""

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> MyNeedsFilters:
        return cls(status=choice_param(params, "status", [s.value for s in MY_STATUSES]))


# --- the need form --------------------------------------------------------------------------

NEED_FORM_FIELDS = (
    "title", "description", "goal", "topic", "modality", "quantity", "unit", "estimated_cost",
    "currency", "priority", "start_date", "deadline", "languages", "commitment",
    "action_plan_ref", "visibility", "country",
)
MULTI_FIELDS = ("languages",)


@dataclass(frozen=True)
class NeedInput:
    """A need as submitted, typed; codes (topic, modality, country) are resolved to ids."""

    title: str
    description: str
    goal: str
    topic_id: int | None
    modality_id: int | None
    quantity: int | None
    unit: str
    estimated_cost: int | None
    currency: str
    cost_usd: int | None
    priority: str
    start_date: date | None
    deadline: date | None
    languages: list[str]
    commitment: str
    action_plan_ref: str
    visibility: str
    country_id: int | None


def read_need(data: Mapping, choices, *, publishing: bool, today: date,
              needs_country: bool = False) -> tuple[NeedInput, dict[str, str]]:
    """Read the need form; ``publishing`` applies the rules a published need must meet.

    ``choices`` is a ``PortfolioChoices`` (topics, modalities and States by code).
    Returns the typed values and the errors by field (empty when valid).
    """
    form = FieldReader(data)

    def when_publishing(message: str) -> str | None:
        return message if publishing else None

    title = form.text("title", 200, required=_("Give the need a short title."),
                      single_line=True)
    description = form.text("description", 10_000, required=when_publishing(
        _("Describe the project before publishing it.")))
    goal = form.text("goal", 4_000, required=when_publishing(
        _("State a measurable goal before publishing, e.g. “all 12,000 service weapons marked”.")))
    topic = form.choice("topic", choices.topic_ids, required=_("Choose the topic of the need."))
    modality = form.choice("modality", choices.modality_ids,
                           required=_("Choose how the assistance should be given."))
    quantity, unit = form.quantity("quantity", "unit")
    cost, currency, cost_usd = form.money("estimated_cost", "currency", required=when_publishing(
        _("Give an estimated cost before publishing.")))
    if publishing and cost == 0:
        form.error("estimated_cost", _("Give an estimated cost before publishing."))
    priority = form.choice("priority", [p.value for p in Priority], default=Priority.MEDIUM)
    start_date = form.day("start_date")
    deadline = form.day("deadline")
    if deadline is None and publishing and "deadline" not in form.errors:
        form.error("deadline", _("Give a deadline before publishing."))
    if deadline is not None:
        if deadline <= today:
            form.error("deadline", _("The deadline must be in the future."))
        elif start_date is not None and deadline <= start_date:
            form.error("deadline", _("The deadline must come after the wanted start."))
    languages = form.languages()
    commitment = form.text("commitment", 200, single_line=True)
    action_plan_ref = form.text("action_plan_ref", 200, single_line=True)
    visibility = form.choice("visibility", ("public", "restricted"), default="public")
    country = form.choice("country", choices.country_ids,
                          required=_("Choose the requesting State.") if needs_country else None)
    values = NeedInput(
        title=title, description=description, goal=goal,
        topic_id=choices.topic_ids.get(topic), modality_id=choices.modality_ids.get(modality),
        quantity=quantity, unit=unit, estimated_cost=cost, currency=currency, cost_usd=cost_usd,
        priority=priority or Priority.MEDIUM, start_date=start_date, deadline=deadline,
        languages=languages, commitment=commitment, action_plan_ref=action_plan_ref,
        visibility=visibility or "public", country_id=choices.country_ids.get(country),
    )
    return values, form.errors
