"""Demo proposals and the decisions on them, by the rules the application applies.

A :class:`Storyteller` proposes (for a run or by hand) and answers: accept, agree, start
delivery, deliver, give closure feedback, decline, expire, supersede. Like the application, it
keeps agreed amounts within what a need costs and an offer has, holds open proposals against
later runs, and never proposes a declined, agreed or held pair again. Every step leaves an
:class:`AuditEntry` with the values before and after, which :mod:`matchmaker.demo.audit` turns
into events once the records have ids; :mod:`matchmaker.demo.timeline` tells the steps in order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from matchmaker.demo.context import Clock, Reference
from matchmaker.demo.matching import Arc, Encoder
from matchmaker.demo.needs import DemoNeed
from matchmaker.demo.offers import DemoOffer
from matchmaker.demo.people import People
from matchmaker.models import (
    COMMITTED_PROPOSAL_STATES,
    OPEN_PROPOSAL_STATES,
    MatchRun,
    Proposal,
    ProposalOrigin,
    ProposalState,
    Side,
    User,
    utcnow,
)

ANSWER_WITHIN = timedelta(days=30)  # as the application's PROPOSAL_LIFETIME
# The fields the application's events snapshot (tests check they stay in step):
# matchmaker.matching.write.PROPOSAL_FIELDS and matchmaker.proposals.decisions.PROPOSAL_FIELDS.
PROPOSED_FIELDS = ("need_id", "offer_id", "run_id", "origin", "amount_usd", "share", "score",
                   "state", "expires_at")  # fmt: skip
DECISION_FIELDS = (
    "state", "requester_accepted_at", "requester_accepted_by_id", "donor_accepted_at",
    "donor_accepted_by_id", "declined_by_side", "declined_by_id", "decline_reason",
    "agreed_at", "delivered_at",
)  # fmt: skip

REQUESTER_REASONS = (
    "The specifications do not match the national standard adopted last year.",
    "This need is now covered by a bilateral agreement signed after the request was posted.",
    "We would prefer delivery in our working language; the trainees do not all speak English.",
    "The co-funding the offer requires cannot be found in this budget year.",
)
DONOR_REASONS = (
    "Outside the geographical focus of our current programming cycle.",
    "What is left of this offer is reserved for projects already in preparation.",
    "We need a stockpile assessment before we can fund construction work.",
    "Our funds must be spent before the need's start date, so the timeline does not fit.",
)
DELIVERY_NOTES = (
    "Everything in the agreement was handed over and signed for by the national counterpart.",
    "Delivered in two batches; the second arrived after a customs delay of three weeks.",
    "Course held as planned; attendance lists and evaluations sent to the national commission.",
)
FEEDBACK = (
    ("yes", "Delivered as agreed and already in use."),
    ("yes", "The goal was met; we would work with this partner again."),
    ("partly", "Most of the goal was met; maintenance training is still needed."),
    ("no", "Delivered late, after the budget year; part of the goal could not be reached."),
)


def plain(value: Any) -> Any:
    """A value as events store it (JSON-ready), as matchmaker.events.snapshot does."""
    return value.isoformat() if isinstance(value, datetime | date) else value


def snapshot(record: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(getattr(record, name)) for name in fields}


@dataclass
class Placed:
    """A proposal and the indices of its need and offer in the build's lists."""

    proposal: Proposal
    need: int
    offer: int


@dataclass
class AuditEntry:
    """One change, as an Event once ``record`` has an id; ``{id}`` in the note is the
    proposal's id (``about``)."""

    entity: str
    record: Any
    action: str
    actor: User | None
    at: datetime
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)
    note: str = ""
    placed: Placed | None = None
    about: Proposal | None = None


@dataclass
class Story:
    """What the proposals step creates, and what each need and offer has committed or held."""

    needs: list[DemoNeed]
    offers: list[DemoOffer]
    runs: list[MatchRun] = field(default_factory=list)
    placed: list[Placed] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    declined: set[tuple[int, int]] = field(default_factory=set)
    cooperation: set[tuple[int, int]] = field(default_factory=set)  # (organisation, country)

    def __post_init__(self) -> None:
        self.need_held = [0] * len(self.needs)  # committed + open proposals
        self.offer_held = [0] * len(self.offers)
        self.need_committed = [0] * len(self.needs)
        self.offer_committed = [0] * len(self.offers)

    def hold(self, placed: Placed, amount: int) -> None:
        self.need_held[placed.need] += amount
        self.offer_held[placed.offer] += amount

    def commit(self, placed: Placed) -> None:
        amount = placed.proposal.amount_usd
        self.need_committed[placed.need] += amount
        self.offer_committed[placed.offer] += amount
        demo = self.needs[placed.need]
        self.cooperation.add((self.offers[placed.offer].organisation.id, demo.country.id))

    def need_left(self, index: int) -> int:
        """What a run may still propose for a need: its cost less agreed and held amounts."""
        return self.needs[index].need.cost_usd - self.need_held[index]

    def offer_left(self, index: int) -> int:
        return self.offers[index].offer.budget_usd - self.offer_held[index]

    def need_uncommitted(self, index: int) -> int:
        """What a proposal by hand may still ask for: the need's cost less agreed amounts."""
        return self.needs[index].need.cost_usd - self.need_committed[index]

    def offer_uncommitted(self, index: int) -> int:
        return self.offers[index].offer.budget_usd - self.offer_committed[index]

    def taken_pairs(self) -> set[tuple[int, int]]:
        """Pairs with an agreed or open proposal (never proposed twice)."""
        states = {*OPEN_PROPOSAL_STATES, *COMMITTED_PROPOSAL_STATES}
        return {(p.need, p.offer) for p in self.placed if p.proposal.state in states}


class Storyteller:
    """Makes proposals and answers them, in one session and one random stream."""

    def __init__(self, session: Session, ref: Reference, people: People, story: Story,
                 clock: Clock, rng: random.Random) -> None:  # fmt: skip
        self.session, self.ref, self.people, self.story = session, ref, people, story
        self.clock, self.rng = clock, rng
        self.encoder = Encoder(ref)
        self.coordinators = people.coordinators()
        # Everything happened before 08:00 UTC today, or before now when a build runs earlier
        # in the day: no decision is dated in the future.
        self.now = min(datetime.combine(clock.today, time(8), tzinfo=clock.moment(0).tzinfo),
                       utcnow())

    # --- who and when ------------------------------------------------------------------

    def requester(self, placed: Placed) -> User:
        return self.people.requester_for(self.story.needs[placed.need].organisation)

    def donor(self, placed: Placed) -> User:
        return self.donor_of(placed.offer)

    def donor_of(self, offer: int) -> User:
        return self.people.donor_for(self.story.offers[offer].organisation)

    def broker_of(self, need: int) -> User:
        """The coordinator of the requesting State's regional centre, or the secretariat."""
        country = self.story.needs[need].country
        return self.coordinators.get(country.regional_centre_id, self.people.admin)

    def actor(self, placed: Placed, side: str) -> User:
        return self.requester(placed) if side == Side.REQUESTER else self.donor(placed)

    def after(self, moment: datetime, max_days: int) -> datetime:
        """A moment 1 to ``max_days`` days after ``moment``, and before now."""
        later = moment + timedelta(days=self.rng.randint(1, max(1, max_days)),
                                   minutes=self.rng.randint(0, 480))  # fmt: skip
        return min(later, self.now - timedelta(minutes=self.rng.randint(5, 600)))

    def log(self, placed: Placed, action: str, actor: User | None, at: datetime,
            before: dict, after: dict, note: str = "") -> None:  # fmt: skip
        placed.proposal.updated_at = at
        self.story.audit.append(
            AuditEntry("proposal", placed.proposal, action, actor, at, before, after, note, placed)
        )

    # --- proposing -----------------------------------------------------------------------

    def propose(self, arc: Arc, amount: int, at: datetime, by: User,
                run: MatchRun | None = None) -> Placed:  # fmt: skip
        """A proposal from ``run``, or by hand by ``by`` (a donor's counts as its acceptance)."""
        need = self.story.needs[arc.need].need
        offer = self.story.offers[arc.offer].offer
        proposal = Proposal(
            run_id=run.id if run else None,
            need_id=need.id,
            offer_id=offer.id,
            origin=ProposalOrigin.SOLVER if run else ProposalOrigin.MANUAL,
            amount_usd=amount,
            share=round(amount / need.cost_usd, 6),
            score=arc.score,
            breakdown=dict(arc.breakdown),
            state=ProposalState.PROPOSED,
            created_by_id=by.id,
            expires_at=at + ANSWER_WITHIN,
            created_at=at,
            updated_at=at,
        )
        placed = Placed(proposal, arc.need, arc.offer)
        self.story.placed.append(placed)
        self.story.hold(placed, amount)
        if run is not None:
            self.log(placed, "proposed", by, at, {}, snapshot(proposal, PROPOSED_FIELDS),
                     f"Solver run #{run.id}")  # fmt: skip
            return placed
        if by is self.donor(placed):
            proposal.state = ProposalState.ACCEPTED_BY_DONOR
            proposal.donor_accepted_at, proposal.donor_accepted_by_id = at, by.id
        after = {**snapshot(proposal, DECISION_FIELDS), "amount_usd": amount,
                 "origin": ProposalOrigin.MANUAL.value}  # fmt: skip
        self.log(placed, "proposed", by, at, {}, after)
        return placed

    # --- answers -------------------------------------------------------------------------

    def accept(self, placed: Placed, side: str, at: datetime) -> None:
        """One side accepts; when the other side had accepted too, the proposal is agreed."""
        proposal, user = placed.proposal, self.actor(placed, side)
        before = snapshot(proposal, DECISION_FIELDS)
        setattr(proposal, f"{side}_accepted_at", at)
        setattr(proposal, f"{side}_accepted_by_id", user.id)
        agreed = bool(proposal.requester_accepted_at and proposal.donor_accepted_at)
        if agreed:
            proposal.state = ProposalState.AGREED
            proposal.agreed_at = at
            self.story.commit(placed)
        else:
            proposal.state = f"accepted_by_{side}"
        after = {**snapshot(proposal, DECISION_FIELDS), "side": str(side)}
        self.log(placed, "agreed" if agreed else "accepted", user, at, before, after)

    def agree(self, placed: Placed, max_days: int) -> datetime:
        first = self.rng.choice((Side.REQUESTER, Side.DONOR))
        second = Side.DONOR if first == Side.REQUESTER else Side.REQUESTER
        at = self.after(placed.proposal.created_at, max_days)
        self.accept(placed, first, at)
        at = self.after(at, max_days)
        self.accept(placed, second, at)
        return at

    def deliver(self, placed: Placed, agreed_at: datetime, finish: bool) -> None:
        proposal, donor = placed.proposal, self.donor(placed)
        started = self.after(agreed_at, 30)
        before = snapshot(proposal, DECISION_FIELDS)
        proposal.state = ProposalState.IN_DELIVERY
        self.log(placed, "in_delivery", donor, started, before,
                 snapshot(proposal, DECISION_FIELDS))  # fmt: skip
        if not finish:
            return
        delivered = self.after(started, 90)
        before = snapshot(proposal, DECISION_FIELDS)
        proposal.state = ProposalState.DELIVERED
        proposal.delivered_at = delivered
        self.log(placed, "delivered", donor, delivered, before,
                 snapshot(proposal, DECISION_FIELDS), self.rng.choice(DELIVERY_NOTES))  # fmt: skip
        for side, chance in ((Side.DONOR, 0.8), (Side.REQUESTER, 0.7)):
            if self.rng.random() < chance:
                met, note = self.rng.choices(FEEDBACK, (4, 3, 2, 1))[0]
                at = self.after(delivered, 20)
                self.story.audit.append(
                    AuditEntry("proposal", proposal, "feedback", self.actor(placed, side), at,
                               {}, {"side": str(side), "met": met}, note, placed)
                )  # fmt: skip

    def decline(self, placed: Placed, max_days: int, side: str | None = None) -> None:
        rng, proposal = self.rng, placed.proposal
        side = side or rng.choice((Side.REQUESTER, Side.DONOR))
        at = self.after(proposal.created_at, max_days)
        other = Side.DONOR if side == Side.REQUESTER else Side.REQUESTER
        if rng.random() < 0.3 and not getattr(proposal, f"{other}_accepted_at"):
            self.accept(placed, other, at)  # the other side had already said yes
            at = self.after(at, max_days)
        user = self.actor(placed, side)
        reason = rng.choice(REQUESTER_REASONS if side == Side.REQUESTER else DONOR_REASONS)
        before = snapshot(proposal, DECISION_FIELDS)
        proposal.state = ProposalState.DECLINED
        proposal.declined_by_side, proposal.declined_by_id = str(side), user.id
        proposal.decline_reason = reason
        self.log(placed, "declined", user, at, before, snapshot(proposal, DECISION_FIELDS), reason)
        self.release(placed)
        self.story.declined.add((placed.need, placed.offer))

    def expire(self, placed: Placed) -> None:
        """Nobody (or only one side) answered within the answer time."""
        proposal = placed.proposal
        if self.rng.random() < 0.3:
            side = self.rng.choice((Side.REQUESTER, Side.DONOR))
            self.accept(placed, side, self.after(proposal.created_at, 20))
        before = {"state": proposal.state}
        proposal.state = ProposalState.EXPIRED
        self.log(placed, "expired", None, proposal.expires_at, before,
                 {"state": ProposalState.EXPIRED.value}, "Not answered in time")  # fmt: skip
        self.release(placed)

    def supersede(self, placed: Placed, run: MatchRun, actor: User | None) -> None:
        """An unanswered solver proposal replaced by a later run on its need."""
        placed.proposal.state = ProposalState.SUPERSEDED
        self.log(placed, "superseded", actor, run.finished_at,
                 {"state": ProposalState.PROPOSED.value},
                 {"state": ProposalState.SUPERSEDED.value, "run_id": run.id},
                 f"Replaced by solver run #{run.id}")  # fmt: skip
        self.release(placed)

    def release(self, placed: Placed) -> None:
        self.story.hold(placed, -placed.proposal.amount_usd)
