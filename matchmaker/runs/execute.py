"""Carry out a claimed run: load, encode, solve, write proposals, with progress as it goes.

Progress is committed through its own short transactions, so the run page can show it while
the run works; the proposals and the run's figures are written in one transaction at the end,
so a failed run leaves no proposal behind. A failure is stored as a sentence for people (the
solver's :class:`~solver.ProblemError` message, or a generic one with the details in the log),
never as a traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer, viewer_for
from matchmaker.events import record_event
from matchmaker.matching.decode import Decoded, decode
from matchmaker.matching.encode import Encoded, encode
from matchmaker.matching.load import load_portfolio
from matchmaker.matching.scope import Scope
from matchmaker.matching.write import (
    add_proposals,
    begin_writing,
    fit_to_room,
    supersede,
)
from matchmaker.models import MatchRun, RunState, User, utcnow
from solver import Problem, ProblemError, Solution, solve

logger = logging.getLogger("matchmaker.runs")

# Stages, stored in MatchRun.progress_message and put into words by the run page.
QUEUED, LOADING, SCORING, SOLVING, WRITING, DONE, FAILED = (
    "queued", "loading", "scoring", "solving", "writing", "done", "failed"
)
SOLVE_FROM, SOLVE_TO = 35, 88  # progress range while the solver works


@dataclass
class Plan:
    """Everything a run computes before writing: the encoding, the solution, the proposals."""

    encoded: Encoded
    solution: Solution
    decoded: Decoded
    load_seconds: float
    encode_seconds: float
    solve_seconds: float
    decode_seconds: float


def plan_run(
    db: Session,
    scope: Scope,
    *,
    weights: dict[str, float] | None,
    mode: str,
    time_limit_s: float,
    today: date | None = None,
    on_stage: Callable[[str, int], None] | None = None,
    solve_function: Callable[[Problem], Solution] = solve,
) -> Plan:
    """Load, encode, solve and decode a scope without writing anything."""
    on_stage = on_stage or (lambda stage, progress: None)
    today = today or date.today()
    started = time.perf_counter()
    on_stage(LOADING, 5)
    portfolio = load_portfolio(db, scope, today)
    loaded = time.perf_counter()
    on_stage(SCORING, 20)
    encoded = encode(portfolio, today, weights, mode, time_limit_s)
    encoded_at = time.perf_counter()
    on_stage(SOLVING, SOLVE_FROM)
    solution = solve_function(encoded.problem)
    solved = time.perf_counter()
    decoded = decode(encoded, solution)
    return Plan(
        encoded=encoded,
        solution=solution,
        decoded=decoded,
        load_seconds=loaded - started,
        encode_seconds=encoded_at - loaded,
        solve_seconds=solved - encoded_at,
        decode_seconds=time.perf_counter() - solved,
    )


class Progress:
    """Commits a run's progress in short transactions of its own."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        self.engine, self.run_id = engine, run_id

    def set(self, stage: str, progress: int, **figures: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(MatchRun)
                .where(MatchRun.id == self.run_id, MatchRun.state == RunState.RUNNING)
                .values(progress=progress, progress_message=stage, **figures)
            )

    @contextmanager
    def ticking(self, time_limit_s: float, every: float = 1.0) -> Iterator[None]:
        """While the solver works, move the bar along its time limit once a second."""
        stop = threading.Event()
        started = time.monotonic()

        def tick() -> None:
            while not stop.wait(every):
                share = min((time.monotonic() - started) / max(time_limit_s, 0.1), 1.0)
                try:
                    self.set(SOLVING, SOLVE_FROM + round(share * (SOLVE_TO - SOLVE_FROM - 1)))
                except Exception:  # noqa: BLE001 - progress is best effort; the run goes on
                    logger.warning("could not update the progress of run %s", self.run_id)

        thread = threading.Thread(target=tick, name=f"run-{self.run_id}-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


def _actor(db: Session, run: MatchRun) -> Viewer | None:
    user = db.get(User, run.started_by_id) if run.started_by_id else None
    return viewer_for(db, user) if user else None


def execute_run(engine: Engine, run_id: int, today: date | None = None,
                worker_id: str | None = None) -> MatchRun:
    """Carry out a run claimed by this worker (state running); returns the finished run.

    If the run was taken from ``worker_id`` meanwhile (failed as stale), nothing is written.
    """
    progress = Progress(engine, run_id)
    try:
        with Session(engine, expire_on_commit=False) as db:
            run = db.get(MatchRun, run_id)
            parameters = run.parameters or {}
            time_limit = float(parameters.get("time_limit_s", 10))

            def on_stage(stage: str, value: int) -> None:
                if stage == SOLVING:
                    return  # the figures come with it, below
                progress.set(stage, value)

            def solve_with_ticks(problem: Problem) -> Solution:
                progress.set(SOLVING, SOLVE_FROM, n_needs=problem.num_needs,
                             n_offers=problem.num_offers, n_arcs=problem.num_arcs)
                with progress.ticking(time_limit):
                    return solve(problem)

            plan = plan_run(
                db, Scope.of_run(run), weights=parameters.get("weights"), mode=run.mode,
                time_limit_s=time_limit, today=today, on_stage=on_stage,
                solve_function=solve_with_ticks,
            )
            progress.set(WRITING, SOLVE_TO + 2)
            db.commit()  # end any read transaction before writing
            _write(db, run_id, plan, worker_id)
            return db.get(MatchRun, run_id)
    except ProblemError as exc:
        return fail_run(engine, run_id, str(exc))
    except Exception as exc:  # noqa: BLE001 - the run fails with a sentence; the log has the rest
        logger.exception("solver run %s failed", run_id)
        return fail_run(
            engine, run_id,
            f"The run stopped on an unexpected error ({type(exc).__name__}); "
            "the details are in the server log.",
        )


def _still_ours(db: Session, run_id: int, worker_id: str | None) -> bool:
    """Whether the run is still running for this worker (read under the write lock)."""
    state, claimed_by = db.execute(
        select(MatchRun.state, MatchRun.claimed_by).where(MatchRun.id == run_id)
        .with_for_update()
    ).one()
    return state == RunState.RUNNING and (worker_id is None or claimed_by == worker_id)


def _write(db: Session, run_id: int, plan: Plan, worker_id: str | None = None) -> None:
    run = db.get(MatchRun, run_id)
    begin_writing(db, run)
    if not _still_ours(db, run_id, worker_id):
        db.rollback()  # declared stale while it solved: its result would overwrite the verdict
        logger.warning("solver run %s was taken from this worker; its result is dropped", run_id)
        return
    actor = _actor(db, run)
    superseded = supersede(db, run, plan.encoded.portfolio.scope_need_ids, actor)
    drafts, trimmed = fit_to_room(db, plan.decoded.drafts)
    proposals = add_proposals(db, run, drafts, actor)
    solution, problem = plan.solution, plan.encoded.problem
    run.state = RunState.DONE
    run.progress, run.progress_message = 100, DONE
    run.objective, run.bound, run.gap = solution.objective, solution.bound, solution.gap
    run.seconds = round(
        plan.load_seconds + plan.encode_seconds + plan.solve_seconds + plan.decode_seconds, 4
    )
    run.solver_status = solution.status
    run.n_needs, run.n_offers, run.n_arcs = problem.num_needs, problem.num_offers, problem.num_arcs
    run.n_proposals = len(proposals)
    run.result = {
        **plan.decoded.result,
        "superseded": superseded,
        "trimmed": trimmed,
        "proposed_usd": sum(d.amount_usd for d in drafts),
        "load_seconds": round(plan.load_seconds, 4),
    }
    run.finished_at = utcnow()
    record_event(
        db, actor, "matchrun", run.id, "done",
        after={"proposals": len(proposals), "superseded": superseded,
               "objective": solution.objective, "status": solution.status},
    )
    db.commit()


def fail_run(engine: Engine, run_id: int, message: str,
             only_if_running: bool = False) -> MatchRun | None:
    """Mark a run failed with ``message`` (a sentence for people); with ``only_if_running``,
    only a run still running (None otherwise: it finished meanwhile)."""
    with Session(engine, expire_on_commit=False) as db:
        run = db.get(MatchRun, run_id, with_for_update=True)
        if only_if_running and run.state != RunState.RUNNING:
            return None
        run.state = RunState.FAILED
        run.progress_message = FAILED
        run.error = message[:2000]
        run.finished_at = utcnow()
        record_event(db, None, "matchrun", run_id, "failed", note=run.error)
        db.commit()
        return run
