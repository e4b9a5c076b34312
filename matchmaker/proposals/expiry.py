"""Expiry of unanswered proposals: the scheduler's job (matchmaker.scheduler.jobs), not a side
effect of loading a queue, so a proposal expires on time whether or not anybody looks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlmodel import Session

from matchmaker.events import record_event
from matchmaker.i18n import _
from matchmaker.models import OPEN_PROPOSAL_STATES, Proposal, ProposalState, utcnow
from matchmaker.portfolio.lifecycle import committing
from matchmaker.proposals.services import ENTITY


def expire_overdue(db: Session, now: datetime | None = None) -> int:
    """Mark open proposals past their answer date as expired (one event each); how many.

    Each row is updated only if its state is still the one read, so concurrent callers (two
    workers, an answer given meanwhile) never expire a proposal twice or undo an answer.
    """
    now = now or utcnow()
    overdue = db.execute(
        select(Proposal.id, Proposal.state).where(
            Proposal.state.in_(OPEN_PROPOSAL_STATES),
            Proposal.expires_at.is_not(None),
            Proposal.expires_at < now,
        )
    ).all()
    expired = 0
    with committing(db):
        for proposal_id, state in overdue:
            changed = db.execute(
                update(Proposal)
                .where(Proposal.id == proposal_id, Proposal.state == state)
                .values(state=ProposalState.EXPIRED, updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed:
                expired += 1
                record_event(db, None, ENTITY, proposal_id, "expired", before={"state": state},
                             after={"state": ProposalState.EXPIRED},
                             note=_("Not answered in time"))
    return expired
