"""Who may see and change what: the one authorisation layer every handler goes through.

A ``Viewer`` describes the person making the request (or an anonymous visitor). Services
filter queries with the ``*_visible`` clauses and check changes with the ``can_*`` /
``require_*`` functions, so the rules live here and nowhere else:

- public (anonymous): published, public needs; published offers; aggregated figures.
- requester: as public, plus every need of its own State (drafts included); edits only those;
  answers only proposals on its own State's needs.
- donor: as public, plus its own organisation's offers (drafts included); edits only those;
  answers only proposals on its own offers; may propose its offers for a need by hand.
- coordinator: sees every need, offer and proposal touching the States of its region (the
  States its regional centre covers, or its regional organisation's members); runs the
  solver for its region; brokers proposals there; approves accounts there.
- admin (secretariat): everything.

A conversation on a need or an offer is read by its two organisations' sides, the coordinators
of the State concerned and admins (``conversations_visible``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import false, or_, select, true
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from matchmaker.errors import PermissionDenied
from matchmaker.i18n import _
from matchmaker.models import (
    PUBLIC_NEED_STATUSES,
    Conversation,
    Country,
    Need,
    Offer,
    OfferStatus,
    Organisation,
    OrganisationCountry,
    OrganisationKind,
    Proposal,
    Role,
    User,
    UserStatus,
    Visibility,
)


@dataclass(frozen=True)
class Viewer:
    """The person behind a request, with what their organisation entitles them to."""

    user_id: int | None = None
    name: str = ""
    email: str = ""
    role: str | None = None
    organisation_id: int | None = None
    organisation_name: str = ""
    organisation_short: str = ""  # the acronym where there is one, for tight places
    country_id: int | None = None  # the State of a requester's organisation
    region_country_ids: frozenset[int] = field(default_factory=frozenset)  # coordinators
    language: str = "en"

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_requester(self) -> bool:
        return self.role == Role.REQUESTER

    @property
    def is_donor(self) -> bool:
        return self.role == Role.DONOR

    @property
    def can_run_solver(self) -> bool:
        return self.role in (Role.ADMIN, Role.COORDINATOR)


ANONYMOUS = Viewer()


def coordinator_country_ids(session: Session, organisation: Organisation) -> frozenset[int]:
    """States a coordinator's organisation covers: its centre's States or its members."""
    if organisation.kind == OrganisationKind.REGIONAL_CENTRE and organisation.regional_centre_id:
        rows = session.scalars(
            select(Country.id).where(
                Country.regional_centre_id == organisation.regional_centre_id
            )
        )
    else:
        rows = session.scalars(
            select(OrganisationCountry.country_id).where(
                OrganisationCountry.organisation_id == organisation.id
            )
        )
    return frozenset(rows)


def viewer_for(session: Session, user: User | None) -> Viewer:
    """The Viewer of an active ``user`` (anonymous for None or an inactive account)."""
    if user is None or user.status != UserStatus.ACTIVE or user.locked_at is not None:
        return ANONYMOUS
    organisation = session.get(Organisation, user.organisation_id)
    region = (
        coordinator_country_ids(session, organisation)
        if user.role == Role.COORDINATOR
        else frozenset()
    )
    return Viewer(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        organisation_short=organisation.acronym or organisation.name,
        country_id=organisation.country_id if organisation.kind == OrganisationKind.STATE else None,
        region_country_ids=region,
        language=user.language,
    )


# --- what a viewer may see ------------------------------------------------------------------


def _public_needs() -> ColumnElement[bool]:
    return Need.status.in_(PUBLIC_NEED_STATUSES) & (Need.visibility == Visibility.PUBLIC)


def needs_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Needs ``viewer`` may read."""
    if viewer.is_admin:
        return true()
    clause = _public_needs()
    if viewer.is_donor or viewer.is_coordinator:
        # Restricted needs are shared with approved donors and coordinators, not the public.
        clause = clause | Need.status.in_(PUBLIC_NEED_STATUSES)
    if viewer.is_requester and viewer.country_id:
        clause = clause | (Need.organisation_id == viewer.organisation_id)
    if viewer.is_coordinator and viewer.region_country_ids:
        clause = clause | Need.country_id.in_(viewer.region_country_ids)
    return clause


def offers_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Offers ``viewer`` may read: published ones, plus own drafts; coordinators their region's."""
    if viewer.is_admin:
        return true()
    if viewer.is_coordinator:
        return or_(Offer.status != OfferStatus.DRAFT, Offer.organisation_id == viewer.organisation_id)
    clause = Offer.status.in_((OfferStatus.PUBLISHED, OfferStatus.EXHAUSTED))
    if viewer.is_donor:
        clause = clause | (Offer.organisation_id == viewer.organisation_id)
    return clause


def proposals_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Proposals ``viewer`` may read: the ONE rule, used by the queue, the detail and counts.

    A requester sees the proposals on its organisation's needs and a donor those on its
    organisation's offers (the sides it answers for, as ``sides_of``); a coordinator those on
    its region's needs; an admin all. The role decides, not the organisation alone: a donor
    account of a State does not see the proposals made on that State's needs.
    """
    if viewer.is_admin:
        return true()
    parts = []
    if viewer.is_requester and viewer.organisation_id:
        own_needs = select(Need.id).where(Need.organisation_id == viewer.organisation_id)
        parts.append(Proposal.need_id.in_(own_needs))
    if viewer.is_donor and viewer.organisation_id:
        own_offers = select(Offer.id).where(Offer.organisation_id == viewer.organisation_id)
        parts.append(Proposal.offer_id.in_(own_offers))
    if viewer.is_coordinator and viewer.region_country_ids:
        region_needs = select(Need.id).where(Need.country_id.in_(viewer.region_country_ids))
        parts.append(Proposal.need_id.in_(region_needs))
    return or_(*parts) if parts else false()


def conversations_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Conversations on a need or an offer ``viewer`` may read and write in: the asking
    organisation's side (its donors about a need, its requesters about an offer), the poster's
    side (the need's requesters, the offer's donors), the coordinators of the State concerned
    and admins."""
    if viewer.is_admin:
        return true()
    parts = []
    organisation = viewer.organisation_id
    if organisation and viewer.is_donor:
        parts.append(Conversation.need_id.is_not(None)
                     & (Conversation.organisation_id == organisation))
        parts.append(Conversation.offer_id.in_(
            select(Offer.id).where(Offer.organisation_id == organisation)))
    if organisation and viewer.is_requester:
        parts.append(Conversation.offer_id.is_not(None)
                     & (Conversation.organisation_id == organisation))
        parts.append(Conversation.need_id.in_(
            select(Need.id).where(Need.organisation_id == organisation)))
    if viewer.is_coordinator and viewer.region_country_ids:
        parts.append(Conversation.country_id.in_(viewer.region_country_ids))
    return or_(*parts) if parts else false()


# --- what a viewer may change ---------------------------------------------------------------


def can_post_needs(viewer: Viewer) -> bool:
    return (viewer.is_requester and viewer.country_id is not None) or viewer.is_admin


def can_post_offers(viewer: Viewer) -> bool:
    return viewer.is_donor or viewer.is_admin


def can_edit_need(viewer: Viewer, need: Need) -> bool:
    if viewer.is_admin:
        return True
    return viewer.is_requester and need.organisation_id == viewer.organisation_id


def can_edit_offer(viewer: Viewer, offer: Offer) -> bool:
    if viewer.is_admin:
        return True
    return viewer.is_donor and offer.organisation_id == viewer.organisation_id


def in_region(viewer: Viewer, country_id: int) -> bool:
    return viewer.is_admin or (viewer.is_coordinator and country_id in viewer.region_country_ids)


def can_propose_for(viewer: Viewer, need: Need) -> bool:
    """Who may propose a match by hand for ``need``: a donor (its own offers), the coordinators
    of the need's region and admins (any offer open to the need's State)."""
    return viewer.is_donor or in_region(viewer, need.country_id)


def can_ask_for_offer(viewer: Viewer, offer: Offer) -> bool:
    """A State's requester may ask for a published offer, for one of its own needs."""
    return (viewer.is_requester and viewer.country_id is not None
            and offer.status == OfferStatus.PUBLISHED)


def can_ask_about_need(viewer: Viewer, need: Need) -> bool:
    """A donor may open a conversation with the State of a need it can read."""
    return viewer.is_donor and need.organisation_id != viewer.organisation_id


def can_ask_about_offer(viewer: Viewer, offer: Offer) -> bool:
    """A State's requester may open a conversation with the donor of an offer it can read."""
    return (viewer.is_requester and viewer.country_id is not None
            and offer.organisation_id != viewer.organisation_id)


def sides_of(viewer: Viewer, need: Need, offer: Offer) -> set[str]:
    """The sides of a proposal on which ``viewer`` may answer (requester, donor, or both)."""
    sides: set[str] = set()
    if viewer.is_requester and need.organisation_id == viewer.organisation_id:
        sides.add("requester")
    if viewer.is_donor and offer.organisation_id == viewer.organisation_id:
        sides.add("donor")
    return sides


def can_manage_user(viewer: Viewer, user_country_id: int | None) -> bool:
    """Admins manage every account; coordinators approve accounts from their region's States."""
    if viewer.is_admin:
        return True
    return (
        viewer.is_coordinator
        and user_country_id is not None
        and user_country_id in viewer.region_country_ids
    )


def managed_country_id(organisation: Organisation) -> int | None:
    """The State an account of ``organisation`` belongs to, for regional approval (else None)."""
    return organisation.country_id if organisation.kind == OrganisationKind.STATE else None


def users_visible(viewer: Viewer) -> ColumnElement[bool]:
    """Accounts ``viewer`` may see and manage: all for admins, the region's States' for coordinators."""
    if viewer.is_admin:
        return true()
    if viewer.is_coordinator and viewer.region_country_ids:
        region_states = select(Organisation.id).where(
            Organisation.kind == OrganisationKind.STATE,
            Organisation.country_id.in_(viewer.region_country_ids),
        )
        return User.organisation_id.in_(region_states)
    return false()


def require(allowed: bool, message: str | None = None) -> None:
    """Raise PermissionDenied (403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message or _("You are not allowed to do this."))
