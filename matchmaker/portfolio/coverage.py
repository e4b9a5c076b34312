"""Amounts that follow from proposals: agreed, open and remaining, per need and per offer.

Agreed (committed) proposals hold their amount: they fill a need's ``agreed_usd`` and an
offer's ``committed_usd``. Open proposals are only proposed. Other features (proposals, runs)
call ``recompute_need`` / ``recompute_offer`` after changing proposals so the stored figures
and statuses follow; both lock nothing themselves (the caller holds the row lock it needs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import case, func, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from matchmaker.models import (
    COMMITTED_PROPOSAL_STATES,
    OPEN_PROPOSAL_STATES,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    Proposal,
    ProposalState,
    utcnow,
)


@dataclass(frozen=True)
class ProposalTotals:
    """Sums over the proposals of one need or one offer, in US dollars."""

    agreed_usd: int = 0
    delivered_usd: int = 0
    open_usd: int = 0
    open_count: int = 0
    agreed_count: int = 0
    open_ids: tuple[int, ...] = ()
    agreed_ids: tuple[int, ...] = ()


def _totals(session: Session, column, ids: Iterable[int],
            visible: ColumnElement[bool] | None = None) -> dict[int, ProposalTotals]:
    ids = list(ids)
    if not ids:
        return {}
    committed = Proposal.state.in_(COMMITTED_PROPOSAL_STATES)
    is_open = Proposal.state.in_(OPEN_PROPOSAL_STATES)
    query = (
        select(
            column,
            func.coalesce(func.sum(case((committed, Proposal.amount_usd), else_=0)), 0),
            func.coalesce(func.sum(case((Proposal.state == ProposalState.DELIVERED,
                                         Proposal.amount_usd), else_=0)), 0),
            func.coalesce(func.sum(case((is_open, Proposal.amount_usd), else_=0)), 0),
            func.coalesce(func.sum(case((is_open, 1), else_=0)), 0),
            func.coalesce(func.sum(case((committed, 1), else_=0)), 0),
        )
        .where(column.in_(ids))
        .group_by(column)
    )
    result = {
        row[0]: ProposalTotals(int(row[1]), int(row[2]), int(row[3]), int(row[4]), int(row[5]))
        for row in session.execute(query)
    }
    listed = select(column, Proposal.id, Proposal.state).where(column.in_(ids),
                                                               is_open | committed)
    if visible is not None:
        listed = listed.where(visible)
    links: dict[tuple[int, bool], list[int]] = {}
    for owner, proposal_id, state in session.execute(listed.order_by(Proposal.id)):
        links.setdefault((owner, state in OPEN_PROPOSAL_STATES), []).append(proposal_id)
    for owner, totals in result.items():
        result[owner] = replace(totals, open_ids=tuple(links.get((owner, True), ())),
                                agreed_ids=tuple(links.get((owner, False), ())))
    return result


def need_totals(session: Session, need_ids: Iterable[int],
                visible: ColumnElement[bool] | None = None) -> dict[int, ProposalTotals]:
    """Proposal sums per need id (needs without proposals are absent: use ``ProposalTotals()``).

    ``open_ids`` and ``agreed_ids`` list only the proposals ``visible`` lets the viewer open.
    """
    return _totals(session, Proposal.need_id, need_ids, visible)


def offer_totals(session: Session, offer_ids: Iterable[int],
                 visible: ColumnElement[bool] | None = None) -> dict[int, ProposalTotals]:
    """Proposal sums per offer id, like ``need_totals``."""
    return _totals(session, Proposal.offer_id, offer_ids, visible)


def has_commitments(session: Session, *, need_id: int | None = None,
                    offer_id: int | None = None) -> bool:
    """Whether the need or offer has agreed (committed) proposals."""
    column, value = (Proposal.need_id, need_id) if need_id is not None else (
        Proposal.offer_id, offer_id)
    query = select(Proposal.id).where(column == value,
                                      Proposal.state.in_(COMMITTED_PROPOSAL_STATES)).limit(1)
    return session.execute(query).first() is not None


def remaining_need_usd(need: Need) -> int:
    """What is still to be covered of a need, in US dollars."""
    return max(0, need.cost_usd - need.agreed_usd)


def remaining_offer_usd(offer: Offer) -> int:
    """What an offer can still give, in US dollars."""
    return max(0, offer.budget_usd - offer.committed_usd)


MATCHABLE_NEED_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.PARTLY_MATCHED, NeedStatus.MATCHED)


def recompute_need(session: Session, need: Need) -> Need:
    """Refresh ``agreed_usd`` / ``delivered_usd`` from proposals and the status that follows.

    Only the matching statuses move (published ↔ partly matched ↔ matched); drafts, withdrawn,
    in-delivery and completed needs keep theirs.
    """
    totals = need_totals(session, [need.id]).get(need.id, ProposalTotals())
    need.agreed_usd = totals.agreed_usd
    need.delivered_usd = totals.delivered_usd
    if need.status in MATCHABLE_NEED_STATUSES:
        if need.cost_usd and need.agreed_usd >= need.cost_usd:
            need.status = NeedStatus.MATCHED
        elif need.agreed_usd > 0:
            need.status = NeedStatus.PARTLY_MATCHED
        else:
            need.status = NeedStatus.PUBLISHED
    need.updated_at = utcnow()
    session.add(need)
    return need


def recompute_offer(session: Session, offer: Offer) -> Offer:
    """Refresh ``committed_usd`` from proposals; a published offer with nothing left is exhausted."""
    totals = offer_totals(session, [offer.id]).get(offer.id, ProposalTotals())
    offer.committed_usd = totals.agreed_usd
    offer_status_follow_budget(offer)
    offer.updated_at = utcnow()
    session.add(offer)
    return offer


def offer_status_follow_budget(offer: Offer) -> None:
    """Published ↔ exhausted as the remaining budget reaches zero or grows again."""
    if offer.status == OfferStatus.PUBLISHED and offer.budget_usd and remaining_offer_usd(offer) == 0:
        offer.status = OfferStatus.EXHAUSTED
    elif offer.status == OfferStatus.EXHAUSTED and remaining_offer_usd(offer) > 0:
        offer.status = OfferStatus.PUBLISHED
