"""Page contexts of the offers pages: display values are computed here, not in templates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer, can_post_offers, proposals_visible
from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import (
    CategoryLevel,
    Modality,
    Offer,
    OfferStatus,
    Organisation,
)
from matchmaker.needs.views import FilterOptions
from matchmaker.offers.schemas import LISTED_STATUSES, SORTS, OfferFilters
from matchmaker.offers.services import (
    OfferCoverage,
    OfferRow,
    OfferSearchResult,
    list_organisation_offers,
    offer_coverage,
)
from matchmaker.portfolio.coverage import ProposalTotals, offer_totals, remaining_offer_usd
from matchmaker.portfolio.listing import PER_PAGE_CHOICES
from matchmaker.portfolio.views import Option, ProposalLinks, status_options
from matchmaker.reference.names import (
    category_name,
    country_name,
    organisation_name,
    region_name,
)
from matchmaker.web.pagination import Pagination, query_string

STATUS_LABELS = {
    "draft": lazy_gettext("Draft"),
    "published": lazy_gettext("Open"),
    "exhausted": lazy_gettext("Fully committed"),
    "withdrawn": lazy_gettext("Withdrawn"),
}


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s", first=", ".join(names[:-1]), last=names[-1])


def eligibility_in_words(coverage: OfferCoverage, offer: Offer, language: str) -> str:
    """Who may receive the offer, as a sentence: regions, States, exclusions, LDC / SIDS."""
    places = [region_name(r, language) for r in coverage.regions] + [
        country_name(c, language) for c in coverage.countries]
    if not coverage.regions and not coverage.countries:
        sentence = _("Open to every State.")
    elif coverage.regions:
        sentence = _("Open to States in %(places)s.", places=_join(places))
    else:
        sentence = _("Open to %(places)s.", places=_join(places))
    if coverage.excluded:
        sentence += " " + _("Except %(states)s.", states=_join(
            [country_name(c, language) for c in coverage.excluded]))
    if offer.ldc_only:
        sentence += " " + _("Least developed countries only.")
    if offer.sids_only:
        sentence += " " + _("Small island developing States only.")
    return sentence


def topics_in_words(coverage: OfferCoverage) -> list[str]:
    return [_("All of %(area)s", area=category_name(c, _)) if c.level == CategoryLevel.AREA
            else category_name(c, _)
            for c in coverage.categories]


@dataclass(frozen=True)
class OfferItem:
    """One offer as a list row or a detail header shows it."""

    reference: str
    title: str
    donor: str
    status: str
    status_label: str
    budget: int
    currency: str
    budget_usd: int
    committed_usd: int
    remaining_usd: int
    committed_share: float
    topics: list[str]
    modalities: list[str]
    eligibility: str
    available_from: date | None
    available_until: date | None
    offer: Offer

    @classmethod
    def build(cls, row: OfferRow, coverage: OfferCoverage, language: str) -> OfferItem:
        offer = row.offer
        return cls(
            reference=offer.reference, title=offer.title,
            donor=organisation_name(row.donor, row.donor_country, language),
            status=offer.status, status_label=str(STATUS_LABELS.get(offer.status, offer.status)),
            budget=offer.budget, currency=offer.currency, budget_usd=offer.budget_usd,
            committed_usd=offer.committed_usd, remaining_usd=remaining_offer_usd(offer),
            committed_share=min(1.0, offer.committed_usd / offer.budget_usd)
            if offer.budget_usd else 0.0,
            topics=topics_in_words(coverage),
            modalities=[category_name(m, _) for m in coverage.modalities],
            eligibility=eligibility_in_words(coverage, offer, language),
            available_from=offer.available_from, available_until=offer.available_until,
            offer=offer,
        )


def offer_items(session: Session, rows: list[OfferRow], language: str) -> list[OfferItem]:
    coverage = offer_coverage(session, [row.offer.id for row in rows])
    return [OfferItem.build(row, coverage[row.offer.id], language) for row in rows]


@dataclass(frozen=True)
class OfferFilterOptions:
    topics: list[Any]
    regions: list[Any]
    modalities: list[Option]
    donors: list[Option]
    statuses: list[Option]
    sorts: list[Option]

    @classmethod
    def load(cls, session: Session, language: str) -> OfferFilterOptions:
        shared = FilterOptions.load(session, language)
        donors = session.scalars(
            select(Organisation).where(Organisation.id.in_(
                select(Offer.organisation_id).where(Offer.status.in_(LISTED_STATUSES))))
            .order_by(Organisation.name)).all()
        modalities = session.scalars(select(Modality).order_by(Modality.sort_order)).all()
        return cls(
            topics=shared.topics, regions=shared.regions,
            modalities=[Option(m.code, category_name(m, _)) for m in modalities],
            donors=[Option(d.slug, d.name) for d in donors],
            statuses=[Option(s.value, str(STATUS_LABELS[s.value])) for s in LISTED_STATUSES],
            sorts=[Option(k, str(v)) for k, v in SORTS.items()],
        )


@dataclass(frozen=True)
class OfferListPage:
    filters: OfferFilters
    options: OfferFilterOptions
    items: list[OfferItem]
    pagination: Pagination
    params: dict[str, object] = field(default_factory=dict)
    per_page_choices: tuple[str, ...] = PER_PAGE_CHOICES

    @classmethod
    def build(cls, session: Session, filters: OfferFilters, result: OfferSearchResult,
              language: str) -> OfferListPage:
        return cls(
            filters=filters,
            options=OfferFilterOptions.load(session, language),
            items=offer_items(session, result.rows, language),
            pagination=Pagination(filters.page, filters.per_page, result.total),
            params=filters.as_params(),
        )

    def link(self, **changes: object) -> str:
        return "/offers?" + query_string(self.params, **changes)


@dataclass(frozen=True)
class MyOfferRow(ProposalLinks):
    item: OfferItem
    totals: ProposalTotals

    @property
    def editable(self) -> bool:
        return self.item.status != OfferStatus.WITHDRAWN


@dataclass(frozen=True)
class MyOffersPage:
    """A donor's offers: every status, with committed, remaining and open proposals."""

    rows: list[MyOfferRow]
    status: str
    statuses: list[Option]
    can_post: bool
    total: int  # all the offers of the organisation, whatever the filter

    @classmethod
    def load(cls, session: Session, viewer: Viewer, status: str, language: str) -> MyOffersPage:
        every = list_organisation_offers(session, viewer.organisation_id)
        counts = Counter(row.offer.status for row in every)
        rows = [row for row in every if not status or row.offer.status == status]
        totals = offer_totals(session, [row.offer.id for row in rows], proposals_visible(viewer))
        return cls(
            rows=[MyOfferRow(item, totals.get(item.offer.id, ProposalTotals()))
                  for item in offer_items(session, rows, language)],
            status=status,
            statuses=status_options(STATUS_LABELS, counts),
            can_post=can_post_offers(viewer),
            total=len(every),
        )
