"""Split mode: a need may be covered in parts by several offers.

Covering a fraction f of need n through arc a earns f * score[a] and uses f *
consumption[a] of the offer. When every arc's consumption equals the need's amount (money
for money, the common case) this is a transportation problem, solved exactly with OR-Tools'
min-cost flow through its vectorised API. Otherwise it is a small LP (GLOP), and with a
minimum share it becomes a MIP (SCIP) with one on/off switch per slice.

All functions return a :class:`SplitResult` holding the amount of each need covered
through each arc (excluding locks, which the caller adds back).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow
from ortools.linear_solver.python import model_builder_helper as mb

from .problem import Problem, ProblemError

# Largest integer unit cost handed to min-cost flow. OR-Tools multiplies costs by the number
# of nodes while scaling, so this keeps far away from int64 overflow while giving about six
# significant digits per arc, which puts the objective within ~1e-8 of the true optimum.
COST_RESOLUTION = 1_000_000


@dataclass
class SplitResult:
    """Amount of each need covered through each arc, and facts about how it was found."""

    arc_amount: np.ndarray  # float64 per arc, in the need's currency units
    status: str  # optimal | feasible
    bound: float | None  # None: the objective itself is proven optimal
    method: str
    shadow_prices: np.ndarray | None  # per offer, when the method gives them for free


def solve_split(problem: Problem, time_limit_s: float) -> SplitResult:
    """Best split allocation: min-cost flow when it is a transportation problem, else LP/MIP."""
    is_transport = np.allclose(
        problem.arc_consumption, problem.need_amount[problem.arc_need], rtol=1e-12, atol=0
    )
    if is_transport and problem.min_share == 0:
        return solve_transport(problem)
    return solve_split_lp(problem, time_limit_s)


# --- transportation problem by min-cost flow ---


def _integer_unit(values: np.ndarray) -> float:
    """Smallest power of ten that makes all values whole (money has at most a few decimals)."""
    top = float(values.max(initial=0.0))
    for digits in range(7):
        unit = 10.0**digits
        scaled = values * unit
        if top * unit > 2**52:
            return 10.0 ** max(digits - 1, 0)
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-6):
            return unit
    return 1e6


def solve_transport(problem: Problem) -> SplitResult:
    """Split mode when consumption equals the need amount, as a min-cost flow.

    Network: each offer supplies its remaining capacity; it can send it to a compatible need
    (unit cost -score/amount, scaled to integers) or leave it unused on a zero-cost arc to
    the sink, so the flow maximises profit rather than volume. Each need forwards at most its
    remaining amount to the sink; a must-cover need instead demands exactly that amount.

    Most pairs carry no flow at the optimum, so the flow is first solved on each need's
    best arcs only; the optimal flow's duals then price every other arc exactly, and any
    arc that could improve the total is added and the flow solved again (column
    generation). The result is optimal for all arcs, usually after one or two rounds.
    """
    # data
    amount = problem.remaining_amount()
    capacity = problem.remaining_capacity()
    must = problem.need_must_cover & (amount > 0)
    unit = _integer_unit(np.concatenate([amount, capacity]))
    need_units = np.round(amount * unit).astype(np.int64)
    offer_units = np.floor(capacity * unit + 1e-6).astype(np.int64)
    # Arcs into needs with something left; even a losing pair can pay by freeing an offer.
    live = np.flatnonzero(amount[problem.arc_need] > 0)
    need, offer = problem.arc_need[live], problem.arc_offer[live]
    per_unit = problem.arc_score[live] / problem.need_amount[need] / unit
    scale = COST_RESOLUTION / max(float(np.abs(per_unit).max(initial=0.0)), 1e-300)
    gain = np.round(per_unit * scale).astype(np.int64)
    network = _Network(problem.num_offers, problem.num_needs, need_units, offer_units, must)

    working = _best_per_need(need, gain, CANDIDATES_PER_NEED)
    for round_ in range(MAX_ROUNDS):
        if round_ == MAX_ROUNDS - 1:
            working[:] = True
        arcs = np.flatnonzero(working)
        solved = network.solve(need[arcs], offer[arcs], gain[arcs])
        if solved is None:  # must-cover needs not coverable by the working arcs
            if working.all():
                raise ProblemError(_must_cover_culprits(problem, must))
            working[:] = True
            continue
        arc_flow, need_full, offer_full = solved
        offer_value, need_value = residual_values(
            problem.num_offers, need[arcs], offer[arcs], gain[arcs], arc_flow, need_full
        )
        # An arc left out improves the flow iff it closes a profitable cycle.
        left_out = np.flatnonzero(~working)
        better = gain[left_out] + need_value[need[left_out]] > offer_value[offer[left_out]]
        if not better.any():
            break
        working[left_out[better]] = True

    arc_amount = np.zeros(problem.num_arcs)
    arc_amount[live[arcs]] = arc_flow / unit
    # An offer with unused capacity is worth nothing more at the margin.
    prices = np.where(offer_full, np.maximum(offer_value, 0), 0) / scale * unit
    return SplitResult(arc_amount, "optimal", None, "min_cost_flow", prices)


# Arcs per need in the first round of the transport solve, and rounds before using all.
CANDIDATES_PER_NEED = 12
MAX_ROUNDS = 8


def _best_per_need(need: np.ndarray, gain: np.ndarray, count: int) -> np.ndarray:
    """Mask of each need's `count` highest-gain arcs."""
    order = np.lexsort((-gain, need))
    sorted_need = need[order]
    group_start = np.searchsorted(sorted_need, sorted_need)
    keep = np.zeros(len(need), bool)
    keep[order[np.arange(len(order)) - group_start < count]] = True
    return keep


@dataclass
class _Network:
    """Offers 0..O-1, needs O..O+N-1 and a sink; arcs vary between rounds."""

    n_offers: int
    n_needs: int
    need_units: np.ndarray
    offer_units: np.ndarray
    must: np.ndarray

    def solve(self, need, offer, gain):
        """Optimal integer flow: (flow per arc, need full?, offer full?) or None if the
        must-cover needs cannot be met."""
        n_offers, sink = self.n_offers, self.n_offers + self.n_needs
        free = np.flatnonzero(~self.must)
        tails = np.concatenate([offer, np.arange(n_offers), n_offers + free])
        heads = np.concatenate([n_offers + need, np.full(n_offers, sink), np.full(len(free), sink)])
        capacities = np.concatenate(
            [self.need_units[need], self.offer_units, self.need_units[free]]
        )
        costs = np.concatenate([-gain, np.zeros(n_offers + len(free), np.int64)])
        supplies = np.concatenate([self.offer_units, -np.where(self.must, self.need_units, 0), [0]])
        supplies[sink] = -supplies.sum()

        flow = min_cost_flow.SimpleMinCostFlow()
        arc_ids = flow.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32), heads.astype(np.int32), capacities, costs
        )
        flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
        status = flow.solve()
        if status == flow.INFEASIBLE:
            return None
        if status != flow.OPTIMAL:
            raise ProblemError(f"min-cost flow failed with status {status!r}")
        flows = flow.flows(arc_ids)
        n_arcs = len(need)
        need_full = np.ones(self.n_needs, bool)
        need_full[free] = flows[n_arcs + n_offers :] >= self.need_units[free]
        offer_full = flows[n_arcs : n_arcs + n_offers] == 0
        return flows[:n_arcs], need_full, offer_full


def residual_values(
    n_offers: int,
    need: np.ndarray,
    offer: np.ndarray,
    gain: np.ndarray,
    arc_flow: np.ndarray,
    need_full: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Longest-path values to the sink in the residual network of an optimal flow.

    offer_value[o] is the best gain from one more unit at offer o: unused (0), straight to a
    need with room, or to a full need while pushing another offer's unit out of it, and so
    on. It is the smallest LP dual of the offer's capacity row, i.e. its shadow price (in
    the integer gain units). need_value[n] is the same for one more unit arriving at need n.
    The residual network of an optimal flow has no profitable cycle, so a vectorised
    Bellman-Ford sweep over the arcs converges (exactly, as gains are integers); this
    avoids re-solving the same LP with GLOP at a million arcs.
    """
    n_needs = len(need_full)
    # A need with room absorbs a unit at no gain, so arcs into such needs are settled at
    # once; only arcs into full needs take part in the sweep. (Arc capacities equal the
    # need's amount and are never what binds, so every arc counts as open forward.)
    settled = ~need_full[need]
    base_offer = np.zeros(n_offers, np.int64)
    np.maximum.at(base_offer, offer[settled], gain[settled])
    fwd_offer, fwd_need, fwd_gain = offer[~settled], need[~settled], gain[~settled]
    backward = arc_flow > 0  # can take back what the arc carries
    back_offer, back_need, back_gain = offer[backward], need[backward], gain[backward]

    unreachable = np.iinfo(np.int64).min // 4
    need_base = np.where(need_full, unreachable, 0)
    offer_value = base_offer
    for _ in range(n_offers + n_needs + 1):
        need_value = need_base.copy()
        np.maximum.at(need_value, back_need, offer_value[back_offer] - back_gain)
        new_offer = base_offer.copy()
        np.maximum.at(new_offer, fwd_offer, fwd_gain + need_value[fwd_need])
        if np.array_equal(new_offer, offer_value):
            break
        offer_value = new_offer
    return offer_value, need_value


def _must_cover_culprits(problem: Problem, must: np.ndarray) -> str:
    """Name the must-cover needs that cannot all be covered, via a max-flow relaxation."""
    amount = problem.remaining_amount()
    capacity = problem.remaining_capacity()
    need, offer = problem.arc_need, problem.arc_offer
    reach = np.bincount(need, capacity[offer], minlength=problem.num_needs)
    alone = np.flatnonzero(must & (reach < amount * (1 - 1e-9)))
    if alone.size:
        names = ", ".join(repr(problem.need_ids[i]) for i in alone[:5])
        if not np.any(need == alone[0]):
            return (
                f"need {problem.need_ids[alone[0]]!r}: must be covered but has no compatible offer"
            )
        return f"must-cover need(s) {names}: compatible offers lack the capacity to cover them"
    names = ", ".join(repr(problem.need_ids[i]) for i in np.flatnonzero(must)[:5])
    return f"must-cover needs cannot all be covered at once (they compete for capacity): {names}"


# --- general split: LP (GLOP), or MIP (SCIP) when slices have a minimum share ---


def solve_split_lp(problem: Problem, time_limit_s: float) -> SplitResult:
    """Split mode with per-pair consumption and/or a minimum share.

    Variables are the fraction of each need covered through each arc (an LP, GLOP). With
    min_share > 0 a slice must be 0 or at least min_share: the LP without that rule is a
    bound; dropping the arcs of too-small slices and re-solving until none is left gives a
    good assignment fast, which then seeds a MIP (SCIP, one switch per slice) on instances
    small enough for it to help within the time limit.
    """
    started = time.perf_counter()
    model = _SplitModel(problem)
    fraction, value, duals = model.lp(model.upper)
    if problem.min_share == 0:
        prices = np.clip(duals[: problem.num_offers], 0, None)
        return SplitResult(model.amounts(fraction), "optimal", None, "lp_glop", prices)

    bound, best, method = value, None, "lp_rounding"
    upper = model.upper.copy()
    lp_seconds = time.perf_counter() - started
    for _ in range(MAX_ROUNDING_ROUNDS):
        small = (fraction > 1e-9) & (fraction < problem.min_share * (1 - 1e-9))
        if not small.any():
            best = (fraction, value)
            break
        upper[small] = 0.0
        if time.perf_counter() - started + 1.5 * lp_seconds > time_limit_s:
            break
        try:
            fraction, value, _ = model.lp(upper)
        except ProblemError:  # dropping slices left a must-cover need short
            break
    if best is None:
        # Out of rounds or time: dropping the remaining small slices still fits (it only
        # frees capacity) unless a must-cover need falls short.
        trimmed = np.where(fraction < problem.min_share * (1 - 1e-9), 0.0, fraction)
        if model.covers_must(trimmed):
            best = (trimmed, float(model.score @ trimmed))
    time_left = time_limit_s - (time.perf_counter() - started)
    if model.n_arcs <= MIP_MAX_ARCS and time_left > 0.1:
        hint = best[0] if best else None
        found = model.mip(problem.min_share, hint, time_left)
        if found is not None:
            mip_fraction, mip_value, mip_bound = found
            bound = min(bound, mip_bound)
            if best is None or mip_value > best[1]:
                best, method = (mip_fraction, mip_value), "mip_scip"
    if best is None:
        raise ProblemError("no allocation respecting min_share and every must-cover need was found")
    optimal = best[1] >= bound - 1e-9 * max(1.0, abs(bound))
    status = "optimal" if optimal else "feasible"
    # a solver's zero may come back as 1e-16: below the rule it is no slice at all
    chosen = np.where(best[0] < problem.min_share * (1 - 1e-6), 0.0, best[0])
    return SplitResult(model.amounts(chosen), status, bound, method, None)


# Rounds of dropping too-small slices, and the largest MIP worth handing to SCIP.
MAX_ROUNDING_ROUNDS = 50
MIP_MAX_ARCS = 20_000


class _SplitModel:
    """The split LP as sparse data: offer capacity rows, then need rows."""

    def __init__(self, problem: Problem):
        # data
        self.problem = problem
        n_needs, n_offers = problem.num_needs, problem.num_offers
        amount = problem.remaining_amount()
        self.must = problem.need_must_cover & (amount > 0)
        # Even a losing pair can pay off by freeing capacity elsewhere: the LP keeps them all.
        self.arcs = np.flatnonzero(amount[problem.arc_need] > 0)
        self.n_arcs = len(self.arcs)
        need, offer = problem.arc_need[self.arcs], problem.arc_offer[self.arcs]
        # Fractions are of the original need; what is left after locks caps them.
        share_left = amount / problem.need_amount
        self.upper = share_left[need]
        self.score = problem.arc_score[self.arcs]
        columns = np.arange(self.n_arcs)
        self.matrix = sp.csr_matrix(
            (
                np.concatenate([problem.arc_consumption[self.arcs], np.ones(self.n_arcs)]),
                (np.concatenate([offer, n_offers + need]), np.concatenate([columns, columns])),
            ),
            shape=(n_offers + n_needs, self.n_arcs),
        )
        self.row_lower = np.concatenate(
            [np.full(n_offers, -np.inf), np.where(self.must, share_left, -np.inf)]
        )
        self.row_upper = np.concatenate([problem.remaining_capacity(), share_left])

    def covers_must(self, fraction: np.ndarray) -> bool:
        """Whether every must-cover need is still fully covered by these fractions."""
        need = self.problem.arc_need[self.arcs]
        covered = np.bincount(need, fraction, minlength=self.problem.num_needs)
        share_left = self.row_upper[self.problem.num_offers :]
        return bool(np.all(covered[self.must] >= share_left[self.must] * (1 - 1e-9)))

    def amounts(self, fraction: np.ndarray) -> np.ndarray:
        """Amount covered through every arc of the problem (0 off the model)."""
        result = np.zeros(self.problem.num_arcs)
        need = self.problem.arc_need[self.arcs]
        result[self.arcs] = np.clip(fraction, 0, None) * self.problem.need_amount[need]
        return result

    def lp(self, upper: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
        """GLOP: (fractions, objective, row duals)."""
        model = mb.ModelBuilderHelper()
        model.fill_model_from_sparse_data(
            np.zeros(self.n_arcs), upper, self.score, self.row_lower, self.row_upper, self.matrix
        )
        model.set_maximize(True)
        solver = mb.ModelSolverHelper("glop")
        solver.solve(model)
        status = solver.status()
        if status == mb.SolveStatus.INFEASIBLE:
            raise ProblemError(_must_cover_culprits(self.problem, self.must))
        if status != mb.SolveStatus.OPTIMAL:
            raise ProblemError(f"split LP failed: {solver.status_string() or status.name}")
        fraction = np.asarray(solver.variable_values())
        return fraction, float(self.score @ fraction), np.asarray(solver.dual_values())

    def mip(self, min_share, hint, time_limit_s):
        """SCIP with a switch y per slice (min_share * y <= f <= y): (fractions, objective,
        bound), or None when it finds nothing in time."""
        n = self.n_arcs
        columns = np.arange(n)
        rows = self.matrix.shape[0]
        # f - y <= 0 and f - min_share * y >= 0, below the capacity and need rows.
        switch = sp.csr_matrix(
            (
                np.concatenate([np.ones(n), -np.ones(n), np.ones(n), -min_share * np.ones(n)]),
                (
                    np.concatenate([columns, columns, n + columns, n + columns]),
                    np.concatenate([columns, n + columns, columns, n + columns]),
                ),
            ),
            shape=(2 * n, 2 * n),
        )
        matrix = sp.vstack([sp.hstack([self.matrix, sp.csr_matrix((rows, n))]), switch]).tocsr()
        model = mb.ModelBuilderHelper()
        model.fill_model_from_sparse_data(
            np.zeros(2 * n),
            np.concatenate([self.upper, np.ones(n)]),
            np.concatenate([self.score, np.zeros(n)]),
            np.concatenate([self.row_lower, np.full(n, -np.inf), np.zeros(n)]),
            np.concatenate([self.row_upper, np.zeros(n), np.full(n, np.inf)]),
            matrix,
        )
        model.set_maximize(True)
        for column in range(n, 2 * n):
            model.set_var_integrality(column, True)
        if hint is not None:
            for column, value in enumerate(hint.tolist()):
                model.add_hint(column, value)
                model.add_hint(n + column, 1.0 if value > 1e-9 else 0.0)
        solver = mb.ModelSolverHelper("scip")
        solver.set_time_limit_in_seconds(max(time_limit_s, 0.1))
        solver.solve(model)
        if not solver.has_solution():
            return None
        fraction = np.asarray(solver.variable_values())[:n]
        return fraction, float(self.score @ fraction), float(solver.best_objective_bound())
