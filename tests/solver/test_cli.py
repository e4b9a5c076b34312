"""The command line, run as a person would: python -m solver ..."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = {
    "mode": "whole",
    "time_limit_s": 5,
    "needs": [{"id": "N1", "amount": 100}, {"id": "N2", "amount": 100}],
    "offers": [{"id": "O1", "capacity": 150}],
    "arcs": [
        {"need": "N1", "offer": "O1", "score": 10},
        {"need": "N2", "offer": "O1", "score": 6},
    ],
}


def run(*args, stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "solver", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


@pytest.fixture
def problem_file(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(PROBLEM))
    return path


def test_solve_prints_result_json(problem_file):
    done = run("solve", str(problem_file))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "optimal"
    assert result["objective"] == 10
    assert result["allocations"] == [{"need": "N1", "offer": "O1", "amount": 100, "score": 10.0}]
    assert result["unmet"][0]["need"] == "N2" and result["unmet"][0]["reason"] == "outbid"
    assert set(result) >= {"status", "objective", "bound", "gap", "seconds", "shadow_prices"}


def test_mode_override_and_stdin():
    done = run("solve", "-", "--mode", "split", "--time-limit", "3", stdin=json.dumps(PROBLEM))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["objective"] == pytest.approx(13)
    assert result["method"] == "min_cost_flow"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "malformed JSON"),
        (
            json.dumps(PROBLEM | {"arcs": [{"need": "N1", "offer": "O9", "score": 1}]}),
            "arc 0: unknown offer 'O9'",
        ),
        (
            json.dumps(PROBLEM | {"offers": [{"id": "O1", "capacity": -1}]}),
            "offer 'O1': capacity must be >= 0",
        ),
        (
            json.dumps(
                PROBLEM
                | {
                    "needs": [
                        {"id": "N1", "amount": 100, "must_cover": True},
                        {"id": "N2", "amount": 100},
                    ],
                    "arcs": [{"need": "N2", "offer": "O1", "score": 1}],
                }
            ),
            "need 'N1': must be covered but has no compatible offer",
        ),
    ],
)
def test_bad_input_exits_2_with_the_culprit_on_stderr(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    done = run("solve", str(path))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_missing_file_and_bad_option_exit_2(tmp_path):
    done = run("solve", str(tmp_path / "nope.json"))
    assert done.returncode == 2 and "cannot read" in done.stderr
    done = run("solve", "-", "--mode", "halves", stdin="{}")
    assert done.returncode == 2 and "invalid choice" in done.stderr


def test_help():
    done = run("--help")
    assert done.returncode == 0 and "solve" in done.stdout
    done = run("solve", "--help")
    assert done.returncode == 0 and "--time-limit" in done.stdout and "--mode" in done.stdout
