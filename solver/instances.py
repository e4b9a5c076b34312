"""Random instance generators for tests and benchmarks (no I/O, seeded numpy only).

``gap_instance`` follows Chu & Beasley's generation of the OR-Library GAP types C and D
(agents = offers with capacity, jobs = needs that must be covered, score = -cost), so the
whole mode can be checked on the same kind of instance as the published benchmarks.
``split_instance`` builds a random sparse transportation problem.
"""

from __future__ import annotations

import numpy as np


def gap_instance(agents: int, jobs: int, kind: str = "C", seed: int = 0) -> dict:
    """A GAP instance of Chu & Beasley type C or D, in the JSON problem format.

    C: a ~ U[5,25], c ~ U[10,50], capacity_i = 0.8 * sum_j a_ij / agents.
    D: a ~ U[1,100], c = 111 - a + U[-10,10], same capacity rule.
    Minimising cost becomes maximising score = -cost with every job must-cover.
    """
    rng = np.random.default_rng(seed)
    if kind.upper() == "C":
        use = rng.integers(5, 26, (agents, jobs))
        cost = rng.integers(10, 51, (agents, jobs))
    elif kind.upper() == "D":
        use = rng.integers(1, 101, (agents, jobs))
        cost = 111 - use + rng.integers(-10, 11, (agents, jobs))
    else:
        raise ValueError(f"kind must be 'C' or 'D', got {kind!r}")
    capacity = np.floor(0.8 * use.sum(axis=1) / agents).astype(int)
    return {
        "mode": "whole",
        "needs": [{"id": f"J{j}", "amount": 1, "must_cover": True} for j in range(jobs)],
        "offers": [{"id": f"A{i}", "capacity": int(capacity[i])} for i in range(agents)],
        "arcs": [
            {
                "need": f"J{j}",
                "offer": f"A{i}",
                "score": -int(cost[i, j]),
                "consumption": int(use[i, j]),
            }
            for i in range(agents)
            for j in range(jobs)
        ],
    }


def split_instance(needs: int, offers: int, density: float = 0.05, seed: int = 0) -> dict:
    """Random sparse split problem: amounts 10k..500k, capacities 100k..2M, scores 0..100."""
    rng = np.random.default_rng(seed)
    amount = rng.integers(10_000, 500_000, needs)
    capacity = rng.integers(100_000, 2_000_000, offers)
    need, offer = np.nonzero(rng.random((needs, offers)) < density)
    score = np.round(rng.random(len(need)) * 100, 3)
    return {
        "mode": "split",
        "needs": [{"id": f"N{i}", "amount": int(a)} for i, a in enumerate(amount.tolist())],
        "offers": [{"id": f"O{i}", "capacity": int(c)} for i, c in enumerate(capacity.tolist())],
        "arcs": [
            {"need": f"N{n}", "offer": f"O{o}", "score": s}
            for n, o, s in zip(need.tolist(), offer.tolist(), score.tolist(), strict=True)
        ],
    }
