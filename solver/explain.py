"""Explanations after a solve: why each unmet need is unmet, and what capacity is worth.

Unmet reasons are stable machine codes, each with a sentence for people:

- ``no_compatible_offer``: no offer is compatible with the need at all;
- ``not_worthwhile``: compatible offers exist but every pair scores <= 0;
- ``too_large``: (whole mode) no compatible offer has enough capacity for the whole need;
- ``outbid``: compatible offers exist but their capacity went to higher-scoring needs;
- ``partly_covered``: (split mode) some but not all of the need is covered.

Shadow prices are the duals of the offers' capacity rows in the LP relaxation of the
allocation (GLOP), i.e. what one more unit of an offer's capacity would add to the objective.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .flow import solve_split
from .problem import Problem, ProblemError, ShadowPrice, Unmet

REASONS = {
    "no_compatible_offer": "no compatible offer",
    "not_worthwhile": "compatible offers score nothing",
    "too_large": "no compatible offer is large enough",
    "outbid": "compatible offers used by higher-scoring needs",
    "partly_covered": "partly covered",
}


def unmet_needs(problem: Problem, arc_amount: np.ndarray) -> list[Unmet]:
    """One :class:`Unmet` per need whose covered amount (locks included) is short."""
    need, offer, score = problem.arc_need, problem.arc_offer, problem.arc_score
    covered = np.bincount(need, arc_amount, minlength=problem.num_needs)
    shortfall = problem.need_amount - covered
    short = np.flatnonzero(shortfall > 1e-9 * problem.need_amount)
    if short.size == 0:
        return []

    n_arcs = np.bincount(need, minlength=problem.num_needs)
    # Look only at the arcs of short needs: a small share of a large problem.
    of_short = np.zeros(problem.num_needs, bool)
    of_short[short] = True
    arcs = np.flatnonzero(of_short[need])
    # The best arc of each short need: the offer a person would expect it to get.
    order = arcs[np.lexsort((-score[arcs], need[arcs]))]
    firsts = order[np.flatnonzero(np.diff(need[order], prepend=-1) != 0)]
    best_arc = np.full(problem.num_needs, -1)
    best_arc[need[firsts]] = firsts
    best_score = np.full(problem.num_needs, -np.inf)
    best_score[need[firsts]] = score[firsts]
    # Largest capacity left over among each need's offers, after taking the whole need.
    room = np.full(problem.num_needs, -np.inf)
    np.maximum.at(
        room, need[arcs], problem.offer_capacity[offer[arcs]] - problem.arc_consumption[arcs]
    )
    takers = _takers_by_offer(problem, arc_amount)

    result = []
    for n in short.tolist():
        need_id, gap = problem.need_ids[n], float(shortfall[n])
        if n_arcs[n] == 0:
            result.append(Unmet(need_id, "no_compatible_offer", gap, "no offer is compatible"))
        elif covered[n] > 1e-9 * problem.need_amount[n]:
            detail = (
                f"covered {covered[n]:,.2f} of {problem.need_amount[n]:,.2f}; "
                f"short by {gap:,.2f}: compatible offers have no capacity left"
            )
            result.append(Unmet(need_id, "partly_covered", gap, detail))
        elif best_score[n] <= 0 and not problem.need_must_cover[n]:
            detail = f"its {n_arcs[n]} compatible offer(s) all score {best_score[n]:g} or less"
            result.append(Unmet(need_id, "not_worthwhile", gap, detail))
        elif problem.mode == "whole" and room[n] < 0:
            detail = "no compatible offer has enough capacity to take the whole need"
            result.append(Unmet(need_id, "too_large", gap, detail))
        else:
            arc = int(best_arc[n])
            o = int(offer[arc])
            users = takers.get(o, [])
            names = ", ".join(repr(u) for u in users[:3])
            more = f" and {len(users) - 3} more" if len(users) > 3 else ""
            detail = f"its best offer {problem.offer_ids[o]!r} (score {score[arc]:g}) " + (
                f"is used by higher-scoring needs {names}{more}" if users else "has no room left"
            )
            result.append(Unmet(need_id, "outbid", gap, detail))
    return result


def _takers_by_offer(problem: Problem, arc_amount: np.ndarray) -> dict[int, list[str]]:
    """Needs served by each offer, best score per unit of capacity first."""
    used = np.flatnonzero(arc_amount > 0)
    density = problem.arc_score[used] / np.maximum(problem.arc_consumption[used], 1e-300)
    used = used[np.argsort(-density, kind="stable")]
    takers: dict[int, list[str]] = {}
    for arc in used.tolist():
        takers.setdefault(int(problem.arc_offer[arc]), []).append(
            problem.need_ids[problem.arc_need[arc]]
        )
    return takers


def lp_shadow_prices(problem: Problem, time_limit_s: float) -> np.ndarray | None:
    """Duals of the offer capacity rows in the LP relaxation (None if it cannot be solved).

    The LP relaxation of either mode is the split problem without a minimum share, so it is
    solved by the split code: min-cost flow when consumption equals the need amount, GLOP
    otherwise.
    """
    relaxed = dataclasses.replace(problem, mode="split", min_share=0.0)
    relaxed.locked_arc = problem.locked_arc
    try:
        return solve_split(relaxed, time_limit_s).shadow_prices
    except ProblemError:
        return None


def shadow_price_list(problem: Problem, values: np.ndarray | None) -> list[ShadowPrice]:
    """Per offer shadow prices, rounded to hide floating-point noise."""
    if values is None:
        return []
    values = np.where(np.abs(values) < 1e-12, 0.0, values)
    return [
        ShadowPrice(offer_id, float(f"{value:.12g}"))
        for offer_id, value in zip(problem.offer_ids, values.tolist(), strict=True)
    ]
