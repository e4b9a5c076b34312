"""Split mode: min-cost flow and LP / MIP paths against hand checks and scipy's linprog."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import ProblemError, solve
from solver.flow import COST_RESOLUTION

from .helpers import allocation_map, linprog_split, problem


def test_hand_checked_transport():
    # Per unit: N3 0.12 and N1 0.10 fill O1; N2 is worth more on O1 (0.08) than O2 (0.05)
    # but O1 is full, so N2 goes to O2.
    p = problem(
        [("N1", 100), ("N2", 100), ("N3", 50)],
        [("O1", 150), ("O2", 100)],
        [("N1", "O1", 10), ("N2", "O1", 8), ("N2", "O2", 5), ("N3", "O1", 6)],
        mode="split",
    )
    s = solve(p)
    assert s.method == "min_cost_flow" and s.status == "optimal" and s.gap == 0
    assert s.objective == pytest.approx(21)
    assert allocation_map(s) == {("N1", "O1"): 100, ("N2", "O2"): 100, ("N3", "O1"): 50}
    # One more unit on O1 moves a unit of N2 from O2 (0.05) to O1 (0.08).
    prices = {sp.offer: sp.value for sp in s.shadow_prices}
    assert prices == pytest.approx({"O1": 0.03, "O2": 0.0})


def test_partly_covered_need_and_shadow_price_of_the_next_need():
    p = problem(
        [("N1", 100), ("N2", 100)],
        [("O1", 150)],
        [("N1", "O1", 10), ("N2", "O1", 6)],
        mode="split",
    )
    s = solve(p)
    assert allocation_map(s) == {("N1", "O1"): 100, ("N2", "O1"): 50}
    assert s.objective == pytest.approx(13)
    assert [(u.need, u.reason, u.shortfall) for u in s.unmet] == [("N2", "partly_covered", 50)]
    # The binding offer's next unit goes to N2, worth 6 / 100 per unit.
    assert s.shadow_prices[0].value == pytest.approx(0.06)


def test_glop_path_gives_the_same_dual_with_in_kind_consumption():
    # Covering a need uses twice its amount: N2 earns 6 per 200 units of O1's capacity.
    p = problem(
        [("N1", 100), ("N2", 100)],
        [("O1", 300)],
        [("N1", "O1", 10, 200), ("N2", "O1", 6, 200)],
        mode="split",
    )
    s = solve(p)
    assert s.method == "lp_glop"
    assert allocation_map(s) == pytest.approx({("N1", "O1"): 100, ("N2", "O1"): 50})
    assert s.shadow_prices[0].value == pytest.approx(0.03)


def test_min_share_forbids_small_slices():
    needs, offers = [("N1", 100)], [("O1", 30), ("O2", 100)]
    arcs = [("N1", "O1", 10), ("N1", "O2", 5)]
    free = solve(problem(needs, offers, arcs, mode="split"))
    assert free.objective == pytest.approx(3 + 3.5)
    shared = solve(problem(needs, offers, arcs, mode="split", min_share=0.5))
    assert shared.method in ("lp_rounding", "mip_scip") and shared.status == "optimal"
    assert allocation_map(shared) == pytest.approx({("N1", "O2"): 100})
    assert shared.objective == pytest.approx(5)


def test_min_share_never_reports_a_numerical_zero_as_a_slice():
    # Found by the property below: SCIP returned 2.2e-16 of N1 on O0, a "slice" under the rule.
    needs = [(f"N{i}", 1) for i in range(6)]
    arcs = [("N0", "O0", 27, 99), ("N1", "O0", 16, 46), ("N5", "O0", 15, 35)]
    s = solve(problem(needs, [("O0", 94), ("O1", 0)], arcs, mode="split", min_share=0.5))
    assert all(a.amount >= 0.5 for a in s.allocations), s.allocations
    assert s.objective <= linprog_split(problem(needs, [("O0", 94), ("O1", 0)], arcs,
                                                mode="split")) + 1e-6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from([0.2, 0.5]))
def test_min_share_solutions_respect_the_rule_and_the_lp_bound(data, min_share):
    p = data.draw(st.composite(lambda draw: random_split(draw, True))())
    relaxed = linprog_split(p)
    p.min_share = min_share
    s = solve(p)
    for a in s.allocations:
        need = p.need_ids.index(a.need)
        assert a.amount >= min_share * p.need_amount[need] * (1 - 1e-6)
    assert s.objective <= relaxed + 1e-6
    assert s.objective <= s.bound + 1e-6


def test_must_cover_takes_a_losing_pair_in_split_mode():
    p = problem(
        [("N1", 10, True), ("N2", 10)],
        [("O1", 15)],
        [("N1", "O1", -2), ("N2", "O1", 5)],
        mode="split",
    )
    s = solve(p)
    assert allocation_map(s) == {("N1", "O1"): 10, ("N2", "O1"): 5}
    assert s.objective == pytest.approx(0.5)


def test_impossible_must_cover_in_split_mode_is_named():
    p = problem([("N1", 10, True)], [("O1", 5)], [("N1", "O1", 1)], mode="split")
    with pytest.raises(ProblemError, match="'N1'"):
        solve(p)


def test_locked_slice_is_kept_and_counted():
    p = problem(
        [("N1", 100), ("N2", 100)],
        [("O1", 100), ("O2", 100)],
        [("N1", "O1", 10), ("N2", "O1", 8), ("N1", "O2", 1)],
        mode="split",
        locked=[{"need": "N1", "offer": "O2", "amount": 40}],
    )
    s = solve(p)
    # N1 keeps 40 from O2 (0.4 points) and takes its other 60 from O1 (6 points);
    # N2 gets what O1 has left (40 units, 3.2 points).
    assert allocation_map(s) == {("N1", "O2"): 40, ("N1", "O1"): 60, ("N2", "O1"): 40}
    assert s.objective == pytest.approx(0.4 + 6 + 3.2)


def test_fractional_amounts_are_scaled_not_truncated():
    p = problem(
        [("N1", 0.75), ("N2", 1.25)],
        [("O1", 1.5)],
        [("N1", "O1", 3), ("N2", "O1", 2)],
        mode="split",
    )
    s = solve(p)
    assert allocation_map(s) == pytest.approx({("N1", "O1"): 0.75, ("N2", "O1"): 0.75})
    assert s.objective == pytest.approx(3 + 2 * 0.75 / 1.25)


def random_split(draw, in_kind: bool):
    needs = draw(st.integers(1, 8))
    offers = draw(st.integers(1, 5))
    amounts = draw(st.lists(st.integers(1, 100), min_size=needs, max_size=needs))
    capacities = draw(st.lists(st.integers(0, 200), min_size=offers, max_size=offers))
    arcs = []
    for n in range(needs):
        for o in range(offers):
            if draw(st.booleans()):
                score = draw(st.floats(-5, 50, allow_nan=False).map(lambda x: round(x, 3)))
                use = draw(st.integers(1, 150)) if in_kind else amounts[n]
                arcs.append((f"N{n}", f"O{o}", score, use))
    return problem(
        [(f"N{i}", a) for i, a in enumerate(amounts)],
        [(f"O{i}", c) for i, c in enumerate(capacities)],
        arcs,
        mode="split",
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.booleans())
def test_split_equals_linprog(data, in_kind):
    p = data.draw(st.composite(lambda draw: random_split(draw, in_kind))())
    s = solve(p)
    differs = not np.allclose(p.arc_consumption, p.need_amount[p.arc_need])
    assert s.method == ("lp_glop" if differs else "min_cost_flow")
    assert s.objective == pytest.approx(linprog_split(p), rel=1e-6, abs=1e-6)
    covered = np.zeros(p.num_needs)
    for a in s.allocations:
        covered[p.need_ids.index(a.need)] += a.amount
    assert np.all(covered <= p.need_amount + 1e-6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_transport_shadow_price_is_the_gain_of_one_more_unit(data):
    p = data.draw(st.composite(lambda draw: random_split(draw, False))())
    s = solve(p)
    offer = data.draw(st.integers(0, p.num_offers - 1))
    p.offer_capacity[offer] += 1  # integral data: the value function bends only at integers
    gain = solve(p).objective - s.objective
    # Costs are integers with COST_RESOLUTION steps up to the best score per unit.
    resolution = max((p.arc_score / p.need_amount[p.arc_need]).max(initial=0), 0) / COST_RESOLUTION
    assert s.shadow_prices[offer].value == pytest.approx(gain, abs=resolution + 1e-9)


@pytest.mark.parametrize("first_arcs", [1, 3, 12])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_column_generation_reaches_the_full_optimum(monkeypatch, first_arcs, seed):
    # Dense instances with more arcs per need than the first round takes, including
    # losing pairs that can pay off by freeing capacity for better ones.
    import solver.flow

    monkeypatch.setattr(solver.flow, "CANDIDATES_PER_NEED", first_arcs)
    rng = np.random.default_rng(seed)
    needs, offers = 40, 25
    arcs = [
        (f"N{n}", f"O{o}", round(float(rng.uniform(-10, 60)), 2))
        for n in range(needs)
        for o in range(offers)
        if rng.random() < 0.7
    ]
    p = problem(
        [(f"N{n}", int(rng.integers(5, 80)), n % 9 == 0) for n in range(needs)],
        [(f"O{o}", int(rng.integers(20, 120))) for o in range(offers)],
        arcs,
        mode="split",
    )
    s = solve(p)
    assert s.method == "min_cost_flow"
    assert s.objective == pytest.approx(linprog_split(p), rel=1e-6)
    # Shadow prices agree with the gain of one more unit of capacity.
    for offer in (0, 7):
        bigger = problem(
            [
                (n, a, m)
                for n, a, m in zip(
                    p.need_ids, p.need_amount.tolist(), p.need_must_cover.tolist(), strict=True
                )
            ],
            [
                (o, c + (1 if i == offer else 0))
                for i, (o, c) in enumerate(zip(p.offer_ids, p.offer_capacity.tolist(), strict=True))
            ],
            arcs,
            mode="split",
        )
        gain = solve(bigger).objective - s.objective
        assert s.shadow_prices[offer].value == pytest.approx(gain, abs=1e-4)
