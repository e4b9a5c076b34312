"""The whole-mode starting assignment and its Lagrangian bound."""

from __future__ import annotations

import numpy as np

from solver import Problem, solve
from solver.heuristic import starting_assignment
from solver.instances import gap_instance


def test_start_is_feasible_and_the_bound_holds():
    for kind, jobs in [("C", 40), ("D", 25)]:
        p = Problem.from_json(gap_instance(5, jobs, kind, seed=2) | {"time_limit_s": 20})
        use, room = p.arc_consumption.astype(np.int64), p.offer_capacity.astype(np.int64)
        mask, bound = starting_assignment(
            p.num_needs, p.arc_need, p.arc_offer, p.arc_score, use, room, p.need_must_cover
        )
        assert np.bincount(p.arc_need[mask], minlength=p.num_needs).tolist() == [1] * jobs
        assert np.all(np.bincount(p.arc_offer[mask], use[mask], minlength=5) <= room)
        optimum = solve(p)
        assert optimum.status == "optimal"
        start = p.arc_score[mask].sum()
        assert start <= optimum.objective + 1e-9 <= bound + 1e-6
