"""Who the scheduler's notifications go to: each side of a proposal, and the coordinators of
the region of a need's State (the same people who may see the records: authz)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlmodel import Session

from matchmaker.models import (
    Country,
    Need,
    Offer,
    Organisation,
    OrganisationCountry,
    OrganisationKind,
    Role,
    User,
    UserStatus,
)


def _active(db: Session, *conditions) -> list[User]:
    return list(db.scalars(
        select(User).where(User.status == UserStatus.ACTIVE, *conditions).order_by(User.id)
    ).all())


def requesters(db: Session, need: Need) -> list[User]:
    """The requesting State's points of contact."""
    return _active(db, User.organisation_id == need.organisation_id, User.role == Role.REQUESTER)


def donors(db: Session, offer: Offer) -> list[User]:
    """The donor organisation's staff."""
    return _active(db, User.organisation_id == offer.organisation_id, User.role == Role.DONOR)


def coordinators(db: Session, country_id: int) -> list[User]:
    """Coordinators whose region covers ``country_id``: the regional centre of the State, or a
    regional organisation that lists it among its members (authz.coordinator_country_ids)."""
    centre = select(Country.regional_centre_id).where(Country.id == country_id).scalar_subquery()
    is_centre = ((Organisation.kind == OrganisationKind.REGIONAL_CENTRE)
                 & Organisation.regional_centre_id.is_not(None))
    covering = select(Organisation.id).where(or_(
        is_centre & (Organisation.regional_centre_id == centre),
        ~is_centre & Organisation.id.in_(select(OrganisationCountry.organisation_id)
                                         .where(OrganisationCountry.country_id == country_id)),
    ))
    return _active(db, User.role == Role.COORDINATOR, User.organisation_id.in_(covering))


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
