"""What a person follows: the feed of their role, narrowed to topics, regions and modalities.

A donor's feed is new needs, a requester's new offers open to its State. With nothing chosen
a donor hears of the needs compatible with its organisation's published offers, and a
requester of every offer open to its State; each choice narrows that to what it names.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.errors import FormErrors
from matchmaker.i18n import _
from matchmaker.models import Role, Subscription, utcnow
from matchmaker.portfolio.choices import PortfolioChoices

FEED_OF_ROLE = {Role.DONOR: "needs", Role.REQUESTER: "offers"}
FIELDS = ("topics", "regions", "modalities")


@dataclass(frozen=True)
class Followed:
    """The codes a person follows (empty tuples: the feed's default)."""

    topics: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()

    @property
    def is_default(self) -> bool:
        return not (self.topics or self.regions or self.modalities)

    @classmethod
    def of(cls, subscription: Subscription | None) -> Followed:
        if subscription is None:
            return cls()
        return cls(tuple(subscription.topics or ()), tuple(subscription.regions or ()),
                   tuple(subscription.modalities or ()))


def fields_of(role: str) -> tuple[str, ...]:
    """The choices a role's feed offers: a requester's offers are already its State's own."""
    return FIELDS if role == Role.DONOR else ("topics", "modalities")


def followed(db: Session, user_id: int, feed: str) -> Followed:
    return Followed.of(db.scalar(select(Subscription).where(
        Subscription.user_id == user_id, Subscription.feed == feed)))


def parse(choices: PortfolioChoices, role: str, submitted: dict[str, list[str]]) -> Followed:
    """The codes ticked in the form, each checked against the choices offered; FormErrors
    names the field holding a code that is not one of them."""
    allowed = {"topics": set(choices.category_ids), "regions": set(choices.region_ids),
               "modalities": set(choices.modality_ids)}
    values, errors = {}, {}
    for name in fields_of(role):
        codes = list(dict.fromkeys(code.strip() for code in submitted.get(name, []) if code))
        if any(code not in allowed[name] for code in codes):
            errors[name] = _("Please choose from the list.")
        values[name] = tuple(codes)
    if errors:
        raise FormErrors(errors)
    return Followed(**values)


def save(db: Session, user_id: int, role: str, chosen: Followed) -> Subscription:
    """Record what ``user_id`` follows in the feed of its role (in ``db``'s transaction)."""
    feed = FEED_OF_ROLE[role]
    subscription = db.scalar(select(Subscription).where(
        Subscription.user_id == user_id, Subscription.feed == feed))
    if subscription is None:
        subscription = Subscription(user_id=user_id, feed=feed)
    subscription.topics = list(chosen.topics)
    subscription.regions = list(chosen.regions)
    subscription.modalities = list(chosen.modalities)
    subscription.updated_at = utcnow()
    db.add(subscription)
    db.flush()
    return subscription
