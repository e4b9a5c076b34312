"""The demo's history of notifications and digests.

Every step of the demo's proposals (proposed, accepted, agreed, declined, delivery, closure
feedback), every thread message, the reminders before a proposal expired, the sign-up that
waits for approval and the monthly bulletins of the last months told the people the
application would have told, at the moment it happened, with the application's event keys (so
the scheduler never tells them again). Most are read, the last week's partly not. A few people take some kinds in daily or weekly digests: their
past digests are in the outbox, sent. Everything is mailed already, except what waits for the
next digest, so starting the demo prints no backlog of mail.

The rows are written in bulk: the demo still builds in seconds.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session

from matchmaker.accounts.registration import reviewers_of
from matchmaker.bulletin.services import bulletin_content, month_before, summary_params
from matchmaker.demo.people import DEMO_ACCOUNTS
from matchmaker.demo.proposals import Placed, Storyteller
from matchmaker.models import (
    Bulletin,
    Message,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    OutboxMail,
    Role,
    User,
    UserStatus,
)
from matchmaker.notifications import recipients
from matchmaker.notifications.kinds import KINDS
from matchmaker.notifications.mailing import digest_mail
from matchmaker.proposals import news
from matchmaker.scheduler.reminders import EXPIRY_REMINDERS
from matchmaker.settings import Settings

DAILY, WEEKLY = NotificationDelivery.DAILY, NotificationDelivery.WEEKLY
RECENT = timedelta(days=7)  # older notifications are nearly all read
DIGEST_HOUR = time(6, tzinfo=UTC)
# Documented accounts that take digests, so that the demo shows them: (email, groups, delivery).
DIGEST_ACCOUNTS = (
    ("coordinator@unrcpd.demo.matchmaker.test", ("proposals", "follow_up"), DAILY),
    ("donor.undp@demo.matchmaker.test", ("proposals", "follow_up"), WEEKLY),
)
DIGEST_SHARE = {DAILY: 0.12, WEEKLY: 0.08}  # of the other people, per delivery
BULLETIN_MONTHS = 5  # the archive of monthly bulletins the demo starts with
CLOSED = {"agreed", "declined", "superseded", "expired"}


@dataclass(frozen=True)
class Told:
    """One person told of one event."""

    user: User
    kind: str
    event_key: str
    params: dict
    link: str
    at: datetime


class History:
    """Collects who was told what and when, by the application's rules of who hears of what
    (``notifications.recipients`` and ``proposals.news``)."""

    def __init__(self, session: Session, teller: Storyteller) -> None:
        self.session, self.teller, self.story = session, teller, teller.story
        self.organisations = {o.id: o for o in teller.people.organisations.values()}
        self.requesters = recipients.by_organisation(
            session, Role.REQUESTER, {d.organisation.id for d in self.story.needs})
        self.donors = recipients.by_organisation(
            session, Role.DONOR, {d.organisation.id for d in self.story.offers})
        self._coordinators: dict[int, list[User]] = {}
        self.told: list[Told] = []
        self._seen: set[tuple[int, str, str]] = set()

    # --- who -----------------------------------------------------------------------------

    def side(self, placed: Placed, which: str) -> list[User]:
        if which == "requester":
            return self.requesters[self.story.needs[placed.need].organisation.id]
        return self.donors[self.story.offers[placed.offer].organisation.id]

    def parties(self, placed: Placed) -> list[User]:
        return self.side(placed, "requester") + self.side(placed, "donor")

    def everyone(self, placed: Placed) -> list[User]:
        country_id = self.story.needs[placed.need].country.id
        if country_id not in self._coordinators:
            self._coordinators[country_id] = recipients.coordinators_of(self.session, country_id)
        return self.parties(placed) + self._coordinators[country_id]

    def who(self, user: User) -> str:
        return f"{user.name} ({self.organisations[user.organisation_id].name})"

    # --- what ----------------------------------------------------------------------------

    def tell(self, users: list[User], kind: str, key: str, params: dict, link: str,
             at: datetime) -> None:
        for user in users:
            if (user.id, kind, key) not in self._seen:
                self._seen.add((user.id, kind, key))
                self.told.append(Told(user, kind, key, params, link, at))

    def about(self, placed: Placed, users: list[User], kind: str, event: str, at: datetime,
              **extra) -> None:
        need, offer = self.story.needs[placed.need], self.story.offers[placed.offer]
        facts = news.facts(placed.proposal, need.need, offer.offer, need.country,
                           offer.organisation)
        self.tell(users, kind, f"proposal:{placed.proposal.id}:{event}", facts | extra,
                  news.link(placed.proposal.id), at)

    def decisions(self) -> None:
        """The notifications of each proposal step, as ``proposals.news`` sends them."""
        for entry in self.story.audit:
            placed, actor, at = entry.placed, entry.actor, entry.at
            if entry.entity != "proposal" or placed is None:
                continue
            actor_id = actor.id if actor else None
            if entry.action == "proposed":
                # A donor's own proposal counts as its acceptance: only the State is asked.
                sides = (["requester"] if entry.after.get("donor_accepted_at")
                         else ["requester", "donor"])
                users = [u for side in sides for u in self.side(placed, side)]
                self.about(placed, recipients.without(users, actor_id), "proposal_new", "new",
                           at)
            elif entry.action == "accepted":
                side = entry.after["side"]
                waiting = "donor" if side == "requester" else "requester"
                self.about(placed, recipients.without(self.side(placed, waiting), actor_id),
                           "proposal_accepted", f"accepted:{side}", at, who=self.who(actor))
            elif entry.action == "agreed":
                self.about(placed, self.everyone(placed), "proposal_agreed", "agreed", at)
            elif entry.action == "declined":
                self.about(placed, recipients.without(self.everyone(placed), actor_id),
                           "proposal_declined", "declined", at, reason=entry.note,
                           side=entry.after.get("declined_by_side", ""))
            elif entry.action in ("in_delivery", "delivered"):
                self.about(placed, recipients.without(self.everyone(placed), actor_id),
                           "delivery_step", f"delivery:{entry.action}", at, step=entry.action,
                           note=entry.note)
                if entry.action == "delivered":
                    self.about(placed, self.parties(placed), "feedback_requested", "feedback",
                               at)

    def messages(self, messages: list[Message]) -> None:
        """Each message to both sides and whoever wrote in the thread before, but its author."""
        placed_by_id = {placed.proposal.id: placed for placed in self.story.placed}
        users = {user.id: user for user in self.teller.people.users}
        writers: dict[int, dict[int, User]] = defaultdict(dict)
        for message in sorted(messages, key=lambda m: (m.created_at, m.id)):
            placed = placed_by_id[message.proposal_id]
            author = users[message.author_id]
            writers[message.proposal_id][author.id] = author
            readers = recipients.without(
                [*self.parties(placed), *writers[message.proposal_id].values()], author.id)
            body = " ".join(message.body.split())
            excerpt = body if len(body) <= news.EXCERPT else body[:news.EXCERPT - 1] + "…"
            need, offer = self.story.needs[placed.need], self.story.offers[placed.offer]
            facts = news.facts(placed.proposal, need.need, offer.offer, need.country,
                               offer.organisation)
            self.tell(readers, "message_new", f"message:{message.id}",
                      facts | {"author": self.who(author), "excerpt": excerpt},
                      f"{news.link(placed.proposal.id)}#messages", message.created_at)

    def reminders(self) -> None:
        """The scheduler's reminders 7 days and 1 day before a proposal expired or expires,
        to the sides that had not answered by then (``scheduler.reminders``)."""
        closed_at: dict[int, datetime] = {}
        for entry in self.story.audit:
            if entry.placed is not None and entry.action in CLOSED:
                closed_at.setdefault(id(entry.placed), entry.at)
        for placed in self.story.placed:
            proposal = placed.proposal
            for days in EXPIRY_REMINDERS:
                at = proposal.expires_at - timedelta(days=days)
                if at >= min(closed_at.get(id(placed), self.teller.now), self.teller.now):
                    continue
                users = [user for side in ("requester", "donor")
                         if not _answered_by(proposal, side, at)
                         for user in self.side(placed, side)]
                self.about(placed, users, "proposal_expiring", f"expiring:{days}", at)

    def signups(self) -> None:
        """The account that waits for approval, told to those who may approve it."""
        for user in self.teller.people.users:
            if user.status == UserStatus.PENDING:
                organisation = self.organisations[user.organisation_id]
                self.tell(reviewers_of(self.session, organisation), "signup_to_approve",
                          f"user:{user.id}:signup", {"name": user.name, "email": user.email,
                                                     "organisation": organisation.name},
                          "/admin", user.created_at)


    def bulletins(self) -> None:
        """The monthly bulletins of the last months, published on the first morning of the
        next month from the portfolio as it then was, and told to everyone active by then
        (``bulletin.services``): the scheduler finds the last month already published."""
        day = self.teller.clock.today
        for _month in range(BULLETIN_MONTHS):
            period, first, last = month_before(day)
            day = first
            if self.session.scalar(select(Bulletin.id).where(Bulletin.period == period)):
                continue  # a running scheduler published it already
            at = datetime.combine(last + timedelta(days=1), DIGEST_HOUR)
            bulletin = Bulletin(period=period, period_start=first, period_end=last,
                                content=bulletin_content(self.session, first, last),
                                published_at=at)
            self.session.add(bulletin)
            readers = [user for user in self.teller.people.users
                       if user.status == UserStatus.ACTIVE and user.created_at <= at]
            self.tell(readers, "bulletin", f"bulletin:{period}", summary_params(bulletin),
                      f"/bulletin/{period}", at)


def _answered_by(proposal, side: str, at: datetime) -> bool:
    answered = getattr(proposal, f"{side}_accepted_at")
    return answered is not None and answered <= at


def digest_choices(users: list[User], rng: random.Random) -> dict[tuple[int, str], str]:
    """(user id, kind) -> daily or weekly, for the documented digest readers and a share of
    the other active people; every other kind keeps its default."""
    chosen: dict[tuple[int, str], str] = {}
    digesting = {email: (groups, delivery) for email, groups, delivery in DIGEST_ACCOUNTS}
    documented = {account.email for account in DEMO_ACCOUNTS}
    for user in sorted(users, key=lambda u: u.email):
        if user.status != UserStatus.ACTIVE:
            continue
        if user.email in digesting:
            groups, delivery = digesting[user.email]
        elif user.email in documented:
            continue  # the other documented accounts keep the defaults
        else:
            roll, delivery = rng.random(), None
            if roll < DIGEST_SHARE[DAILY]:
                groups, delivery = ("proposals", "follow_up"), DAILY
            elif roll < DIGEST_SHARE[DAILY] + DIGEST_SHARE[WEEKLY]:
                groups, delivery = ("follow_up",), WEEKLY
            if delivery is None:
                continue
        for key, kind in KINDS.items():
            if kind.group in groups and user.role in kind.roles and kind.default != delivery:
                chosen[(user.id, key)] = delivery
    return chosen


def digest_time(at: datetime, delivery: str) -> datetime:
    """When the digest that carries a notification made at ``at`` went out: the next morning,
    or the next Monday morning."""
    day = at.date() + timedelta(days=1)
    if delivery == WEEKLY:
        day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime.combine(day, DIGEST_HOUR)


def write_notifications(session: Session, teller: Storyteller, messages: list[Message],
                        rng: random.Random, settings: Settings) -> tuple[int, int]:
    """Write the demo's notifications, preferences and past digests; (notifications, digests)."""
    history = History(session, teller)
    history.decisions()
    history.messages(messages)
    history.reminders()
    history.signups()
    history.bulletins()
    now = teller.now
    told = sorted((t for t in history.told if t.at <= now),
                  key=lambda t: (t.at, t.user.id, t.kind, t.event_key))
    chosen = digest_choices(teller.people.users, rng)
    if chosen:
        session.execute(insert(NotificationPreference), [
            {"user_id": user_id, "kind": kind, "delivery": delivery}
            for (user_id, kind), delivery in sorted(chosen.items())])

    rows, digests = [], defaultdict(list)
    for item in told:
        delivery = chosen.get((item.user.id, item.kind), KINDS[item.kind].default)
        if delivery in (DAILY, WEEKLY):
            mailed = digest_time(item.at, delivery)
            if mailed <= now:
                digests[(item.user.id, delivery, mailed)].append(item)
            else:
                mailed = None  # waits for the next digest
        else:
            mailed = item.at + timedelta(seconds=rng.randint(5, 90))
        unread = rng.random() < (0.5 if now - item.at < RECENT else 0.04)
        read = item.at + timedelta(minutes=rng.randint(10, 4320))  # within three days
        if unread or read > now:
            read = None
        rows.append({"user_id": item.user.id, "kind": item.kind, "event_key": item.event_key,
                     "params": item.params, "link": item.link, "delivery": delivery,
                     "created_at": item.at, "read_at": read, "mailed_at": mailed})
    if rows:
        session.execute(insert(Notification), rows)
    session.add_all(_digest_mails(digests, settings, rng))
    session.flush()
    return len(rows), len(digests)


def _digest_mails(digests: dict, settings: Settings, rng: random.Random) -> list[OutboxMail]:
    mails = []
    for (_user_id, delivery, at), items in sorted(digests.items(), key=lambda d: d[0][2]):
        user = items[0].user
        notifications = [Notification(kind=t.kind, params=t.params, link=t.link) for t in items]
        subject, text, html, headers = digest_mail(settings, user, notifications, delivery)
        mails.append(OutboxMail(recipient=user.email, subject=subject, body=text,
                                html_body=html, headers=headers, created_at=at,
                                sent_at=at + timedelta(seconds=rng.randint(2, 30))))
    return mails
