"""Decisions on proposals: accept, decline, delivery, closure feedback (expiry: expiry.py).

A proposal is agreed when both sides have accepted it. Agreement holds its amount on the offer
(``committed_usd``) and the need (``agreed_usd``); the capacity check and that update happen in
one transaction with the proposal, offer and need rows locked, so two acceptances that together
exceed an offer cannot both succeed:

- PostgreSQL: the first statement updates the proposal row (a row lock), then the offer and the
  need are read ``FOR UPDATE`` — always in that order, so concurrent acceptances queue up on the
  offer instead of deadlocking.
- SQLite: the first statement of the transaction is that same write, which takes the database's
  write lock at once (``BEGIN IMMEDIATE`` semantics); a concurrent writer waits on the busy
  timeout and then reads the committed amounts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from matchmaker.accounts import authz
from matchmaker.accounts.authz import Viewer
from matchmaker.errors import Conflict, FormErrors, NotFound, PermissionDenied
from matchmaker.events import record_event, snapshot
from matchmaker.i18n import _
from matchmaker.models import (
    OPEN_NEED_STATUSES,
    OPEN_PROPOSAL_STATES,
    Event,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    Proposal,
    ProposalState,
    utcnow,
)
from matchmaker.portfolio.coverage import offer_status_follow_budget
from matchmaker.portfolio.coverage import remaining_need_usd as remaining_need
from matchmaker.portfolio.coverage import remaining_offer_usd as remaining_budget
from matchmaker.portfolio.lifecycle import committing
from matchmaker.proposals import news, schemas
from matchmaker.proposals.labels import STATE_LABELS
from matchmaker.proposals.services import ENTITY, get_row, unanswered_sides
from matchmaker.web.templating import money

# How long the parties have to answer a proposal made by hand.
ANSWER_WITHIN = timedelta(days=30)

PROPOSAL_FIELDS = (
    "state", "requester_accepted_at", "requester_accepted_by_id", "donor_accepted_at",
    "donor_accepted_by_id", "declined_by_side", "declined_by_id", "decline_reason",
    "agreed_at", "delivered_at",
)
NEED_FIELDS = ("agreed_usd", "delivered_usd", "status")
OFFER_FIELDS = ("committed_usd", "status")


def capacity_problem(proposal: Proposal, need: Need, offer: Offer) -> str | None:
    """Why agreeing to ``proposal`` now is impossible, in words (None: it fits)."""
    if need.status not in OPEN_NEED_STATUSES:
        return _("Need %(ref)s is no longer open for funding, so this proposal cannot be "
                 "accepted.", ref=need.reference)
    if offer.status != OfferStatus.PUBLISHED:
        return _("Offer %(ref)s is no longer available, so this proposal cannot be accepted.",
                 ref=offer.reference)
    if proposal.amount_usd > remaining_budget(offer):
        return _("Offer %(ref)s has only %(left)s left, less than the %(amount)s of this "
                 "proposal: accepting it would over-commit the offer.",
                 ref=offer.reference, left=money(remaining_budget(offer)),
                 amount=money(proposal.amount_usd))
    if proposal.amount_usd > remaining_need(need):
        return _("Need %(ref)s still requires only %(left)s, less than the %(amount)s of this "
                 "proposal: accepting it would fund the need beyond its cost.",
                 ref=need.reference, left=money(remaining_need(need)),
                 amount=money(proposal.amount_usd))
    return None


def _lock(db: Session, proposal_id: int, *, portfolio: bool = True
          ) -> tuple[Proposal, Need, Offer]:
    """Lock the proposal (then its offer and need) for this transaction; see the module doc."""
    touched = db.execute(
        update(Proposal).where(Proposal.id == proposal_id).values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not touched:
        raise NotFound(_("No proposal number %(id)s.", id=proposal_id))

    def locked(model, record_id):
        query = select(model).where(model.id == record_id)
        if portfolio or model is Proposal:
            query = query.with_for_update()
        return db.execute(query.execution_options(populate_existing=True)).scalar_one()

    proposal = locked(Proposal, proposal_id)
    offer = locked(Offer, proposal.offer_id)
    need = locked(Need, proposal.need_id)
    return proposal, need, offer


def answering_side(viewer: Viewer, need: Need, offer: Offer, side: str | None) -> str:
    """The side the viewer answers for; PermissionDenied unless it is that side's party.

    Only for a proposal the viewer may see (``get_row`` first): one it may not see is a 404.
    """
    sides = authz.sides_of(viewer, need, offer)
    if side is None:
        if len(sides) == 1:
            return next(iter(sides))
        if not sides:
            raise PermissionDenied(_("You cannot answer this proposal: only the requesting "
                                     "State and the donor can."))
        raise PermissionDenied(_("Say which side you are answering for."))
    if side not in sides:
        raise PermissionDenied(
            _("You cannot answer for the requesting State of this proposal.")
            if side == "requester"
            else _("You cannot answer for the donor of this proposal.")
        )
    return side


def _require_open(proposal: Proposal) -> None:
    if proposal.state not in OPEN_PROPOSAL_STATES:
        raise Conflict(_("This proposal is already %(state)s; it can no longer be answered.",
                         state=_state_words(proposal.state)))


def _state_words(state: str) -> str:
    return str(STATE_LABELS.get(state, state)).lower()


def accept(db: Session, viewer: Viewer, proposal_id: int, side: str | None = None
           ) -> Proposal:
    """Accept a proposal for one side; when both sides have accepted, it is agreed.

    Agreement adds the amount to the offer's committed and the need's agreed amounts and moves
    their statuses on. Refused with Conflict (409) when the proposal is no longer open, the side
    already accepted, or the amount no longer fits the offer's remaining budget or the need.
    The other side is told of an acceptance; both sides and the region's coordinators of an
    agreement.
    """
    row = get_row(db, viewer, proposal_id)
    side = answering_side(viewer, row.need, row.offer, side)
    with committing(db):
        proposal, need, offer = _lock(db, proposal_id)
        _require_open(proposal)
        if side not in unanswered_sides(proposal):
            raise Conflict(_("Your side has already accepted this proposal; it now waits for "
                             "the other side."))
        problem = capacity_problem(proposal, need, offer)
        if problem:
            raise Conflict(problem)
        before = snapshot(proposal, PROPOSAL_FIELDS)
        now = utcnow()
        setattr(proposal, f"{side}_accepted_at", now)
        setattr(proposal, f"{side}_accepted_by_id", viewer.user_id)
        agreed = unanswered_sides(proposal) == {side}
        if agreed:
            proposal.state = ProposalState.AGREED
            proposal.agreed_at = now
            _hold_amount(db, viewer, proposal, need, offer)
        else:
            proposal.state = f"accepted_by_{side}"
        proposal.updated_at = now
        record_event(db, viewer, ENTITY, proposal.id, "agreed" if agreed else "accepted",
                     before=before, after={**snapshot(proposal, PROPOSAL_FIELDS), "side": side})
        if agreed:
            news.agreed(db, proposal, need, offer)
        else:
            news.accepted(db, viewer, proposal, need, offer, side, unanswered_sides(proposal))
    return proposal


def _hold_amount(db: Session, viewer: Viewer, proposal: Proposal, need: Need,
                 offer: Offer) -> None:
    need_before, offer_before = snapshot(need, NEED_FIELDS), snapshot(offer, OFFER_FIELDS)
    now = utcnow()
    need.agreed_usd += proposal.amount_usd
    need.status = (NeedStatus.MATCHED if need.agreed_usd >= need.cost_usd
                   else NeedStatus.PARTLY_MATCHED)
    need.updated_at = now
    offer.committed_usd += proposal.amount_usd
    offer_status_follow_budget(offer)
    offer.updated_at = now
    note = _("Proposal %(id)s agreed", id=proposal.id)
    record_event(db, viewer, "need", need.id, "proposal_agreed", before=need_before,
                 after=snapshot(need, NEED_FIELDS), note=note)
    record_event(db, viewer, "offer", offer.id, "proposal_agreed", before=offer_before,
                 after=snapshot(offer, OFFER_FIELDS), note=note)


def decline(db: Session, viewer: Viewer, proposal_id: int, reason: str,
            side: str | None = None) -> Proposal:
    """Decline an open proposal for one side, with a reason; the pair is never proposed again."""
    reason = schemas.parse_reason(reason)
    row = get_row(db, viewer, proposal_id)
    side = answering_side(viewer, row.need, row.offer, side)
    with committing(db):
        proposal, need, offer = _lock(db, proposal_id, portfolio=False)
        _require_open(proposal)
        before = snapshot(proposal, PROPOSAL_FIELDS)
        proposal.state = ProposalState.DECLINED
        proposal.declined_by_side = side
        proposal.declined_by_id = viewer.user_id
        proposal.decline_reason = reason
        record_event(db, viewer, ENTITY, proposal.id, "declined", before=before,
                     after=snapshot(proposal, PROPOSAL_FIELDS), note=reason)
        news.declined(db, viewer, proposal, need, offer)
    return proposal


def can_follow_delivery(viewer: Viewer, need: Need, offer: Offer) -> bool:
    """The donor, the region's coordinators and admins record delivery."""
    return "donor" in authz.sides_of(viewer, need, offer) or authz.in_region(
        viewer, need.country_id
    )


def start_delivery(db: Session, viewer: Viewer, proposal_id: int) -> Proposal:
    """Mark an agreed proposal as in delivery (a matched need follows it)."""
    row = get_row(db, viewer, proposal_id)
    authz.require(can_follow_delivery(viewer, row.need, row.offer),
                  _("Only the donor or a coordinator of the region can record delivery."))
    with committing(db):
        proposal, need, offer = _lock(db, proposal_id)
        if proposal.state != ProposalState.AGREED:
            raise Conflict(_("Only an agreed proposal can go into delivery."))
        before = snapshot(proposal, PROPOSAL_FIELDS)
        proposal.state = ProposalState.IN_DELIVERY
        record_event(db, viewer, ENTITY, proposal.id, "in_delivery", before=before,
                     after=snapshot(proposal, PROPOSAL_FIELDS))
        if need.status == NeedStatus.MATCHED:
            need_before = snapshot(need, NEED_FIELDS)
            need.status = NeedStatus.IN_DELIVERY
            need.updated_at = utcnow()
            record_event(db, viewer, "need", need.id, "in_delivery", before=need_before,
                         after=snapshot(need, NEED_FIELDS))
        news.delivery_step(db, viewer, proposal, need, offer, ProposalState.IN_DELIVERY.value)
    return proposal


def mark_delivered(db: Session, viewer: Viewer, proposal_id: int, note: str) -> Proposal:
    """Record that an agreed proposal was delivered, with a note on what was delivered.

    Both sides are then asked for closure feedback (``give_feedback``) by a notification. A
    need whose delivered amount reaches its cost is completed.
    """
    note = schemas.parse_note(note)
    row = get_row(db, viewer, proposal_id)
    authz.require(can_follow_delivery(viewer, row.need, row.offer),
                  _("Only the donor or a coordinator of the region can record delivery."))
    with committing(db):
        proposal, need, offer = _lock(db, proposal_id)
        if proposal.state not in (ProposalState.AGREED, ProposalState.IN_DELIVERY):
            raise Conflict(_("Only an agreed proposal can be marked as delivered."))
        before = snapshot(proposal, PROPOSAL_FIELDS)
        proposal.state = ProposalState.DELIVERED
        proposal.delivered_at = utcnow()
        record_event(db, viewer, ENTITY, proposal.id, "delivered", before=before,
                     after=snapshot(proposal, PROPOSAL_FIELDS), note=note)
        need_before = snapshot(need, NEED_FIELDS)
        need.delivered_usd += proposal.amount_usd
        if need.delivered_usd >= need.cost_usd and need.status in (
            NeedStatus.MATCHED, NeedStatus.IN_DELIVERY
        ):
            need.status = NeedStatus.COMPLETED
        need.updated_at = utcnow()
        record_event(db, viewer, "need", need.id, "delivered", before=need_before,
                     after=snapshot(need, NEED_FIELDS),
                     note=_("Proposal %(id)s delivered", id=proposal.id))
        news.delivery_step(db, viewer, proposal, need, offer, ProposalState.DELIVERED.value,
                           note)
        news.feedback_requested(db, proposal, need, offer)
    return proposal


def feedback_given(db: Session, proposal_id: int) -> dict[str, Event]:
    """Closure feedback per side (requester, donor) given so far on a delivered proposal."""
    events = db.scalars(
        select(Event).where(Event.entity == ENTITY, Event.entity_id == proposal_id,
                            Event.action == "feedback").order_by(Event.id)
    ).all()
    return {event.after.get("side", ""): event for event in events}


def give_feedback(db: Session, viewer: Viewer, proposal_id: int, met: str, note: str,
                  side: str | None = None) -> Event:
    """One side's closure feedback on a delivered proposal: was the need met, and a note."""
    errors: dict[str, str] = {}
    for parse, value in ((schemas.parse_met, met), (schemas.parse_note, note)):
        try:
            parse(value)
        except FormErrors as exc:
            errors.update(exc.errors)
    if errors:
        raise FormErrors(errors)
    row = get_row(db, viewer, proposal_id)
    side = answering_side(viewer, row.need, row.offer, side)
    with committing(db):
        proposal, _need, _offer = _lock(db, proposal_id, portfolio=False)
        if proposal.state != ProposalState.DELIVERED:
            raise Conflict(_("Feedback is asked for once the proposal has been delivered."))
        if side in feedback_given(db, proposal_id):
            raise Conflict(_("Your side has already given its feedback on this proposal."))
        event = record_event(db, viewer, ENTITY, proposal.id, "feedback", before={},
                             after={"side": side, "met": met.strip()}, note=note.strip())
    return event

