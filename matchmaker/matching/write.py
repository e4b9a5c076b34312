"""Store a run's proposals: supersede the earlier solver proposals it replaces, add the new ones.

Everything happens in one transaction, each change with its event, so a run leaves all its
proposals or none. The portfolio may have moved while the solver worked (a proposal accepted,
another run finished), so the write re-reads what is left of each offer and need under lock
and trims a proposal that would no longer fit. Locks are taken in the order the proposal
decisions use (proposals, then offers, then needs, each by id), so a run and an acceptance
queue up rather than deadlock; on SQLite the first statement is a write, which takes the
database's write lock at once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer
from matchmaker.matching.decode import ProposalDraft
from matchmaker.matching.load import SUPERSEDABLE_STATES
from matchmaker.models import (
    LIVE_PROPOSAL_STATES,
    OPEN_PROPOSAL_STATES,
    Event,
    MatchRun,
    Need,
    Offer,
    Proposal,
    ProposalOrigin,
    ProposalState,
    RunState,
    utcnow,
)
from matchmaker.proposals import news

PROPOSAL_LIFETIME = timedelta(days=30)
PROPOSAL_FIELDS = ("need_id", "offer_id", "run_id", "origin", "amount_usd", "share", "score",
                   "state", "expires_at")


def begin_writing(session: Session, run: MatchRun) -> None:
    """The write transaction's first statement: a write (SQLite takes its lock here)."""
    session.execute(
        update(MatchRun).where(MatchRun.id == run.id, MatchRun.state == RunState.RUNNING)
        .values(progress_message="writing")
        .execution_options(synchronize_session=False)
    )


def supersede(session: Session, run: MatchRun, need_ids: list[int], actor: Viewer | None
              ) -> int:
    """Mark the open solver proposals on ``need_ids`` superseded by ``run``; how many changed.

    Only proposals still waiting for both answers change: one a party accepted meanwhile keeps
    its state. Proposals a concurrent run wrote on these needs are replaced too.
    """
    if not need_ids:
        return 0
    ids = session.scalars(
        select(Proposal.id)
        .where(Proposal.need_id.in_(need_ids), Proposal.origin == ProposalOrigin.SOLVER,
               Proposal.state.in_(SUPERSEDABLE_STATES))
        .order_by(Proposal.id)
        .with_for_update()
    ).all()
    if not ids:
        return 0
    session.execute(
        update(Proposal)
        .where(Proposal.id.in_(ids))
        .values(state=ProposalState.SUPERSEDED, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    add_events(session, actor, "proposal", "superseded", [
        (proposal_id, {"state": ProposalState.PROPOSED.value},
         {"state": ProposalState.SUPERSEDED.value, "run_id": run.id},
         f"Replaced by solver run #{run.id}")
        for proposal_id in ids
    ])
    return len(ids)


def _open_amounts(session: Session, column, ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        select(column, func.sum(Proposal.amount_usd))
        .where(column.in_(ids), Proposal.state.in_(OPEN_PROPOSAL_STATES))
        .group_by(column)
    )
    return {key: int(total or 0) for key, total in rows}


def _live_pairs(session: Session, need_ids: list[int]) -> set[tuple[int, int]]:
    return set(session.execute(
        select(Proposal.need_id, Proposal.offer_id)
        .where(Proposal.need_id.in_(need_ids), Proposal.state.in_(LIVE_PROPOSAL_STATES))
    ).all())


def fit_to_room(session: Session, drafts: list[ProposalDraft]) -> tuple[list[ProposalDraft], int]:
    """Drafts trimmed to what each offer and need has left now (best scores served first),
    without pairs that have a live proposal now; also how many drafts had to change.

    Called after :func:`supersede`, so the index of one live proposal per pair never refuses
    the insert that follows."""
    offer_ids = sorted({d.offer.id for d in drafts})
    need_ids = sorted({d.need.id for d in drafts})
    if not drafts:
        return [], 0
    offers = session.execute(
        select(Offer.id, Offer.budget_usd, Offer.committed_usd)
        .where(Offer.id.in_(offer_ids)).order_by(Offer.id).with_for_update()
    ).all()
    needs = session.execute(
        select(Need.id, Need.cost_usd, Need.agreed_usd)
        .where(Need.id.in_(need_ids)).order_by(Need.id).with_for_update()
    ).all()
    # With the needs locked no other proposal of theirs can appear; one that did since the
    # portfolio was read (proposed by hand meanwhile) keeps its pair, which the run then skips.
    live = _live_pairs(session, need_ids)
    kept = [d for d in drafts if (d.need.id, d.offer.id) not in live]
    changed = len(drafts) - len(kept)
    on_offer = _open_amounts(session, Proposal.offer_id, offer_ids)
    on_need = _open_amounts(session, Proposal.need_id, need_ids)
    room = defaultdict(int)
    for offer_id, budget, committed in offers:
        room["offer", offer_id] = budget - committed - on_offer.get(offer_id, 0)
    for need_id, cost, agreed in needs:
        room["need", need_id] = cost - agreed - on_need.get(need_id, 0)
    fitted = []
    for draft in sorted(kept, key=lambda d: -d.score):
        offer_key, need_key = ("offer", draft.offer.id), ("need", draft.need.id)
        amount = min(draft.amount_usd, room[offer_key], room[need_key])
        if amount != draft.amount_usd:
            changed += 1
            if amount < 1:
                continue
            draft = replace(draft, amount_usd=amount,
                            share=round(amount / draft.need.cost_usd, 6))
        room[offer_key] -= amount
        room[need_key] -= amount
        fitted.append(draft)
    return fitted, changed


def add_proposals(session: Session, run: MatchRun, drafts: list[ProposalDraft],
                  actor: Viewer | None) -> list[int]:
    """Insert a proposal per draft (state proposed, expiring in 30 days), each with its event
    and a notification to both sides; returns the new proposals' ids. Core inserts: a global
    run may write thousands."""
    if not drafts:
        return []
    now = utcnow()
    rows = [
        {
            "run_id": run.id,
            "need_id": draft.need.id,
            "offer_id": draft.offer.id,
            "origin": ProposalOrigin.SOLVER.value,
            "amount_usd": draft.amount_usd,
            "share": draft.share,
            "score": draft.score,
            "breakdown": draft.breakdown,
            "state": ProposalState.PROPOSED.value,
            "created_by_id": run.started_by_id,
            "declined_by_side": "",
            "decline_reason": "",
            "expires_at": now + PROPOSAL_LIFETIME,
            "created_at": now,
            "updated_at": now,
        }
        for draft in drafts
    ]
    ids = session.scalars(
        insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), rows
    ).all()
    add_events(session, actor, "proposal", "proposed", [
        (proposal_id, {}, {name: _plain(row[name]) for name in PROPOSAL_FIELDS if name in row}
         | {"run_id": run.id}, f"Solver run #{run.id}")
        for proposal_id, row in zip(ids, rows, strict=True)
    ])
    news.proposed_by_run(session, ids)
    return list(ids)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def add_events(session: Session, actor: Viewer | None, entity: str, action: str,
               changes: list[tuple[int, dict, dict, str]]) -> None:
    """Many events at once (entity id, before, after, note each): what
    :func:`matchmaker.events.record_event` writes, in one insert."""
    if not changes:
        return
    now = utcnow()
    session.execute(insert(Event), [
        {"actor_id": actor.user_id if actor else None,
         "organisation_id": actor.organisation_id if actor else None,
         "entity": entity, "entity_id": entity_id, "action": action, "before": before,
         "after": after, "note": note, "created_at": now}
        for entity_id, before, after, note in changes
    ])
