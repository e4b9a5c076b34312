"""What the ``matchmaker worker``, ``solve`` and ``export-problem`` commands do."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer
from matchmaker.errors import MatchmakerError
from matchmaker.matching.encode import encode
from matchmaker.matching.load import load_portfolio
from matchmaker.matching.scope import Scope
from matchmaker.models import MatchRun, Role, RunScope, utcnow
from matchmaker.runs import services
from matchmaker.runs.execute import Plan, execute_run, plan_run
from matchmaker.runs.schemas import DEFAULT_TIME_LIMIT, RunInput
from matchmaker.runs.worker import claim_run, new_worker_id, work_loop
from matchmaker.settings import Settings

# Runs started from the command line act as the secretariat, with nobody's name on them.
COMMAND_LINE = Viewer(role=Role.ADMIN, name="command line")
SCOPE_HELP = "global, region:M49 (e.g. region:002), category:CODE, or category:CODE,region:M49"


def run_input(scope: str, mode: str = "split", time_limit: float = DEFAULT_TIME_LIMIT,
              weights: dict[str, float] | None = None) -> RunInput:
    """A RunInput from a scope written as in SCOPE_HELP (InputError-like FormErrors if bad)."""
    parts = dict(
        part.split(":", 1) if ":" in part else (part, "") for part in scope.split(",") if part
    )
    kind = RunScope.CATEGORY if "category" in parts else (
        RunScope.REGION if "region" in parts else parts and next(iter(parts)))
    data = {"scope": kind or RunScope.GLOBAL, "region": parts.get("region", ""),
            "category": parts.get("category", ""), "mode": mode, "time_limit": time_limit,
            "weights": weights or {}}
    return RunInput.from_json(data)


def queue(engine: Engine, request: RunInput) -> MatchRun:
    with Session(engine, expire_on_commit=False) as db:
        return services.start_run(db, COMMAND_LINE, request)


@dataclass
class SolveReport:
    run: MatchRun | None
    plan: Plan | None
    total_seconds: float
    lines: list[str]


def solve_now(engine: Engine, request: RunInput, dry_run: bool = False) -> SolveReport:
    """Run ``request`` here and now (writing proposals unless ``dry_run``) and describe it."""
    started = time.perf_counter()
    if dry_run:
        with Session(engine, expire_on_commit=False) as db:
            scope = _scope(db, request)
            plan = plan_run(db, scope, weights=request.weights, mode=request.mode,
                            time_limit_s=request.time_limit)
            label = scope.describe(db)
        total = time.perf_counter() - started
        return SolveReport(None, plan, total, describe_plan(label, request.mode, plan, total))
    run = queue(engine, request)
    if not claim_run(engine, run.id, new_worker_id()):
        raise MatchmakerError(f"Run #{run.id} was taken by a worker; see /runs/{run.id}.")
    run = execute_run(engine, run.id)
    total = time.perf_counter() - started
    with Session(engine) as db:
        label = Scope.of_run(run).describe(db)
    return SolveReport(run, None, total, describe_run(run, total, label))


def _scope(db: Session, request: RunInput) -> Scope:
    region = services.resolve_region(db, COMMAND_LINE, request.region)
    category = services.resolve_category(db, request.category)
    return Scope(kind=request.scope, region_id=region.id if region else None,
                 category_id=category.id if category else None)


def describe_plan(label: str, mode: str, plan: Plan, total: float) -> list[str]:
    problem, solution, result = plan.encoded.problem, plan.solution, plan.decoded.result
    return [
        f"Scope {label}, mode {mode} (dry run: nothing written)",
        f"{problem.num_needs} needs, {problem.num_offers} offers, {problem.num_arcs} compatible "
        f"pairs",
        f"{len(plan.decoded.drafts)} proposals for ${result['proposed_usd']:,} of "
        f"${result['requested_usd']:,} requested; {len(result['unmet'])} needs short",
        f"objective {solution.objective:.4f}, bound {solution.bound:.4f}, gap {solution.gap:.2%}, "
        f"status {solution.status} ({solution.method})",
        f"time {total:.3f} s: load {plan.load_seconds:.3f}, encode {plan.encode_seconds:.3f}, "
        f"solve {plan.solve_seconds:.3f}, decode {plan.decode_seconds:.3f}",
    ]


def describe_run(run: MatchRun, total: float, scope_label: str) -> list[str]:
    if run.state != "done":
        return [f"Run #{run.id} {run.state}: {run.error}"]
    result = run.result or {}
    return [
        f"Run #{run.id}: {scope_label}, "
        f"mode {run.mode}",
        f"{run.n_needs} needs, {run.n_offers} offers, {run.n_arcs} compatible pairs",
        f"{run.n_proposals} proposals for ${result.get('proposed_usd', 0):,} of "
        f"${result.get('requested_usd', 0):,} requested; {len(result.get('unmet', []))} needs "
        f"short; {result.get('superseded', 0)} earlier proposals superseded",
        f"objective {run.objective:.4f}, bound {run.bound:.4f}, gap {run.gap:.2%}, "
        f"status {run.solver_status}",
        f"time {total:.3f} s end to end: load {result.get('load_seconds', 0):.3f}, encode "
        f"{result.get('encode_seconds', 0):.3f}, solver {result.get('solve_seconds', 0):.3f}, "
        f"writing and the rest {max(total - (run.seconds or 0), 0):.3f}",
    ]


def export_problem(engine: Engine, request: RunInput, path: Path) -> dict:
    """Write the solver JSON of ``request``'s scope to ``path`` (replay: python -m solver)."""
    with Session(engine, expire_on_commit=False) as db:
        scope = _scope(db, request)
        today = utcnow().date()
        encoded = encode(load_portfolio(db, scope, today), today, request.weights,
                         request.mode, request.time_limit)
        data = encoded.problem.to_json()
        data["about"] = {
            "exported_by": "matchmaker export-problem",
            "exported_at": utcnow().isoformat(timespec="seconds"),
            "scope": scope.describe(db),
            "weights": request.weights,
            "note": "needs and offers are identified by their references; amounts in USD",
        }
    path.write_text(json.dumps(data, separators=(",", ":")))
    return data


def run_worker(engine: Engine, echo: Callable[[str], None],
               settings: Settings | None = None) -> None:
    """Claim and carry out runs until interrupted (Ctrl+C); with ``settings``, also run the
    scheduled housekeeping."""
    stop = threading.Event()
    worker_id = new_worker_id()
    echo(f"Worker {worker_id} waiting for solver runs (Ctrl+C stops).")
    try:
        work_loop(engine, stop, worker_id, settings=settings)
    except KeyboardInterrupt:
        stop.set()
        echo("Worker stopped.")
