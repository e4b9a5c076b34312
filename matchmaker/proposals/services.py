"""Queries of the proposals feature: the review queue, its counts, one proposal and its history.

The changes (accept, decline, delivery, expiry) are in ``decisions``; proposals made by hand in
``manual``; the message thread in ``messages``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, false, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from matchmaker.accounts import authz
from matchmaker.accounts.authz import Viewer
from matchmaker.errors import NotFound
from matchmaker.i18n import _
from matchmaker.models import (
    COMMITTED_PROPOSAL_STATES,
    OPEN_PROPOSAL_STATES,
    Country,
    Event,
    Need,
    Offer,
    Organisation,
    Proposal,
    ProposalState,
    User,
)
from matchmaker.proposals.schemas import QueueFilters
from matchmaker.web.pagination import page_offset

ENTITY = "proposal"
DonorOrganisation = aliased(Organisation, name="donor_organisation")
DonorCountry = aliased(Country, name="donor_country")  # a State donor speaks by its name


@dataclass(frozen=True)
class ProposalRow:
    """A proposal with the records a queue row or a detail page shows."""

    proposal: Proposal
    need: Need
    offer: Offer
    country: Country
    donor: Organisation
    awaiting_me: bool = False
    donor_country: Country | None = None


@dataclass(frozen=True)
class QueueResult:
    rows: list[ProposalRow]
    total: int
    counts: dict[str, int] = field(default_factory=dict)


def _rows_query():
    return (
        select(Proposal, Need, Offer, Country, DonorOrganisation, DonorCountry)
        .join(Need, Need.id == Proposal.need_id)
        .join(Offer, Offer.id == Proposal.offer_id)
        .join(Country, Country.id == Need.country_id)
        .join(DonorOrganisation, DonorOrganisation.id == Offer.organisation_id)
        .outerjoin(DonorCountry, DonorCountry.id == DonorOrganisation.country_id)
    )


def awaiting_clause(viewer: Viewer) -> ColumnElement[bool]:
    """Open proposals on which ``viewer`` has a side that has not answered yet."""
    parts = []
    if viewer.is_requester and viewer.organisation_id:
        parts.append(
            (Need.organisation_id == viewer.organisation_id)
            & Proposal.state.in_((ProposalState.PROPOSED, ProposalState.ACCEPTED_BY_DONOR))
        )
    if viewer.is_donor and viewer.organisation_id:
        parts.append(
            (Offer.organisation_id == viewer.organisation_id)
            & Proposal.state.in_((ProposalState.PROPOSED, ProposalState.ACCEPTED_BY_REQUESTER))
        )
    return or_(*parts) if parts else false()


def _tab_clause(tab: str, awaiting: ColumnElement[bool]) -> ColumnElement[bool] | None:
    is_open = Proposal.state.in_(OPEN_PROPOSAL_STATES)
    return {
        "awaiting_me": awaiting,
        "awaiting_other": is_open & ~awaiting,
        "agreed": Proposal.state.in_(COMMITTED_PROPOSAL_STATES),
        "declined": Proposal.state == ProposalState.DECLINED,
        "closed": Proposal.state.in_((ProposalState.SUPERSEDED, ProposalState.EXPIRED,
                                      ProposalState.WITHDRAWN)),
    }.get(tab)


def _search_clause(q: str) -> ColumnElement[bool]:
    pattern = f"%{q.lower()}%"
    return or_(
        func.lower(Need.title).like(pattern),
        func.lower(Need.reference).like(pattern),
        func.lower(Offer.title).like(pattern),
        func.lower(Offer.reference).like(pattern),
        func.lower(Country.name).like(pattern),
        func.lower(Country.iso3).like(pattern),
        func.lower(DonorOrganisation.name).like(pattern),
    )


def _tab_of(state: str, awaiting: bool) -> str:
    if awaiting:
        return "awaiting_me"
    if state in OPEN_PROPOSAL_STATES:
        return "awaiting_other"
    if state in COMMITTED_PROPOSAL_STATES:
        return "agreed"
    return "declined" if state == ProposalState.DECLINED else "closed"


def search_queue(db: Session, viewer: Viewer, filters: QueueFilters) -> QueueResult:
    """The viewer's review queue: proposals awaiting its answer first, then the others it sees.

    ``counts`` gives the number of proposals per tab (for the search text, whatever the tab).
    """
    awaiting = awaiting_clause(viewer)
    conditions = [authz.proposals_visible(viewer)]
    if filters.q:
        conditions.append(_search_clause(filters.q))
    base = _rows_query().where(*conditions)

    awaiting_flag = case((awaiting, 1), else_=0)
    per_state = db.execute(
        base.with_only_columns(Proposal.state, awaiting_flag.label("awaiting"), func.count())
        .group_by(Proposal.state, awaiting_flag)
    ).all()
    counts = dict.fromkeys(("all", "awaiting_me", "awaiting_other", "agreed", "declined",
                            "closed"), 0)
    for state, is_awaiting, number in per_state:
        counts["all"] += number
        counts[_tab_of(state, bool(is_awaiting))] += number

    tab = _tab_clause(filters.tab, awaiting)
    query = base if tab is None else base.where(tab)
    total = counts.get(filters.tab, counts["all"]) if tab is not None else counts["all"]
    rank = case((awaiting, 0), (Proposal.state.in_(OPEN_PROPOSAL_STATES), 1), else_=2)
    rows = db.execute(
        query.add_columns(awaiting_flag.label("awaiting"))
        .order_by(rank, Proposal.updated_at.desc(), Proposal.id.desc())
        .limit(filters.per_page)
        .offset(page_offset(filters.page, filters.per_page, total))
    ).all()
    return QueueResult(
        rows=[ProposalRow(*row[:5], awaiting_me=bool(row.awaiting), donor_country=row[5])
              for row in rows],
        total=total,
        counts=counts,
    )


def awaiting_count(db: Session, viewer: Viewer) -> int:
    """How many proposals wait for the viewer's answer (the number in the navigation)."""
    if not (viewer.is_requester or viewer.is_donor):
        return 0
    query = (
        select(func.count())
        .select_from(Proposal)
        .join(Need, Need.id == Proposal.need_id)
        .join(Offer, Offer.id == Proposal.offer_id)
        .where(awaiting_clause(viewer))
    )
    return db.execute(query).scalar_one()


def get_row(db: Session, viewer: Viewer, proposal_id: int) -> ProposalRow:
    """The proposal ``proposal_id`` if the viewer may see it; NotFound otherwise.

    Visibility is ``authz.proposals_visible``, the queue's rule, so whatever the queue lists
    opens, and a proposal the viewer may not see is answered exactly like a missing one.
    """
    row = db.execute(
        _rows_query().where(Proposal.id == proposal_id, authz.proposals_visible(viewer))
    ).first()
    if row is None:
        raise NotFound(_("No proposal number %(id)s.", id=proposal_id))
    proposal, need, offer = row[0], row[1], row[2]
    sides = authz.sides_of(viewer, need, offer)
    return ProposalRow(*row[:5], awaiting_me=bool(sides & unanswered_sides(proposal)),
                       donor_country=row[5])


def unanswered_sides(proposal: Proposal) -> set[str]:
    """The sides of an open proposal that have not accepted it yet."""
    if proposal.state == ProposalState.PROPOSED:
        return {"requester", "donor"}
    if proposal.state == ProposalState.ACCEPTED_BY_REQUESTER:
        return {"donor"}
    if proposal.state == ProposalState.ACCEPTED_BY_DONOR:
        return {"requester"}
    return set()


@dataclass(frozen=True)
class EventRow:
    event: Event
    actor: str


def history(db: Session, proposal_id: int) -> list[EventRow]:
    """Every event of a proposal, oldest first, with the name of who did it."""
    rows = db.execute(
        select(Event, User.name)
        .outerjoin(User, User.id == Event.actor_id)
        .where(Event.entity == ENTITY, Event.entity_id == proposal_id)
        .order_by(Event.created_at, Event.id)
    ).all()
    return [EventRow(event=event, actor=name or "") for event, name in rows]


def user_names(db: Session, user_ids: set[int | None]) -> dict[int, str]:
    wanted = {user_id for user_id in user_ids if user_id}
    if not wanted:
        return {}
    return dict(db.execute(select(User.id, User.name).where(User.id.in_(wanted))).all())


def organisation_name(db: Session, organisation_id: int) -> str:
    organisation = db.get(Organisation, organisation_id)
    return organisation.name if organisation else ""
