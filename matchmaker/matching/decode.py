"""A solver Solution back into proposal drafts and the run's result (stored as JSON)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from matchmaker.matching.encode import Encoded
from matchmaker.matching.explain import shadow_price_facts, unmet_facts
from matchmaker.matching.load import NeedRecord, OfferRecord
from solver import Solution


@dataclass
class ProposalDraft:
    """A proposal the run will write: the pair, the amount, and why it scores what it does."""

    need: NeedRecord
    offer: OfferRecord
    amount_usd: int
    share: float  # of the need's whole cost
    score: float  # the pair's fit: the sum of the breakdown
    breakdown: dict[str, float] = field(default_factory=dict)  # weighted value per criterion


@dataclass
class Decoded:
    drafts: list[ProposalDraft]
    result: dict  # JSON-ready: figures, unmet needs and shadow prices


def _whole(amount: float) -> int:
    """Whole dollars, never more than the solver allocated (capacities stay respected)."""
    return int(math.floor(amount + 1e-6))


def decode(encoded: Encoded, solution: Solution) -> Decoded:
    """Proposal drafts for the solution's allocations, and the facts of the run's result."""
    problem, arcs = encoded.problem, encoded.arcs
    n_offers = max(problem.num_offers, 1)
    arc_of = {
        key: arc
        for arc, key in enumerate((problem.arc_need * n_offers + problem.arc_offer).tolist())
    }
    need_at = {ref: i for i, ref in enumerate(problem.need_ids)}
    offer_at = {ref: i for i, ref in enumerate(problem.offer_ids)}
    allocated = np.zeros(problem.num_arcs)
    drafts = []
    for allocation in solution.allocations:
        n, o = need_at[allocation.need], offer_at[allocation.offer]
        arc = arc_of[n * n_offers + o]
        allocated[arc] = allocation.amount
        amount = _whole(allocation.amount)
        if amount < 1:
            continue
        need = encoded.needs[n]
        breakdown = {
            name: round(float(values[arc]), 4) for name, values in arcs.breakdown.items()
        }
        drafts.append(
            ProposalDraft(
                need=need,
                offer=encoded.offers[o],
                amount_usd=amount,
                share=round(amount / need.cost_usd, 6) if need.cost_usd else 1.0,
                score=round(sum(breakdown.values()), 4),
                breakdown=breakdown,
            )
        )
    drafts.sort(key=lambda d: (-d.score, d.need.reference, d.offer.reference))
    unmet = unmet_facts(encoded, solution, allocated)
    short = {u["reference"]: u["shortfall"] for u in unmet}
    portfolio = encoded.portfolio
    result = {
        "requested_usd": round(encoded.requested_usd),
        "proposed_usd": sum(d.amount_usd for d in drafts),
        "held_usd": round(portfolio.held_usd),
        "held_count": portfolio.held_count,
        "excluded_pairs": len(portfolio.declined) + len(portfolio.taken),
        "method": solution.method,
        "encode_seconds": round(encoded.seconds, 4),
        "solve_seconds": round(solution.seconds, 4),
        "unmet": unmet,
        "shadow_prices": shadow_price_facts(encoded, solution, allocated, short),
    }
    return Decoded(drafts=drafts, result=result)
