"""Unmet-need reasons and shadow prices a person reads after a solve."""

from __future__ import annotations

import pytest

from solver import REASONS, solve

from .helpers import problem


def reasons(solution):
    return {u.need: (u.reason, u.shortfall) for u in solution.unmet}


def test_each_reason_in_whole_mode():
    p = problem(
        [("lonely", 10), ("big", 500), ("loser", 40), ("winner", 40), ("sour", 5)],
        [("O1", 50), ("O2", 100)],
        [
            ("big", "O1", 9),
            ("loser", "O1", 2),
            ("winner", "O1", 8),
            ("sour", "O2", -1),
        ],
    )
    s = solve(p)
    assert reasons(s) == {
        "lonely": ("no_compatible_offer", 10),
        "big": ("too_large", 500),
        "loser": ("outbid", 40),
        "sour": ("not_worthwhile", 5),
    }
    loser = next(u for u in s.unmet if u.need == "loser")
    assert "'O1'" in loser.detail and "'winner'" in loser.detail
    assert set(REASONS) >= {u.reason for u in s.unmet}


def test_partly_covered_shortfall_in_split_mode():
    p = problem(
        [("N1", 100), ("N2", 80)],
        [("O1", 130)],
        [("N1", "O1", 10), ("N2", "O1", 4)],
        mode="split",
    )
    s = solve(p)
    assert reasons(s) == {"N2": ("partly_covered", 50)}
    assert "short by 50" in s.unmet[0].detail


def test_whole_mode_shadow_prices_come_from_the_lp_relaxation():
    # LP relaxation: O1 takes N1 whole and half of N2; one more unit of O1 buys
    # 1/200 more of N2, worth 6/200. O2 has room to spare: worth nothing more.
    p = problem(
        [("N1", 100), ("N2", 100), ("N3", 10)],
        [("O1", 300), ("O2", 50)],
        [("N1", "O1", 10, 200), ("N2", "O1", 6, 200), ("N3", "O2", 1)],
    )
    s = solve(p)
    prices = {sp.offer: sp.value for sp in s.shadow_prices}
    assert prices == pytest.approx({"O1": 0.03, "O2": 0.0})
    assert s.objective == pytest.approx(11)


def test_offer_with_no_capacity_shows_what_capacity_would_be_worth():
    p = problem([("N1", 100)], [("O1", 0)], [("N1", "O1", 5)], mode="split")
    s = solve(p)
    assert s.shadow_prices[0].value == pytest.approx(0.05)
    assert reasons(s) == {"N1": ("outbid", 100)}
    assert "has no room left" in s.unmet[0].detail
