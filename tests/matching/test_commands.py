"""The run commands: ``matchmaker solve``, ``export-problem`` (replayed by ``python -m solver``)
and ``matchmaker worker`` as a process of its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from matchmaker.cli import main
from matchmaker.models import MatchRun, Proposal, RunState
from matchmaker.settings import PROJECT_ROOT
from tests import factories
from tests.matching.conftest import category


@pytest.fixture
def portfolio(session, donor_org):
    machines = category(session, "marking.machines")
    needs = [factories.make_need(session, iso3, topic=machines, cost_usd=50_000)
             for iso3 in ("GHA", "SEN", "PER")]
    factories.make_offer(session, donor_org, topics=[machines], budget_usd=120_000)
    session.commit()
    return needs


@pytest.fixture
def cli(database_url, monkeypatch):
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", database_url)
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def test_solve_writes_proposals_and_prints_the_figures(cli, session, portfolio):
    dry = cli("solve", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "3 needs, 1 offers, 3 compatible pairs" in dry.output
    assert "nothing written" in dry.output
    assert session.scalars(select(MatchRun)).all() == []

    result = cli("solve", "--mode", "whole", "--time-limit", "5")
    assert result.exit_code == 0, result.output
    run = session.scalars(select(MatchRun)).one()
    assert (run.state, run.mode, run.started_by_id) == (RunState.DONE, "whole", None)
    assert f"Run #{run.id}: Global, mode whole" in result.output
    assert "2 proposals for $100,000 of $150,000 requested" in result.output
    assert "time " in result.output and "solver " in result.output
    assert len(session.scalars(select(Proposal)).all()) == 2


def test_solve_refuses_a_bad_scope(cli, portfolio):
    result = CliRunner().invoke(main, ["solve", "--scope", "region:999"])
    assert result.exit_code == 2 and "Unknown region" in result.output
    result = CliRunner().invoke(main, ["solve", "--time-limit", "600"])
    assert result.exit_code == 2 and "between 1 and 60" in result.output


def test_export_problem_replays_with_the_solver_command(cli, portfolio, tmp_path):
    out = tmp_path / "problem.json"
    result = cli("export-problem", "--scope", "region:002", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert [n["id"] for n in data["needs"]] == [portfolio[0].reference, portfolio[1].reference]
    assert data["about"]["scope"] == "Africa" and len(data["arcs"]) == 2
    replay = subprocess.run([sys.executable, "-m", "solver", "solve", str(out)],
                            capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    solution = json.loads(replay.stdout)
    assert sum(a["amount"] for a in solution["allocations"]) == 100_000


def test_a_worker_process_carries_out_queued_runs_and_stops_on_ctrl_c(
    session, database_url, portfolio, people
):
    from matchmaker.accounts.authz import viewer_for
    from matchmaker.runs import services
    from matchmaker.runs.schemas import RunInput

    run = services.start_run(session, viewer_for(session, people.admin), RunInput.from_json({}))
    env = dict(os.environ, MATCHMAKER_DATABASE_URL=database_url, PYTHONPATH=str(PROJECT_ROOT))
    worker = subprocess.Popen([sys.executable, "-m", "matchmaker.cli", "worker"], env=env,
                              cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        deadline = time.monotonic() + 120  # a cap for a loaded machine: it ends when done
        while time.monotonic() < deadline:
            session.expire_all()
            if session.get(MatchRun, run.id).state == RunState.DONE:
                break
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGINT)
        output, _ = worker.communicate(timeout=90)
    assert session.get(MatchRun, run.id).state == RunState.DONE, output
    assert session.get(MatchRun, run.id).claimed_by.split(":")[1] == str(worker.pid)
    assert worker.returncode == 0 and "Worker stopped." in output
