"""The facts behind a run's explanations, stored with the run (words are made at display time).

For each unmet need: the solver's reason code, the shortfall, and what a person needs to act on
it (why no offer is compatible, which offer it lost and to whom). For each offer: its shadow
price (what one more dollar of it would add to the portfolio's score), what is left unused,
and the short needs that more of it would go to.
"""

from __future__ import annotations

import numpy as np

from matchmaker.matching.encode import Encoded
from solver import Solution

# Why a need has no compatible offer, checked in this order: the first rule no offer passes.
# The last three tell apart offers that would fit but are not free for this need: every one
# declined before, already proposed for it, or without budget left (committed or held by
# open proposals); "taken" is a mix of the last two.
NO_ARC_CAUSES = ("no_topic", "no_modality", "not_eligible", "window", "declined")
FREE_CAUSES = ("proposed", "spent", "taken")
TOP = 3


def _rows(matrix) -> np.ndarray:
    return np.asarray(matrix.toarray() != 0) if hasattr(matrix, "toarray") else np.asarray(matrix)


def no_arc_causes(encoded: Encoded, positions: list[int]) -> dict[int, tuple[str, list[int]]]:
    """For needs (problem positions) without any compatible offer: the first rule that failed,
    and the ids of the offers that came closest (passed every rule before it)."""
    if not positions:
        return {}
    offers, needs = encoded.all_offer_arrays, encoded.need_arrays
    m = len(encoded.all_offers)
    if m == 0:
        return {p: ("no_topic", []) for p in positions}
    topics, areas = _rows(offers.topics), _rows(offers.areas)
    regions, countries = _rows(offers.regions), _rows(offers.countries)
    excluded = _rows(offers.excluded_countries)
    worldwide = ~regions.any(axis=1) & ~countries.any(axis=1)
    offer_ids = np.array([o.id for o in encoded.all_offers], np.int64)
    has_budget = np.array([o.remaining > 0 for o in encoded.all_offers], bool)
    declined = _offers_by_need(encoded.portfolio.declined)
    taken = _offers_by_need(encoded.portfolio.taken)
    causes = {}
    for p in positions:
        t, a = needs.topic[p], needs.area[p]
        covered = topics[:, t] | (areas[:, a] if a >= 0 else False)
        by_modality = covered & (((offers.modalities >> needs.modality[p]) & 1) == 1)
        r, s, c = needs.region[p], needs.subregion[p], needs.country[p]
        eligible = by_modality & (worldwide | regions[:, r] | regions[:, s] | countries[:, c])
        eligible &= ~excluded[:, c]
        start, end = needs.start[p], needs.deadline[p]
        in_time = eligible & ~(start > offers.window_end) & ~(offers.window_start > end)
        need_id = encoded.needs[p].id
        not_declined = in_time & ~np.isin(offer_ids, declined.get(need_id, []))
        masks = (covered, by_modality, eligible, in_time, not_declined)
        failed = next((i for i, mask in enumerate(masks) if not mask.any()), None)
        if failed is not None:
            closest = masks[failed - 1] if failed else np.zeros(m, bool)
            causes[p] = (NO_ARC_CAUSES[failed], offer_ids[closest][:TOP].tolist())
            continue
        proposed = not_declined & np.isin(offer_ids, taken.get(need_id, []))
        if not (not_declined & ~proposed).any():
            cause = "proposed"
        elif not (not_declined & has_budget).any():
            cause = "spent"
        else:
            cause = "taken"  # each is proposed for it already or has nothing left
        causes[p] = (cause, offer_ids[not_declined][:TOP].tolist())
    return causes


def _offers_by_need(pairs: set[tuple[int, int]]) -> dict[int, list[int]]:
    by_need: dict[int, list[int]] = {}
    for need_id, offer_id in pairs:
        by_need.setdefault(need_id, []).append(offer_id)
    return by_need


def _grouped(index: np.ndarray, n: int) -> list[np.ndarray]:
    """Positions of ``index`` grouped by value 0..n-1 (the arcs of each need or offer)."""
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(n + 1))
    return [order[bounds[i] : bounds[i + 1]] for i in range(n)]


def unmet_facts(encoded: Encoded, solution: Solution, allocated: np.ndarray) -> list[dict]:
    """One dict per need the run leaves short, with the facts its explanation needs."""
    problem, arcs = encoded.problem, encoded.arcs
    need_at = {ref: i for i, ref in enumerate(problem.need_ids)}
    arcs_of = _grouped(problem.arc_need, problem.num_needs)
    takers = _takers(encoded, allocated)
    short = [(need_at[u.need], u) for u in solution.unmet]
    causes = no_arc_causes(
        encoded, [p for p, u in short if u.reason == "no_compatible_offer"]
    )
    facts = []
    for p, unmet in short:
        need = encoded.needs[p]
        fact = {
            "need_id": need.id,
            "reference": need.reference,
            "title": need.title,
            "country_id": need.country_id,
            "topic_id": need.topic_id,
            "modality_id": need.modality_id,
            "reason": unmet.reason,
            "shortfall": round(float(unmet.shortfall)),
            "remaining": round(need.remaining),
            "cost": need.cost_usd,
            "detail": unmet.detail,
        }
        if unmet.reason == "no_compatible_offer":
            fact["cause"], fact["closest_offer_ids"] = causes.get(p, ("no_topic", []))
        elif len(arcs_of[p]):
            best = int(arcs_of[p][np.argmax(arcs.score[arcs_of[p]])])
            offer = encoded.offers[int(problem.arc_offer[best])]
            fact["best_offer"] = offer.reference
            fact["best_offer_id"] = offer.id
            fact["best_offer_left"] = round(_left(encoded, allocated)[problem.arc_offer[best]])
            fact["takers"] = [t for t in takers.get(offer.reference, []) if t != need.reference][
                :TOP
            ]
        facts.append(fact)
    return facts


def _left(encoded: Encoded, allocated: np.ndarray) -> np.ndarray:
    problem = encoded.problem
    share = allocated / problem.need_amount[problem.arc_need] if len(allocated) else allocated
    used = np.bincount(
        problem.arc_offer, share * problem.arc_consumption, minlength=problem.num_offers
    )
    return np.maximum(problem.offer_capacity - used, 0.0)


def _takers(encoded: Encoded, allocated: np.ndarray) -> dict[str, list[str]]:
    """Needs each offer went to, best score per dollar first."""
    problem = encoded.problem
    used = np.flatnonzero(allocated > 0)
    density = problem.arc_score[used] / np.maximum(problem.arc_consumption[used], 1e-9)
    takers: dict[str, list[str]] = {}
    for arc in used[np.argsort(-density, kind="stable")].tolist():
        offer = problem.offer_ids[problem.arc_offer[arc]]
        takers.setdefault(offer, []).append(problem.need_ids[problem.arc_need[arc]])
    return takers


def shadow_price_facts(
    encoded: Encoded, solution: Solution, allocated: np.ndarray, shortfall: dict[str, float]
) -> list[dict]:
    """Per offer: what one more dollar is worth, what is unused, who would benefit and how
    much more the offer could usefully take (what its compatible needs still lack)."""
    problem = encoded.problem
    prices = {s.offer: s.value for s in solution.shadow_prices}
    left = _left(encoded, allocated)
    density = problem.arc_score / np.maximum(problem.arc_consumption, 1e-9)
    facts = []
    arcs_of = _grouped(problem.arc_offer, problem.num_offers)
    for o, offer in enumerate(encoded.offers):
        arcs = arcs_of[o]
        arcs = arcs[np.argsort(-density[arcs], kind="stable")]
        beneficiaries = [
            problem.need_ids[problem.arc_need[a]]
            for a in arcs.tolist()
            if problem.need_ids[problem.arc_need[a]] in shortfall
        ]
        facts.append(
            {
                "offer_id": offer.id,
                "reference": offer.reference,
                "title": offer.title,
                "value": float(prices.get(offer.reference, 0.0)),
                "capacity": round(float(problem.offer_capacity[o])),
                "left": round(float(left[o])),
                "compatible_needs": len(arcs),
                "usable": round(sum(shortfall[ref] for ref in beneficiaries)),
                "beneficiaries": beneficiaries[:TOP],
                "more_beneficiaries": max(0, len(beneficiaries) - TOP),
            }
        )
    facts.sort(key=lambda f: (-f["value"], f["reference"]))
    return facts
