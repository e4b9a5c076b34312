"""JSON API of proposals: the viewer's queue, one proposal, decisions, messages, proposals by hand.

Same services as the pages; errors come back as JSON ``{detail, field, errors}`` (403 for a side
the caller may not answer for, 404 for a proposal it may not see, 409 for a refusal such as an
over-committed offer, 422 for invalid input).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from litestar import Request, get, post
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.guards import login_required, roles_required
from matchmaker.models import Role
from matchmaker.proposals import decisions, manual, messages, services
from matchmaker.proposals.messages import ThreadMessage
from matchmaker.proposals.schemas import (
    MET_CHOICES,
    PER_PAGE_CHOICES,
    SIDES,
    TABS,
    AcceptBody,
    DeclineBody,
    DeliveredBody,
    FeedbackBody,
    ManualProposalBody,
    ManualProposalInput,
    MessageBody,
    QueueFilters,
    parse_side,
)
from matchmaker.proposals.services import ProposalRow
from matchmaker.proposals.views import ProposalItem, breakdown_of
from matchmaker.web import openapi as doc
from matchmaker.web.api import ApiController
from matchmaker.web.bounds import RecordId

QUEUE_QUERY = doc.documented(query=[
    doc.choice_query("tab", "Which proposals: by state, or awaiting whose answer.", TABS, "all"),
    doc.text_query("q", "Words searched in the need's and the offer's titles and references."),
    *doc.paging_query((), PER_PAGE_CHOICES),
])
SIDE = doc.Schema(type=[doc.OpenAPIType.STRING, doc.OpenAPIType.NULL], enum=[*SIDES, None],
                  description="The side answered for; left out: the caller's own side.")


def body(required: tuple[str, ...] = (), **fields: doc.Schema) -> type[doc.Operation]:
    return doc.documented(body=doc.json_object(fields, required))


NEW_PROPOSAL = body(("need", "offer"), need=doc.TEXT, offer=doc.TEXT, amount_usd=doc.Schema(
    type=[doc.OpenAPIType.INTEGER, doc.OpenAPIType.NULL],
    description="Whole US dollars; left out: as much as fits."))
ACCEPTANCE = doc.documented(body=doc.json_object({"side": SIDE}), body_required=False)
DECLINE = body(("reason",), reason=doc.TEXT, side=SIDE)
DELIVERED = body(("note",), note=doc.TEXT)
FEEDBACK = body(("met", "note"), met=doc.choice(MET_CHOICES), note=doc.TEXT, side=SIDE)
MESSAGE = body(("body",), body=doc.TEXT)


@dataclass
class ProposalPublic:
    id: int
    state: str
    state_label: str
    origin: str
    need: str
    need_title: str
    state_iso3: str
    offer: str
    offer_title: str
    donor: str
    amount_usd: int
    share: float
    score: float
    breakdown: dict[str, float]
    awaiting_me: bool
    answer_side: str | None
    warning: str | None
    expires_at: datetime | None
    agreed_at: datetime | None
    requester_accepted_at: datetime | None
    donor_accepted_at: datetime | None
    declined_by_side: str
    decline_reason: str
    url: str

    @classmethod
    def of(cls, row: ProposalRow, request: Request) -> ProposalPublic:
        item = ProposalItem.build(row, request.state.viewer, i18n.get_language())
        proposal = row.proposal
        return cls(
            id=proposal.id, state=proposal.state, state_label=item.state_label,
            origin=proposal.origin, need=item.need_reference, need_title=item.need_title,
            state_iso3=row.country.iso3, offer=item.offer_reference,
            offer_title=item.offer_title, donor=item.donor, amount_usd=proposal.amount_usd,
            share=item.share, score=proposal.score,
            breakdown={c.name: c.value for c in breakdown_of(proposal.breakdown)},
            awaiting_me=item.awaiting_me, answer_side=item.answer_side, warning=item.warning,
            expires_at=proposal.expires_at, agreed_at=proposal.agreed_at,
            requester_accepted_at=proposal.requester_accepted_at,
            donor_accepted_at=proposal.donor_accepted_at,
            declined_by_side=proposal.declined_by_side, decline_reason=proposal.decline_reason,
            url=f"/proposals/{proposal.id}",
        )


@dataclass
class QueuePublic:
    items: list[ProposalPublic]
    total: int
    page: int
    per_page: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class MessagePublic:
    id: int
    author: str
    organisation: str
    body: str
    created_at: datetime

    @classmethod
    def of(cls, entry: ThreadMessage) -> MessagePublic:
        message = entry.message
        return cls(message.id, entry.author, entry.organisation, message.body,
                   message.created_at)


def _one(db: Session, request: Request, proposal_id: int) -> ProposalPublic:
    return ProposalPublic.of(services.get_row(db, request.state.viewer, proposal_id), request)


class ProposalApiController(ApiController):
    path = "/api/proposals"
    guards = [login_required]
    tags = ["proposals"]

    @get("/", name="api:proposals:list", sync_to_thread=True, security=doc.SIGNED_IN,
         responses=doc.error_responses(400, 401), operation_class=QUEUE_QUERY)
    def list_proposals(self, request: Request, db: Session) -> QueuePublic:
        """The caller's queue: proposals awaiting its answer first (``tab``, ``q``, ``page``)."""
        filters = QueueFilters.parse(request.query_params)
        result = services.search_queue(db, request.state.viewer, filters)
        return QueuePublic(items=[ProposalPublic.of(row, request) for row in result.rows],
                           total=result.total, page=filters.page, per_page=filters.per_page,
                           counts=result.counts)

    @get("/{proposal_id:int}", name="api:proposals:detail", sync_to_thread=True,
         security=doc.SIGNED_IN, responses=doc.error_responses(400, 401, 404))
    def detail(self, request: Request, db: Session, proposal_id: RecordId) -> ProposalPublic:
        return _one(db, request, proposal_id)

    @post("/", name="api:proposals:create", sync_to_thread=True, status_code=201,
          guards=[roles_required(Role.DONOR, Role.COORDINATOR, Role.ADMIN)],
          security=doc.SIGNED_IN_UNSAFE,
          responses=doc.CHANGE, operation_class=NEW_PROPOSAL)
    def create(self, request: Request, db: Session, data: ManualProposalBody) -> ProposalPublic:
        """Propose an offer for a need by hand (``amount_usd`` left out: as much as fits)."""
        parsed = ManualProposalInput.parse(
            {"need": data.need, "offer": data.offer, "amount_usd": data.amount_usd}
        )
        proposal = manual.propose(db, request.state.viewer, parsed, i18n.get_language())
        return _one(db, request, proposal.id)

    @post("/{proposal_id:int}/accept", name="api:proposals:accept", sync_to_thread=True,
          status_code=200, security=doc.SIGNED_IN_UNSAFE, responses=doc.CHANGE,
          operation_class=ACCEPTANCE)
    def accept(self, request: Request, db: Session, proposal_id: RecordId,
               data: AcceptBody | None = None) -> ProposalPublic:
        """Accept for the caller's side; agreed once both sides have accepted."""
        side = parse_side(data.side if data else None)
        decisions.accept(db, request.state.viewer, proposal_id, side)
        return _one(db, request, proposal_id)

    @post("/{proposal_id:int}/decline", name="api:proposals:decline", sync_to_thread=True,
          status_code=200, security=doc.SIGNED_IN_UNSAFE, responses=doc.CHANGE,
          operation_class=DECLINE)
    def decline(self, request: Request, db: Session, proposal_id: RecordId,
                data: DeclineBody) -> ProposalPublic:
        """Decline for the caller's side; a reason is required."""
        decisions.decline(db, request.state.viewer, proposal_id, data.reason,
                          parse_side(data.side))
        return _one(db, request, proposal_id)

    @post("/{proposal_id:int}/delivery", name="api:proposals:delivery", sync_to_thread=True,
          status_code=200, security=doc.SIGNED_IN_UNSAFE, responses=doc.ACTION)
    def start_delivery(self, request: Request, db: Session,
                       proposal_id: RecordId) -> ProposalPublic:
        decisions.start_delivery(db, request.state.viewer, proposal_id)
        return _one(db, request, proposal_id)

    @post("/{proposal_id:int}/delivered", name="api:proposals:delivered", sync_to_thread=True,
          status_code=200, security=doc.SIGNED_IN_UNSAFE, responses=doc.CHANGE,
          operation_class=DELIVERED)
    def delivered(self, request: Request, db: Session, proposal_id: RecordId,
                  data: DeliveredBody) -> ProposalPublic:
        decisions.mark_delivered(db, request.state.viewer, proposal_id, data.note)
        return _one(db, request, proposal_id)

    @post("/{proposal_id:int}/feedback", name="api:proposals:feedback", sync_to_thread=True,
          status_code=200, security=doc.SIGNED_IN_UNSAFE, responses=doc.CHANGE,
          operation_class=FEEDBACK)
    def feedback(self, request: Request, db: Session, proposal_id: RecordId,
                 data: FeedbackBody) -> ProposalPublic:
        decisions.give_feedback(db, request.state.viewer, proposal_id, data.met, data.note,
                                parse_side(data.side))
        return _one(db, request, proposal_id)

    @get("/{proposal_id:int}/messages", name="api:proposals:messages", sync_to_thread=True,
         security=doc.SIGNED_IN, responses=doc.error_responses(400, 401, 404))
    def list_messages(self, request: Request, db: Session,
                      proposal_id: RecordId) -> list[MessagePublic]:
        return [MessagePublic.of(entry)
                for entry in messages.thread(db, request.state.viewer, proposal_id)]

    @post("/{proposal_id:int}/messages", name="api:proposals:message", sync_to_thread=True,
          status_code=201, security=doc.SIGNED_IN_UNSAFE, responses=doc.CHANGE,
          operation_class=MESSAGE)
    def post_message(self, request: Request, db: Session, proposal_id: RecordId,
                     data: MessageBody) -> MessagePublic:
        viewer = request.state.viewer
        message = messages.post_message(db, viewer, proposal_id, data.body)
        entry = next(e for e in messages.thread_of(db, proposal_id) if e.message.id == message.id)
        return MessagePublic.of(entry)
