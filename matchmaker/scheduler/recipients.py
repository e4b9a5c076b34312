"""Who the scheduler's notifications go to (the rules of notifications.recipients, under the
names the jobs use), and the plain facts of a need or a pair that the kinds put into words."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.models import Country, Need, Offer, Organisation
from matchmaker.notifications.recipients import coordinators_of as coordinators
from matchmaker.notifications.recipients import need_side as requesters
from matchmaker.notifications.recipients import offer_side as donors

__all__ = ["coordinators", "donors", "need_params", "proposal_params", "requesters"]


def need_params(db: Session, need: Need) -> dict:
    """The plain facts of a need that the notification kinds put into words."""
    return {
        "need_title": need.title, "need_ref": need.reference,
        "state": db.scalar(select(Country.name).where(Country.id == need.country_id)) or "",
        "deadline": need.deadline.isoformat() if need.deadline else "",
    }


def proposal_params(db: Session, need: Need, offer: Offer, amount_usd: int) -> dict:
    """The plain facts of a need-offer pair that the notification kinds put into words."""
    return {
        **need_params(db, need), "offer_title": offer.title, "offer_ref": offer.reference,
        "donor": db.scalar(select(Organisation.name)
                           .where(Organisation.id == offer.organisation_id)) or "",
        "amount_usd": amount_usd,
    }
