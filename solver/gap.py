"""Whole mode: each need goes wholly to at most one offer (exactly one if must-cover).

This is the generalised assignment problem. It is solved with OR-Tools CP-SAT, which also
returns a proven bound, so the gap to the optimum is known. CP-SAT needs integers: scores
and consumptions are scaled (exactly when they have few decimals, as money and counts do);
otherwise consumptions are rounded up and capacities down at 2**-40 relative precision, so
a solution is always truly feasible and bounds refer to that rounded model.

Steps: a starting assignment (regret greedy and Lagrangian prices, repaired and improved,
see :mod:`solver.heuristic`) is given to CP-SAT as a hint, with a Lagrangian bound. CP-SAT
then runs alone on every core for PHASE_ONE_SHARE of the time, which proves small
instances optimal; if it has not, CP-SAT (one worker fewer) and SCIP (one core) continue
side by side from the best assignment so far, and the best of all is kept with the
tightest of all bounds. On published GAP benchmarks of 20 agents SCIP's heuristics often
find the better assignment within seconds, so the pair beats either alone on two cores.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.linear_solver.python import model_builder_helper as mb
from ortools.sat.python import cp_model

from .heuristic import starting_assignment
from .problem import Problem, ProblemError

# Scores with more decimals than this are scaled so the largest becomes SCORE_RESOLUTION.
SCORE_RESOLUTION = 10_000_000


@dataclass
class WholeResult:
    """Chosen arcs and the proven bound (in original score units, locks excluded)."""

    chosen: np.ndarray  # arc indices assigned (locks excluded)
    status: str  # optimal | feasible
    bound: float
    method: str


def _scale_to_integers(values: np.ndarray, max_digits: int, limit: float) -> float | None:
    """Smallest power of ten (up to 10**max_digits) making every value whole, or None."""
    top = float(np.abs(values).max(initial=0.0))
    for digits in range(max_digits + 1):
        factor = 10.0**digits
        if top * factor > limit:
            return None
        scaled = values * factor
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * max(1.0, top * factor)):
            return factor
    return None


def solve_whole(problem: Problem, time_limit_s: float) -> WholeResult:
    """Best whole assignment by CP-SAT within time_limit_s seconds."""
    started = time.perf_counter()
    # data
    capacity = problem.remaining_capacity()
    locked = np.zeros(problem.num_needs, bool)
    locked[problem.locked_need] = True
    must = problem.need_must_cover & ~locked
    need, offer = problem.arc_need, problem.arc_offer
    fits = problem.arc_consumption <= capacity[offer] * (1 + 1e-12)
    arcs = np.flatnonzero(~locked[need] & fits & ((problem.arc_score > 0) | must[need]))
    _check_must_cover_reachable(problem, must, arcs)
    need, offer = need[arcs], offer[arcs]
    score, consumption = problem.arc_score[arcs], problem.arc_consumption[arcs]

    unit = _scale_to_integers(np.concatenate([consumption, capacity]), 6, 2.0**50)
    if unit is None:
        unit = 2.0**40 / max(float(capacity.max(initial=1.0)), float(consumption.max(initial=1.0)))
    use = np.ceil(consumption * unit - 1e-9).astype(np.int64)
    room = np.floor(capacity * unit + 1e-9).astype(np.int64)
    score_unit = _scale_to_integers(score, 4, 2.0**40 / max(problem.num_needs, 1))
    if score_unit is None:
        score_unit = SCORE_RESOLUTION / max(float(np.abs(score).max(initial=0.0)), 1e-300)
    worth = np.round(score * score_unit).astype(np.int64)

    model, x, _ = _build_model(problem, need, offer, use, room, worth, must)
    # The starting assignment comes with a Lagrangian bound (as strong as the LP's at best).
    hint, bound = starting_assignment(problem.num_needs, need, offer, score, use, room, must)
    candidates = [(hint, "heuristic")] if _feasible(hint, need, offer, use, room, must) else []

    # solve, phase one: CP-SAT on every core (small instances are proven optimal here).
    # Building the model counts too, and reading back a large solution takes a moment.
    time_limit_s -= time.perf_counter() - started + 4e-6 * len(arcs)
    started = time.perf_counter()
    cores = max(os.cpu_count() or 1, 1)
    portfolio = cores >= 2 and len(arcs) <= SCIP_MAX_ARCS
    share = PHASE_ONE_SHARE if portfolio else 1.0
    values, cp_bound, status = _run_cp_sat(model, x, hint, time_limit_s * share, cores)
    if status == cp_model.INFEASIBLE:
        raise ProblemError(_infeasible_core(problem, need, offer, use, room, must))
    if status == cp_model.MODEL_INVALID:
        raise ProblemError(f"whole-mode model invalid: {model.validate()}")
    proven = status == cp_model.OPTIMAL
    if values is not None:
        candidates.append((values, "cp_sat"))
        bound = min(bound, cp_bound / score_unit)

    # Phase two: CP-SAT and SCIP side by side from the best assignment so far. On
    # generalised assignment SCIP's heuristics often beat CP-SAT's on large-ish instances,
    # while CP-SAT proves small ones faster: the two phases get the best of both.
    time_left = time_limit_s - (time.perf_counter() - started)
    if portfolio and not proven and time_left > 0.2:
        incumbent = _best(candidates, score)[0] if candidates else hint
        helper = _ScipHelper(need, offer, score, use, room, must, problem.num_offers, incumbent)
        second = cp_model.CpSolver()
        helper.start(time_left, on_optimal=second.stop_search)
        values, cp_bound, status = _run_cp_sat(model, x, incumbent, time_left, cores - 1, second)
        if status == cp_model.OPTIMAL:
            helper.stop()
        helper.join()
        proven = status == cp_model.OPTIMAL or helper.optimal
        if values is not None:
            candidates.append((values, "cp_sat"))
            bound = min(bound, cp_bound / score_unit)
        if helper.chosen is not None:
            candidates.append((helper.chosen, "scip"))
            bound = min(bound, helper.bound)

    if not candidates:
        raise ProblemError(
            "no assignment covering every must-cover need was found within the time limit"
        )
    chosen, method = _best(candidates, score)
    objective = float(score[chosen].sum())
    optimal = proven or objective >= bound - 1e-9 * max(1.0, abs(bound))
    bound = objective if optimal else max(bound, objective)
    return WholeResult(arcs[chosen], "optimal" if optimal else "feasible", bound, method)


# Share of the time limit CP-SAT gets alone before SCIP joins it.
PHASE_ONE_SHARE = 0.4


def _best(candidates, score):
    return max(candidates, key=lambda candidate: float(score[candidate[0]].sum()))


def _run_cp_sat(model, x, hint, time_limit_s, workers, solver=None):
    """Solve with a hint: (chosen mask or None, best bound in scaled units, status)."""
    model.clear_hints()
    for var, value in zip(x, hint.tolist(), strict=True):
        model.add_hint(var, value)
    solver = solver or cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.05)
    solver.parameters.num_workers = max(workers, 1)
    solver.parameters.catch_sigint_signal = False  # Ctrl+C belongs to the caller (worker, CLI)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, np.inf, status
    values = np.array(solver.response_proto.solution, dtype=np.int64)[: len(x)] > 0
    return values, solver.best_objective_bound, status


# SCIP joins in on instances up to this many arcs (the size of the published GAP
# benchmarks); on larger ones CP-SAT with every core did better in our measurements.
SCIP_MAX_ARCS = 10_000


class _ScipHelper:
    """SCIP on the same integer model in a background thread (it releases the GIL).

    On generalised assignment SCIP's primal heuristics often find a better assignment in
    the first seconds than CP-SAT with a single worker, and CP-SAT with two workers than
    SCIP: running both and keeping the better is the strongest use of two cores.
    """

    def __init__(self, need, offer, score, use, room, must, n_offers, hint):
        n_arcs, n_needs = len(need), len(must)
        columns = np.arange(n_arcs)
        matrix = sp.csr_matrix(
            (
                np.concatenate([use.astype(np.float64), np.ones(n_arcs)]),
                (np.concatenate([offer, n_offers + need]), np.concatenate([columns, columns])),
            ),
            shape=(n_offers + n_needs, n_arcs),
        )
        self.model = mb.ModelBuilderHelper()
        self.model.fill_model_from_sparse_data(
            np.zeros(n_arcs),
            np.ones(n_arcs),
            score.astype(np.float64),
            np.concatenate([np.full(n_offers, -np.inf), np.where(must, 1.0, -np.inf)]),
            np.concatenate([room.astype(np.float64), np.ones(n_needs)]),
            matrix,
        )
        self.model.set_maximize(True)
        for column in range(n_arcs):
            self.model.set_var_integrality(column, True)
        for column in np.flatnonzero(hint).tolist():
            self.model.add_hint(column, 1.0)
        self.solver = mb.ModelSolverHelper("scip")
        self.chosen, self.bound, self.optimal, self.infeasible = None, np.inf, False, False
        self.thread = None

    def start(self, time_limit_s: float, on_optimal) -> None:
        self.solver.set_time_limit_in_seconds(max(time_limit_s, 0.05))

        def run():
            self.solver.solve(self.model)
            status = self.solver.status()
            self.infeasible = status == mb.SolveStatus.INFEASIBLE
            if self.solver.has_solution():
                self.chosen = np.asarray(self.solver.variable_values()) > 0.5
                self.bound = float(self.solver.best_objective_bound())
                self.optimal = status == mb.SolveStatus.OPTIMAL
                if self.optimal:
                    on_optimal()

        self.thread = threading.Thread(target=run, name="scip-helper", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.solver.interrupt_solve()

    def join(self) -> None:
        self.thread.join()


def _feasible(chosen, need, offer, use, room, must) -> bool:
    load = np.bincount(offer[chosen], use[chosen], minlength=len(room))
    covered = np.zeros(len(must), bool)
    covered[need[chosen]] = True
    counts = np.bincount(need[chosen], minlength=len(must))
    return bool((load <= room).all() and covered[must].all() and (counts <= 1).all())


def _check_must_cover_reachable(problem: Problem, must: np.ndarray, arcs: np.ndarray) -> None:
    """A must-cover need with no arc, or only arcs to offers too small, names itself."""
    has_usable = np.zeros(problem.num_needs, bool)
    has_usable[problem.arc_need[arcs]] = True
    has_any = np.zeros(problem.num_needs, bool)
    has_any[problem.arc_need] = True
    stuck = np.flatnonzero(must & ~has_usable)
    if stuck.size:
        n = int(stuck[0])
        if not has_any[n]:
            raise ProblemError(
                f"need {problem.need_ids[n]!r}: must be covered but has no compatible offer"
            )
        raise ProblemError(
            f"need {problem.need_ids[n]!r}: must be covered but no compatible offer has "
            f"enough capacity left to take it whole"
        )


def _build_model(problem, need, offer, use, room, worth, must, assume_cover=False):
    """CP-SAT model: variables, constraints, objective. With assume_cover, each must-cover
    row is enforced by an assumption literal (used to find an infeasible core)."""
    # variables: one boolean per usable arc, in arc order (so solution[i] is arc i)
    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in range(len(need))]
    cover_literals = {}

    # constraints: one offer at most per need (exactly one when must-cover) ...
    by_need = np.argsort(need, kind="stable")
    starts = np.searchsorted(need[by_need], np.arange(problem.num_needs + 1))
    for n in range(problem.num_needs):
        group = [x[a] for a in by_need[starts[n] : starts[n + 1]].tolist()]
        if not group:
            continue
        if must[n] and assume_cover:
            model.add_at_most_one(group)
            literal = model.new_bool_var(f"cover_{n}")
            model.add_bool_or(group).only_enforce_if(literal)
            cover_literals[literal.index] = n
        elif must[n]:
            model.add_exactly_one(group)
        elif len(group) > 1:
            model.add_at_most_one(group)
    # ... and each offer's capacity, where it can bind at all.
    by_offer = np.argsort(offer, kind="stable")
    starts = np.searchsorted(offer[by_offer], np.arange(problem.num_offers + 1))
    for o in range(problem.num_offers):
        members = by_offer[starts[o] : starts[o + 1]]
        if members.size and use[members].sum() > room[o]:
            terms = [x[a] for a in members.tolist()]
            model.add(
                cp_model.LinearExpr.weighted_sum(terms, use[members].tolist()) <= int(room[o])
            )

    # objective
    if assume_cover:
        model.add_assumptions([model.get_bool_var_from_proto_index(i) for i in cover_literals])
    else:
        model.maximize(cp_model.LinearExpr.weighted_sum(x, worth.tolist()))
    return model, x, cover_literals


def _infeasible_core(problem, need, offer, use, room, must) -> str:
    """Name a set of must-cover needs that cannot all be covered together.

    Each must-cover row is re-posted behind an assumption literal; CP-SAT then returns a
    subset of those assumptions that is already infeasible.
    """
    worth = np.zeros(len(need), np.int64)
    model, _, literals = _build_model(problem, need, offer, use, room, worth, must, True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5.0
    solver.parameters.num_workers = 1
    solver.parameters.catch_sigint_signal = False
    solver.solve(model)
    core = [literals[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in literals]
    if not core:
        core = np.flatnonzero(must).tolist()
    names = ", ".join(repr(problem.need_ids[n]) for n in core[:8])
    more = f" and {len(core) - 8} more" if len(core) > 8 else ""
    return f"must-cover needs {names}{more} cannot all be covered with the offers' capacity"
