"""Page contexts of the proposals pages: display values are computed here, not in templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from matchmaker.accounts import authz
from matchmaker.accounts.authz import Viewer
from matchmaker.event_words import EventWords, in_words
from matchmaker.i18n import _
from matchmaker.models import OPEN_PROPOSAL_STATES, ProposalOrigin, ProposalState
from matchmaker.needs.services import NeedRow
from matchmaker.needs.views import STATUS_LABELS as NEED_STATUS_LABELS
from matchmaker.needs.views import NeedItem
from matchmaker.proposals import decisions, manual, services
from matchmaker.proposals.labels import (
    ACTION_LABELS,
    OFFER_STATUS_LABELS,
    SIDE_LABELS,
    STATE_LABELS,
)
from matchmaker.proposals.manual import OfferChoice
from matchmaker.proposals.messages import ThreadMessage
from matchmaker.proposals.schemas import MET_CHOICES, TABS, QueueFilters
from matchmaker.proposals.services import ProposalRow, QueueResult
from matchmaker.reference.names import country_name, organisation_name
from matchmaker.runs.schemas import CRITERION_LABELS
from matchmaker.web.forms import FormState
from matchmaker.web.pagination import Pagination, query_string
from matchmaker.web.templating import money, number


@dataclass
class ProposalItem:
    """One proposal as a queue row shows it (and the header of its page)."""

    id: int
    state: str
    state_label: str
    origin: str
    need_reference: str
    need_title: str
    country: str
    offer_reference: str
    offer_title: str
    donor: str
    amount_usd: int
    share: float
    score: float
    expires_at: datetime | None
    awaiting_me: bool
    answer_side: str | None  # the side the viewer answers for here, if it may answer now
    warning: str | None  # why accepting would be refused now
    decline_reason: str
    declined_by: str
    error: str | None = None  # a refusal to show in the row (htmx)
    decline_form: FormState = field(default_factory=FormState)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_PROPOSAL_STATES

    @property
    def decline_open(self) -> bool:
        return bool(self.decline_form.errors)

    @property
    def score_label(self) -> str:
        """The score, or "made by hand": a proposal by hand has no score, not a score of 0."""
        return _("made by hand") if self.origin == ProposalOrigin.MANUAL else number(self.score, 2)

    @classmethod
    def build(cls, row: ProposalRow, viewer: Viewer, language: str) -> ProposalItem:
        proposal, need, offer = row.proposal, row.need, row.offer
        waiting = services.unanswered_sides(proposal)
        mine = sorted(authz.sides_of(viewer, need, offer) & waiting)
        is_open = proposal.state in OPEN_PROPOSAL_STATES
        return cls(
            id=proposal.id,
            state=proposal.state,
            state_label=str(STATE_LABELS.get(proposal.state, proposal.state)),
            origin=proposal.origin,
            need_reference=need.reference,
            need_title=need.title,
            country=country_name(row.country, language),
            offer_reference=offer.reference,
            offer_title=offer.title,
            donor=organisation_name(row.donor, row.donor_country, language),
            amount_usd=proposal.amount_usd,
            share=proposal.amount_usd / need.cost_usd if need.cost_usd else 1.0,
            score=proposal.score,
            expires_at=proposal.expires_at if is_open else None,
            awaiting_me=bool(mine),
            answer_side=mine[0] if mine else None,
            warning=decisions.capacity_problem(proposal, need, offer) if is_open else None,
            decline_reason=proposal.decline_reason,
            declined_by=str(SIDE_LABELS.get(proposal.declined_by_side, "")),
        )


@dataclass(frozen=True)
class Tab:
    value: str
    label: str
    count: int
    link: str
    current: bool


@dataclass(frozen=True)
class QueuePage:
    filters: QueueFilters
    tabs: list[Tab]
    items: list[ProposalItem]
    pagination: Pagination
    awaiting: int
    next_url: str
    params: dict[str, object] = field(default_factory=dict)

    @classmethod
    def build(cls, filters: QueueFilters, result: QueueResult, viewer: Viewer,
              language: str) -> QueuePage:
        params = filters.as_params()
        tabs = [
            Tab(value, str(label), result.counts.get(value, 0),
                "/proposals?" + query_string(params, tab="" if value == "all" else value,
                                             page=""),
                value == filters.tab)
            for value, label in TABS.items()
        ]
        return cls(
            filters=filters, tabs=tabs,
            items=[ProposalItem.build(row, viewer, language) for row in result.rows],
            pagination=Pagination(filters.page, filters.per_page, result.total),
            awaiting=result.counts.get("awaiting_me", 0),
            next_url="/proposals?" + query_string(params) if query_string(params) else "/proposals",
            params=params,
        )

    def link(self, **changes: object) -> str:
        return "/proposals?" + query_string(self.params, **changes)


@dataclass(frozen=True)
class Criterion:
    name: str
    label: str
    value: float
    percent: float  # share of the score


@dataclass(frozen=True)
class Decision:
    label: str
    who: str
    at: datetime | None
    reason: str = ""


@dataclass(frozen=True)
class Feedback:
    side: str
    side_label: str
    met_label: str
    note: str
    who: str
    at: datetime


def breakdown_of(breakdown: dict) -> list[Criterion]:
    """The score's criteria with human labels, largest first (non-numbers are skipped)."""
    values = {name: float(value) for name, value in (breakdown or {}).items()
              if isinstance(value, int | float) and not isinstance(value, bool)}
    total = sum(v for v in values.values() if v > 0)
    return sorted(
        (Criterion(name, criterion_label(name), value, value / total if total else 0.0)
         for name, value in values.items()),
        key=lambda criterion: -criterion.value,
    )


def criterion_label(name: str) -> str:
    """The solver's words for a score criterion, in the reader's language."""
    if name in CRITERION_LABELS:
        return str(CRITERION_LABELS[name])
    return name.replace("_", " ").capitalize()


def _decisions(db: Session, row: ProposalRow) -> list[Decision]:
    proposal = row.proposal
    names = services.user_names(db, {proposal.requester_accepted_by_id,
                                     proposal.donor_accepted_by_id, proposal.declined_by_id})
    result = []
    if proposal.requester_accepted_at:
        result.append(Decision(str(ACTION_LABELS["accepted"]) + " · "
                               + str(SIDE_LABELS["requester"]),
                               names.get(proposal.requester_accepted_by_id, ""),
                               proposal.requester_accepted_at))
    if proposal.donor_accepted_at:
        result.append(Decision(str(ACTION_LABELS["accepted"]) + " · " + str(SIDE_LABELS["donor"]),
                               names.get(proposal.donor_accepted_by_id, ""),
                               proposal.donor_accepted_at))
    if proposal.state == ProposalState.DECLINED:
        result.append(Decision(str(ACTION_LABELS["declined"]) + " · "
                               + str(SIDE_LABELS.get(proposal.declined_by_side, "")),
                               names.get(proposal.declined_by_id, ""), proposal.updated_at,
                               proposal.decline_reason))
    return result


@dataclass
class DetailPage:
    proposal_id: int
    item: ProposalItem
    row: ProposalRow
    need_status: str
    offer_status: str
    need_remaining: int
    offer_remaining: int
    criteria: list[Criterion]
    decisions: list[Decision]
    history: list[EventWords]
    messages: list[ThreadMessage]
    feedback: list[Feedback]
    can_start_delivery: bool
    can_mark_delivered: bool
    feedback_side: str | None  # the viewer's side still to give closure feedback
    met_choices: dict
    message_form: FormState = field(default_factory=FormState)
    delivered_form: FormState = field(default_factory=FormState)
    feedback_form: FormState = field(default_factory=FormState)
    alert: str | None = None

    @classmethod
    def build(cls, db: Session, row: ProposalRow, viewer: Viewer, language: str,
              messages: list[ThreadMessage]) -> DetailPage:
        proposal, need, offer = row.proposal, row.need, row.offer
        given = decisions.feedback_given(db, proposal.id)
        names = services.user_names(db, {event.actor_id for event in given.values()})
        delivering = decisions.can_follow_delivery(viewer, need, offer)
        sides = authz.sides_of(viewer, need, offer)
        pending = sorted(sides - set(given)) if proposal.state == ProposalState.DELIVERED else []
        return cls(
            proposal_id=proposal.id,
            item=ProposalItem.build(row, viewer, language),
            row=row,
            need_status=str(NEED_STATUS_LABELS.get(need.status, need.status)),
            offer_status=str(OFFER_STATUS_LABELS.get(offer.status, offer.status)),
            need_remaining=decisions.remaining_need(need),
            offer_remaining=decisions.remaining_budget(offer),
            criteria=breakdown_of(proposal.breakdown),
            decisions=_decisions(db, row),
            history=in_words(db, [row.event for row in services.history(db, proposal.id)]),
            messages=messages,
            feedback=[
                Feedback(side, str(SIDE_LABELS.get(side, side)),
                         str(MET_CHOICES.get(event.after.get("met"), "")), event.note,
                         names.get(event.actor_id, ""), event.created_at)
                for side, event in sorted(given.items())
            ],
            can_start_delivery=delivering and proposal.state == ProposalState.AGREED,
            can_mark_delivered=delivering and proposal.state in (
                ProposalState.AGREED, ProposalState.IN_DELIVERY),
            feedback_side=pending[0] if pending else None,
            met_choices={key: str(label) for key, label in MET_CHOICES.items()},
        )


@dataclass(frozen=True)
class OfferOption:
    value: str
    label: str


@dataclass
class NewProposalPage:
    """The "propose to fund this need" form: the need, the proposer's offers, the amount."""

    need: NeedItem
    need_remaining: int
    need_problem: str | None
    options: list[OfferOption]  # offers that can fund the need
    unusable: list[OfferChoice]  # the others, with why not
    form: FormState

    @classmethod
    def build(cls, row: NeedRow, choices: list[OfferChoice], language: str,
              form: FormState | None = None) -> NewProposalPage:
        compatible = [choice for choice in choices if choice.compatible]
        if form is None:
            first = compatible[0] if compatible else None
            form = FormState(values={
                "need": row.need.reference,
                "offer": first.offer.reference if first else "",
                "amount_usd": str(first.default_amount) if first else "",
            })
        return cls(
            need=NeedItem.from_row(row, language),
            need_remaining=decisions.remaining_need(row.need),
            need_problem=manual.need_problem(row.need),
            options=[
                OfferOption(choice.offer.reference,
                            f"{choice.offer.reference} · {choice.offer.title} · "
                            + _("%(left)s left", left=money(choice.remaining)))
                for choice in compatible
            ],
            unusable=[choice for choice in choices if not choice.compatible],
            form=form,
        )
