"""Demo solver runs: what a run on a past day proposed, with figures and explanations.

A demo run works like the application's (:mod:`matchmaker.runs.execute`): it supersedes the
unanswered solver proposals on the needs of its scope, holds every other open proposal, leaves
out declined, agreed and held pairs, and proposes what needs lack from what offers have left.
The allocation is greedy (best-scored pairs first) rather than optimal, and the run says so in
its result; its figures, unmet-need facts and events have the application's shape, so the run
pages show them like any other run.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from matchmaker.demo.matching import WEIGHTS, Arc, allocate, compatible_arcs, no_arc_cause
from matchmaker.demo.proposals import AuditEntry, Placed, Storyteller, plain
from matchmaker.models import (
    MatchRun,
    NeedStatus,
    OfferStatus,
    ProposalOrigin,
    ProposalState,
    Region,
    RunMode,
    RunScope,
    RunState,
    User,
)

MIN_SHARE = 0.2  # a run does not propose slices under this share of what a need lacks
RUN_FIELDS = ("scope", "scope_region_id", "scope_category_id", "mode", "state", "parameters")


def is_open_need(teller: Storyteller, index: int, at: datetime) -> bool:
    need = teller.story.needs[index].need
    return (
        need.status == NeedStatus.PUBLISHED
        and need.published_at < at
        and (teller.story.need_committed[index] < need.cost_usd)
    )


def is_open_offer(teller: Storyteller, index: int, at: datetime) -> bool:
    offer = teller.story.offers[index].offer
    return (
        offer.status == OfferStatus.PUBLISHED
        and offer.published_at < at
        and (teller.story.offer_committed[index] < offer.budget_usd)
    )


def make_run(
    teller: Storyteller,
    days_ago: int,
    started_by: User,
    region: Region | None = None,
    coverage: tuple[str, list[int]] | None = None,
) -> list[Placed]:
    """A split run on day ``-days_ago``: global, or over ``region``; a coordinator's run also
    names the States it covers (``coverage``: label and country ids)."""
    story, rng = teller.story, teller.rng
    at = teller.clock.moment(-days_ago, rng)
    states = set(coverage[1]) if coverage else None
    if region is not None:
        in_region = {c.id for c in teller.ref.countries.values()
                     if region.id in teller.ref.country_regions(c)}  # fmt: skip
        states = in_region if states is None else states & in_region
    scoped = [
        is_open_need(teller, i, at) and (states is None or d.country.id in states)
        for i, d in enumerate(story.needs)
    ]
    run = _queued_run(teller, at, started_by, region, coverage)

    superseded = [
        p for p in story.placed
        if p.proposal.origin == ProposalOrigin.SOLVER and p.proposal.state == ProposalState.PROPOSED
        and scoped[p.need]
    ]  # fmt: skip
    for placed in superseded:
        teller.supersede(placed, run, started_by)
    # kept: the open proposals of the scope's needs (as matching.load counts them), so what is
    # kept and what is still requested add up to what the scope's needs ask
    held = [p for p in story.placed if scoped[p.need] and p.proposal.state in (
        ProposalState.PROPOSED, ProposalState.ACCEPTED_BY_DONOR,
        ProposalState.ACCEPTED_BY_REQUESTER)]  # fmt: skip

    need_amounts = [story.need_left(i) if scoped[i] else 0 for i in range(len(story.needs))]
    offer_budgets = [
        story.offer_left(j) if is_open_offer(teller, j, at) else 0 for j in range(len(story.offers))
    ]
    ruled_out = story.declined | story.taken_pairs()
    arcs = compatible_arcs(
        teller.encoder, story.needs, need_amounts, story.offers, offer_budgets,
        at.date(), ruled_out, story.cooperation,
    )  # fmt: skip
    budgets_left = list(offer_budgets)
    chosen = allocate(arcs, list(need_amounts), budgets_left, MIN_SHARE)
    placed = [teller.propose(arc, amount, at, started_by, run=run) for arc, amount in chosen]

    unmet = _unmet_facts(teller, need_amounts, offer_budgets, budgets_left, arcs, chosen,
                         ruled_out)  # fmt: skip
    _finish(teller, run, started_by, need_amounts, arcs, chosen, held, ruled_out,
            len(superseded), unmet)  # fmt: skip
    return placed


def _queued_run(teller, at, started_by, region, coverage) -> MatchRun:
    parameters: dict = {"weights": WEIGHTS, "time_limit_s": 10}
    if coverage:
        parameters["country_ids"] = sorted(coverage[1])
        parameters["coverage_label"] = coverage[0]
    seconds = round(teller.rng.uniform(0.4, 2.5), 2)
    run = MatchRun(
        scope=RunScope.REGION if region else RunScope.GLOBAL,
        scope_region_id=region.id if region else None,
        mode=RunMode.SPLIT,
        parameters=parameters,
        started_by_id=started_by.id,
        state=RunState.QUEUED,
        progress_message="queued",
        created_at=at - timedelta(seconds=seconds + 20),
        started_at=at - timedelta(seconds=seconds),
        finished_at=at,
        seconds=seconds,
    )
    teller.session.add(run)
    teller.session.flush()
    teller.story.runs.append(run)
    teller.story.audit.append(
        AuditEntry("matchrun", run, "queued", started_by, run.created_at, {},
                   {name: plain(getattr(run, name)) for name in RUN_FIELDS})
    )  # fmt: skip
    teller.story.audit.append(
        AuditEntry("matchrun", run, "claimed", None, run.started_at, note="demo-worker")
    )
    return run


def _finish(teller, run, started_by, need_amounts, arcs, chosen, held, ruled_out,
            superseded, unmet) -> None:  # fmt: skip
    story = teller.story
    objective = round(sum(
        arc.score * amount / story.needs[arc.need].need.cost_usd for arc, amount in chosen
    ), 4)  # fmt: skip
    proposed = sum(amount for _, amount in chosen)
    run.state, run.progress, run.progress_message = RunState.DONE, 100, "done"
    run.claimed_by = "demo-worker"
    # a greedy allocation proves nothing about the optimum: no bound, no gap, merely feasible
    run.objective, run.bound, run.gap, run.solver_status = objective, None, None, "feasible"
    run.n_needs = sum(1 for amount in need_amounts if amount > 0)
    run.n_offers = len({arc.offer for arc in arcs})
    run.n_arcs, run.n_proposals = len(arcs), len(chosen)
    run.result = {
        "requested_usd": sum(need_amounts),
        "proposed_usd": proposed,
        "held_usd": sum(p.proposal.amount_usd for p in held),
        "held_count": len(held),
        "excluded_pairs": len(ruled_out),
        "method": "demo (greedy)",
        "encode_seconds": round(run.seconds * 0.2, 4),
        "solve_seconds": round(run.seconds * 0.7, 4),
        "unmet": unmet,
        "shadow_prices": [],
        "superseded": superseded,
        "load_seconds": round(run.seconds * 0.1, 4),
        "note": "Demo run: written by the demo generator (greedy allocation), not by the solver.",
    }
    story.audit.append(
        AuditEntry("matchrun", run, "done", started_by, run.finished_at, {},
                   {"proposals": len(chosen), "superseded": superseded,
                    "objective": objective, "status": "feasible"})
    )  # fmt: skip


def _unmet_facts(teller, need_amounts, offer_budgets, budgets_left, arcs: list[Arc], chosen,
                 ruled_out) -> list[dict]:  # fmt: skip
    """For each need the run leaves short: why, in the application's fact format."""
    story, ref = teller.story, teller.ref
    proposed = [0] * len(story.needs)
    takers: dict[int, list[int]] = {}
    for arc, amount in chosen:
        proposed[arc.need] += amount
        takers.setdefault(arc.offer, []).append(arc.need)
    best: dict[int, Arc] = {}
    for arc in arcs:  # best first
        best.setdefault(arc.need, arc)
    open_offers = [(j, d) for j, d in enumerate(story.offers) if offer_budgets[j] > 0]
    facts = []
    for index, amount in enumerate(need_amounts):
        shortfall = amount - proposed[index]
        if amount <= 0 or shortfall <= 0:
            continue
        need = story.needs[index].need
        fact = {
            "need_id": need.id, "reference": need.reference, "title": need.title,
            "country_id": need.country_id, "topic_id": need.topic_id,
            "modality_id": need.modality_id, "shortfall": shortfall, "remaining": amount,
            "cost": need.cost_usd, "detail": "",
        }  # fmt: skip
        if index not in best:
            fact["reason"] = "no_compatible_offer"
            ruled = {j for n, j in ruled_out if n == index}
            fact["cause"] = no_arc_cause(ref, story.needs[index], open_offers, ruled)
        elif proposed[index]:
            fact["reason"] = "partly_covered"
        else:
            offer_index = best[index].offer
            offer = story.offers[offer_index].offer
            fact["reason"] = "outbid"
            fact["best_offer"], fact["best_offer_id"] = offer.reference, offer.id
            fact["best_offer_left"] = budgets_left[offer_index]
            fact["takers"] = [story.needs[n].need.reference
                              for n in takers.get(offer_index, []) if n != index][:3]  # fmt: skip
        facts.append(fact)
    return facts
