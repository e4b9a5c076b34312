"""``build_demo``: the whole demo portfolio, written in one session (the caller commits)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from matchmaker.demo.audit import lifecycle_entries, settle, write_events
from matchmaker.demo.catalogue import load_catalogue
from matchmaker.demo.context import Clock, DemoError, load_reference, stream
from matchmaker.demo.needs import create_needs, requesting_states
from matchmaker.demo.notifications import write_notifications
from matchmaker.demo.offers import create_offers
from matchmaker.demo.people import (
    DEMO_ACCOUNTS,
    DEMO_EMAIL_DOMAIN,
    DEMO_ORGANISATIONS,
    create_people,
)
from matchmaker.demo.threads import write_messages
from matchmaker.demo.timeline import create_proposals
from matchmaker.models import (
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    Organisation,
    ProposalState,
    Role,
    User,
    UserStatus,
)
from matchmaker.settings import Settings


@dataclass
class DemoReport:
    """What a build wrote, with the portfolio's headline figures (US dollars)."""

    organisations: int = 0
    users: int = 0
    needs: int = 0
    requesting_states: int = 0
    offers: int = 0
    donors: int = 0
    runs: int = 0
    proposals: dict[str, int] = field(default_factory=dict)
    events: int = 0
    messages: int = 0
    notifications: int = 0
    digests: int = 0
    requested_usd: int = 0
    offered_usd: int = 0
    agreed_usd: int = 0
    delivered_usd: int = 0
    seconds: float = 0.0

    @property
    def coverage(self) -> float:
        """Offered value over requested value (of published needs and offers)."""
        return self.offered_usd / self.requested_usd if self.requested_usd else 0.0

    def __str__(self) -> str:
        states = ", ".join(f"{state} {count}" for state, count in self.proposals.items())
        return "\n".join((
            f"{self.needs} needs from {self.requesting_states} States, "
            f"{self.offers} offers from {self.donors} donors",
            f"requested {self.requested_usd:,} USD, offered {self.offered_usd:,} USD "
            f"({self.coverage:.0%}), agreed {self.agreed_usd:,} USD, "
            f"delivered {self.delivered_usd:,} USD",
            f"{self.runs} runs, {sum(self.proposals.values())} proposals ({states})",
            f"{self.organisations} demo organisations, {self.users} demo accounts, "
            f"{self.events} events, {self.messages} messages, {self.notifications} "
            f"notifications, {self.digests} digests, built in {self.seconds:.1f} s",
        ))  # fmt: skip


def ensure_empty_portfolio(session: Session) -> None:
    """Raise DemoError unless the database holds reference data only (never mix with real data)."""
    checks = (
        ("needs", select(Need.id)),
        ("offers", select(Offer.id)),
        ("organisations other than the reference ones",
         select(Organisation.id).where(Organisation.is_reference == False)),  # noqa: E712
        ("demo accounts",
         select(User.id).where(or_(User.is_demo == True,  # noqa: E712
                                   User.email.endswith("@" + DEMO_EMAIL_DOMAIN),
                                   User.email.endswith("." + DEMO_EMAIL_DOMAIN)))),
    )  # fmt: skip
    found = [what for what, query in checks if session.exec(query.limit(1)).first() is not None]
    if found:
        raise DemoError(
            f"the database already holds {', '.join(found)}; the demo portfolio is only "
            "built into a database that has the reference data and nothing else"
        )


def build_demo(session: Session, *, seed: int = 2026, today: date | None = None,
               settings: Settings | None = None) -> DemoReport:
    """Write the demo portfolio: organisations, accounts, needs, offers, runs, proposals,
    events, messages, notifications and past digests. Same ``seed`` and ``today``, same
    portfolio. The caller commits; ``settings`` give the digests' links (base URL and the
    secret that signs their unsubscribe links)."""
    started = time.perf_counter()
    ensure_empty_portfolio(session)
    clock = Clock(today or date.today())
    ref = load_reference(session)
    catalogue = load_catalogue()
    requesters = requesting_states(ref, catalogue)
    demo_slugs = {spec.slug for spec in DEMO_ORGANISATIONS}
    donor_slugs = [
        d.slug for d in catalogue.donors if d.slug in ref.organisations or d.slug in demo_slugs
    ]
    people = create_people(
        session, ref, clock, stream(seed, "people"),
        [(r.iso3.lower(), r.languages.split(",")[0]) for r in requesters], donor_slugs,
    )  # fmt: skip

    needs = create_needs(session, ref, people, catalogue, clock, stream(seed, "needs"))
    requested = sum(d.need.cost_usd for d in needs if d.need.status == NeedStatus.PUBLISHED)
    offers = create_offers(
        session, ref, people, catalogue, clock, stream(seed, "offers"), requested
    )
    accounts = [a for a in DEMO_ACCOUNTS if a.status == UserStatus.ACTIVE]
    teller = create_proposals(
        session, ref, people, needs, offers, clock, stream(seed, "proposals"),
        [a.organisation for a in accounts if a.role == Role.REQUESTER],
        [a.organisation for a in accounts if a.role == Role.DONOR],
    )  # fmt: skip
    story = teller.story
    entries = lifecycle_entries(story, people) + story.audit + settle(story)
    messages, message_entries = write_messages(session, teller, stream(seed, "threads"))
    events = write_events(session, entries + message_entries)
    session.flush()
    notifications, digests = write_notifications(
        session, teller, messages, stream(seed, "notifications"),
        settings or Settings(database_url=""))

    not_public = (NeedStatus.DRAFT, NeedStatus.WITHDRAWN)
    return DemoReport(
        organisations=len(demo_slugs),
        users=len(people.users),
        needs=len(needs),
        requesting_states=len({d.country.iso3 for d in needs}),
        offers=len(offers),
        donors=len({d.organisation.slug for d in offers}),
        runs=len(story.runs),
        proposals={
            state.value: count
            for state in ProposalState
            if (count := sum(p.proposal.state == state for p in story.placed))
        },
        events=len(events),
        messages=len(messages),
        notifications=notifications,
        digests=digests,
        requested_usd=sum(d.need.cost_usd for d in needs if d.need.status not in not_public),
        offered_usd=sum(
            d.offer.budget_usd
            for d in offers
            if d.offer.status in (OfferStatus.PUBLISHED, OfferStatus.EXHAUSTED)
        ),  # fmt: skip
        agreed_usd=sum(d.need.agreed_usd for d in needs),
        delivered_usd=sum(d.need.delivered_usd for d in needs),
        seconds=time.perf_counter() - started,
    )


__all__ = ["DemoError", "DemoReport", "build_demo", "ensure_empty_portfolio"]
