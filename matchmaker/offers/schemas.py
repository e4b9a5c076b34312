"""Input of the offers feature: list filters and the offer form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import OfferStatus
from matchmaker.portfolio.fields import FieldReader
from matchmaker.portfolio.listing import link_params, paging
from matchmaker.web.params import choice_param, text_param

SORTS = {
    "newest": lazy_gettext("Newest first"),
    "remaining_desc": lazy_gettext("Most remaining budget"),
    "budget_desc": lazy_gettext("Budget, highest first"),
    "budget_asc": lazy_gettext("Budget, lowest first"),
    "until": lazy_gettext("Available until, soonest"),
    "title": lazy_gettext("Title A–Z"),
}
LISTED_STATUSES = (OfferStatus.PUBLISHED, OfferStatus.EXHAUSTED)


@dataclass(frozen=True)
class OfferFilters:
    """What a visitor asked the offers list for; values are validated, not yet resolved."""

    q: str = ""
    topic: str = ""
    region: str = ""
    modality: str = ""
    donor: str = ""
    status: str = ""
    sort: str = "newest"
    page: int = 1
    per_page: int = 20

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> OfferFilters:
        """Read the query parameters; a bad one raises InputError naming it."""
        return cls(
            q=text_param(params, "q"),
            topic=text_param(params, "topic", 64),
            region=text_param(params, "region", 3),
            modality=text_param(params, "modality", 32),
            donor=text_param(params, "donor", 64),
            status=choice_param(params, "status", [s.value for s in LISTED_STATUSES]),
            **paging(params, SORTS),
        )

    def as_params(self) -> dict[str, object]:
        return link_params(self)

    @property
    def is_filtered(self) -> bool:
        return any((self.q, self.topic, self.region, self.modality, self.donor, self.status))


@dataclass(frozen=True)
class MyOffersFilters:
    status: str = ""

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> MyOffersFilters:
        return cls(status=choice_param(params, "status", [s.value for s in OfferStatus]))


# --- the offer form -------------------------------------------------------------------------

MULTI_FIELDS = ("categories", "modalities", "languages", "regions", "countries",
                "excluded_countries")


@dataclass(frozen=True)
class OfferInput:
    """An offer as submitted, typed; codes are resolved to ids."""

    title: str
    description: str
    category_ids: list[int]
    modality_ids: list[int]
    budget: int | None
    currency: str
    budget_usd: int | None
    quantity: int | None
    unit: str
    languages: list[str]
    available_from: date | None
    available_until: date | None
    region_ids: list[int]
    country_ids: list[int]
    excluded_country_ids: list[int]
    ldc_only: bool
    sids_only: bool
    conditions: str
    organisation: str


def read_offer(data: Mapping, choices, *, publishing: bool, today: date,
               organisations: Mapping[str, int] | None = None
               ) -> tuple[OfferInput, dict[str, str]]:
    """Read the offer form; ``publishing`` applies the rules a published offer must meet.

    ``choices`` is a ``PortfolioChoices``; ``organisations`` (slug -> id) is given when an
    admin posts for a donor organisation.
    """
    form = FieldReader(data)

    def when_publishing(message: str) -> str | None:
        return message if publishing else None

    title = form.text("title", 200, required=_("Give the offer a short title."),
                      single_line=True)
    description = form.text("description", 10_000, required=when_publishing(
        _("Describe what you offer before publishing it.")))
    categories = form.choices("categories", choices.category_ids, required=_(
        "Tick the topics you can help with, or a whole area."))
    modalities = form.choices("modalities", choices.modality_ids, required=_(
        "Tick at least one way of giving assistance."))
    budget, currency, budget_usd = form.money("budget", "currency", required=when_publishing(
        _("Give the budget (or the value of what you offer) before publishing.")))
    if publishing and budget == 0:
        form.error("budget", _("Give the budget (or the value of what you offer) before "
                               "publishing."))
    quantity, unit = form.quantity("quantity", "unit")
    languages = form.languages()
    available_from = form.day("available_from")
    available_until = form.day("available_until")
    if available_until is not None:
        if available_from is not None and available_until < available_from:
            form.error("available_until", _("The end of the window cannot come before its "
                                            "start."))
        elif available_until < today:
            form.error("available_until", _("The window has already ended; give a date from "
                                            "today on."))
    regions = form.choices("regions", choices.region_ids)
    countries = form.choices("countries", choices.country_ids)
    excluded = form.choices("excluded_countries", choices.country_ids)
    both = sorted(set(countries) & set(excluded))
    if both:
        form.error("excluded_countries", _("A State cannot be both eligible and excluded: "
                                           "%(codes)s.", codes=", ".join(choices.country_names(both))))
    conditions = form.text("conditions", 4_000)
    organisation = ""
    if organisations is not None:
        organisation = form.choice("organisation", organisations,
                                   required=_("Choose the donor organisation."))
    values = OfferInput(
        title=title, description=description,
        category_ids=[choices.category_ids[c] for c in categories],
        modality_ids=[choices.modality_ids[m] for m in modalities],
        budget=budget, currency=currency, budget_usd=budget_usd, quantity=quantity, unit=unit,
        languages=languages, available_from=available_from, available_until=available_until,
        region_ids=[choices.region_ids[r] for r in regions],
        country_ids=[choices.country_ids[c] for c in countries],
        excluded_country_ids=[choices.country_ids[c] for c in excluded],
        ldc_only=form.flag("ldc_only"), sids_only=form.flag("sids_only"),
        conditions=conditions, organisation=organisation,
    )
    return values, form.errors
