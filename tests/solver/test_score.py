"""score.build_arcs: hard compatibility rules and the explainable score breakdown."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from solver.score import CRITERIA, DEFAULT_WEIGHTS, NeedArrays, OfferArrays, build_arcs

NAN = np.nan
# Codes: topics 0..3 (area = topic // 2), modalities 0 funding / 1 equipment / 2 training,
# regions 0..1 and sub-regions 2..4 share one index space, countries 0..4.


def needs(**overrides) -> NeedArrays:
    base = dict(
        topic=[0, 1, 3],
        area=[0, 0, 1],
        modality=[0, 2, 0],
        country=[0, 1, 4],
        region=[0, 0, 1],
        subregion=[2, 3, 4],
        languages=[0b01, 0b10, 0b01],
        priority=[3, 1, 2],
        deadline=[30.0, NAN, 400.0],
        start=[0.0, 10.0, 100.0],
        cost=[100.0, 50.0, 200.0],
        is_ldc=[True, False, False],
    )
    base.update(overrides)
    return NeedArrays(**{k: np.asarray(v) for k, v in base.items()})


def offers(**overrides) -> OfferArrays:
    base = dict(
        # O0 covers topic 0 exactly and area 1; O1 covers area 0 (topics 0 and 1).
        topics=np.array([[1, 0, 0, 0], [0, 0, 0, 0]], bool),
        areas=np.array([[0, 1], [1, 0]], bool),
        modalities=np.array([0b001, 0b101]),
        regions=np.zeros((2, 5), bool),
        countries=np.zeros((2, 5), bool),
        excluded_countries=np.zeros((2, 5), bool),
        languages=np.array([0b01, 0b11]),
        window_start=np.array([NAN, 0.0]),
        window_end=np.array([NAN, 365.0]),
        budget=np.array([1000.0, 25.0]),
        home_region=np.array([0, 1]),
        home_subregion=np.array([2, 4]),
    )
    base.update(overrides)
    return OfferArrays(**base)


def pairs(arcs) -> set[tuple[int, int]]:
    return set(zip(arcs.need_index.tolist(), arcs.offer_index.tolist(), strict=True))


def test_compatible_pairs_follow_topic_and_modality():
    arcs = build_arcs(needs(), offers())
    # N0 (topic 0, funding): O0 exact, O1 by area. N1 (topic 1, training): only O1 offers
    # training. N2 (topic 3, area 1, funding): O0 by area.
    assert pairs(arcs) == {(0, 0), (0, 1), (1, 1), (2, 0)}


def test_breakdown_adds_up_and_is_hand_checked():
    weights = {name: 1.0 for name in CRITERIA}
    arcs = build_arcs(needs(), offers(), weights)
    total = sum(arcs.breakdown.values())
    np.testing.assert_allclose(total, arcs.score)
    at = {
        pair: i
        for i, pair in enumerate(
            zip(arcs.need_index.tolist(), arcs.offer_index.tolist(), strict=True)
        )
    }
    n0o0, n0o1 = at[(0, 0)], at[(0, 1)]
    b = {name: values for name, values in arcs.breakdown.items()}
    assert b["topic"][n0o0] == 1.0 and b["topic"][n0o1] == 0.5  # exact vs area only
    assert b["region"][n0o0] == 1.0  # same sub-region as O0's donor
    assert b["region"][n0o1] == 0.0  # O1's donor is in another region
    assert b["priority"][n0o0] == 1.0  # priority 3 = high
    assert b["urgency"][n0o0] == pytest.approx(2 ** (-30 / 90))
    assert b["cost_fit"][n0o0] == 1.0 and b["cost_fit"][n0o1] == 0.25  # budget 25 of 100
    assert b["ldc"][n0o0] == 1.0
    assert b["language"][at[(1, 1)]] == 1.0  # 0b10 & 0b11
    assert b["urgency"][at[(1, 1)]] == 0.0  # no deadline
    assert b["past_cooperation"].sum() == 0.0
    assert arcs.explain(n0o0)[0][1] == 1.0


def test_weights_scale_each_criterion_and_unknown_names_raise():
    plain = build_arcs(needs(), offers())
    doubled = build_arcs(needs(), offers(), {"topic": 2 * DEFAULT_WEIGHTS["topic"]})
    np.testing.assert_allclose(doubled.breakdown["topic"], 2 * plain.breakdown["topic"])
    np.testing.assert_allclose(doubled.breakdown["region"], plain.breakdown["region"])
    with pytest.raises(ValueError, match="unknown criteria"):
        build_arcs(needs(), offers(), {"charisma": 1.0})


def test_eligibility_exclusion_window_and_declined():
    regions = np.zeros((2, 5), bool)
    regions[1, 3] = True  # O1 only serves sub-region 3 (N1's)
    excluded = np.zeros((2, 5), bool)
    excluded[0, 4] = True  # O0 never serves country 4 (N2's)
    arcs = build_arcs(needs(), offers(regions=regions, excluded_countries=excluded))
    assert pairs(arcs) == {(0, 0), (1, 1)}
    # A country list opens an offer to that country even outside its regions.
    countries = np.zeros((2, 5), bool)
    countries[1, 0] = True
    arcs = build_arcs(needs(), offers(regions=regions, countries=sp.csr_matrix(countries)))
    assert (0, 1) in pairs(arcs)
    # N2 starts on day 100; an offer window ending on day 50 cannot serve it.
    arcs = build_arcs(needs(), offers(window_end=np.array([50.0, 365.0])))
    assert (2, 0) not in pairs(arcs) and (0, 0) in pairs(arcs)
    arcs = build_arcs(needs(), offers(), declined=np.array([[0, 1], [2, 0]]))
    assert pairs(arcs) == {(0, 0), (1, 1)}


def test_past_cooperation_and_cost_factor():
    past = np.zeros((2, 5))
    past[0, 0] = 3  # O0's donor has agreed matches with country 0 before
    arcs = build_arcs(needs(), offers(cost_factor=np.array([1.0, 0.5])), past_cooperation=past)
    at = {
        pair: i
        for i, pair in enumerate(
            zip(arcs.need_index.tolist(), arcs.offer_index.tolist(), strict=True)
        )
    }
    assert arcs.breakdown["past_cooperation"][at[(0, 0)]] == DEFAULT_WEIGHTS["past_cooperation"]
    assert arcs.consumption[at[(0, 0)]] == 100.0 and arcs.consumption[at[(0, 1)]] == 50.0


def test_empty_inputs_give_no_arcs():
    none = build_arcs(needs(topic=[0, 1, 3], modality=[3, 3, 3]), offers())
    assert len(none) == 0 and none.score.shape == (0,)
