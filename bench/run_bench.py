"""Solver runs on the demo portfolio, end to end: prints figures for this machine (not a test).

    .venv/bin/python bench/run_bench.py [--repeat 5] [--time-limit 10]

Builds the demo portfolio once in a temporary SQLite database, then for each mode (split,
whole) times a global run as the worker carries it out: load the open portfolio, encode it
into solver arrays, solve, decode, supersede earlier proposals and write the new ones with
their events. Every repetition starts from a fresh copy of the demo database, so each run
finds the same portfolio. Prints the median of each phase and the share of the end-to-end
time spent in the bare solver against encoding (load + encode) and writing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchmaker import db  # noqa: E402
from matchmaker.demo import build_demo  # noqa: E402
from matchmaker.reference.seed import seed_reference  # noqa: E402
from matchmaker.runs.commands import queue, run_input  # noqa: E402
from matchmaker.runs.execute import execute_run  # noqa: E402
from matchmaker.runs.worker import claim_run  # noqa: E402

PHASES = ("load", "encode", "solve", "write", "total")


def build_template(folder: Path) -> Path:
    path = folder / "demo.sqlite3"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.session_scope(engine) as session:
        seed_reference(session)
    started = time.perf_counter()
    with db.session_scope(engine) as session:
        report = build_demo(session)
    engine.dispose()
    print(f"Demo portfolio built in {time.perf_counter() - started:.2f} s: {report}")
    return path


def one_run(template: Path, folder: Path, mode: str, time_limit: float) -> dict:
    """A global run on a fresh copy of the demo database; seconds per phase and counts."""
    path = folder / f"run-{mode}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    run = queue(engine, run_input("global", mode, time_limit))
    assert claim_run(engine, run.id, "bench")
    started = time.perf_counter()
    run = execute_run(engine, run.id)
    total = time.perf_counter() - started
    engine.dispose()
    if run.state != "done":
        raise SystemExit(f"run failed: {run.error}")
    result = run.result
    load, encode, solve = (
        result["load_seconds"],
        result["encode_seconds"],
        result["solve_seconds"],
    )
    return {
        "load": load,
        "encode": encode,
        "solve": solve,
        "write": total - load - encode - solve,
        "total": total,
        "needs": run.n_needs,
        "offers": run.n_offers,
        "pairs": run.n_arcs,
        "proposals": run.n_proposals,
        "proposed": result["proposed_usd"],
        "requested": result["requested_usd"],
        "objective": run.objective,
        "gap": run.gap,
        "status": run.solver_status,
        "superseded": result["superseded"],
    }


def report(mode: str, runs: list[dict]) -> None:
    median = {phase: statistics.median(r[phase] for r in runs) for phase in PHASES}
    last = runs[-1]
    print(f"\nGlobal {mode} run, median of {len(runs)}:")
    print(f"  {last['needs']} needs, {last['offers']} offers, {last['pairs']} compatible pairs")
    print(
        f"  {last['proposals']} proposals, ${last['proposed']:,} of ${last['requested']:,} "
        f"requested; objective {last['objective']:.3f}, gap {last['gap']:.2%} "
        f"({last['status']}); {last['superseded']} earlier proposals superseded"
    )
    print("  " + "  ".join(f"{phase} {median[phase] * 1000:7.1f} ms" for phase in PHASES))
    total = median["total"]
    print(
        f"  share of the end-to-end time: bare solver {median['solve'] / total:.0%}, "
        f"encoding (load + encode) {(median['load'] + median['encode']) / total:.0%}, "
        f"decoding and writing proposals {median['write'] / total:.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per mode (median)")
    parser.add_argument("--time-limit", type=float, default=10, help="solver seconds (1-60)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="matchmaker-bench-") as tmp:
        folder = Path(tmp)
        template = build_template(folder)
        for mode in ("split", "whole"):
            runs = [one_run(template, folder, mode, args.time_limit) for _ in range(args.repeat)]
            report(mode, runs)


if __name__ == "__main__":
    main()
