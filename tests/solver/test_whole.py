"""Whole mode (generalised assignment by CP-SAT): hand-checked cases and brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import Problem, ProblemError, solve
from solver.instances import gap_instance

from .helpers import allocation_map, brute_force_whole, problem


def test_hand_checked_portfolio():
    # O1 (150) fits N1 (100) + N3 (50) = 16 points; N2 then takes O2 for 5.
    # Giving N2 to O1 instead would earn at most 8 + 6 + 0 = 14 + nothing for O2.
    p = problem(
        [("N1", 100), ("N2", 100), ("N3", 50), ("N4", 10)],
        [("O1", 150), ("O2", 100)],
        [("N1", "O1", 10), ("N2", "O1", 8), ("N2", "O2", 5), ("N3", "O1", 6)],
    )
    s = solve(p)
    assert s.status == "optimal" and s.gap == 0
    assert s.objective == pytest.approx(21)
    assert allocation_map(s) == {("N1", "O1"): 100, ("N2", "O2"): 100, ("N3", "O1"): 50}
    assert [(u.need, u.reason, u.shortfall) for u in s.unmet] == [("N4", "no_compatible_offer", 10)]


def test_per_pair_consumption_is_respected():
    # In kind: O1 covers N1 using only 30 of its 100, so both needs fit there.
    p = problem(
        [("N1", 80), ("N2", 70)],
        [("O1", 100)],
        [("N1", "O1", 5, 30), ("N2", "O1", 4, 70)],
    )
    s = solve(p)
    assert s.objective == pytest.approx(9)
    assert allocation_map(s) == {("N1", "O1"): 80, ("N2", "O1"): 70}


def test_must_cover_beats_a_higher_score():
    p = problem([("N1", 10, True), ("N2", 10)], [("O1", 10)], [("N1", "O1", 1), ("N2", "O1", 5)])
    s = solve(p)
    assert allocation_map(s) == {("N1", "O1"): 10}
    assert s.objective == pytest.approx(1)
    assert s.unmet[0].need == "N2" and s.unmet[0].reason == "outbid"
    assert "'O1'" in s.unmet[0].detail and "'N1'" in s.unmet[0].detail


def test_must_cover_needs_competing_for_capacity_are_named():
    p = problem(
        [("N1", 10, True), ("N2", 10, True), ("N3", 5)],
        [("O1", 15)],
        [("N1", "O1", 1), ("N2", "O1", 1), ("N3", "O1", 1)],
    )
    with pytest.raises(ProblemError) as error:
        solve(p)
    assert "'N1'" in str(error.value) and "'N2'" in str(error.value)
    assert "'N3'" not in str(error.value)


def test_must_cover_need_too_large_for_every_offer_is_named():
    p = problem([("N1", 10, True)], [("O1", 5)], [("N1", "O1", 1)])
    with pytest.raises(ProblemError, match="need 'N1': must be covered but no compatible offer"):
        solve(p)


def test_locked_allocation_is_kept_and_uses_capacity():
    # N1 would rather have O1, but it is agreed with O2, which then has no room for N2.
    p = problem(
        [("N1", 60), ("N2", 50)],
        [("O1", 100), ("O2", 100)],
        [("N1", "O1", 9), ("N1", "O2", 2), ("N2", "O2", 7), ("N2", "O1", 1)],
        locked=[{"need": "N1", "offer": "O2"}],
    )
    s = solve(p)
    assert allocation_map(s) == {("N1", "O2"): 60, ("N2", "O1"): 50}
    assert s.objective == pytest.approx(3)


def test_negative_scores_are_never_chosen_unless_required():
    p = problem([("N1", 10), ("N2", 10, True)], [("O1", 100)], [("N1", "O1", -1), ("N2", "O1", -2)])
    s = solve(p)
    assert allocation_map(s) == {("N2", "O1"): 10}
    assert s.objective == pytest.approx(-2)
    assert s.unmet[0].reason == "not_worthwhile"


def test_fractional_scores_and_consumption_keep_precision():
    p = problem(
        [("N1", 1.5), ("N2", 2.25), ("N3", 0.75)],
        [("O1", 3.0)],
        [("N1", "O1", 0.1234567), ("N2", "O1", 0.2000001), ("N3", "O1", 0.1)],
    )
    s = solve(p)
    # N2 + N3 = 3.0 fits exactly and beats N1 + N3 (2.25) or N1 alone.
    assert allocation_map(s) == {("N2", "O1"): 2.25, ("N3", "O1"): 0.75}
    assert s.objective == pytest.approx(0.3000001, abs=1e-9)


def test_gap_type_c_instance_is_solved_to_optimality():
    s = solve(Problem.from_json(gap_instance(5, 30, "C", seed=3) | {"time_limit_s": 10}))
    assert s.status == "optimal"
    assert s.bound == s.objective
    assert len(s.allocations) == 30 and not s.unmet


instances = st.integers(1, 6).flatmap(
    lambda needs: st.tuples(
        st.lists(st.integers(1, 20), min_size=needs, max_size=needs),
        st.lists(st.booleans(), min_size=needs, max_size=needs),
        st.lists(st.integers(0, 40), min_size=3, max_size=3),
        st.lists(
            st.tuples(st.booleans(), st.integers(-5, 20), st.integers(1, 25)),
            min_size=needs * 3,
            max_size=needs * 3,
        ),
    )
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances)
def test_whole_equals_brute_force(instance):
    amounts, must, capacities, pairs = instance
    arcs = [
        (f"N{i // 3}", f"O{i % 3}", score, use)
        for i, (present, score, use) in enumerate(pairs)
        if present
    ]
    p = problem(
        [(f"N{i}", a, m) for i, (a, m) in enumerate(zip(amounts, must, strict=True))],
        [(f"O{i}", c) for i, c in enumerate(capacities)],
        arcs,
        time_limit_s=5,
    )
    expected = brute_force_whole(p)
    if expected is None:
        with pytest.raises(ProblemError):
            solve(p)
        return
    s = solve(p)
    assert s.status == "optimal"
    assert s.objective == pytest.approx(expected)
    used = np.zeros(3)
    for a in s.allocations:
        arc = int(
            np.flatnonzero(
                (p.arc_need == p.need_ids.index(a.need))
                & (p.arc_offer == p.offer_ids.index(a.offer))
            )[0]
        )
        used[p.arc_offer[arc]] += p.arc_consumption[arc]
        assert a.amount == p.need_amount[p.arc_need[arc]]  # whole, never part
    assert np.all(used <= p.offer_capacity + 1e-9)
