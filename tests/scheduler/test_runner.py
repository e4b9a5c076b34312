"""The scheduler: leases taken by conditional updates, outcomes recorded, and the worker loop
ticking it; on SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from matchmaker.runs.worker import work_loop
from matchmaker.scheduler import runner
from matchmaker.scheduler.jobs import all_jobs
from matchmaker.scheduler.registry import Job
from tests.scheduler.conftest import job_row

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def counting_jobs(counter: Counter, *names: str, every: timedelta = HOUR) -> list[Job]:
    lock = threading.Lock()

    def job(name: str) -> Job:
        def run(engine, settings, now) -> str:
            with lock:
                counter[name] += 1
            return f"{name} done"
        return Job(name, every, run, name)

    return [job(name) for name in names]


def test_a_due_job_runs_once_then_again_when_due_on_its_grid(engine, settings, session):
    counter: Counter = Counter()
    jobs = counting_jobs(counter, "tidy")
    assert [o.name for o in runner.tick(engine, settings, "w1", NOW, jobs)] == ["tidy"]
    assert runner.tick(engine, settings, "w1", NOW + timedelta(minutes=59), jobs) == []
    [outcome] = runner.tick(engine, settings, "w2", NOW + timedelta(minutes=75), jobs)
    assert (outcome.outcome, outcome.message) == ("ok", "tidy done")
    assert counter == {"tidy": 2}
    row = job_row(session, "tidy")
    assert (row.runs, row.last_outcome, row.last_message) == (2, "ok", "tidy done")
    assert row.next_due_at == NOW + 2 * HOUR  # the grid keeps the hour, not 10:15 + 1 h
    assert row.lease_until is None and row.lease_owner == ""


def test_next_due_skips_missed_periods_and_keeps_a_time_ahead():
    assert runner.next_due(NOW, HOUR, NOW + timedelta(hours=5, minutes=1)) == NOW + 6 * HOUR
    assert runner.next_due(NOW + HOUR, HOUR, NOW) == NOW + HOUR


def test_a_failing_job_records_a_sentence_and_the_others_still_run(engine, settings, session):
    counter: Counter = Counter()

    def broken(engine, settings, now) -> str:
        raise RuntimeError("disk full")

    jobs = [Job("broken", HOUR, broken, "broken"), *counting_jobs(counter, "after")]
    outcomes = runner.tick(engine, settings, "w1", NOW, jobs)
    assert [(o.name, o.outcome) for o in outcomes] == [("broken", "failed"), ("after", "ok")]
    row = job_row(session, "broken")
    assert row.last_outcome == "failed" and "RuntimeError: disk full" in row.last_message
    assert row.next_due_at == NOW + HOUR and row.lease_until is None  # tried again next hour


def test_workers_ticking_at_once_run_each_due_job_once(engine, settings):
    counter: Counter = Counter()
    jobs = counting_jobs(counter, "one", "two", "three")
    start = threading.Barrier(4)
    errors = []

    def worker(name: str) -> None:
        start.wait()
        try:
            runner.tick(engine, settings, name, NOW, jobs)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert counter == {"one": 1, "two": 1, "three": 1}


def test_a_held_lease_keeps_other_workers_out_until_it_runs_out(engine, settings):
    runner.ensure_rows(engine, counting_jobs(Counter(), "tidy"), NOW)
    assert runner.claim(engine, "tidy", "w1", NOW) == NOW
    assert runner.claim(engine, "tidy", "w2", NOW) is None
    assert runner.claim(engine, "tidy", "w2", NOW + runner.LEASE / 2) is None
    # w1 died holding it: once the lease has run out another worker takes the job over.
    assert runner.claim(engine, "tidy", "w2", NOW + runner.LEASE + timedelta(seconds=1)) == NOW


def test_the_worker_loop_ticks_the_scheduler(engine, settings, session, monkeypatch):
    stop = threading.Event()
    seen = []

    def last_job(engine, settings, now) -> str:
        seen.append(now)
        stop.set()  # one tick is enough: let the loop end
        return "ticked"

    monkeypatch.setattr(runner, "all_jobs", lambda: [Job("probe", HOUR, last_job, "probe")])
    thread = threading.Thread(target=work_loop, args=(engine, stop, "loop-worker"),
                              kwargs={"poll_seconds": 0.01, "settings": settings})
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive() and len(seen) == 1
    assert job_row(session, "probe").last_message == "ticked"


def test_the_schedule_names_fit_and_are_unique():
    names = [job.name for job in all_jobs()]
    assert len(names) == len(set(names)) and all(len(name) <= 48 for name in names)
    assert names.index("expire_needs") < names.index("withdraw_unanswerable") < names.index(
        "send_mail")


@pytest.mark.parametrize("every, words", [
    (timedelta(seconds=5), "every 5 seconds"), (timedelta(minutes=1), "every minute"),
    (timedelta(minutes=10), "every 10 minutes"), (timedelta(days=7), "every 7 days"),
])
def test_periods_in_words(every, words):
    from matchmaker.admin.schedule import period_words

    assert period_words(every) == words
