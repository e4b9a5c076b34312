"""Runs are claimed from the database, so any number of app processes can share the work.

On PostgreSQL a worker takes the oldest queued run with ``SELECT ... FOR UPDATE SKIP LOCKED``
(claimers never wait on each other and never get the same row); on SQLite, which has no row
locks, the claim is an ``UPDATE ... WHERE state = 'queued'`` and its row count tells the one
winner. :class:`RunWorker` is the background thread the web app starts; ``matchmaker worker``
runs the same loop in a process of its own. Between polls the loop also ticks the scheduler
(matchmaker.scheduler.runner) every few seconds, so housekeeping needs no process of its own.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from matchmaker.events import record_event
from matchmaker.models import MatchRun, RunState, utcnow
from matchmaker.runs.execute import execute_run, fail_run
from matchmaker.scheduler.runner import tick
from matchmaker.settings import Settings

logger = logging.getLogger("matchmaker.runs")

POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 5.0  # a running run's worker refreshes MatchRun.heartbeat_at this often
STALE_AFTER = timedelta(seconds=30)  # no heartbeat for this long: the worker has gone
STALE_CHECK_EVERY = 5  # polls
MAX_BACKOFF_SECONDS = 60.0
TICK_SECONDS = 5.0  # the scheduler's tick; its fastest job (sending mail) runs this often
STALE_MESSAGE = ("The worker running this run stopped (killed or cut off) before it finished; "
                 "please start the run again.")


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _worker_is_gone(worker_id: str) -> bool:
    """True when ``worker_id`` names a process of this machine that no longer exists.

    Workers on other machines are judged by their heartbeat alone.
    """
    host, _, rest = worker_id.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


def _mark_claimed(db: Session, run_id: int, worker_id: str) -> bool:
    now = utcnow()
    claimed = db.execute(
        update(MatchRun)
        .where(MatchRun.id == run_id, MatchRun.state == RunState.QUEUED)
        .values(state=RunState.RUNNING, claimed_by=worker_id, started_at=now, heartbeat_at=now,
                progress=1, progress_message="loading")
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    if claimed:
        record_event(db, None, "matchrun", run_id, "claimed", note=worker_id)
    return claimed


def claim_next_run(engine: Engine, worker_id: str) -> int | None:
    """Claim the oldest queued run for ``worker_id``; its id, or None when none is waiting."""
    with Session(engine) as db:
        if engine.dialect.name == "postgresql":
            run_id = db.scalar(
                select(MatchRun.id)
                .where(MatchRun.state == RunState.QUEUED)
                .order_by(MatchRun.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            candidates = [] if run_id is None else [run_id]
        else:
            candidates = db.scalars(
                select(MatchRun.id).where(MatchRun.state == RunState.QUEUED)
                .order_by(MatchRun.id).limit(5)
            ).all()
        for run_id in candidates:
            if _mark_claimed(db, run_id, worker_id):
                db.commit()
                return run_id
            db.rollback()  # another worker was faster: try the next one
        return None


def claim_run(engine: Engine, run_id: int, worker_id: str) -> bool:
    """Claim one given queued run (the command line runs its own run at once)."""
    with Session(engine) as db:
        claimed = _mark_claimed(db, run_id, worker_id)
        db.commit()
        return claimed


def beat(engine: Engine, run_id: int, worker_id: str) -> bool:
    """Refresh the heartbeat of a run this worker holds; False once it no longer holds it."""
    with engine.begin() as connection:
        return connection.execute(
            update(MatchRun)
            .where(MatchRun.id == run_id, MatchRun.state == RunState.RUNNING,
                   MatchRun.claimed_by == worker_id)
            .values(heartbeat_at=utcnow())
        ).rowcount == 1


@contextmanager
def heartbeat(engine: Engine, run_id: int, worker_id: str,
              every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Beat for ``run_id`` from a thread of its own while the body carries the run out."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                beat(engine, run_id, worker_id)
            except Exception:  # noqa: BLE001 - a missed beat is retried; staleness is 6 beats
                logger.warning("run %s: heartbeat not recorded", run_id)

    thread = threading.Thread(target=loop, name=f"run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def fail_stale_runs(engine: Engine, older_than: timedelta = STALE_AFTER) -> list[int]:
    """Fail runs whose worker has gone: its process is dead (same machine), or it has not
    beaten for ``older_than`` (any machine)."""
    limit = utcnow() - older_than
    with Session(engine) as db:
        running = db.execute(
            select(MatchRun.id, MatchRun.claimed_by, MatchRun.heartbeat_at, MatchRun.started_at)
            .where(MatchRun.state == RunState.RUNNING)
        ).all()
    stale = [
        run_id for run_id, claimed_by, beat_at, started_at in running
        if (beat_at or started_at or limit) < limit or _worker_is_gone(claimed_by)
    ]
    failed = []
    for run_id in stale:
        if fail_run(engine, run_id, STALE_MESSAGE, only_if_running=True) is not None:
            logger.warning("solver run %s failed: its worker stopped", run_id)
            failed.append(run_id)
    return failed


def work_once(engine: Engine, worker_id: str) -> int | None:
    """Claim and carry out one queued run; its id, or None when none was waiting."""
    run_id = claim_next_run(engine, worker_id)
    if run_id is not None:
        logger.info("worker %s runs solver run %s", worker_id, run_id)
        with heartbeat(engine, run_id, worker_id):
            execute_run(engine, run_id, worker_id=worker_id)
    return run_id


def work_loop(engine: Engine, stop: threading.Event, worker_id: str | None = None,
              poll_seconds: float = POLL_SECONDS, wake: threading.Event | None = None,
              settings: Settings | None = None) -> None:
    """Claim and run jobs until ``stop`` is set, polling the database while idle (``wake``
    cuts a wait short: a run was just queued by this process). With ``settings`` the loop
    also ticks the scheduler every TICK_SECONDS.

    While the database cannot be reached the loop backs off exponentially (up to a minute)
    and logs one line when it goes down and one when it is back, not a trace per poll.
    """
    worker_id = worker_id or new_worker_id()
    wake = wake or stop
    polls = 0
    failures = 0
    next_tick = time.monotonic()
    while not stop.is_set():
        try:
            if polls % STALE_CHECK_EVERY == 0:
                fail_stale_runs(engine)
            if settings is not None and time.monotonic() >= next_tick:
                next_tick = time.monotonic() + TICK_SECONDS
                tick(engine, settings, worker_id)
            ran = work_once(engine, worker_id)
        except DBAPIError as exc:
            if failures == 0:
                logger.error("solver worker %s: database unreachable (%s); retrying with "
                             "back-off", worker_id, str(exc.orig or exc).splitlines()[0][:200])
            failures += 1
            wake.wait(min(poll_seconds * 2 ** failures, MAX_BACKOFF_SECONDS))
            if wake is not stop:
                wake.clear()
            continue
        except Exception:  # noqa: BLE001 - an unexpected error must not kill the worker
            logger.exception("solver worker %s: claiming a run failed", worker_id)
            ran = None
        if failures:
            logger.info("solver worker %s: database reachable again", worker_id)
            failures = 0
        polls += 1
        if ran is None:
            wake.wait(poll_seconds)
            if wake is not stop:
                wake.clear()


class RunWorker:
    """The background thread of a web app process that carries out queued runs."""

    def __init__(self, engine: Engine, poll_seconds: float = POLL_SECONDS,
                 settings: Settings | None = None) -> None:
        self.engine = engine
        self.poll_seconds = poll_seconds
        self.settings = settings  # with settings, the loop also ticks the scheduler
        self.worker_id = new_worker_id()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=work_loop,
            args=(self.engine, self._stop, self.worker_id, self.poll_seconds, self._wake,
                  self.settings),
            name="matchmaker-run-worker", daemon=True,
        )
        self._thread.start()
        logger.info("solver worker %s started", self.worker_id)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to stop and wait for the run in hand (up to ``timeout`` seconds; a run
        cut short is failed later as stale)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                logger.warning("solver worker %s still busy at shutdown", self.worker_id)
            self._thread = None

    def wake(self) -> None:
        """Look for queued runs now rather than at the next poll."""
        self._wake.set()

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
