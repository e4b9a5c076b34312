"""Status changes shared by needs and offers: publish, withdraw, back to draft, with events.

Each change records an Event with the record's values before and after, in the caller's
transaction. Open proposals of a record that leaves the market are closed so that nobody is
asked to answer for a need or offer that is gone: withdrawing declines them (the owner's
side said no), going back to draft marks them superseded (a later run may propose again).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager

from sqlalchemy import select, update
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer
from matchmaker.errors import Conflict
from matchmaker.events import record_event, snapshot
from matchmaker.models import (
    OPEN_PROPOSAL_STATES,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    Proposal,
    ProposalState,
    utcnow,
)
from matchmaker.portfolio.fields import FieldReader, form_errors


@contextmanager
def committing(db: Session) -> Iterator[None]:
    """Commit what the block wrote, or roll all of it back (and release its locks) on error."""
    try:
        yield
        db.commit()
    except BaseException:
        db.rollback()
        raise


def lock_for_change(db: Session, record: Need | Offer, *, with_proposals: bool = False):
    """Lock ``record`` (and its proposals) for a change and return it freshly read.

    Locks are taken in the order proposal decisions take theirs (proposals, then the offer,
    then the need) so that concurrent changes queue instead of deadlocking. The first statement
    is a write, so that SQLite takes its database write lock at once (a read first would let a
    concurrent writer slip in between); PostgreSQL locks the rows.
    """
    model = type(record)
    if with_proposals:
        column = Proposal.need_id if model is Need else Proposal.offer_id
        db.execute(update(Proposal).where(column == record.id)
                   .values(updated_at=Proposal.updated_at))
    db.execute(update(model).where(model.id == record.id).values(updated_at=model.updated_at))
    return db.execute(
        select(model).where(model.id == record.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


MAX_REASON = 1000


def withdrawal_reason(reason: str | None, default: str) -> str:
    """The reason given for withdrawing a record, or ``default`` when none was given.

    It becomes the event's note and the decline reason of the open proposals, which the other
    party reads; FormErrors (at ``reason``) when it is too long.
    """
    form = FieldReader({"reason": reason})
    text = form.text("reason", MAX_REASON)
    if form.errors:
        raise form_errors(form.errors)
    return text or default


PROPOSAL_FIELDS = ("state", "declined_by_side", "decline_reason", "amount_usd")
PUBLISHED = {Need: NeedStatus.PUBLISHED, Offer: OfferStatus.PUBLISHED}
WITHDRAWN = {Need: NeedStatus.WITHDRAWN, Offer: OfferStatus.WITHDRAWN}
DRAFT = {Need: NeedStatus.DRAFT, Offer: OfferStatus.DRAFT}


def change_status(db: Session, viewer: Viewer, record: Need | Offer, entity: str,
                  fields: tuple[str, ...], action: str, status: str, note: str = "") -> None:
    """Move ``record`` to ``status`` and record the event ``action``."""
    before = snapshot(record, fields)
    record.status = status
    if status == PUBLISHED[type(record)]:
        record.published_at = utcnow()
    record.updated_at = utcnow()
    db.add(record)
    db.flush()
    record_event(db, viewer, entity, record.id, action, before=before,
                 after=snapshot(record, fields), note=note)


def close_open_proposals(db: Session, viewer: Viewer, record: Need | Offer, *, side: str,
                         withdrawn: bool, reason: str) -> int:
    """Decline (``withdrawn``) or supersede the open proposals of ``record``; returns how many.

    The caller has locked them with ``lock_for_change(..., with_proposals=True)``.
    """
    column = Proposal.need_id if isinstance(record, Need) else Proposal.offer_id
    proposals = db.scalars(
        select(Proposal)
        .where(column == record.id, Proposal.state.in_(OPEN_PROPOSAL_STATES))
        .execution_options(populate_existing=True)
    ).all()
    for proposal in proposals:
        before = snapshot(proposal, PROPOSAL_FIELDS)
        if withdrawn:
            proposal.state = ProposalState.DECLINED
            proposal.declined_by_side = side
            proposal.declined_by_id = viewer.user_id
            proposal.decline_reason = reason
        else:
            proposal.state = ProposalState.SUPERSEDED
        proposal.updated_at = utcnow()
        db.add(proposal)
        record_event(db, viewer, "proposal", proposal.id,
                     "declined" if withdrawn else "superseded", before=before,
                     after=snapshot(proposal, PROPOSAL_FIELDS), note=reason)
    return len(proposals)


def withdraw(db: Session, viewer: Viewer, record: Need | Offer, entity: str,
             fields: tuple[str, ...], *, side: str, reason: str, committed: bool,
             committed_refusal: str, withdrawable: Collection[str], status_refusal: str) -> None:
    """Withdraw ``record`` (locked with its proposals), declining its open proposals with
    ``reason``; Conflict with ``committed_refusal`` while agreed proposals hold it
    (``committed``), with ``status_refusal`` when its status is not ``withdrawable``."""
    if committed:
        raise Conflict(committed_refusal)
    if record.status not in withdrawable:
        raise Conflict(status_refusal)
    close_open_proposals(db, viewer, record, side=side, withdrawn=True, reason=reason)
    change_status(db, viewer, record, entity, fields, "withdrawn", WITHDRAWN[type(record)],
                  note=reason)


def return_to_draft(db: Session, viewer: Viewer, record: Need | Offer, entity: str,
                    fields: tuple[str, ...], *, side: str, redraftable: Collection[str],
                    committed: Callable[[], bool], refusal: str, reason: str) -> None:
    """Take ``record`` (locked with its proposals) back to draft, superseding its open
    proposals with ``reason``; Conflict with ``refusal`` unless its status is ``redraftable``
    and no agreed proposals hold it (``committed()``, asked only then)."""
    if record.status not in redraftable or committed():
        raise Conflict(refusal)
    close_open_proposals(db, viewer, record, side=side, withdrawn=False, reason=reason)
    change_status(db, viewer, record, entity, fields, "returned_to_draft",
                  DRAFT[type(record)])
