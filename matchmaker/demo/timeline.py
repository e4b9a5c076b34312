"""The order of events in the demo's proposals.

1. A first global run five months ago, whose proposals were agreed (some since delivered, with
   closure feedback), declined, or left to expire.
2. A run for Africa by UNREC's coordinator three weeks ago, partly answered.
3. A global run six days ago: it supersedes what the regional run proposed and nobody answered,
   holds what one side accepted, and its own proposals are being answered.
4. Proposals made by hand in the last days, so that every documented account has a proposal
   waiting for its answer, plus one agreed and one declined.
"""

from __future__ import annotations

import random

from sqlmodel import Session

from matchmaker.demo.context import Clock, Reference
from matchmaker.demo.matching import Arc, compatible_arcs
from matchmaker.demo.needs import DemoNeed
from matchmaker.demo.offers import DemoOffer
from matchmaker.demo.people import People
from matchmaker.demo.proposals import Story, Storyteller
from matchmaker.demo.runs import is_open_need, is_open_offer, make_run
from matchmaker.models import Role, Side

FIRST_RUN_DAYS_AGO = 150
REGIONAL_RUN_DAYS_AGO = 24
SECOND_RUN_DAYS_AGO = 6
MANUAL_DAYS_AGO = (1, 4)
REGIONAL_CENTRE = "unrec"  # whose coordinator runs the regional run
REGIONAL_RUN_REGION = "002"  # Africa


def create_proposals(
    session: Session,
    ref: Reference,
    people: People,
    needs: list[DemoNeed],
    offers: list[DemoOffer],
    clock: Clock,
    rng: random.Random,
    account_requesters: list[str],
    account_donors: list[str],
) -> Storyteller:
    """Runs, proposals and every decision on them. Returns the storyteller, whose ``story``
    holds the proposals and the audit entries (amounts and statuses are settled in ``audit``)."""
    teller = Storyteller(session, ref, people, Story(needs, offers), clock, rng)

    for placed in make_run(teller, FIRST_RUN_DAYS_AGO, people.admin):
        roll = rng.random()
        if roll < 0.42:
            agreed_at = teller.agree(placed, 12)
            stage = rng.random()
            if stage >= 0.4:
                teller.deliver(placed, agreed_at, finish=stage >= 0.72)
        elif roll < 0.57:
            teller.decline(placed, 20)
        else:
            teller.expire(placed)

    coordinator = people.acting.get((REGIONAL_CENTRE, Role.COORDINATOR))
    centre = people.organisations.get(REGIONAL_CENTRE)
    if coordinator is not None and REGIONAL_RUN_REGION in ref.regions:
        covered = [c.id for c in ref.countries.values()
                   if c.regional_centre_id == centre.regional_centre_id]  # fmt: skip
        regional = make_run(
            teller,
            REGIONAL_RUN_DAYS_AGO,
            coordinator,
            ref.regions[REGIONAL_RUN_REGION],
            (centre.acronym, covered),
        )
        for placed in regional:
            roll = rng.random()
            if roll < 0.15:
                teller.agree(placed, 5)
            elif roll < 0.27:
                teller.accept(placed, Side.REQUESTER, teller.after(placed.proposal.created_at, 8))
            elif roll < 0.4:
                teller.accept(placed, Side.DONOR, teller.after(placed.proposal.created_at, 8))
            elif roll < 0.5:
                teller.decline(placed, 8)
            # the others wait, and the next run supersedes them

    for placed in make_run(teller, SECOND_RUN_DAYS_AGO, people.admin):
        roll = rng.random()
        if roll < 0.5:
            continue  # still waiting for answers
        if roll < 0.64:
            teller.accept(placed, Side.REQUESTER, teller.after(placed.proposal.created_at, 4))
        elif roll < 0.78:
            teller.accept(placed, Side.DONOR, teller.after(placed.proposal.created_at, 4))
        elif roll < 0.9:
            teller.agree(placed, 2)
        else:
            teller.decline(placed, 4)

    for_demo_accounts(teller, account_requesters, account_donors)
    session.add_all(placed.proposal for placed in teller.story.placed)
    session.flush()
    return teller


def for_demo_accounts(teller: Storyteller, requesters: list[str], donors: list[str]) -> None:
    """Proposals by hand in the documented accounts' queues, plus one agreed, one declined.

    As in the application, a proposal by hand is bounded by what is not yet agreed (open
    proposals do not hold amounts against it)."""
    story, rng = teller.story, teller.rng
    at = teller.clock.moment(-MANUAL_DAYS_AGO[1] - 1, rng)
    need_amounts = [
        story.need_uncommitted(i) if is_open_need(teller, i, at) else 0
        for i in range(len(story.needs))
    ]
    offer_budgets = [
        story.offer_uncommitted(j) if is_open_offer(teller, j, at) else 0
        for j in range(len(story.offers))
    ]
    arcs = compatible_arcs(
        teller.encoder, story.needs, need_amounts, story.offers, offer_budgets,
        at.date(), story.declined | story.taken_pairs(), story.cooperation,
    )  # fmt: skip

    def requested_by(slugs):
        return lambda arc: story.needs[arc.need].organisation.slug in slugs

    def offered_by(slugs):
        return lambda arc: story.offers[arc.offer].organisation.slug in slugs

    def open_amount(arc: Arc) -> int:
        return min(story.need_uncommitted(arc.need), story.offer_uncommitted(arc.offer))

    def agreed_amount(arc: Arc) -> int:
        # An agreement must leave room for every proposal still open on the need and offer.
        return min(story.need_left(arc.need), story.offer_left(arc.offer))

    # (which pairs, who proposes, what follows, how much): a coordinator brokers a pair for
    # each donor account and the State accepts; a donor offers to fund a need of each
    # requester account; then one such offer is agreed and one declined.
    plan = [(offered_by({slug}), "broker", "accept", open_amount) for slug in donors]
    plan += [(requested_by({slug}), "donor", "", open_amount) for slug in requesters]
    plan += [(requested_by(set(requesters)), "donor", "accept", agreed_amount)]
    plan += [(offered_by(set(donors)), "donor", "decline", open_amount)]
    used_needs: set[int] = set()
    for wanted, made_by, then, amount_of in plan:
        arc = _best(teller, arcs, wanted, used_needs, amount_of)
        if arc is None:
            continue
        used_needs.add(arc.need)
        amount = amount_of(arc)
        created = teller.clock.moment(-rng.randint(*MANUAL_DAYS_AGO), rng)
        by = teller.broker_of(arc.need) if made_by == "broker" else teller.donor_of(arc.offer)
        placed = teller.propose(arc, amount, created, by)
        if then == "accept":  # after a donor's own proposal, this agrees it
            teller.accept(placed, Side.REQUESTER, teller.after(created, 1))
        elif then == "decline":
            teller.decline(placed, 1, Side.REQUESTER)


def _best(teller: Storyteller, arcs: list[Arc], wanted, used_needs: set[int],
          amount_of) -> Arc | None:  # fmt: skip
    """The best-scored pair ``wanted`` that is free and worth at least 1,000 dollars."""
    taken = teller.story.taken_pairs()
    for arc in arcs:
        if arc.need in used_needs or (arc.need, arc.offer) in taken or not wanted(arc):
            continue
        if amount_of(arc) >= 1000:
            return arc
    return None
