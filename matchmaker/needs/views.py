"""Page contexts of the needs pages: display values are computed here, not in templates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer, can_post_needs, proposals_visible
from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import (
    Category,
    CategoryLevel,
    Modality,
    Need,
    Visibility,
)
from matchmaker.needs.quality import Completeness, need_completeness
from matchmaker.needs.schemas import LISTED_STATUSES, SORTS, NeedFilters
from matchmaker.needs.services import NeedRow, NeedSearchResult, list_organisation_needs
from matchmaker.portfolio.choices import region_options
from matchmaker.portfolio.coverage import ProposalTotals, need_totals
from matchmaker.portfolio.fields import language_labels
from matchmaker.portfolio.listing import PER_PAGE_CHOICES
from matchmaker.portfolio.views import Option as PortfolioOption
from matchmaker.portfolio.views import ProposalLinks, status_options
from matchmaker.reference.names import category_name, country_name
from matchmaker.web.pagination import Pagination, query_string

STATUS_LABELS = {
    "draft": lazy_gettext("Draft"),
    "published": lazy_gettext("Open"),
    "partly_matched": lazy_gettext("Partly matched"),
    "matched": lazy_gettext("Matched"),
    "in_delivery": lazy_gettext("In delivery"),
    "completed": lazy_gettext("Completed"),
    "withdrawn": lazy_gettext("Withdrawn"),
    "expired": lazy_gettext("Expired"),
}
PRIORITY_LABELS = {
    "high": lazy_gettext("High"),
    "medium": lazy_gettext("Medium"),
    "low": lazy_gettext("Low"),
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class NeedItem:
    """One need as a list row or a detail header shows it."""

    reference: str
    title: str
    country: str
    country_iso3: str
    topic: str
    area: str
    modality: str
    priority: str
    priority_label: str
    status: str
    status_label: str
    cost_usd: int
    estimated_cost: int
    currency: str
    agreed_usd: int
    coverage: float
    quantity: int | None
    unit: str
    deadline: object
    need: Need

    @classmethod
    def from_row(cls, row: NeedRow, language: str) -> NeedItem:
        need = row.need
        return cls(
            reference=need.reference,
            title=need.title,
            country=country_name(row.country, language),
            country_iso3=row.country.iso3,
            topic=category_name(row.topic, _),
            area=_(row.area_name),
            modality=category_name(row.modality, _),
            priority=need.priority,
            priority_label=str(PRIORITY_LABELS.get(need.priority, need.priority)),
            status=need.status,
            status_label=str(STATUS_LABELS.get(need.status, need.status)),
            cost_usd=need.cost_usd,
            estimated_cost=need.estimated_cost,
            currency=need.currency,
            agreed_usd=need.agreed_usd,
            coverage=min(1.0, need.agreed_usd / need.cost_usd) if need.cost_usd else 0.0,
            quantity=need.quantity,
            unit=need.unit,
            deadline=need.deadline,
            need=need,
        )


@dataclass(frozen=True)
class FilterOptions:
    regions: list[Option]
    topics: list[Option]
    modalities: list[Option]
    priorities: list[Option]
    statuses: list[Option]
    sorts: list[Option]
    per_page: list[Option]

    @classmethod
    def load(cls, session: Session, language: str) -> FilterOptions:
        categories = session.scalars(
            select(Category).order_by(Category.sort_order, Category.name)
        ).all()
        areas = {c.id: c for c in categories if c.level == CategoryLevel.AREA}
        topic_options: list[Option] = []
        for area in areas.values():
            topic_options.append(Option(area.code, category_name(area, _)))
            topic_options.extend(
                Option(c.code, f"— {category_name(c, _)}", area.name)
                for c in categories
                if c.parent_id == area.id
            )
        modalities = session.scalars(select(Modality).order_by(Modality.sort_order)).all()
        return cls(
            regions=[Option(r.value, r.label) for r in region_options(session, language)],
            topics=topic_options,
            modalities=[Option(m.code, category_name(m, _)) for m in modalities],
            priorities=[Option(k, str(v)) for k, v in PRIORITY_LABELS.items()],
            statuses=[Option(s.value, str(STATUS_LABELS[s.value])) for s in LISTED_STATUSES],
            sorts=[Option(k, str(v)) for k, v in SORTS.items()],
            per_page=[Option(v, v) for v in PER_PAGE_CHOICES],
        )


@dataclass(frozen=True)
class NeedListPage:
    filters: NeedFilters
    options: FilterOptions
    items: list[NeedItem]
    pagination: Pagination
    params: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(
        cls, session: Session, filters: NeedFilters, result: NeedSearchResult, language: str
    ) -> NeedListPage:
        return cls(
            filters=filters,
            options=FilterOptions.load(session, language),
            items=[NeedItem.from_row(row, language) for row in result.rows],
            pagination=Pagination(filters.page, filters.per_page, result.total),
            params=filters.as_params(),
        )

    def link(self, **changes: object) -> str:
        return "/needs?" + query_string(self.params, **changes)


@dataclass(frozen=True)
class NeedDetailPage:
    item: NeedItem
    organisation: str  # who asks, when not the State itself ("" then)
    description: str
    goal: str
    languages: list[str]
    commitment: str
    action_plan_ref: str
    start_date: object
    topic_source: str
    restricted: bool = False
    actions: Any = None  # NeedActions, for whoever may change the need
    proposals: Any = None  # ProposalSummary, for the parties
    can_propose: bool = False  # a donor (or admin) may propose an offer for this need
    explanation: Any = None  # NeedExplanation: why it is not covered yet, for its parties

    @classmethod
    def build(cls, row: NeedRow, organisation: str, language: str, **extra: Any
              ) -> NeedDetailPage:
        need = row.need
        item = NeedItem.from_row(row, language)
        return cls(
            item=item,
            organisation=organisation if organisation != item.country else "",  # a State's own
            description=need.description,
            goal=need.goal,
            languages=language_labels(need.languages),
            commitment=need.commitment,
            action_plan_ref=need.action_plan_ref,
            start_date=need.start_date,
            topic_source=" ".join(
                part for part in (row.topic.source_document, row.topic.source_paragraph) if part
            ),
            restricted=need.visibility == Visibility.RESTRICTED,
            **extra,
        )


@dataclass(frozen=True)
class MyNeedRow(ProposalLinks):
    item: NeedItem
    totals: ProposalTotals
    completeness: Completeness

    @property
    def editable(self) -> bool:
        return self.item.status in ("draft", "published") and not self.totals.agreed_count


@dataclass(frozen=True)
class MyNeedsPage:
    """A requester's needs: every status, with coverage and the proposals on each."""

    rows: list[MyNeedRow]
    status: str
    statuses: list[PortfolioOption]
    can_post: bool
    total: int  # all the needs of the State, whatever the filter

    @classmethod
    def load(cls, session: Session, viewer: Viewer, status: str, language: str) -> MyNeedsPage:
        every = list_organisation_needs(session, viewer.organisation_id)
        counts = Counter(row.need.status for row in every)
        rows = [row for row in every if not status or row.need.status == status]
        totals = need_totals(session, [row.need.id for row in rows], proposals_visible(viewer))
        return cls(
            rows=[
                MyNeedRow(NeedItem.from_row(row, language),
                          totals.get(row.need.id, ProposalTotals()),
                          need_completeness(row.need))
                for row in rows
            ],
            status=status,
            statuses=status_options(STATUS_LABELS, counts),
            can_post=can_post_needs(viewer),
            total=len(every),
        )
