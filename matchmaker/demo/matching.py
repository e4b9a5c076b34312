"""Compatible need-offer pairs and their scores, computed by the solver's own scoring code.

The demo encodes its records into :mod:`solver.score` arrays the way
:mod:`matchmaker.matching.encode` does for real runs, so that every demo proposal is a pair the
solver itself would accept, with the same criteria and breakdown: an offer's intermediate
regions (Western Africa) become their States, and offers open only to least-developed or small
island States exclude every other State. The demo keeps its own small encoder because it works
on records in memory, at dates in the past, before anything is committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from matchmaker.demo.context import Reference
from matchmaker.demo.needs import DemoNeed
from matchmaker.demo.offers import DemoOffer
from matchmaker.models import CategoryLevel, Priority
from solver.score import DEFAULT_WEIGHTS, NeedArrays, OfferArrays, build_arcs

LANGUAGE_BITS = {code: 1 << bit for bit, code in enumerate(("en", "fr", "es", "ar", "ru", "zh"))}
PRIORITY_CODES = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}
WEIGHTS = dict(DEFAULT_WEIGHTS)


@dataclass(frozen=True)
class Arc:
    """A compatible pair (indices into the needs and offers lists) and why it scores so."""

    need: int
    offer: int
    score: float
    breakdown: dict[str, float]


def _language_mask(languages: str) -> int:
    return sum(LANGUAGE_BITS.get(code.strip(), 0) for code in set(languages.split(",")))


def _days(day: date | None, on: date) -> float:
    return float("nan") if day is None else float((day - on).days)


class Encoder:
    """Index spaces of the reference data (topics, areas, regions, countries, modalities)."""

    def __init__(self, ref: Reference) -> None:
        self.ref = ref
        self.topic = {t.id: i for i, t in enumerate(ref.topics.values())}
        self.area = {a.id: i for i, a in enumerate(ref.areas.values())}
        self.region = {r.id: i for i, r in enumerate(ref.regions.values())}
        self.country = {c.id: i for i, c in enumerate(ref.countries.values())}
        self.modality = {m.id: i for i, m in enumerate(ref.modalities.values())}
        self.area_of_topic = {t.id: self.area[t.parent_id] for t in ref.topics.values()}
        self.states_of_intermediate: dict[int, list[int]] = {}
        for country in ref.countries.values():
            if country.intermediate_region_id is not None:
                self.states_of_intermediate.setdefault(country.intermediate_region_id, []).append(
                    self.country[country.id]
                )
        self.not_ldc = [self.country[c.id] for c in ref.countries.values() if not c.is_ldc]
        self.not_sids = [self.country[c.id] for c in ref.countries.values() if not c.is_sids]

    def needs(self, needs: list[DemoNeed], amounts: list[int], on: date) -> NeedArrays:
        return NeedArrays(
            topic=np.array([self.topic[d.need.topic_id] for d in needs], np.int64),
            area=np.array([self.area_of_topic[d.need.topic_id] for d in needs], np.int64),
            modality=np.array([self.modality[d.need.modality_id] for d in needs], np.int64),
            country=np.array([self.country[d.country.id] for d in needs], np.int64),
            region=np.array([self.region[d.country.region_id] for d in needs], np.int64),
            subregion=np.array([self.region[d.country.subregion_id] for d in needs], np.int64),
            languages=np.array([_language_mask(d.need.languages) for d in needs], np.int64),
            priority=np.array([PRIORITY_CODES[d.need.priority] for d in needs], np.int64),
            deadline=np.array([_days(d.need.deadline, on) for d in needs]),
            start=np.array([_days(d.need.start_date, on) for d in needs]),
            cost=np.array(amounts, float),
            is_ldc=np.array([d.country.is_ldc for d in needs], bool),
        )

    def offers(
        self,
        offers: list[DemoOffer],
        budgets: list[int],
        on: date,
        cooperation: set[tuple[int, int]] = frozenset(),
    ) -> tuple[OfferArrays, np.ndarray]:
        """Offer arrays, and the (offers x countries) matrix of past cooperation: donors that
        already have agreed matches with a State, as (organisation id, country id) pairs."""
        m = len(offers)
        topics = np.zeros((m, len(self.topic)), bool)
        areas = np.zeros((m, len(self.area)), bool)
        regions = np.zeros((m, len(self.region)), bool)
        countries = np.zeros((m, len(self.country)), bool)
        excluded = np.zeros((m, len(self.country)), bool)
        home_region = np.full(m, -1)
        home_subregion = np.full(m, -1)
        past = np.zeros((m, len(self.country)), bool)
        helped: dict[int, list[int]] = {}
        for organisation_id, country_id in cooperation:
            helped.setdefault(organisation_id, []).append(self.country[country_id])
        for row, demo in enumerate(offers):
            past[row, helped.get(demo.organisation.id, [])] = True
            for category in demo.categories:
                if category.level == CategoryLevel.AREA:
                    areas[row, self.area[category.id]] = True
                else:
                    topics[row, self.topic[category.id]] = True
            for region_id in demo.region_ids:
                if region_id in self.states_of_intermediate:
                    countries[row, self.states_of_intermediate[region_id]] = True
                else:
                    regions[row, self.region[region_id]] = True
            countries[row, [self.country[c] for c in demo.country_ids]] = True
            excluded[row, [self.country[c] for c in demo.excluded_ids]] = True
            if demo.offer.ldc_only:
                excluded[row, self.not_ldc] = True
            if demo.offer.sids_only:
                excluded[row, self.not_sids] = True
            home_region[row], home_subregion[row] = self._home(demo)
        arrays = OfferArrays(
            topics=topics,
            areas=areas,
            modalities=np.array(
                [sum(1 << self.modality[m.id] for m in demo.modalities) for demo in offers],
                np.int64,
            ),
            regions=regions,
            countries=countries,
            excluded_countries=excluded,
            languages=np.array([_language_mask(d.offer.languages) for d in offers], np.int64),
            window_start=np.array([_days(d.offer.available_from, on) for d in offers]),
            window_end=np.array([_days(d.offer.available_until, on) for d in offers]),
            budget=np.array(budgets, float),
            home_region=home_region,
            home_subregion=home_subregion,
        )
        return arrays, past

    def _home(self, demo: DemoOffer) -> tuple[int, int]:
        """A State donor's own region; for an organisation, the first region it covers."""
        organisation = demo.organisation
        if organisation.country_id is not None:
            country = self.ref.country_by_id[organisation.country_id]
            return self.region[country.region_id], self.region[country.subregion_id]
        for region in self.ref.organisation_regions.get(organisation.id, []):
            if region.parent_id is None:
                return self.region[region.id], -1
            return self.region[region.parent_id], self.region[region.id]
        return -1, -1


def compatible_arcs(
    encoder: Encoder,
    needs: list[DemoNeed],
    need_amounts: list[int],
    offers: list[DemoOffer],
    offer_budgets: list[int],
    on: date,
    ruled_out: set[tuple[int, int]] = frozenset(),
    cooperation: set[tuple[int, int]] = frozenset(),
) -> list[Arc]:
    """Compatible pairs among ``needs`` x ``offers`` scored on day ``on``, best first.

    ``need_amounts`` and ``offer_budgets`` are what is left of each (0: not taking part, e.g. a
    draft, a covered need, an exhausted offer); indices are into the full lists. ``ruled_out``
    holds (need index, offer index) pairs not to propose: declined before, agreed, or held by an
    open proposal. ``cooperation`` holds (organisation id, country id) pairs of agreed matches.
    """
    if not needs or not offers:
        return []
    offer_arrays, past = encoder.offers(offers, offer_budgets, on, cooperation)
    arcs = build_arcs(
        encoder.needs(needs, need_amounts, on),
        offer_arrays,
        weights=WEIGHTS,
        declined=np.array(sorted(ruled_out), np.int64).reshape(-1, 2),
        past_cooperation=past,
    )
    result = []
    for k in range(len(arcs)):
        if need_amounts[arcs.need_index[k]] <= 0 or offer_budgets[arcs.offer_index[k]] <= 0:
            continue
        breakdown = {name: round(float(values[k]), 4) for name, values in arcs.breakdown.items()}
        result.append(
            Arc(
                need=int(arcs.need_index[k]),
                offer=int(arcs.offer_index[k]),
                score=round(sum(breakdown.values()), 4),
                breakdown=breakdown,
            )
        )
    result.sort(key=lambda arc: (-arc.score, arc.need, arc.offer))
    return result


def allocate(
    arcs: list[Arc], need_left: list[int], budget_left: list[int], min_share: float = 0.2
) -> list[tuple[Arc, int]]:
    """Greedy split allocation, best-scored pairs first: what a run proposes.

    A slice smaller than ``min_share`` of what the need still lacks is not proposed unless it
    completes the need. ``need_left`` and ``budget_left`` are updated in place.
    """
    chosen = []
    for arc in arcs:
        amount = min(need_left[arc.need], budget_left[arc.offer])
        if amount <= 0:
            continue
        if amount < need_left[arc.need] and amount < min_share * need_left[arc.need]:
            continue
        need_left[arc.need] -= amount
        budget_left[arc.offer] -= amount
        chosen.append((arc, amount))
    return chosen


# Why a need has no compatible offer, checked in this order (as matchmaker.matching.explain).
NO_ARC_CAUSES = ("no_topic", "no_modality", "not_eligible", "window", "declined")


def is_eligible(ref: Reference, offer: DemoOffer, demo: DemoNeed) -> bool:
    """The requesting State may receive the offer (regions, countries, exclusions, LDC / SIDS)."""
    country = demo.country
    worldwide = not offer.region_ids and not offer.country_ids
    listed = bool(ref.country_regions(country) & offer.region_ids)
    if not (worldwide or listed or country.id in offer.country_ids):
        return False
    if country.id in offer.excluded_ids:
        return False
    return (country.is_ldc or not offer.offer.ldc_only) and (
        country.is_sids or not offer.offer.sids_only
    )


def no_arc_cause(
    ref: Reference, demo: DemoNeed, offers: list[tuple[int, DemoOffer]], ruled_out: set[int]
) -> str:
    """The first rule no open offer passes for a need without compatible offers."""
    need = demo.need
    wanted = {need.topic_id, ref.topic_area[need.topic_id]}
    left = [(j, o) for j, o in offers if wanted & {c.id for c in o.categories}]
    rules = (
        lambda o: need.modality_id in {m.id for m in o.modalities},
        lambda o: is_eligible(ref, o, demo),
        lambda o: (
            not (o.offer.available_from and o.offer.available_from > need.deadline)
            and not (o.offer.available_until and o.offer.available_until < need.start_date)
        ),
    )
    if not left:
        return NO_ARC_CAUSES[0]
    for cause, rule in zip(NO_ARC_CAUSES[1:4], rules, strict=True):
        left = [(j, o) for j, o in left if rule(o)]
        if not left:
            return cause
    return "declined" if all(j in ruled_out for j, _ in left) else NO_ARC_CAUSES[0]
