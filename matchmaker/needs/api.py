"""The needs JSON API: the same services and rules as the pages, errors naming the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Request, get, patch, post, put
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.authz import needs_visible
from matchmaker.accounts.guards import roles_required
from matchmaker.models import Priority, Role
from matchmaker.needs import editing, services
from matchmaker.needs.quality import need_completeness
from matchmaker.needs.schemas import LISTED_STATUSES, SORTS, NeedFilters
from matchmaker.needs.services import NeedRow
from matchmaker.portfolio.choices import PortfolioChoices
from matchmaker.portfolio.fields import publish_requested
from matchmaker.portfolio.listing import PER_PAGE_CHOICES
from matchmaker.web import openapi as doc
from matchmaker.web.api import ApiController

WRITERS = roles_required(Role.REQUESTER, Role.ADMIN)

LIST_QUERY = doc.documented(query=[
    doc.text_query("q", "Words searched in the title, description and goal."),
    doc.code_query("region", "M49 code of a region.", doc.M49, 3),
    doc.code_query("topic", "Topic or area code.", doc.CATEGORY_CODE, 64),
    doc.code_query("modality", "Modality code.", doc.CATEGORY_CODE, 32),
    doc.choice_query("priority", "Priority.", [p.value for p in Priority]),
    doc.choice_query("status", "Status among the listed ones.", [s.value for s in LISTED_STATUSES]),
    doc.date_query("deadline_before", "Only needs due before this day."),
    *doc.paging_query(SORTS, PER_PAGE_CHOICES),
])
NEED_FIELDS = {
    **dict.fromkeys(("title", "description", "goal", "topic", "modality", "unit", "currency",
                     "commitment", "action_plan_ref", "country"), doc.TEXT),
    "priority": doc.choice([p.value for p in Priority]),
    "visibility": doc.choice(("public", "restricted")),
    "quantity": doc.WHOLE_NUMBER, "estimated_cost": doc.WHOLE_NUMBER,
    "start_date": doc.DATE, "deadline": doc.DATE, "languages": doc.CODES,
    "publish": doc.FLAG,
}
# A draft needs these (and ``country`` from an admin); publishing needs more, named in ``errors``.
NEW_NEED = doc.documented(body=doc.json_object(NEED_FIELDS, ("title", "topic", "modality")))
NEED_CHANGES = doc.documented(body=doc.json_object(NEED_FIELDS))
REASON = doc.documented(body=doc.json_object({"reason": doc.TEXT}), body_required=False)


@dataclass
class NeedPublic:
    """A need as the API returns it; amounts are whole units, ``*_usd`` in US dollars."""

    reference: str
    title: str
    description: str
    goal: str
    state: str  # ISO 3166 alpha-3 code of the requesting State
    state_name: str
    topic: str
    area: str
    modality: str
    quantity: int | None
    unit: str
    estimated_cost: int
    currency: str
    cost_usd: int
    agreed_usd: int
    priority: str
    start_date: date | None
    deadline: date | None
    languages: list[str]
    commitment: str
    action_plan_ref: str
    visibility: str
    status: str
    completeness: int
    url: str

    @classmethod
    def from_row(cls, row: NeedRow) -> NeedPublic:
        need = row.need
        return cls(
            reference=need.reference, title=need.title, description=need.description,
            goal=need.goal, state=row.country.iso3, state_name=row.country.name,
            topic=row.topic.code, area=row.area_code, modality=row.modality.code,
            quantity=need.quantity, unit=need.unit, estimated_cost=need.estimated_cost,
            currency=need.currency, cost_usd=need.cost_usd, agreed_usd=need.agreed_usd,
            priority=need.priority, start_date=need.start_date, deadline=need.deadline,
            languages=[code for code in need.languages.split(",") if code],
            commitment=need.commitment, action_plan_ref=need.action_plan_ref,
            visibility=need.visibility, status=need.status,
            completeness=need_completeness(need).percent, url=f"/needs/{need.reference}",
        )


@dataclass
class NeedList:
    items: list[NeedPublic]
    total: int
    page: int
    per_page: int


def _public(db: Session, request: Request, reference: str) -> NeedPublic:
    row = services.get_need_by_reference(db, reference, visible=needs_visible(request.state.viewer))
    return NeedPublic.from_row(row)


def _choices(db: Session) -> PortfolioChoices:
    return PortfolioChoices.load(db, i18n.get_language())


class NeedApiController(ApiController):
    path = "/api/needs"
    tags = ["needs"]

    @get("/", name="api:needs:list", sync_to_thread=True, security=doc.ANYONE,
         responses=doc.PUBLIC_LIST, operation_class=LIST_QUERY)
    def list_needs(self, request: Request, db: Session) -> NeedList:
        """Published needs the caller may see, with the filters of the needs page."""
        filters = NeedFilters.parse(request.query_params)
        result = services.search_needs(db, filters, visible=services.listed_clause(
            needs_visible(request.state.viewer)))
        return NeedList([NeedPublic.from_row(row) for row in result.rows], result.total,
                        filters.page, filters.per_page)

    @post("/", name="api:needs:create", guards=[WRITERS], sync_to_thread=True,
          security=doc.SIGNED_IN_UNSAFE, responses=doc.CREATE, operation_class=NEW_NEED)
    def create_need(self, request: Request, db: Session, data: dict[str, Any]) -> NeedPublic:
        """Create a need (a draft, or published with ``"publish": true``)."""
        need = editing.save_need(db, request.state.viewer, data, _choices(db),
                                 publish=publish_requested(data))
        return _public(db, request, need.reference)

    @get("/{reference:str}", name="api:needs:detail", sync_to_thread=True, security=doc.ANYONE,
         responses=doc.PUBLIC_READ)
    def need_detail(self, request: Request, db: Session, reference: str) -> NeedPublic:
        return _public(db, request, reference)

    @patch("/{reference:str}", name="api:needs:patch", guards=[WRITERS], sync_to_thread=True,
           security=doc.SIGNED_IN_UNSAFE, responses=doc.CHANGE, operation_class=NEED_CHANGES)
    def patch_need(self, request: Request, db: Session, reference: str,
                   data: dict[str, Any]) -> NeedPublic:
        """Change the fields given; the others keep their values."""
        editing.save_need(db, request.state.viewer, data, _choices(db), reference=reference,
                          partial=True, publish=publish_requested(data))
        return _public(db, request, reference)

    @put("/{reference:str}", name="api:needs:put", guards=[WRITERS], sync_to_thread=True,
         security=doc.SIGNED_IN_UNSAFE, responses=doc.CHANGE, operation_class=NEW_NEED)
    def replace_need(self, request: Request, db: Session, reference: str,
                     data: dict[str, Any]) -> NeedPublic:
        """Replace every field (those left out become empty)."""
        editing.save_need(db, request.state.viewer, data, _choices(db), reference=reference,
                          publish=publish_requested(data))
        return _public(db, request, reference)

    @post("/{reference:str}/publish", name="api:needs:publish", guards=[WRITERS],
          status_code=200, sync_to_thread=True, security=doc.SIGNED_IN_UNSAFE,
          responses=doc.ACTION)
    def publish(self, request: Request, db: Session, reference: str) -> NeedPublic:
        editing.publish_need(db, request.state.viewer, reference, _choices(db))
        return _public(db, request, reference)

    @post("/{reference:str}/withdraw", name="api:needs:withdraw", guards=[WRITERS],
          status_code=200, sync_to_thread=True, security=doc.SIGNED_IN_UNSAFE,
          responses=doc.CHANGE, operation_class=REASON)
    def withdraw(self, request: Request, db: Session, reference: str,
                 data: dict[str, Any] | None = None) -> NeedPublic:
        """Withdraw it; ``{"reason": "..."}`` (optional) is passed on to the other parties."""
        editing.withdraw_need(db, request.state.viewer, reference, (data or {}).get("reason"))
        return _public(db, request, reference)

    @post("/{reference:str}/draft", name="api:needs:draft", guards=[WRITERS],
          status_code=200, sync_to_thread=True, security=doc.SIGNED_IN_UNSAFE,
          responses=doc.ACTION)
    def back_to_draft(self, request: Request, db: Session, reference: str) -> NeedPublic:
        editing.return_need_to_draft(db, request.state.viewer, reference)
        return _public(db, request, reference)
