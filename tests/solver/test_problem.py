"""The JSON problem format: parsing, defaults, round trip and every error message."""

from __future__ import annotations

import json

import numpy as np
import pytest

from solver import Problem, ProblemError, solve

BASE = {
    "mode": "whole",
    "needs": [{"id": "N1", "amount": 100}, {"id": "N2", "amount": 50, "must_cover": True}],
    "offers": [{"id": "O1", "capacity": 120}, {"id": "O2", "capacity": 60}],
    "arcs": [
        {"need": "N1", "offer": "O1", "score": 3.5},
        {"need": "N2", "offer": "O2", "score": 1, "consumption": 40},
    ],
}


def variant(**changes):
    data = json.loads(json.dumps(BASE))
    for key, value in changes.items():
        data[key] = value
    return data


def test_parses_arrays_and_defaults():
    p = Problem.from_json(json.dumps(BASE))
    assert p.need_ids == ["N1", "N2"]
    assert p.need_must_cover.tolist() == [False, True]
    assert p.arc_need.tolist() == [0, 1] and p.arc_offer.tolist() == [0, 1]
    # consumption defaults to the need's amount
    assert p.arc_consumption.tolist() == [100.0, 40.0]
    assert p.mode == "whole" and p.time_limit_s == 10 and p.min_share == 0


def test_round_trip_through_json():
    p = Problem.from_json(BASE)
    again = Problem.from_json(p.to_json())
    assert again.need_ids == p.need_ids
    np.testing.assert_array_equal(again.arc_consumption, p.arc_consumption)
    np.testing.assert_array_equal(again.arc_score, p.arc_score)


def test_unknown_keys_are_ignored():
    p = Problem.from_json(variant(name="exported run 12", comment="hi"))
    assert p.num_arcs == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "malformed JSON"),
        ("[1, 2]", "expected `object`"),
        (
            variant(offers=[{"id": "O1", "capacity": 120}, {"id": "O2", "capacity": -5}]),
            "offer 'O2': capacity must be >= 0",
        ),
        (variant(arcs=[{"need": "N1", "offer": "O9", "score": 1}]), "arc 0: unknown offer 'O9'"),
        (
            variant(
                arcs=[
                    {"need": "N1", "offer": "O1", "score": 1},
                    {"need": "N7", "offer": "O1", "score": 1},
                ]
            ),
            "arc 1: unknown need 'N7'",
        ),
        (variant(needs=[{"id": "N1"}]), "needs[0]: object missing required field `amount`"),
        (
            variant(arcs=[{"need": "N1", "offer": "O1", "score": "high"}]),
            "arcs[0].score: expected `float`, got `str`",
        ),
        (
            variant(needs=[{"id": "N1", "amount": 0}, {"id": "N2", "amount": 5}]),
            "need 'N1': amount must be > 0",
        ),
        (
            variant(
                needs=[
                    {"id": "N1", "amount": 1},
                    {"id": "N2", "amount": 1},
                    {"id": "N1", "amount": 2},
                ]
            ),
            "need 'N1': duplicate id",
        ),
        (
            variant(
                arcs=[
                    {"need": "N1", "offer": "O1", "score": 1},
                    {"need": "N1", "offer": "O1", "score": 2},
                ]
            ),
            "arc 1 (N1 -> O1): duplicate of arc 0",
        ),
        (
            variant(arcs=[{"need": "N1", "offer": "O1", "score": 1, "consumption": -1}]),
            "arc 0 (N1 -> O1): consumption must be >= 0",
        ),
        (variant(mode="fast"), "mode: invalid enum value 'fast'"),
        (variant(min_share=1.5), "min_share: must be between 0 and 1"),
        (variant(time_limit_s=0), "time_limit_s: must be > 0"),
        (
            variant(locked=[{"need": "N2", "offer": "O1"}]),
            "locked 0: need 'N2' and offer 'O1' have no arc",
        ),
        (
            variant(locked=[{"need": "N1", "offer": "O1", "amount": 30}]),
            "locked 0: in whole mode a lock covers the whole need 'N1'",
        ),
        (variant(locked=[{"need": "N9", "offer": "O1"}]), "locked 0: unknown need 'N9'"),
        (
            variant(mode="split", locked=[{"need": "N1", "offer": "O1", "amount": 130}]),
            "need 'N1': locked amounts 130 exceed its amount 100",
        ),
        (
            variant(
                offers=[{"id": "O1", "capacity": 50}, {"id": "O2", "capacity": 60}],
                locked=[{"need": "N1", "offer": "O1"}],
            ),
            "offer 'O1': locked allocations use 100, more than its capacity 50",
        ),
    ],
)
def test_bad_input_names_the_culprit(data, message):
    with pytest.raises(ProblemError) as error:
        Problem.from_json(data)
    assert message in str(error.value)


@pytest.mark.parametrize("mode", ["whole", "split"])
def test_must_cover_need_without_arc_is_named(mode):
    data = variant(mode=mode, arcs=[{"need": "N1", "offer": "O1", "score": 1}])
    with pytest.raises(
        ProblemError, match="need 'N2': must be covered but has no compatible offer"
    ):
        solve(Problem.from_json(data))


def test_from_arrays_validates_like_json():
    with pytest.raises(ProblemError, match="arc 0: unknown offer index 5"):
        Problem.from_arrays(["N1"], [10], ["O1"], [10], [0], [5], [1.0])
    with pytest.raises(ProblemError, match=r"arc 0 \(N1 -> O1\): score must be a finite number"):
        Problem.from_arrays(["N1"], [10], ["O1"], [10], [0], [0], [np.nan])
