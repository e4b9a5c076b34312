"""Matchmaker's allocation solver: arrays in, the best portfolio allocation out.

A pure package (it imports nothing from ``matchmaker``)::

    from solver import Problem, solve
    problem = Problem.from_json(open("problem.json").read())
    solution = solve(problem)          # -> Solution
    print(solution.to_json())

``whole`` mode is a generalised assignment problem solved with CP-SAT (with a proven bound);
``split`` mode is a transportation problem solved exactly with min-cost flow (or an LP / MIP
when consumption differs from the amount or slices have a minimum share). See
:mod:`solver.score` for building compatible pairs and explainable scores from need and offer
attributes.
"""

from __future__ import annotations

import time

import numpy as np

from .explain import REASONS, lp_shadow_prices, shadow_price_list, unmet_needs
from .flow import solve_split
from .gap import solve_whole
from .problem import (
    Allocation,
    Problem,
    ProblemError,
    ShadowPrice,
    Solution,
    Unmet,
    relative_gap,
)

__all__ = [
    "REASONS",
    "Allocation",
    "Problem",
    "ProblemError",
    "ShadowPrice",
    "Solution",
    "Unmet",
    "solve",
    "solve_json",
]

MODES_HELP = (
    "whole: each need goes wholly to at most one offer (CP-SAT); "
    "split: needs may be covered in parts by several offers (min-cost flow / LP)"
)

# Above this many arcs with per-pair consumption, GLOP's LP relaxation (for shadow prices)
# takes longer than a whole-mode solve is allowed; the duals are then left out.
LP_DUALS_MAX_ARCS = 60_000


def _dual_seconds(problem: Problem) -> float | None:
    """Time to keep back for the LP relaxation's duals, or None when unaffordable."""
    transport = np.allclose(problem.arc_consumption, problem.need_amount[problem.arc_need])
    if transport:  # solved as a min-cost flow: fast at any size
        return 0.05 + 1e-6 * problem.num_arcs
    if problem.num_arcs > LP_DUALS_MAX_ARCS:
        return None
    return 0.05 + 2e-5 * problem.num_arcs


def solve(problem: Problem, started: float | None = None) -> Solution:
    """Best allocation for the whole portfolio, with its bound, unmet reasons and duals.

    ``started`` (a ``time.perf_counter()`` value) lets a caller count its own parsing time
    against ``problem.time_limit_s``. Raises :class:`ProblemError` when the input is
    infeasible (e.g. a must-cover need that cannot be covered), naming the culprit.
    """
    started = time.perf_counter() if started is None else started
    time_left = problem.time_limit_s - (time.perf_counter() - started)
    arc_amount = np.zeros(problem.num_arcs)
    if problem.mode == "split":
        result = solve_split(problem, max(time_left, 0.1))
        arc_amount += result.arc_amount
        status, method, prices = result.status, result.method, result.shadow_prices
        bound = result.bound
    else:
        reserve = _dual_seconds(problem) or 0.0
        result = solve_whole(problem, max(time_left - reserve, 0.1))
        chosen = result.chosen
        arc_amount[chosen] = problem.need_amount[problem.arc_need[chosen]]
        status, method, prices, bound = result.status, result.method, None, result.bound

    # Agreed commitments are part of the allocation and of the objective.
    np.add.at(arc_amount, problem.locked_arc, problem.locked_amount)
    share = arc_amount / problem.need_amount[problem.arc_need]
    objective = float(share @ problem.arc_score)
    locked_score = float(problem.locked_score().sum())
    bound = objective if bound is None else max(objective, bound + locked_score)
    if status == "optimal":
        bound = objective

    message = ""
    if prices is None and _dual_seconds(problem) is None:
        message = "shadow prices left out: the LP relaxation is too large for the time limit"
    elif prices is None:
        time_left = problem.time_limit_s - (time.perf_counter() - started)
        prices = lp_shadow_prices(problem, max(time_left, 0.5))
    used = np.flatnonzero(arc_amount > 0)
    allocations = [
        Allocation(problem.need_ids[n], problem.offer_ids[o], amount, score)
        for n, o, amount, score in zip(
            problem.arc_need[used].tolist(),
            problem.arc_offer[used].tolist(),
            arc_amount[used].tolist(),
            (share[used] * problem.arc_score[used]).tolist(),
            strict=True,
        )
    ]
    return Solution(
        status=status,
        objective=objective,
        bound=float(bound),
        gap=relative_gap(objective, bound),
        seconds=time.perf_counter() - started,
        allocations=allocations,
        unmet=unmet_needs(problem, arc_amount),
        shadow_prices=shadow_price_list(problem, prices),
        method=method,
        message=message,
    )


def solve_json(
    data: dict | str | bytes,
    mode: str | None = None,
    time_limit_s: float | None = None,
    started: float | None = None,
) -> dict:
    """JSON problem in, JSON result out (the command line's whole job)."""
    started = time.perf_counter() if started is None else started
    problem = Problem.from_json(data)
    if mode is not None or time_limit_s is not None:
        problem = _override(problem, mode, time_limit_s)
    return solve(problem, started).to_json()


def _override(problem: Problem, mode: str | None, time_limit_s: float | None) -> Problem:
    """Re-validate with a different mode / time limit (whole-mode locks are stricter)."""
    return Problem.from_arrays(
        need_ids=problem.need_ids,
        need_amount=problem.need_amount,
        need_must_cover=problem.need_must_cover,
        offer_ids=problem.offer_ids,
        offer_capacity=problem.offer_capacity,
        arc_need=problem.arc_need,
        arc_offer=problem.arc_offer,
        arc_score=problem.arc_score,
        arc_consumption=problem.arc_consumption,
        locked_need=problem.locked_need,
        locked_offer=problem.locked_offer,
        locked_amount=problem.locked_amount,
        mode=mode or problem.mode,
        time_limit_s=problem.time_limit_s if time_limit_s is None else time_limit_s,
        min_share=problem.min_share,
    )
