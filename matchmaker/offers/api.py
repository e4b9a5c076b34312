"""The offers JSON API: the same services and rules as the pages, errors naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Request, get, patch, post, put
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.authz import offers_visible
from matchmaker.accounts.guards import roles_required
from matchmaker.models import Role
from matchmaker.offers import editing, services
from matchmaker.offers.schemas import LISTED_STATUSES, SORTS, OfferFilters
from matchmaker.offers.services import OfferCoverage, OfferRow, offer_coverage
from matchmaker.portfolio.choices import PortfolioChoices
from matchmaker.portfolio.coverage import remaining_offer_usd
from matchmaker.portfolio.fields import publish_requested
from matchmaker.portfolio.listing import PER_PAGE_CHOICES
from matchmaker.web import openapi as doc
from matchmaker.web.api import ApiController

WRITERS = roles_required(Role.DONOR, Role.ADMIN)

LIST_QUERY = doc.documented(query=[
    doc.text_query("q", "Words searched in the title and description."),
    doc.code_query("topic", "Topic or area code.", doc.CATEGORY_CODE, 64),
    doc.code_query("region", "M49 code of a region.", doc.M49, 3),
    doc.code_query("modality", "Modality code.", doc.CATEGORY_CODE, 32),
    doc.code_query("donor", "The donor organisation's short name (slug).", doc.SLUG, 64),
    doc.choice_query("status", "Status among the listed ones.",
                     [s.value for s in LISTED_STATUSES]),
    *doc.paging_query(SORTS, PER_PAGE_CHOICES),
])
OFFER_FIELDS = {
    **dict.fromkeys(("title", "description", "currency", "unit", "conditions",
                     "organisation"), doc.TEXT),
    **dict.fromkeys(("categories", "modalities", "languages", "regions", "countries",
                     "excluded_countries"), doc.CODES),
    "budget": doc.WHOLE_NUMBER, "quantity": doc.WHOLE_NUMBER,
    "available_from": doc.DATE, "available_until": doc.DATE,
    "ldc_only": doc.FLAG, "sids_only": doc.FLAG, "publish": doc.FLAG,
}
# A draft needs these (and ``organisation`` from an admin); publishing needs more.
NEW_OFFER = doc.documented(body=doc.json_object(OFFER_FIELDS,
                                                ("title", "categories", "modalities")))
OFFER_CHANGES = doc.documented(body=doc.json_object(OFFER_FIELDS))
REASON = doc.documented(body=doc.json_object({"reason": doc.TEXT}), body_required=False)


@dataclass
class OfferPublic:
    """An offer as the API returns it; amounts are whole units, ``*_usd`` in US dollars."""

    reference: str
    title: str
    description: str
    donor: str
    categories: list[str]  # topic codes, or area codes for a whole area
    modalities: list[str]
    budget: int
    currency: str
    budget_usd: int
    committed_usd: int
    remaining_usd: int
    quantity: int | None
    unit: str
    languages: list[str]
    available_from: date | None
    available_until: date | None
    regions: list[str]  # M49 codes
    countries: list[str]  # ISO alpha-3 codes of eligible States
    excluded_countries: list[str]
    ldc_only: bool
    sids_only: bool
    conditions: str
    status: str
    url: str

    @classmethod
    def build(cls, row: OfferRow, coverage: OfferCoverage) -> OfferPublic:
        offer = row.offer
        return cls(
            reference=offer.reference, title=offer.title, description=offer.description,
            donor=row.donor.slug, categories=[c.code for c in coverage.categories],
            modalities=[m.code for m in coverage.modalities], budget=offer.budget,
            currency=offer.currency, budget_usd=offer.budget_usd,
            committed_usd=offer.committed_usd, remaining_usd=remaining_offer_usd(offer),
            quantity=offer.quantity, unit=offer.unit,
            languages=[code for code in offer.languages.split(",") if code],
            available_from=offer.available_from, available_until=offer.available_until,
            regions=[r.m49 for r in coverage.regions],
            countries=[c.iso3 for c in coverage.countries],
            excluded_countries=[c.iso3 for c in coverage.excluded],
            ldc_only=offer.ldc_only, sids_only=offer.sids_only, conditions=offer.conditions,
            status=offer.status, url=f"/offers/{offer.reference}",
        )


@dataclass
class OfferList:
    items: list[OfferPublic]
    total: int
    page: int
    per_page: int


def _public(db: Session, request: Request, reference: str) -> OfferPublic:
    row = services.get_offer_by_reference(db, reference, offers_visible(request.state.viewer))
    return OfferPublic.build(row, offer_coverage(db, [row.offer.id])[row.offer.id])


def _choices(db: Session) -> PortfolioChoices:
    return PortfolioChoices.load(db, i18n.get_language())


class OfferApiController(ApiController):
    path = "/api/offers"
    tags = ["offers"]

    @get("/", name="api:offers:list", sync_to_thread=True, security=doc.ANYONE,
         responses=doc.PUBLIC_LIST, operation_class=LIST_QUERY)
    def list_offers(self, request: Request, db: Session) -> OfferList:
        """Published offers, with the filters of the offers page."""
        filters = OfferFilters.parse(request.query_params)
        result = services.search_offers(db, filters, services.listed_clause(
            offers_visible(request.state.viewer)))
        coverage = offer_coverage(db, [row.offer.id for row in result.rows])
        return OfferList([OfferPublic.build(row, coverage[row.offer.id]) for row in result.rows],
                         result.total, filters.page, filters.per_page)

    @post("/", name="api:offers:create", guards=[WRITERS], sync_to_thread=True,
          security=doc.SIGNED_IN_UNSAFE, responses=doc.CREATE, operation_class=NEW_OFFER)
    def create_offer(self, request: Request, db: Session, data: dict[str, Any]) -> OfferPublic:
        """Create an offer (a draft, or published with ``"publish": true``)."""
        offer = editing.save_offer(db, request.state.viewer, data, _choices(db),
                                   publish=publish_requested(data))
        return _public(db, request, offer.reference)

    @get("/{reference:str}", name="api:offers:detail", sync_to_thread=True,
         security=doc.ANYONE, responses=doc.PUBLIC_READ)
    def offer_detail(self, request: Request, db: Session, reference: str) -> OfferPublic:
        return _public(db, request, reference)

    @patch("/{reference:str}", name="api:offers:patch", guards=[WRITERS], sync_to_thread=True,
           security=doc.SIGNED_IN_UNSAFE, responses=doc.CHANGE, operation_class=OFFER_CHANGES)
    def patch_offer(self, request: Request, db: Session, reference: str,
                    data: dict[str, Any]) -> OfferPublic:
        """Change the fields given; the others keep their values."""
        editing.save_offer(db, request.state.viewer, data, _choices(db), reference=reference,
                           partial=True, publish=publish_requested(data))
        return _public(db, request, reference)

    @put("/{reference:str}", name="api:offers:put", guards=[WRITERS], sync_to_thread=True,
         security=doc.SIGNED_IN_UNSAFE, responses=doc.CHANGE, operation_class=NEW_OFFER)
    def replace_offer(self, request: Request, db: Session, reference: str,
                      data: dict[str, Any]) -> OfferPublic:
        """Replace every field (those left out become empty)."""
        editing.save_offer(db, request.state.viewer, data, _choices(db), reference=reference,
                           publish=publish_requested(data))
        return _public(db, request, reference)

    @post("/{reference:str}/publish", name="api:offers:publish", guards=[WRITERS],
          status_code=200, sync_to_thread=True, security=doc.SIGNED_IN_UNSAFE,
          responses=doc.ACTION)
    def publish(self, request: Request, db: Session, reference: str) -> OfferPublic:
        editing.publish_offer(db, request.state.viewer, reference, _choices(db))
        return _public(db, request, reference)

    @post("/{reference:str}/withdraw", name="api:offers:withdraw", guards=[WRITERS],
          status_code=200, sync_to_thread=True, security=doc.SIGNED_IN_UNSAFE,
          responses=doc.CHANGE, operation_class=REASON)
    def withdraw(self, request: Request, db: Session, reference: str,
                 data: dict[str, Any] | None = None) -> OfferPublic:
        """Withdraw it; ``{"reason": "..."}`` (optional) is passed on to the other parties."""
        editing.withdraw_offer(db, request.state.viewer, reference, (data or {}).get("reason"))
        return _public(db, request, reference)

    @post("/{reference:str}/draft", name="api:offers:draft", guards=[WRITERS],
          status_code=200, sync_to_thread=True, security=doc.SIGNED_IN_UNSAFE,
          responses=doc.ACTION)
    def back_to_draft(self, request: Request, db: Session, reference: str) -> OfferPublic:
        editing.return_offer_to_draft(db, request.state.viewer, reference)
        return _public(db, request, reference)
