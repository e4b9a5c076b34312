"""The coordinators' weekly summary of their region: new needs and offers, agreements,
deliveries and the needs still uncovered, as figures put into words when read.

One notification per coordinator and ISO week (``region:<organisation>:<year>-W<week>``), so
running the job again in the same week, or in two workers, tells nobody twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.accounts.authz import coordinator_country_ids
from matchmaker.db import session_scope
from matchmaker.i18n import lazy_gettext
from matchmaker.matching.load import load_portfolio
from matchmaker.matching.scope import Scope
from matchmaker.models import (
    COMMITTED_PROPOSAL_STATES,
    OPEN_NEED_STATUSES,
    PUBLIC_NEED_STATUSES,
    Country,
    Need,
    Offer,
    OfferStatus,
    Organisation,
    Proposal,
    ProposalState,
    Role,
    User,
    UserStatus,
)
from matchmaker.notifications.feeds import open_to
from matchmaker.notifications.service import notify
from matchmaker.scheduler.registry import Job
from matchmaker.settings import Settings

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class RegionWeek:
    needs: int
    needs_usd: int
    offers: int
    agreed: int
    agreed_usd: int
    delivered: int
    delivered_usd: int
    uncovered: int
    uncovered_usd: int


def _count_and_sum(db: Session, amount, *where) -> tuple[int, int]:
    count, total = db.execute(select(func.count(), func.coalesce(func.sum(amount), 0))
                              .select_from(Need).where(*where)).one()
    return int(count), int(total)


def _proposals(db: Session, countries, *where) -> tuple[int, int]:
    count, total = db.execute(
        select(func.count(Proposal.id), func.coalesce(func.sum(Proposal.amount_usd), 0))
        .join(Need, Need.id == Proposal.need_id)
        .where(Need.country_id.in_(countries), *where)).one()
    return int(count), int(total)


def region_week(db: Session, country_ids: frozenset[int], start: datetime,
                end: datetime) -> RegionWeek:
    """The figures of the States ``country_ids`` between ``start`` and ``end``."""
    countries = sorted(country_ids)
    needs, needs_usd = _count_and_sum(
        db, Need.cost_usd, Need.country_id.in_(countries),
        Need.status.in_(PUBLIC_NEED_STATUSES), Need.published_at >= start,
        Need.published_at < end)
    uncovered, uncovered_usd = _count_and_sum(
        db, Need.cost_usd - Need.agreed_usd, Need.country_id.in_(countries),
        Need.status.in_(OPEN_NEED_STATUSES), Need.cost_usd > Need.agreed_usd)
    agreed, agreed_usd = _proposals(db, countries, Proposal.state.in_(COMMITTED_PROPOSAL_STATES),
                                    Proposal.agreed_at >= start, Proposal.agreed_at < end)
    delivered, delivered_usd = _proposals(db, countries,
                                          Proposal.state == ProposalState.DELIVERED,
                                          Proposal.delivered_at >= start,
                                          Proposal.delivered_at < end)
    new_offers = set(db.scalars(select(Offer.id).where(
        Offer.status == OfferStatus.PUBLISHED, Offer.published_at >= start,
        Offer.published_at < end)))
    states = db.scalars(select(Country).where(Country.id.in_(countries))).all()
    offers = sum(
        1 for offer in load_portfolio(db, Scope(country_ids=frozenset()), end.date()).offers
        if offer.id in new_offers and any(open_to(offer, state) for state in states))
    return RegionWeek(needs, needs_usd, offers, agreed, agreed_usd, delivered, delivered_usd,
                      uncovered, uncovered_usd)


def week_key(moment: datetime) -> str:
    year, week, _day = moment.isocalendar()
    return f"{year}-W{week:02d}"


def tell_coordinators(db: Session, now: datetime) -> int:
    """One summary of the week ending ``now`` per coordinator; how many were new."""
    coordinators = db.scalars(select(User).where(User.role == Role.COORDINATOR,
                                                 User.status == UserStatus.ACTIVE)).all()
    by_organisation: dict[int, list[User]] = defaultdict(list)
    for person in coordinators:
        by_organisation[person.organisation_id].append(person)
    told = 0
    for organisation_id, people in sorted(by_organisation.items()):
        organisation = db.get(Organisation, organisation_id)
        countries = coordinator_country_ids(db, organisation)
        if not countries:
            continue
        figures = region_week(db, countries, now - WEEK, now)
        told += notify(db, people, "region_summary", f"region:{organisation_id}:{week_key(now)}",
                       {"region": organisation.acronym or organisation.name, **asdict(figures)},
                       "/proposals")
    return told


def run_region_summaries(engine: Engine, settings: Settings, now: datetime) -> str:
    with session_scope(engine) as db:
        told = tell_coordinators(db, now)
    return f"{told} weekly region summaries for coordinators"


REGION_SUMMARIES = Job(
    "region_summaries", WEEK, run_region_summaries,
    lazy_gettext("Send each regional coordinator the week's figures of its region (once a "
                 "week)."))
