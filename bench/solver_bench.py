"""Solver benchmark: prints a table of figures for this machine (not a test).

    .venv/bin/python bench/solver_bench.py [--quick]

(a) split mode, 10,000 needs x 2,000 offers, 5% density: our end-to-end time (JSON bytes in,
    JSON bytes out) against the bare OR-Tools min-cost flow (network built from the same
    arrays, then solved), and their ratio; median of a few runs.
(b) whole mode on random generalised-assignment instances (Chu & Beasley type C, every job
    must be covered) of 200, 1,000 and 5,000 needs: objective, bound and gap after 10 s.
(c) one-to-one instances against scipy's linear_sum_assignment: objectives must be equal.
(d) score.py: building arcs for 10,000 needs x 2,000 offers.
(e) GAP types C and D generated as Chu & Beasley did for OR-Library's gapc / gapd
    (5x100 .. 20x200): cost, lower bound and gap after 10 s (skipped with --quick).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import msgspec
import numpy as np
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solver import Problem, solve, solve_json  # noqa: E402
from solver.flow import COST_RESOLUTION  # noqa: E402
from solver.instances import gap_instance, split_instance  # noqa: E402
from solver.score import NeedArrays, OfferArrays, build_arcs  # noqa: E402


def table(title: str, header: list[str], rows: list[list]) -> None:
    cells = [header] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for i, row in enumerate(cells):
        print("  " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))
    sys.stdout.flush()


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.4f}" if abs(value) < 100 else f"{value:,.1f}"
    return str(value)


# --- (a) split mode at 10k x 2k ---


def bare_min_cost_flow(p: Problem) -> tuple[float, float]:
    """Same network as solver.flow, built straight from arrays with every arc at once:
    (build + solve seconds, solve() seconds, objective)."""
    n_offers, n_needs = p.num_offers, p.num_needs
    keep = p.arc_score > 0
    need, offer, score = p.arc_need[keep], p.arc_offer[keep], p.arc_score[keep]
    amount = p.need_amount.astype(np.int64)
    per_unit = score / p.need_amount[need]
    cost = -np.round(per_unit * (COST_RESOLUTION / per_unit.max())).astype(np.int64)
    sink = n_offers + n_needs
    tails = np.concatenate([offer, np.arange(n_offers), n_offers + np.arange(n_needs)])
    heads = np.concatenate(
        [n_offers + need, np.full(n_offers, sink), np.full(n_needs, sink)]
    ).astype(np.int32)
    capacities = np.concatenate([amount[need], p.offer_capacity.astype(np.int64), amount])
    costs = np.concatenate([cost, np.zeros(n_offers + n_needs, np.int64)])
    supplies = np.concatenate([p.offer_capacity.astype(np.int64), np.zeros(n_needs, np.int64)])
    supplies = np.append(supplies, -supplies.sum())
    tails = tails.astype(np.int32)
    nodes = np.arange(sink + 1, dtype=np.int32)

    started = time.perf_counter()
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    flow.set_nodes_supplies(nodes, supplies)
    solve_started = time.perf_counter()
    status = flow.solve()
    solve_seconds = time.perf_counter() - solve_started
    flows = flow.flows(arcs)
    seconds = time.perf_counter() - started
    assert status == flow.OPTIMAL, status
    objective = float(flows[: len(need)] @ per_unit)
    return seconds, solve_seconds, objective


def bench_split(runs: int) -> None:
    started = time.perf_counter()
    raw = msgspec.json.encode(split_instance(10_000, 2_000, 0.05, seed=7))
    problem = Problem.from_json(raw)
    made = time.perf_counter() - started
    ours, bare, bare_solve = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        result = msgspec.json.encode(solve_json(raw))
        ours.append(time.perf_counter() - started)
        seconds, solve_seconds, bare_objective = bare_min_cost_flow(problem)
        bare.append(seconds)
        bare_solve.append(solve_seconds)
    objective = msgspec.json.decode(result)["objective"]
    assert abs(objective - bare_objective) <= 1e-6 * abs(bare_objective), (
        objective,
        bare_objective,
    )
    ours_s, bare_s = statistics.median(ours), statistics.median(bare)
    table(
        f"(a) split mode, 10,000 needs x 2,000 offers, {problem.num_arcs:,} arcs "
        f"({len(raw) / 1e6:.0f} MB JSON, generated in {made:.1f} s); median of {runs} runs",
        ["what", "seconds", "objective"],
        [
            ["ours: JSON in -> JSON out", ours_s, objective],
            ["bare OR-Tools min-cost flow (build + solve)", bare_s, bare_objective],
            ["bare OR-Tools solve() call alone", statistics.median(bare_solve), ""],
            ["ratio ours / bare (build + solve)", ours_s / bare_s, ""],
        ],
    )


# --- (b) whole mode on generalised assignment ---


def bench_whole(time_limit: float) -> None:
    rows = []
    for agents, jobs in [(10, 200), (20, 1_000), (40, 5_000)]:
        data = gap_instance(agents, jobs, "C", seed=11) | {"time_limit_s": time_limit}
        problem = Problem.from_json(data)
        started = time.perf_counter()
        s = solve(problem)
        seconds = time.perf_counter() - started
        # Scores are -cost: report the cost the GAP literature minimises.
        rows.append(
            [f"{jobs} x {agents}", -s.objective, -s.bound, f"{s.gap:.3%}", s.status, seconds]
        )
    table(
        f"(b) whole mode, GAP type C (jobs x agents, all must-cover), limit {time_limit:g} s",
        ["instance", "cost", "lower bound", "gap", "status", "seconds"],
        rows,
    )


# --- (e) OR-Library-like GAP instances (Chu & Beasley generation) ---


def bench_gap_types(time_limit: float) -> None:
    rows = []
    for kind in "CD":
        for agents, jobs in [(5, 100), (10, 100), (20, 100), (20, 200)]:
            data = gap_instance(agents, jobs, kind, seed=1) | {"time_limit_s": time_limit}
            started = time.perf_counter()
            s = solve(Problem.from_json(data))
            seconds = time.perf_counter() - started
            rows.append(
                [
                    f"{kind} {agents}x{jobs}",
                    -s.objective,
                    -s.bound,
                    f"{s.gap:.3%}",
                    s.method,
                    seconds,
                ]
            )
    table(
        f"(e) GAP types C and D as in OR-Library gapc / gapd (agents x jobs), limit {time_limit:g} s",
        ["instance", "cost", "lower bound", "gap", "found by", "seconds"],
        rows,
    )


# --- (c) one-to-one against linear_sum_assignment ---


def one_to_one(size: int, mode: str, seed: int) -> tuple[Problem, np.ndarray]:
    rng = np.random.default_rng(seed)
    score = rng.integers(1, 1_000, (size, size)).astype(float)
    need, offer = np.nonzero(np.ones((size, size), bool))
    return Problem.from_arrays(
        need_ids=[f"N{i}" for i in range(size)],
        need_amount=np.ones(size),
        offer_ids=[f"O{i}" for i in range(size)],
        offer_capacity=np.ones(size),
        arc_need=need,
        arc_offer=offer,
        arc_score=score[need, offer],
        mode=mode,
        time_limit_s=20,
    ), score


def bench_assignment() -> None:
    rows = []
    for size, mode in [(50, "whole"), (150, "whole"), (300, "split"), (1_000, "split")]:
        problem, score = one_to_one(size, mode, seed=size)
        started = time.perf_counter()
        s = solve(problem)
        seconds = time.perf_counter() - started
        row, col = linear_sum_assignment(score, maximize=True)
        expected = float(score[row, col].sum())
        rows.append(
            [
                f"{size} x {size}",
                mode,
                s.objective,
                expected,
                "yes" if abs(s.objective - expected) < 1e-6 else "NO",
                seconds,
            ]
        )
    table(
        "(c) one-to-one assignment vs scipy linear_sum_assignment",
        ["size", "mode", "ours", "scipy", "equal", "seconds"],
        rows,
    )


# --- (d) score.py ---


def random_arrays(needs: int, offers: int, seed: int = 0) -> tuple[NeedArrays, OfferArrays]:
    rng = np.random.default_rng(seed)
    topics, areas, regions, countries = 60, 15, 30, 195

    def sparse(columns, density, salt):
        return (
            sp.random(offers, columns, density=density, random_state=seed + salt, format="csr") > 0
        )

    topic = rng.integers(0, topics, needs)
    need_arrays = NeedArrays(
        topic=topic,
        area=topic // 4,
        modality=rng.integers(0, 5, needs),
        country=rng.integers(0, countries, needs),
        region=rng.integers(0, 5, needs),
        subregion=rng.integers(5, regions, needs),
        languages=1 << rng.integers(0, 6, needs),
        priority=rng.integers(1, 4, needs),
        deadline=np.where(rng.random(needs) < 0.3, np.nan, rng.uniform(0, 700, needs)),
        start=rng.uniform(0, 100, needs),
        cost=rng.integers(10_000, 500_000, needs).astype(float),
        is_ldc=rng.random(needs) < 0.2,
    )
    offer_arrays = OfferArrays(
        topics=sparse(topics, 0.06, 1),
        areas=sparse(areas, 0.02, 2),
        modalities=rng.integers(1, 32, offers),
        regions=sparse(regions, 0.05, 3),
        countries=sparse(countries, 0.01, 4),
        excluded_countries=sparse(countries, 0.005, 5),
        languages=rng.integers(0, 64, offers),
        window_start=rng.uniform(0, 200, offers),
        window_end=rng.uniform(200, 900, offers),
        budget=rng.uniform(1e5, 5e6, offers),
        home_region=rng.integers(0, 5, offers),
        home_subregion=rng.integers(5, regions, offers),
    )
    return need_arrays, offer_arrays


def bench_score() -> None:
    needs, offers = random_arrays(10_000, 2_000)
    started = time.perf_counter()
    arcs = build_arcs(needs, offers)
    seconds = time.perf_counter() - started
    table(
        "(d) score.build_arcs, 10,000 needs x 2,000 offers",
        ["arcs", "criteria", "seconds"],
        [[f"{len(arcs):,}", len(arcs.breakdown), seconds]],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 s whole-mode limit, 1 run")
    args = parser.parse_args()
    print(f"solver benchmark on {__import__('os').cpu_count()} cores")
    bench_split(runs=1 if args.quick else 3)
    bench_whole(time_limit=2.0 if args.quick else 10.0)
    bench_assignment()
    bench_score()
    if not args.quick:
        bench_gap_types(time_limit=10.0)


if __name__ == "__main__":
    main()
