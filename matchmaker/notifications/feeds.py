"""The subscription feeds: new needs a donor could fund, new offers open to a requester's State.

The job looks at what was published in the last ``FEED_WINDOW`` rather than since its own
last run: the window is wider than the job's period, so a missed or failed run loses nothing,
and the event keys (``need:<id>:published``, ``offer:<id>:published``) make each person hear
of each record once however often the job runs, in however many workers.

Compatibility is the solver's own: the new needs and the open offers go through the matching
encoder, so "a need you could fund" is a need one of your organisation's offers could be
proposed for (topic, modality, eligibility of the State, availability).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.db import session_scope
from matchmaker.i18n import lazy_gettext
from matchmaker.matching.encode import encode
from matchmaker.matching.load import OfferRecord, load_portfolio
from matchmaker.matching.scope import Scope
from matchmaker.models import (
    OPEN_NEED_STATUSES,
    Category,
    Country,
    Modality,
    Need,
    Offer,
    OfferStatus,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    Subscription,
    User,
    UserStatus,
)
from matchmaker.notifications.service import notify
from matchmaker.notifications.subscriptions import FEED_OF_ROLE, Followed
from matchmaker.scheduler.registry import Job
from matchmaker.settings import Settings

FEED_WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Codes:
    """Reference codes by record id, to compare records with what people follow."""

    category: dict[int, str]
    area_of: dict[int, int | None]  # topic id -> area id
    modality: dict[int, str]
    region: dict[int, str]
    countries: dict[int, Country]

    @classmethod
    def load(cls, db: Session) -> Codes:
        categories = db.execute(select(Category.id, Category.code, Category.parent_id)).all()
        return cls(
            category={row.id: row.code for row in categories},
            area_of={row.id: row.parent_id for row in categories},
            modality=dict(db.execute(select(Modality.id, Modality.code)).all()),
            region=dict(db.execute(select(Region.id, Region.m49)).all()),
            countries={c.id: c for c in db.scalars(select(Country))},
        )

    def topic_codes(self, category_ids) -> set[str]:
        """The codes of these topics or areas, and of the areas the topics belong to."""
        codes = set()
        for category_id in category_ids:
            codes.add(self.category[category_id])
            area = self.area_of.get(category_id)
            if area is not None:
                codes.add(self.category[area])
        return codes

    def place_codes(self, country_id: int) -> set[str]:
        country = self.countries[country_id]
        ids = (country.region_id, country.subregion_id, country.intermediate_region_id)
        return {self.region[i] for i in ids if i is not None}


def _followers(db: Session, role: str) -> dict[int, tuple[User, Followed]]:
    """Active people of ``role`` with what they follow in their feed."""
    people = db.scalars(select(User).where(User.role == role,
                                           User.status == UserStatus.ACTIVE)).all()
    chosen = {s.user_id: s for s in db.scalars(select(Subscription).where(
        Subscription.feed == FEED_OF_ROLE[role],
        Subscription.user_id.in_([p.id for p in people])))}
    return {p.id: (p, Followed.of(chosen.get(p.id))) for p in people}


def _wants(chosen: Followed, topics: set[str], places: set[str] | None,
           modalities: set[str]) -> bool:
    """Whether a record with these codes is within every choice a person made."""
    return ((not chosen.topics or bool(topics & set(chosen.topics)))
            and (places is None or not chosen.regions or bool(places & set(chosen.regions)))
            and (not chosen.modalities or bool(modalities & set(chosen.modalities))))


def _compatible_donors(db: Session, needs: list[Need], today: date) -> set[tuple[int, int]]:
    """(need id, donor organisation id) pairs the matching encoder finds compatible."""
    portfolio = load_portfolio(db, Scope(country_ids=frozenset(n.country_id for n in needs)),
                               today)
    wanted = {n.id for n in needs}
    portfolio.needs = [record for record in portfolio.needs if record.id in wanted]
    if not portfolio.needs or not portfolio.offers:
        return set()
    encoded = encode(portfolio, today)
    arcs = zip(encoded.arcs.need_index.tolist(), encoded.arcs.offer_index.tolist(), strict=True)
    return {(encoded.needs[n].id, encoded.offers[o].organisation_id) for n, o in arcs}


def tell_donors_of_new_needs(db: Session, since: datetime, today: date) -> int:
    """Notify donors of the needs published since ``since`` they could fund; how many new."""
    needs = db.scalars(select(Need).where(Need.status.in_(OPEN_NEED_STATUSES),
                                          Need.published_at >= since)
                       .order_by(Need.id)).all()
    if not needs:
        return 0
    codes = Codes.load(db)
    compatible = _compatible_donors(db, list(needs), today)
    donors = _followers(db, Role.DONOR)
    told = 0
    for need in needs:
        topics = codes.topic_codes([need.topic_id])
        places = codes.place_codes(need.country_id)
        modalities = {codes.modality[need.modality_id]}
        recipients = [
            person for person, chosen in donors.values()
            if person.organisation_id != need.organisation_id
            and ((need.id, person.organisation_id) in compatible if chosen.is_default
                 else _wants(chosen, topics, places, modalities))
        ]
        country = codes.countries[need.country_id]
        told += notify(db, recipients, "needs_you_could_fund", f"need:{need.id}:published",
                       {"need_title": need.title, "need_ref": need.reference,
                        "state": country.name, "state_iso2": country.iso2,
                        "amount_usd": max(0, need.cost_usd - need.agreed_usd)},
                       f"/needs/{need.reference}")
    return told


def open_to(offer: OfferRecord, country: Country) -> bool:
    """Whether ``offer`` accepts requests from ``country`` (the encoder's eligibility rules:
    regions, intermediate regions, States, exclusions, LDC and SIDS only)."""
    if country.id in offer.excluded_ids or (offer.ldc_only and not country.is_ldc) \
            or (offer.sids_only and not country.is_sids):
        return False
    if not offer.region_ids and not offer.country_ids:
        return True
    places = {country.region_id, country.subregion_id, country.intermediate_region_id}
    return country.id in offer.country_ids or bool(places & offer.region_ids)


def tell_requesters_of_new_offers(db: Session, since: datetime, today: date) -> int:
    """Notify requesters of the offers published since ``since`` open to their State."""
    new_ids = set(db.scalars(select(Offer.id).where(Offer.status == OfferStatus.PUBLISHED,
                                                    Offer.published_at >= since)))
    if not new_ids:
        return 0
    # No State's needs: only the open offers, with their eligibility, are wanted here.
    portfolio = load_portfolio(db, Scope(country_ids=frozenset()), today)
    offers = [record for record in portfolio.offers if record.id in new_ids]
    codes = Codes.load(db)
    states = dict(db.execute(select(Organisation.id, Organisation.country_id).where(
        Organisation.kind == OrganisationKind.STATE, Organisation.country_id.is_not(None))).all())
    requesters = [(person, chosen) for person, chosen in _followers(db, Role.REQUESTER).values()
                  if person.organisation_id in states]
    donors = dict(db.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({o.organisation_id for o in offers}))).all())
    told = 0
    for offer in offers:
        topics = codes.topic_codes(offer.category_ids)
        topics |= {codes.category[topic] for topic, area in codes.area_of.items()
                   if area in offer.category_ids}  # an area covers its topics
        modalities = {codes.modality[m] for m in offer.modality_ids}
        recipients = [
            person for person, chosen in requesters
            if person.organisation_id != offer.organisation_id
            and open_to(offer, codes.countries[states[person.organisation_id]])
            and _wants(chosen, topics, None, modalities)
        ]
        told += notify(db, recipients, "offers_open_to_you", f"offer:{offer.id}:published",
                       {"offer_title": offer.title, "offer_ref": offer.reference,
                        "donor": donors.get(offer.organisation_id, ""),
                        "amount_usd": int(offer.remaining)},
                       f"/offers/{offer.reference}")
    return told


def run_subscription_feeds(engine: Engine, settings: Settings, now: datetime) -> str:
    """The scheduled job: both feeds over the last ``FEED_WINDOW``."""
    since = now - FEED_WINDOW
    with session_scope(engine) as db:
        donors = tell_donors_of_new_needs(db, since, now.date())
    with session_scope(engine) as db:
        requesters = tell_requesters_of_new_offers(db, since, now.date())
    return (f"{donors} notifications of new needs to donors, "
            f"{requesters} of new offers to requesters")


SUBSCRIPTION_FEEDS = Job(
    "subscription_feeds", timedelta(hours=6), run_subscription_feeds,
    lazy_gettext("Tell donors of new needs they could fund and requesters of new offers open "
                 "to their State (each record once per person)."))
