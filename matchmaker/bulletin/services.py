"""The clearing-house bulletin: the figures and records of a month, kept as published.

Content holds numbers, references, titles and codes only (ISO, M49, taxonomy codes); the
words are produced when the bulletin is shown or mailed, in the reader's language. Only public
needs appear (restricted ones are shared with donors and coordinators, not with the public
archive). Publishing is idempotent: the period is unique, and the bulletin and its
notifications are written in one transaction, so a second run, or a second worker, adds
nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from matchmaker.db import session_scope
from matchmaker.i18n import lazy_gettext
from matchmaker.models import (
    COMMITTED_PROPOSAL_STATES,
    PUBLIC_NEED_STATUSES,
    Bulletin,
    Category,
    Country,
    Need,
    NotificationDelivery,
    NotificationPreference,
    Offer,
    OfferStatus,
    Organisation,
    Proposal,
    ProposalState,
    Region,
    User,
    UserStatus,
    Visibility,
)
from matchmaker.notifications.service import notify
from matchmaker.scheduler.registry import Job
from matchmaker.settings import Settings

LISTED = 50  # records listed per section; the figures count them all
PERIOD_FORMAT = "%Y-%m"


def month_before(today: date) -> tuple[str, date, date]:
    """The period code, first and last day of the month before ``today``."""
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    return first.strftime(PERIOD_FORMAT), first, last


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _public_need():
    return Need.status.in_(PUBLIC_NEED_STATUSES) & (Need.visibility == Visibility.PUBLIC)


def _new_needs(db: Session, start: datetime, end: datetime) -> dict:
    published = (_public_need(), Need.published_at >= start, Need.published_at < end)
    count, total = db.execute(select(func.count(Need.id), func.coalesce(func.sum(Need.cost_usd),
                                                                        0)).where(*published)).one()
    by_region = db.execute(
        select(Region.m49, func.count(Need.id), func.coalesce(func.sum(Need.cost_usd), 0))
        .join(Country, Country.region_id == Region.id).join(Need, Need.country_id == Country.id)
        .where(*published).group_by(Region.m49).order_by(func.count(Need.id).desc(), Region.m49))
    by_topic = db.execute(
        select(Category.code, func.count(Need.id), func.coalesce(func.sum(Need.cost_usd), 0))
        .join(Need, Need.topic_id == Category.id).where(*published)
        .group_by(Category.code).order_by(func.count(Need.id).desc(), Category.code))
    items = db.execute(
        select(Need.reference, Need.title, Country.iso3, Category.code, Need.cost_usd)
        .join(Country, Country.id == Need.country_id).join(Category, Category.id == Need.topic_id)
        .where(*published).order_by(Need.cost_usd.desc(), Need.id).limit(LISTED))
    return {
        "count": int(count), "usd": int(total),
        "by_region": [{"m49": m49, "count": n, "usd": int(usd)} for m49, n, usd in by_region],
        "by_topic": [{"code": code, "count": n, "usd": int(usd)} for code, n, usd in by_topic],
        "items": [{"reference": r, "title": t, "country": c, "topic": code, "usd": int(usd)}
                  for r, t, c, code, usd in items],
    }


def _new_offers(db: Session, start: datetime, end: datetime) -> dict:
    published = (Offer.status.in_((OfferStatus.PUBLISHED, OfferStatus.EXHAUSTED)),
                 Offer.published_at >= start, Offer.published_at < end)
    count, total = db.execute(select(func.count(Offer.id),
                                     func.coalesce(func.sum(Offer.budget_usd), 0))
                              .where(*published)).one()
    items = db.execute(
        select(Offer.reference, Offer.title, Organisation.name, Offer.budget_usd)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(*published).order_by(Offer.budget_usd.desc(), Offer.id).limit(LISTED))
    return {"count": int(count), "usd": int(total),
            "items": [{"reference": r, "title": t, "donor": d, "usd": int(usd)}
                      for r, t, d, usd in items]}


def _proposals(db: Session, moment, start: datetime, end: datetime, *states) -> dict:
    """Agreements (or deliveries) whose ``moment`` falls in the period, on public needs."""
    donor = aliased(Organisation)
    where = (_public_need(), Proposal.state.in_(states), moment >= start, moment < end)
    count, total = db.execute(
        select(func.count(Proposal.id), func.coalesce(func.sum(Proposal.amount_usd), 0))
        .join(Need, Need.id == Proposal.need_id).where(*where)).one()
    items = db.execute(
        select(Proposal.id, Need.reference, Need.title, Country.iso3, Offer.reference,
               Offer.title, donor.name, Proposal.amount_usd)
        .join(Need, Need.id == Proposal.need_id).join(Offer, Offer.id == Proposal.offer_id)
        .join(Country, Country.id == Need.country_id)
        .join(donor, donor.id == Offer.organisation_id)
        .where(*where).order_by(Proposal.amount_usd.desc(), Proposal.id).limit(LISTED))
    return {"count": int(count), "usd": int(total), "items": [
        {"need_ref": nr, "need_title": nt, "country": c, "offer_ref": o_ref,
         "offer_title": ot, "donor": d, "usd": int(usd)}
        for _id, nr, nt, c, o_ref, ot, d, usd in items]}


def _coverage_at(db: Session, moment: datetime) -> dict[str, dict[str, int]]:
    """Requested and agreed amounts of the public needs published before ``moment``, by M49
    region (and "all"): coverage as it stood then, from the dates of records."""
    requested = db.execute(
        select(Region.m49, func.coalesce(func.sum(Need.cost_usd), 0))
        .join(Country, Country.region_id == Region.id).join(Need, Need.country_id == Country.id)
        .where(_public_need(), Need.published_at < moment).group_by(Region.m49)).all()
    agreed = dict(db.execute(
        select(Region.m49, func.coalesce(func.sum(Proposal.amount_usd), 0))
        .join(Country, Country.region_id == Region.id).join(Need, Need.country_id == Country.id)
        .join(Proposal, Proposal.need_id == Need.id)
        .where(_public_need(), Need.published_at < moment,
               Proposal.state.in_(COMMITTED_PROPOSAL_STATES), Proposal.agreed_at < moment)
        .group_by(Region.m49)).all())
    figures = {m49: {"requested": int(usd), "agreed": int(agreed.get(m49, 0))}
               for m49, usd in requested}
    figures["all"] = {"requested": sum(f["requested"] for f in figures.values()),
                      "agreed": sum(f["agreed"] for f in figures.values())}
    return figures


def bulletin_content(db: Session, first: date, last: date) -> dict:
    """Everything a bulletin of the days ``first`` to ``last`` shows."""
    start, end = _moment(first), _moment(last + timedelta(days=1))
    return {
        "needs": _new_needs(db, start, end),
        "offers": _new_offers(db, start, end),
        "agreements": _proposals(db, Proposal.agreed_at, start, end,
                                 *COMMITTED_PROPOSAL_STATES),
        "deliveries": _proposals(db, Proposal.delivered_at, start, end,
                                 ProposalState.DELIVERED),
        "coverage": {"before": _coverage_at(db, start), "after": _coverage_at(db, end)},
    }


def _share(figures: dict) -> float:
    return figures["agreed"] / figures["requested"] if figures.get("requested") else 0.0


def summary_params(bulletin: Bulletin) -> dict:
    """The figures of the bulletin's short summary (its mail and the archive)."""
    content = bulletin.content
    return {
        "period": bulletin.period,
        "needs": content["needs"]["count"], "needs_usd": content["needs"]["usd"],
        "offers": content["offers"]["count"], "offers_usd": content["offers"]["usd"],
        "agreements": content["agreements"]["count"],
        "agreed_usd": content["agreements"]["usd"],
        "deliveries": content["deliveries"]["count"],
        "delivered_usd": content["deliveries"]["usd"],
        "coverage_before": _share(content["coverage"]["before"]["all"]),
        "coverage_after": _share(content["coverage"]["after"]["all"]),
    }


def readers(db: Session) -> list[User]:
    """Active people who have not turned the bulletin off."""
    turned_off = select(NotificationPreference.user_id).where(
        NotificationPreference.kind == "bulletin",
        NotificationPreference.delivery == NotificationDelivery.OFF)
    return list(db.scalars(select(User).where(User.status == UserStatus.ACTIVE,
                                              User.id.not_in(turned_off)).order_by(User.id)))


def publish(db: Session, period: str, first: date, last: date) -> Bulletin | None:
    """Publish the bulletin of ``period`` and tell its readers, in ``db``'s transaction; None
    when it was already published."""
    if db.scalar(select(Bulletin.id).where(Bulletin.period == period)) is not None:
        return None
    bulletin = Bulletin(period=period, period_start=first, period_end=last,
                        content=bulletin_content(db, first, last))
    db.add(bulletin)
    db.flush()  # the unique period: a worker publishing the same month at once fails here
    notify(db, readers(db), "bulletin", f"bulletin:{period}", summary_params(bulletin),
           f"/bulletin/{period}")
    return bulletin


def run_bulletin(engine: Engine, settings: Settings, now: datetime) -> str:
    """The scheduled job: the bulletin of the month just ended, once."""
    period, first, last = month_before(now.date())
    try:
        with session_scope(engine) as db:
            bulletin = publish(db, period, first, last)
    except IntegrityError:
        bulletin = None  # another worker published it first
    if bulletin is None:
        return f"The bulletin of {period} was already published"
    return f"Published the bulletin of {period}"


def published(db: Session) -> list[Bulletin]:
    return list(db.scalars(select(Bulletin).order_by(Bulletin.period.desc())))


def find(db: Session, period: str) -> Bulletin | None:
    return db.scalar(select(Bulletin).where(Bulletin.period == period))


BULLETIN = Job(
    "bulletin", timedelta(days=1), run_bulletin,
    lazy_gettext("Publish the clearing-house bulletin of the month just ended and mail it to "
                 "its readers (once per month)."))
