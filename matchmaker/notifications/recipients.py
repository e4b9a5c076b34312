"""Who answers for what: the people a notification about a need, an offer or a sign-up goes to.

The rules follow ``accounts.authz``: a need's side is its State's requesters, an offer's side
the donor organisation's donor accounts (the role decides, as ``authz.sides_of``), a region's
coordinators those whose organisation covers the State (``authz.coordinator_country_ids``).
Only active accounts are returned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Select, and_, not_, or_, select
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


def _active(*conditions) -> Select:
    return select(User).where(User.status == UserStatus.ACTIVE, *conditions).order_by(User.id)


def by_organisation(db: Session, role: str, organisation_ids: Iterable[int]
                    ) -> dict[int, list[User]]:
    """The active accounts of ``role`` in each of ``organisation_ids`` (one query)."""
    wanted = set(organisation_ids)
    found: dict[int, list[User]] = defaultdict(list)
    if wanted:
        for user in db.scalars(_active(User.role == role, User.organisation_id.in_(wanted))):
            found[user.organisation_id].append(user)
    return found


def need_side(db: Session, need: Need) -> list[User]:
    """Who answers for the need's side: its State's requesters."""
    return by_organisation(db, Role.REQUESTER, [need.organisation_id])[need.organisation_id]


def offer_side(db: Session, offer: Offer) -> list[User]:
    """Who answers for the offer's side: the donor organisation's donor accounts."""
    return by_organisation(db, Role.DONOR, [offer.organisation_id])[offer.organisation_id]


def side(db: Session, need: Need, offer: Offer, which: str) -> list[User]:
    """The accounts answering for ``which`` side of a proposal ("requester" or "donor")."""
    return need_side(db, need) if which == "requester" else offer_side(db, offer)


def parties(db: Session, need: Need, offer: Offer) -> list[User]:
    """Both sides of a proposal on ``need`` and ``offer``."""
    return need_side(db, need) + offer_side(db, offer)


def coordinators_of(db: Session, country_id: int | None) -> list[User]:
    """The active coordinators whose region includes the State ``country_id``.

    A regional centre covers the States of its centre, any other coordinating organisation its
    listed member States: the two cases of ``authz.coordinator_country_ids``, as one query.
    """
    if country_id is None:
        return []
    by_centre = and_(Organisation.kind == OrganisationKind.REGIONAL_CENTRE,
                     Organisation.regional_centre_id.is_not(None))
    centre = select(Country.regional_centre_id).where(Country.id == country_id).scalar_subquery()
    members = select(OrganisationCountry.organisation_id).where(
        OrganisationCountry.country_id == country_id)
    covering = select(Organisation.id).where(or_(
        and_(by_centre, Organisation.regional_centre_id == centre),
        and_(not_(by_centre), Organisation.id.in_(members)),
    ))
    return list(db.scalars(_active(User.role == Role.COORDINATOR,
                                   User.organisation_id.in_(covering))))


def admins(db: Session) -> list[User]:
    """The secretariat's active accounts."""
    return list(db.scalars(_active(User.role == Role.ADMIN)))


def without(users: Iterable[User], user_id: int | None) -> list[User]:
    """``users`` less the person who acted (nobody is told of their own action), once each."""
    unique = {user.id: user for user in users if user.id != user_id}
    return list(unique.values())
