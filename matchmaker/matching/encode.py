"""Records to solver arrays: needs and offers become :mod:`solver.score` arrays, then a Problem.

Codes are positions in the reference tables (countries, regions, topics, areas, modalities,
languages), so nothing here loops over pairs: :func:`solver.score.build_arcs` finds the
compatible pairs with sparse products. Two encodings choices matter for users:

- an offer's eligible *intermediate* regions (e.g. Western Africa) are expanded to their
  States, and ``ldc_only`` / ``sids_only`` offers exclude every other State, so the solver's
  region / country / exclusion rules express all of an offer's eligibility;
- the solver sees each need's *remaining* amount (cost less agreed and held amounts) and the
  pair's score scaled by the share of the need still open, so a dollar scores the same
  whether a need is fresh or nearly covered; proposals keep the pair's full score and its
  per-criterion breakdown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import scipy.sparse as sp

from matchmaker.matching.load import NeedRecord, OfferRecord, Places, Portfolio
from matchmaker.models import RegionLevel
from solver import Problem
from solver.score import Arcs, NeedArrays, OfferArrays, build_arcs


@dataclass
class Encoded:
    """A portfolio as the solver sees it, with what is needed to read its answer back."""

    portfolio: Portfolio
    needs: list[NeedRecord]  # problem order
    offers: list[OfferRecord]  # problem order: offers with at least one compatible need
    arcs: Arcs  # offer_index refers to ``offers``
    problem: Problem
    need_arrays: NeedArrays
    all_offer_arrays: OfferArrays  # every open offer, spent ones too, to explain needs
    all_offers: list[OfferRecord]
    seconds: float

    @property
    def requested_usd(self) -> float:
        return float(sum(n.remaining for n in self.needs))


class Codes:
    """Positions of reference records, shared by the need and offer arrays."""

    def __init__(self, places: Places, needs: list[NeedRecord], offers: list[OfferRecord]):
        self.places = places
        self.country = {cid: i for i, cid in enumerate(sorted(places.countries))}
        self.region = {rid: i for i, rid in enumerate(sorted(places.regions))}
        self.topic = {tid: i for i, tid in enumerate(places.topics)}
        self.area = {aid: i for i, aid in enumerate(places.areas)}
        self.modality = {mid: i for i, mid in enumerate(places.modalities)}
        languages = sorted({code for r in (*needs, *offers) for code in r.languages})
        # More than 62 distinct languages would overflow the mask: the rest share the last bit.
        self.language = {code: min(i, 62) for i, code in enumerate(languages)}

    def language_mask(self, codes: tuple[str, ...]) -> int:
        mask = 0
        for code in codes:
            mask |= 1 << self.language[code]
        return mask


def _days(value: date | None, today: date) -> float:
    return float((value - today).days) if value else np.nan


def encode_needs(needs: list[NeedRecord], codes: Codes, today: date) -> NeedArrays:
    countries = codes.places.countries
    homes = [countries[n.country_id] for n in needs]
    return NeedArrays(
        topic=np.array([codes.topic[n.topic_id] for n in needs], np.int64),
        area=np.array(
            [codes.area.get(codes.places.topic_area.get(n.topic_id), -1) for n in needs], np.int64
        ),
        modality=np.array([codes.modality[n.modality_id] for n in needs], np.int64),
        country=np.array([codes.country[n.country_id] for n in needs], np.int64),
        region=np.array([codes.region[c.region_id] for c in homes], np.int64),
        subregion=np.array([codes.region[c.subregion_id] for c in homes], np.int64),
        languages=np.array([codes.language_mask(n.languages) for n in needs], np.int64),
        priority=np.array([n.priority for n in needs], np.int64),
        deadline=np.array([_days(n.deadline, today) for n in needs], float),
        start=np.array([_days(n.start_date, today) for n in needs], float),
        cost=np.array([n.remaining for n in needs], float),
        is_ldc=np.array([c.is_ldc for c in homes], bool),
    )


def _matrix(rows: list[list[int]], width: int) -> sp.csr_matrix:
    row = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    col = np.fromiter((c for r in rows for c in r), np.int64, len(row))
    return sp.csr_matrix((np.ones(len(row), np.float32), (row, col)), shape=(len(rows), width))


def encode_offers(offers: list[OfferRecord], codes: Codes, today: date) -> OfferArrays:
    places = codes.places
    countries, regions = places.countries, places.regions
    not_ldc = [cid for cid, c in countries.items() if not c.is_ldc]
    not_sids = [cid for cid, c in countries.items() if not c.is_sids]
    by_intermediate: dict[int, list[int]] = {}
    for cid, country in countries.items():
        if country.intermediate_region_id is not None:
            by_intermediate.setdefault(country.intermediate_region_id, []).append(cid)

    topics, areas, region_rows, country_rows, excluded_rows = [], [], [], [], []
    for offer in offers:
        topics.append([codes.topic[c] for c in offer.category_ids if c in codes.topic])
        areas.append([codes.area[c] for c in offer.category_ids if c in codes.area])
        listed = [regions[r] for r in offer.region_ids]
        region_rows.append(
            [codes.region[r.id] for r in listed if r.level != RegionLevel.INTERMEDIATE]
        )
        eligible = set(offer.country_ids)
        for region in listed:
            if region.level == RegionLevel.INTERMEDIATE:
                eligible.update(by_intermediate.get(region.id, ()))
        country_rows.append(sorted(codes.country[c] for c in eligible))
        excluded = set(offer.excluded_ids)
        if offer.ldc_only:
            excluded.update(not_ldc)
        if offer.sids_only:
            excluded.update(not_sids)
        excluded_rows.append(sorted(codes.country[c] for c in excluded))

    homes = [places.home.get(o.organisation_id, (None, None)) for o in offers]
    return OfferArrays(
        topics=_matrix(topics, len(codes.topic)),
        areas=_matrix(areas, len(codes.area)),
        modalities=np.array(
            [sum(1 << codes.modality[m] for m in o.modality_ids) for o in offers], np.int64
        ),
        regions=_matrix(region_rows, len(codes.region)),
        countries=_matrix(country_rows, len(codes.country)),
        excluded_countries=_matrix(excluded_rows, len(codes.country)),
        languages=np.array([codes.language_mask(o.languages) for o in offers], np.int64),
        window_start=np.array([_days(o.available_from, today) for o in offers], float),
        window_end=np.array([_days(o.available_until, today) for o in offers], float),
        budget=np.array([o.remaining for o in offers], float),
        home_region=np.array([codes.region.get(h[0], -1) for h in homes], np.int64),
        home_subregion=np.array([codes.region.get(h[1], -1) for h in homes], np.int64),
    )


def _pairs(pairs: set[tuple[int, int]], needs, offers) -> np.ndarray:
    """(need index, offer index) rows of the ``pairs`` of record ids present in this run."""
    need_at = {n.id: i for i, n in enumerate(needs)}
    offer_at = {o.id: i for i, o in enumerate(offers)}
    rows = [
        (need_at[n], offer_at[o]) for n, o in pairs if n in need_at and o in offer_at
    ]
    return np.array(rows, np.int64).reshape(-1, 2)


def _cooperation(portfolio: Portfolio, offers, codes: Codes) -> sp.csr_matrix:
    countries_of: dict[int, list[int]] = {}
    for organisation_id, country_id in portfolio.cooperation:
        countries_of.setdefault(organisation_id, []).append(codes.country[country_id])
    rows = [countries_of.get(o.organisation_id, []) for o in offers]
    return _matrix(rows, len(codes.country))


def encode(
    portfolio: Portfolio,
    today: date,
    weights: dict[str, float] | None = None,
    mode: str = "split",
    time_limit_s: float = 10.0,
) -> Encoded:
    """Arrays, compatible pairs with their score breakdown, and the solver Problem."""
    started = time.perf_counter()
    needs, all_offers = portfolio.needs, portfolio.offers
    codes = Codes(portfolio.places, needs, [*all_offers, *portfolio.spent_offers])
    need_arrays = encode_needs(needs, codes, today)
    offer_arrays = encode_offers(all_offers, codes, today)
    # Offers with nothing left take no part in the solve but explain the needs without arcs.
    explained = [*all_offers, *portfolio.spent_offers]
    explained_arrays = (encode_offers(explained, codes, today) if portfolio.spent_offers
                        else offer_arrays)
    ruled_out = _pairs(portfolio.declined | portfolio.taken, needs, all_offers)
    arcs = build_arcs(
        need_arrays,
        offer_arrays,
        weights,
        declined=ruled_out,
        past_cooperation=_cooperation(portfolio, all_offers, codes),
    )
    # Only offers compatible with at least one need take part (and are counted).
    used, offer_index = np.unique(arcs.offer_index, return_inverse=True)
    arcs.offer_index = offer_index.astype(np.int64).reshape(-1)
    offers = [all_offers[i] for i in used.tolist()]
    remaining = need_arrays.cost
    cost = np.array([n.cost_usd for n in needs], float)
    open_share = remaining[arcs.need_index] / cost[arcs.need_index] if len(arcs) else np.zeros(0)
    problem = Problem.from_arrays(
        need_ids=[n.reference for n in needs],
        need_amount=remaining,
        offer_ids=[o.reference for o in offers],
        offer_capacity=np.array([o.remaining for o in offers], float),
        arc_need=arcs.need_index,
        arc_offer=arcs.offer_index,
        arc_score=arcs.score * open_share,
        arc_consumption=arcs.consumption,
        mode=mode,
        time_limit_s=time_limit_s,
    )
    return Encoded(
        portfolio=portfolio,
        needs=needs,
        offers=offers,
        arcs=arcs,
        problem=problem,
        need_arrays=need_arrays,
        all_offer_arrays=explained_arrays,
        all_offers=explained,
        seconds=time.perf_counter() - started,
    )
