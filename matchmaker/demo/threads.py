"""Message threads on demo proposals, between the two parties and the coordinators."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session

from matchmaker.demo.proposals import AuditEntry, Placed, Storyteller
from matchmaker.models import Message, ProposalOrigin, ProposalState

# (who writes, text) per state of the proposal; {reason} is the decline reason.
THREADS: dict[str, tuple[tuple[str, str], ...]] = {
    ProposalState.PROPOSED: (
        (
            "broker",
            "This proposal came out of the last run. Please tell me if a call between "
            "both sides would help before you answer.",
        ),
        (
            "requester",
            "Thank you, we are reviewing the conditions of the offer with the "
            "national commission and will answer before the deadline.",
        ),
    ),
    ProposalState.ACCEPTED_BY_DONOR: (
        (
            "donor",
            "We would be glad to support this project. Could you confirm the national "
            "counterpart and the delivery address?",
        ),
        (
            "requester",
            "Thank you. We are confirming the counterpart agency with the ministry "
            "and will answer within two weeks.",
        ),
    ),
    ProposalState.ACCEPTED_BY_REQUESTER: (
        (
            "requester",
            "We have accepted this proposal; the project team can start as soon as "
            "the funds are confirmed.",
        ),
        (
            "broker",
            "Thank you. I have asked the donor's focal point to review it this week "
            "and will follow up.",
        ),
    ),
    ProposalState.AGREED: (
        (
            "donor",
            "Agreement confirmed on our side. We will share the implementation plan next week.",
        ),
        (
            "requester",
            "Thank you. We have named the project coordinator and will send the "
            "contact details shortly.",
        ),
        ("donor", "Received, thank you. We propose a kick-off meeting early next month."),
    ),
    ProposalState.IN_DELIVERY: (
        ("donor", "Delivery has started; the first items are expected within three weeks."),
        ("requester", "Noted. Customs clearance is arranged with the ministry of finance."),
    ),
    ProposalState.DELIVERED: (
        (
            "donor",
            "Delivery is complete. Could you send the closure feedback so that we can "
            "close the project?",
        ),
        (
            "requester",
            "Everything was received and is in use. We will send the closure report this month.",
        ),
    ),
    ProposalState.DECLINED: (
        ("broker", "The proposal was declined: {reason} I will look for another match."),
    ),
}
THREAD_COUNT = 18


def write_messages(
    session: Session, teller: Storyteller, rng: random.Random
) -> tuple[list[Message], list[AuditEntry]]:
    """Threads on the manual proposals and on a few proposals of each kind from the runs;
    with the event each message leaves (as posting one in the application does)."""
    chosen = _threads_to_write(teller, rng)
    messages, entries = [], []
    for placed in chosen:
        proposal = placed.proposal
        at = proposal.updated_at  # the thread is about the proposal's latest step
        authors = {
            "requester": teller.requester(placed),
            "donor": teller.donor(placed),
            "broker": teller.broker_of(placed.need),
        }
        for who, text in THREADS[proposal.state]:
            at = _next(teller, rng, at)
            message = Message(
                proposal_id=proposal.id,
                author_id=authors[who].id,
                body=text.format(reason=proposal.decline_reason),
                created_at=at,
            )
            messages.append(message)
            entries.append(AuditEntry("proposal", proposal, "message", authors[who], at))
    session.add_all(messages)
    session.flush()
    for message, entry in zip(messages, entries, strict=True):
        entry.after = {"message_id": message.id}
    return messages, entries


def _threads_to_write(teller: Storyteller, rng: random.Random) -> list[Placed]:
    with_thread = [p for p in teller.story.placed if p.proposal.state in THREADS]
    manual = [p for p in with_thread if p.proposal.origin == ProposalOrigin.MANUAL]
    from_runs = [p for p in with_thread if p.proposal.origin != ProposalOrigin.MANUAL]
    by_state: dict[str, list[Placed]] = {}
    for placed in from_runs:
        by_state.setdefault(placed.proposal.state, []).append(placed)
    picked = list(manual)
    for state in THREADS:
        candidates = by_state.get(state, [])
        picked += rng.sample(candidates, min(2, len(candidates)))
    return picked[: max(THREAD_COUNT, len(manual))]


def _next(teller: Storyteller, rng: random.Random, at: datetime) -> datetime:
    later = at + timedelta(hours=rng.randint(3, 60))
    return max(min(later, teller.now - timedelta(minutes=rng.randint(1, 120))),
               at + timedelta(minutes=1))  # fmt: skip
