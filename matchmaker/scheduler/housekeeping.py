"""Housekeeping jobs that keep the portfolio current: needs past their deadline expire, open
proposals that can no longer be accepted are withdrawn, and commitments not delivered by the
need's deadline are flagged overdue.

Each record is changed in a transaction of its own, by a conditional update on the state that
was read (or under the row's lock), so a job run twice, or by two workers, changes and tells
each record once; an answer given meanwhile is never undone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import exists, or_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.accounts.mails import _in_language
from matchmaker.db import session_scope
from matchmaker.events import record_event
from matchmaker.i18n import _, ngettext
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
    User,
)
from matchmaker.notifications.service import notify
from matchmaker.proposals.decisions import capacity_problem
from matchmaker.proposals.expiry import expire_overdue
from matchmaker.scheduler import recipients
from matchmaker.settings import Settings

COMMITTED_UNDELIVERED = (ProposalState.AGREED, ProposalState.IN_DELIVERY)


def need_params(db: Session, need: Need) -> dict:
    """The facts of a need for the need_expired and need_deadline notifications."""
    percent = round(100 * need.agreed_usd / need.cost_usd) if need.cost_usd else 0
    return {**recipients.need_params(db, need), "percent": min(percent, 100),
            "amount_usd": need.cost_usd}


def need_people(db: Session, need: Need) -> list[User]:
    """The requesting State's points of contact and the coordinators of its region."""
    return recipients.requesters(db, need) + recipients.coordinators(db, need.country_id)


def expire_needs(engine: Engine, settings: Settings, now: datetime) -> str:
    """Expire published needs whose deadline has passed; tell the State and its coordinators."""
    today = now.date()
    with Session(engine) as db:
        overdue = db.execute(select(Need.id, Need.status).where(
            Need.status.in_(OPEN_NEED_STATUSES), Need.deadline.is_not(None),
            Need.deadline < today).order_by(Need.id)).all()
    expired = 0
    for need_id, status in overdue:
        with session_scope(engine) as db:
            changed = db.execute(
                update(Need).where(Need.id == need_id, Need.status == status)
                .values(status=NeedStatus.EXPIRED, updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not changed:
                continue  # changed meanwhile (covered, withdrawn, or expired by another run)
            need = db.get(Need, need_id)
            record_event(db, None, "need", need_id, "expired", before={"status": status},
                         after={"status": NeedStatus.EXPIRED},
                         note=_("The deadline passed before the need was covered"))
            notify(db, need_people(db, need), "need_expired", f"need:{need_id}:expired",
                   need_params(db, need), f"/needs/{need.reference}")
            expired += 1
    return ngettext("%(num)s need past its deadline expired.",
                    "%(num)s needs past their deadline expired.", expired)


def expire_proposals(engine: Engine, settings: Settings, now: datetime) -> str:
    """Expire open proposals nobody answered by their answer date."""
    with Session(engine) as db:
        expired = expire_overdue(db, now)
    return ngettext("%(num)s unanswered proposal expired.",
                    "%(num)s unanswered proposals expired.", expired)


def _by_language(users: Iterable[User]) -> dict[str, list[User]]:
    groups: dict[str, list[User]] = defaultdict(list)
    for user in users:
        groups[user.language].append(user)
    return groups


def withdraw_unanswerable(engine: Engine, settings: Settings, now: datetime) -> str:
    """Withdraw open proposals that could no longer be accepted: their need is covered,
    withdrawn or expired, or their offer is spent or withdrawn, or what is left of either is
    less than the proposal. They leave every queue and badge; both sides are told why."""
    with Session(engine) as db:
        candidates = db.scalars(
            select(Proposal.id)
            .join(Need, Need.id == Proposal.need_id).join(Offer, Offer.id == Proposal.offer_id)
            .where(Proposal.state.in_(OPEN_PROPOSAL_STATES), or_(
                Need.status.not_in(OPEN_NEED_STATUSES), Offer.status != OfferStatus.PUBLISHED,
                Proposal.amount_usd > Need.cost_usd - Need.agreed_usd,
                Proposal.amount_usd > Offer.budget_usd - Offer.committed_usd,
            )).order_by(Proposal.id)
        ).all()
    withdrawn = sum(_withdraw(engine, proposal_id, now) for proposal_id in candidates)
    return ngettext("%(num)s open proposal that could no longer be accepted was withdrawn.",
                    "%(num)s open proposals that could no longer be accepted were withdrawn.",
                    withdrawn)


def _withdraw(engine: Engine, proposal_id: int, now: datetime) -> bool:
    with session_scope(engine) as db:
        proposal = db.get(Proposal, proposal_id)
        need, offer = db.get(Need, proposal.need_id), db.get(Offer, proposal.offer_id)
        reason = capacity_problem(proposal, need, offer)
        if proposal.state not in OPEN_PROPOSAL_STATES or reason is None:
            return False
        changed = db.execute(
            update(Proposal).where(Proposal.id == proposal_id, Proposal.state == proposal.state)
            .values(state=ProposalState.WITHDRAWN, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            return False  # answered or closed meanwhile
        record_event(db, None, "proposal", proposal_id, "withdrawn",
                     before={"state": proposal.state},
                     after={"state": ProposalState.WITHDRAWN}, note=reason)
        params = recipients.proposal_params(db, need, offer, proposal.amount_usd)
        parties = recipients.requesters(db, need) + recipients.donors(db, offer)
        for language, readers in _by_language(parties).items():
            with _in_language(language):  # the reason is a sentence in each reader's language
                words = capacity_problem(proposal, need, offer)
            notify(db, readers, "proposal_withdrawn", f"proposal:{proposal_id}:withdrawn",
                   {**params, "reason": words}, f"/proposals/{proposal_id}")
        return True


def flag_overdue(engine: Engine, settings: Settings, now: datetime) -> str:
    """Flag agreed commitments with no delivery recorded by the need's deadline (an event on
    the proposal, once) and tell both parties and the region's coordinators."""
    flagged_before = exists().where(Event.entity == "proposal", Event.entity_id == Proposal.id,
                                    Event.action == "overdue")
    with Session(engine) as db:
        candidates = db.scalars(
            select(Proposal.id).join(Need, Need.id == Proposal.need_id)
            .where(Proposal.state.in_(COMMITTED_UNDELIVERED), Need.deadline.is_not(None),
                   Need.deadline < now.date(), ~flagged_before).order_by(Proposal.id)
        ).all()
    flagged = sum(_flag(engine, proposal_id) for proposal_id in candidates)
    return ngettext("%(num)s commitment past its deadline without delivery was flagged overdue.",
                    "%(num)s commitments past their deadline without delivery were flagged "
                    "overdue.", flagged)


def _flag(engine: Engine, proposal_id: int) -> bool:
    with session_scope(engine) as db:
        # A write first: the row lock (PostgreSQL) or the write lock (SQLite) makes a second
        # flagger wait here and then see the first one's event.
        db.execute(update(Proposal).where(Proposal.id == proposal_id)
                   .values(updated_at=Proposal.updated_at))
        proposal = db.get(Proposal, proposal_id)
        already = db.scalar(select(Event.id).where(
            Event.entity == "proposal", Event.entity_id == proposal_id,
            Event.action == "overdue").limit(1))
        if already is not None or proposal.state not in COMMITTED_UNDELIVERED:
            return False
        need, offer = db.get(Need, proposal.need_id), db.get(Offer, proposal.offer_id)
        record_event(db, None, "proposal", proposal_id, "overdue",
                     after={"deadline": need.deadline.isoformat()},
                     note=_("No delivery recorded by the need's deadline"))
        people = (recipients.requesters(db, need) + recipients.donors(db, offer)
                  + recipients.coordinators(db, need.country_id))
        notify(db, people, "commitment_overdue", f"proposal:{proposal_id}:overdue",
               recipients.proposal_params(db, need, offer, proposal.amount_usd),
               f"/proposals/{proposal_id}")
        return True
