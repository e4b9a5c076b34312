"""Compatible pairs and explainable scores, built from plain arrays (no Python loop over pairs).

The web app's encoder turns need and offer records into :class:`NeedArrays` and
:class:`OfferArrays` (integer codes, bitmasks, day numbers), calls :func:`build_arcs`, and
hands the resulting :class:`Arcs` to :class:`solver.problem.Problem`. Shapes: ``n`` needs,
``m`` offers, ``T`` topics, ``A`` areas, ``R`` regions and sub-regions (one index space, so
an offer may list either), ``C`` countries.

NeedArrays (each of length n)
    topic, area: int codes (area is the topic's parent); modality: int code 0..31;
    country, region, subregion: int codes (-1 unknown); languages: int bitmask (0 = any);
    priority: int 1 (low) .. 3 (high); deadline, start: days from today (float, nan = none);
    cost: estimated cost (float); is_ldc: bool (least-developed country).
OfferArrays (first axis m)
    topics (m x T) and areas (m x A): boolean, dense or scipy.sparse; an offer covering an
    area covers all its topics. modalities: int bitmask of modality codes.
    regions (m x R), countries (m x C): eligible places, boolean; an offer listing neither is
    open worldwide. excluded_countries (m x C): never eligible. languages: int bitmask
    (0 = any). window_start, window_end: days from today (nan = open). budget: float
    (nan = unlimited). home_region, home_subregion: int codes of the donor (-1 unknown).
    cost_factor: capacity used per unit of need cost (1 = money; other for in-kind).

Hard rules (a pair failing any is not an arc): topic or area covered, modality offered,
requesting country eligible and not excluded, the need's deadline is not past (deadline >= 0)
and its [start, deadline] overlaps the offer's window, pair not declined before. Soft criteria (each valued 0..1, times its weight;
the weighted values are the breakdown and add up to the score) are listed in ``CRITERIA``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

CRITERIA = {
    "topic": "Topic match (exact topic 1, same area only 0.5)",
    "region": "Proximity (same sub-region 1, same region 0.5)",
    "language": "Shares a delivery language",
    "priority": "Priority of the need (high 1, medium 0.5, low 0)",
    "urgency": "Urgency (deadline soon)",
    "cost_fit": "Share of the need's cost the offer's budget can cover",
    "past_cooperation": "Donor has helped this country before",
    "ldc": "Requesting country is a least-developed country",
}

DEFAULT_WEIGHTS = {
    "topic": 3.0,
    "region": 1.0,
    "language": 1.0,
    "priority": 2.0,
    "urgency": 1.0,
    "cost_fit": 1.5,
    "past_cooperation": 0.5,
    "ldc": 0.5,
}

# Urgency halves every this many days of time left before the deadline.
URGENCY_HALF_LIFE_DAYS = 90.0


@dataclass
class NeedArrays:
    """Needs as arrays of length n (see the module docstring for codes)."""

    topic: np.ndarray
    area: np.ndarray
    modality: np.ndarray
    country: np.ndarray
    region: np.ndarray
    subregion: np.ndarray
    languages: np.ndarray
    priority: np.ndarray
    deadline: np.ndarray
    start: np.ndarray
    cost: np.ndarray
    is_ldc: np.ndarray

    def __len__(self) -> int:
        return len(self.topic)


@dataclass
class OfferArrays:
    """Offers as arrays / matrices with first axis m (see the module docstring)."""

    topics: np.ndarray | sp.spmatrix
    areas: np.ndarray | sp.spmatrix
    modalities: np.ndarray
    regions: np.ndarray | sp.spmatrix
    countries: np.ndarray | sp.spmatrix
    excluded_countries: np.ndarray | sp.spmatrix
    languages: np.ndarray
    window_start: np.ndarray
    window_end: np.ndarray
    budget: np.ndarray
    home_region: np.ndarray | None = None
    home_subregion: np.ndarray | None = None
    cost_factor: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.modalities)


@dataclass
class Arcs:
    """Compatible pairs with their score, consumption and per-criterion breakdown."""

    need_index: np.ndarray  # int64, (k,)
    offer_index: np.ndarray  # int64, (k,)
    score: np.ndarray  # float64, (k,) = sum of breakdown values
    consumption: np.ndarray  # float64, (k,) capacity used to cover the whole need
    breakdown: dict[str, np.ndarray] = field(default_factory=dict)  # criterion -> (k,)

    def __len__(self) -> int:
        return len(self.need_index)

    def explain(self, arc: int) -> list[tuple[str, float]]:
        """(label, weighted value) per criterion of one arc, largest first."""
        parts = [(CRITERIA[name], float(values[arc])) for name, values in self.breakdown.items()]
        return sorted(parts, key=lambda part: -part[1])


def _csr(matrix, rows: int) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix, dtype=np.float32)
    if matrix.shape[0] != rows:
        raise ValueError(f"offer matrix has {matrix.shape[0]} rows, expected {rows}")
    return matrix


def _onehot(codes: np.ndarray, width: int) -> sp.csr_matrix:
    valid = (codes >= 0) & (codes < width)
    rows = np.flatnonzero(valid)
    return sp.csr_matrix(
        (np.ones(len(rows), np.float32), (rows, codes[valid])), shape=(len(codes), width)
    )


def _lookup(matrix: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """matrix[rows[i], cols[i]] != 0 for every i; columns < 0 are never set."""
    dense = matrix.toarray() != 0  # offers x (regions | countries): small
    ok = (cols >= 0) & (cols < dense.shape[1])
    out = np.zeros(len(rows), bool)
    out[ok] = dense[rows[ok], cols[ok]]
    return out


def candidate_pairs(
    needs: NeedArrays, offers: OfferArrays
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs whose topic is covered, via sparse products; also whether the match is exact."""
    m = len(offers)
    topics, areas = _csr(offers.topics, m), _csr(offers.areas, m)
    exact = _onehot(np.asarray(needs.topic), topics.shape[1]) @ topics.T
    by_area = _onehot(np.asarray(needs.area), areas.shape[1]) @ areas.T
    # Exact matches count 2, area matches 1: one sparse sum gives both facts per pair.
    both = (2 * (exact != 0) + (by_area != 0)).tocoo()
    return both.row.astype(np.int64), both.col.astype(np.int64), both.data >= 2


def build_arcs(
    needs: NeedArrays,
    offers: OfferArrays,
    weights: dict[str, float] | None = None,
    declined: np.ndarray | None = None,
    past_cooperation: np.ndarray | sp.spmatrix | None = None,
) -> Arcs:
    """Compatible (need, offer) pairs with explainable scores.

    weights: criterion -> weight (missing criteria use DEFAULT_WEIGHTS; unknown names raise).
    declined: (k, 2) int array of (need index, offer index) pairs declined before.
    past_cooperation: (m x C) counts or booleans of earlier agreed matches of each donor's
    offers with each country.
    """
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    unknown = set(weights) - set(CRITERIA)
    if unknown:
        raise ValueError(f"unknown criteria {sorted(unknown)}; known: {sorted(CRITERIA)}")
    m = len(offers)
    need, offer, is_exact = candidate_pairs(needs, offers)

    # Hard rules, applied as masks over the candidate pairs.
    keep = (np.asarray(offers.modalities)[offer] >> np.asarray(needs.modality)[need]) & 1 == 1
    regions, countries = _csr(offers.regions, m), _csr(offers.countries, m)
    worldwide = (np.diff(regions.indptr) == 0) & (np.diff(countries.indptr) == 0)
    country = np.asarray(needs.country)[need]
    eligible = (
        worldwide[offer]
        | _lookup(regions, offer, np.asarray(needs.region)[need])
        | _lookup(regions, offer, np.asarray(needs.subregion)[need])
        | _lookup(countries, offer, country)
    )
    keep &= eligible & ~_lookup(_csr(offers.excluded_countries, m), offer, country)
    need_start = np.asarray(needs.start, float)[need]
    need_end = np.asarray(needs.deadline, float)[need]
    offer_start = np.asarray(offers.window_start, float)[offer]
    offer_end = np.asarray(offers.window_end, float)[offer]
    # nan compares False, so "not (a > b)" treats an open end as overlapping.
    keep &= ~(need_start > offer_end) & ~(offer_start > need_end)
    keep &= ~(need_end < 0)  # past its deadline: too late to help, whatever the urgency
    if declined is not None and len(declined):
        declined = np.asarray(declined, dtype=np.int64).reshape(-1, 2)
        keep &= ~np.isin(need * m + offer, declined[:, 0] * m + declined[:, 1])
    need, offer, is_exact = need[keep], offer[keep], is_exact[keep]

    # Soft criteria, each valued 0..1.
    values = {
        "topic": np.where(is_exact, 1.0, 0.5),
        "region": _proximity(needs, offers, need, offer),
        "language": _shares_language(needs, offers, need, offer),
        "priority": (np.clip(np.asarray(needs.priority, float)[need], 1, 3) - 1) / 2,
        "urgency": _urgency(np.asarray(needs.deadline, float)[need]),
        "cost_fit": _cost_fit(
            np.asarray(needs.cost, float)[need], np.asarray(offers.budget, float)[offer]
        ),
        "past_cooperation": _past(past_cooperation, m, offer, np.asarray(needs.country)[need]),
        "ldc": np.asarray(needs.is_ldc, bool)[need].astype(float),
    }
    breakdown = {name: weights[name] * values[name] for name in CRITERIA}
    score = np.sum(list(breakdown.values()), axis=0) if len(need) else np.zeros(0)
    factor = np.ones(m) if offers.cost_factor is None else np.asarray(offers.cost_factor, float)
    consumption = np.asarray(needs.cost, float)[need] * factor[offer]
    return Arcs(need.astype(np.int64), offer.astype(np.int64), score, consumption, breakdown)


def _proximity(needs, offers, need, offer) -> np.ndarray:
    if offers.home_region is None and offers.home_subregion is None:
        return np.zeros(len(need))
    m = len(offers)
    home_region = np.full(m, -1) if offers.home_region is None else np.asarray(offers.home_region)
    home_sub = (
        np.full(m, -1) if offers.home_subregion is None else np.asarray(offers.home_subregion)
    )
    same_sub = (home_sub[offer] >= 0) & (home_sub[offer] == np.asarray(needs.subregion)[need])
    same_region = (home_region[offer] >= 0) & (home_region[offer] == np.asarray(needs.region)[need])
    return np.where(same_sub, 1.0, np.where(same_region, 0.5, 0.0))


def _shares_language(needs, offers, need, offer) -> np.ndarray:
    need_lang = np.asarray(needs.languages, np.int64)[need]
    offer_lang = np.asarray(offers.languages, np.int64)[offer]
    return ((need_lang == 0) | (offer_lang == 0) | ((need_lang & offer_lang) != 0)).astype(float)


def _urgency(deadline: np.ndarray) -> np.ndarray:
    days_left = np.maximum(np.nan_to_num(deadline, nan=np.inf), 0.0)
    return np.exp2(-days_left / URGENCY_HALF_LIFE_DAYS)


def _cost_fit(cost: np.ndarray, budget: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(cost > 0, budget / cost, 1.0)
    return np.clip(np.nan_to_num(share, nan=1.0), 0.0, 1.0)


def _past(past, m, offer, country) -> np.ndarray:
    if past is None:
        return np.zeros(len(offer))
    return _lookup(_csr(past, m), offer, country).astype(float)
