"""Small builders shared by the solver tests."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog

from solver import Problem


def problem(needs, offers, arcs, **options) -> Problem:
    """Problem from compact tuples: needs (id, amount[, must_cover]), offers (id, capacity),
    arcs (need, offer, score[, consumption])."""
    data = {
        "needs": [
            {"id": n[0], "amount": n[1], "must_cover": bool(n[2]) if len(n) > 2 else False}
            for n in needs
        ],
        "offers": [{"id": o[0], "capacity": o[1]} for o in offers],
        "arcs": [
            {"need": a[0], "offer": a[1], "score": a[2]}
            | ({"consumption": a[3]} if len(a) > 3 else {})
            for a in arcs
        ],
        **options,
    }
    return Problem.from_json(data)


def allocation_map(solution) -> dict[tuple[str, str], float]:
    return {(a.need, a.offer): a.amount for a in solution.allocations}


def brute_force_whole(p: Problem) -> float | None:
    """Best whole-mode objective by enumerating every assignment (None if infeasible)."""
    choices = []
    for n in range(p.num_needs):
        arcs = np.flatnonzero(p.arc_need == n).tolist()
        choices.append(arcs if p.need_must_cover[n] else [None, *arcs])
    best = None
    for pick in itertools.product(*choices):
        used = np.zeros(p.num_offers)
        total = 0.0
        for arc in pick:
            if arc is not None:
                used[p.arc_offer[arc]] += p.arc_consumption[arc]
                total += p.arc_score[arc]
        if np.all(used <= p.offer_capacity + 1e-9) and (best is None or total > best):
            best = total
    return best


def linprog_split(p: Problem) -> float:
    """Split-mode optimum (no locks, no min share) by scipy's HiGHS LP."""
    n_arcs = p.num_arcs
    if n_arcs == 0:
        return 0.0
    a_ub = np.zeros((p.num_offers + p.num_needs, n_arcs))
    a_ub[p.arc_offer, np.arange(n_arcs)] = p.arc_consumption
    a_ub[p.num_offers + p.arc_need, np.arange(n_arcs)] = 1.0
    b_ub = np.concatenate([p.offer_capacity, np.ones(p.num_needs)])
    must = np.flatnonzero(p.need_must_cover)
    a_eq = a_ub[p.num_offers + must] if must.size else None
    b_eq = np.ones(must.size) if must.size else None
    result = linprog(-p.arc_score, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, 1))
    assert result.status == 0, result.message
    return -result.fun
