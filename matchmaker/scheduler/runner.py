"""The scheduler: each worker ticks every few seconds, and a due job runs in whichever worker
takes its lease first.

Why a home-made scheduler on the ScheduledJob table rather than a library: the leases are
conditional updates (``UPDATE ... WHERE lease_until < now``), the same technique the solver run
queue (runs/worker.py) and the outbox already use, and they work on SQLite as on PostgreSQL,
so the embedded SQLite start keeps its housekeeping. procrastinate runs periodic tasks well
but only on PostgreSQL; APScheduler has no locking across processes, so several workers would
each run every job. A job row holds its next due time, who holds the lease and until when,
and how the last run went (the admin schedule page shows it).

A lease outlives any reasonable run (LEASE); a worker that dies while holding one only delays
that job until the lease runs out. Jobs are idempotent besides (see jobs.py), so a run that is
repeated after such a loss changes nothing twice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.i18n import _
from matchmaker.models import ScheduledJob, utcnow
from matchmaker.scheduler.jobs import all_jobs
from matchmaker.scheduler.registry import Job
from matchmaker.settings import Settings

logger = logging.getLogger("matchmaker.scheduler")

LEASE = timedelta(minutes=15)
MESSAGE_LENGTH = 2000
OK, FAILED = "ok", "failed"


@dataclass(frozen=True)
class Outcome:
    name: str
    outcome: str  # "ok" or "failed"
    message: str
    seconds: float = 0.0


def next_due(due: datetime, every: timedelta, now: datetime) -> datetime:
    """The first time after ``now`` on the job's grid (``due`` + whole periods), so a daily
    job keeps its hour; a due time still ahead (a job run early by hand) is kept."""
    if due > now:
        return due
    return due + ((now - due) // every + 1) * every


def ensure_rows(engine: Engine, jobs: list[Job], now: datetime) -> None:
    """Give every job a row, due now when new (an existing row is left as it is)."""
    insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with engine.begin() as connection:
        connection.execute(
            insert(ScheduledJob).values([
                {"name": job.name, "next_due_at": now, "lease_owner": "", "last_outcome": "",
                 "last_message": "", "runs": 0} for job in jobs
            ]).on_conflict_do_nothing(index_elements=["name"])
        )


def claim(engine: Engine, name: str, worker_id: str, now: datetime, *,
          due_only: bool = True) -> datetime | None:
    """Take the lease of job ``name`` for ``worker_id``; its due time, or None when it is not
    due (``due_only``) or another worker holds the lease. One conditional update: of several
    workers at once exactly one changes the row."""
    conditions = [ScheduledJob.name == name,
                  or_(ScheduledJob.lease_until.is_(None), ScheduledJob.lease_until < now)]
    if due_only:
        conditions.append(ScheduledJob.next_due_at <= now)
    with engine.begin() as connection:
        taken = connection.execute(
            update(ScheduledJob).where(*conditions)
            .values(lease_owner=worker_id, lease_until=now + LEASE, last_started_at=now)
        ).rowcount == 1
        if not taken:
            return None
        return connection.execute(
            select(ScheduledJob.next_due_at).where(ScheduledJob.name == name)).scalar_one()


def _finish(engine: Engine, job: Job, worker_id: str, due: datetime, now: datetime,
            outcome: Outcome) -> None:
    # Times count from ``now`` (the tick's clock, which tests move) plus the real duration.
    with engine.begin() as connection:
        connection.execute(
            update(ScheduledJob)
            .where(ScheduledJob.name == job.name, ScheduledJob.lease_owner == worker_id)
            .values(next_due_at=next_due(due, job.every, now), lease_owner="", lease_until=None,
                    last_finished_at=now + timedelta(seconds=outcome.seconds),
                    last_outcome=outcome.outcome, last_message=outcome.message[:MESSAGE_LENGTH],
                    runs=ScheduledJob.runs + 1)
        )


def _run(engine: Engine, settings: Settings, job: Job, now: datetime) -> Outcome:
    started = time.monotonic()
    try:
        message = job.run(engine, settings, now)
    except Exception as exc:  # noqa: BLE001 - one failing job must not stop the others
        logger.exception("scheduled job %s failed", job.name)
        return Outcome(job.name, FAILED, _("The job stopped with an error: %(error)s",
                                           error=f"{type(exc).__name__}: {exc}"),
                       time.monotonic() - started)
    return Outcome(job.name, OK, message, time.monotonic() - started)


def run_claimed(engine: Engine, settings: Settings, job: Job, worker_id: str,
                due: datetime, now: datetime) -> Outcome:
    outcome = _run(engine, settings, job, now)
    _finish(engine, job, worker_id, due, now, outcome)
    return outcome


def tick(engine: Engine, settings: Settings, worker_id: str, now: datetime | None = None,
         jobs: list[Job] | None = None) -> list[Outcome]:
    """Run every due job whose lease this worker takes, in the schedule's order; what ran."""
    now = now or utcnow()
    jobs = all_jobs() if jobs is None else jobs
    ensure_rows(engine, jobs, now)
    ran = []
    for job in jobs:
        due = claim(engine, job.name, worker_id, now)
        if due is not None:
            ran.append(run_claimed(engine, settings, job, worker_id, due, now))
    return ran


def run_now(engine: Engine, settings: Settings, name: str, worker_id: str) -> Outcome | None:
    """Run job ``name`` at once, whether due or not (the admin's "Run now"); None while
    another worker is running it. KeyError for an unknown job."""
    job = {job.name: job for job in all_jobs()}[name]
    now = utcnow()
    ensure_rows(engine, [job], now)
    due = claim(engine, name, worker_id, now, due_only=False)
    if due is None:
        return None
    return run_claimed(engine, settings, job, worker_id, due, now)


def schedule_rows(engine: Engine) -> dict[str, ScheduledJob]:
    """The stored state of every job that has run or been claimed, by name."""
    with Session(engine, expire_on_commit=False) as db:
        return {row.name: row for row in db.scalars(select(ScheduledJob)).all()}
