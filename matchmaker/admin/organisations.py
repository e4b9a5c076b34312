"""Administering organisations: approving new ones, correcting names and kinds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session

from matchmaker.accounts import mails
from matchmaker.accounts.authz import Viewer, require
from matchmaker.accounts.roles import role_allowed
from matchmaker.admin.schemas import PER_PAGE, OrganisationFilters, OrganisationUpdate
from matchmaker.errors import Conflict, FormErrors, NotFound
from matchmaker.events import record_event, snapshot
from matchmaker.i18n import _
from matchmaker.models import (
    Country,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
    UserStatus,
)
from matchmaker.web.pagination import page_offset

ORGANISATION_FIELDS = ("name", "acronym", "kind", "status")


@dataclass(frozen=True)
class OrganisationRow:
    organisation: Organisation
    country: Country | None
    accounts: int


def _rows_query():
    accounts = (
        select(func.count(User.id)).where(User.organisation_id == Organisation.id)
        .correlate(Organisation).scalar_subquery()
    )
    return (
        select(Organisation, Country, accounts.label("accounts"))
        .outerjoin(Country, Country.id == Organisation.country_id)
    )


def search_organisations(
    db: Session, viewer: Viewer, filters: OrganisationFilters
) -> tuple[list[OrganisationRow], int]:
    require(viewer.is_admin)
    conditions = []
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        conditions.append(or_(func.lower(Organisation.name).like(pattern),
                              func.lower(Organisation.acronym).like(pattern)))
    if filters.kind:
        conditions.append(Organisation.kind == filters.kind)
    if filters.status:
        conditions.append(Organisation.status == filters.status)
    total = db.scalar(select(func.count(Organisation.id)).where(*conditions))
    rows = db.execute(
        _rows_query().where(*conditions)
        .order_by(Organisation.status != OrganisationStatus.PENDING,
                  func.lower(Organisation.name), Organisation.id)
        .limit(PER_PAGE).offset(page_offset(filters.page, PER_PAGE, total))
    ).all()
    return [OrganisationRow(*row) for row in rows], total


def pending_organisations(db: Session, viewer: Viewer) -> list[OrganisationRow]:
    """New organisations waiting for approval (admins only decide on them)."""
    if not viewer.is_admin:
        return []
    rows = db.execute(
        _rows_query().where(Organisation.status == OrganisationStatus.PENDING)
        .order_by(Organisation.created_at, Organisation.id)
    ).all()
    return [OrganisationRow(*row) for row in rows]


def organisation_row(db: Session, viewer: Viewer, organisation_id: int) -> OrganisationRow:
    require(viewer.is_admin)
    row = db.execute(_rows_query().where(Organisation.id == organisation_id)).first()
    if row is None:
        raise NotFound(_("There is no organisation number %(id)s.", id=organisation_id))
    return OrganisationRow(*row)


def _record(db: Session, viewer: Viewer, organisation: Organisation, action: str,
            before: dict) -> None:
    db.flush()
    record_event(db, viewer, "organisation", organisation.id, action, before=before,
                 after=snapshot(organisation, ORGANISATION_FIELDS))


def _pending(db: Session, viewer: Viewer, organisation_id: int) -> Organisation:
    organisation = organisation_row(db, viewer, organisation_id).organisation
    if organisation.status != OrganisationStatus.PENDING:
        raise Conflict(_("This organisation is not waiting for approval."))
    return organisation


def approve_organisation(db: Session, viewer: Viewer, organisation_id: int) -> OrganisationRow:
    organisation = _pending(db, viewer, organisation_id)
    before = snapshot(organisation, ORGANISATION_FIELDS)
    organisation.status = OrganisationStatus.APPROVED
    _record(db, viewer, organisation, "approve", before)
    return organisation_row(db, viewer, organisation_id)


def reject_organisation(db: Session, viewer: Viewer, organisation_id: int) -> OrganisationRow:
    """Reject a new organisation and the accounts still waiting with it."""
    organisation = _pending(db, viewer, organisation_id)
    before = snapshot(organisation, ORGANISATION_FIELDS)
    organisation.status = OrganisationStatus.REJECTED
    _record(db, viewer, organisation, "reject", before)
    waiting = db.scalars(select(User).where(
        User.organisation_id == organisation.id, User.status == UserStatus.PENDING
    )).all()
    for user in waiting:
        user.status = UserStatus.REJECTED
        record_event(db, viewer, "user", user.id, "reject",
                     before={"status": UserStatus.PENDING.value},
                     after={"status": UserStatus.REJECTED.value},
                     note="its new organisation was rejected")
        mails.account_rejected(db, user)
    db.flush()
    return organisation_row(db, viewer, organisation_id)


def update_organisation(
    db: Session, viewer: Viewer, organisation_id: int, update: OrganisationUpdate
) -> OrganisationRow:
    """Correct the name, acronym or kind, or raise FormErrors (nothing is changed then)."""
    organisation = organisation_row(db, viewer, organisation_id).organisation
    errors = update.problems()
    if "name" not in errors and db.scalars(select(Organisation.id).where(
        func.lower(Organisation.name) == update.name.lower(), Organisation.id != organisation.id
    )).first():
        errors["name"] = _("Another organisation already has this name.")
    if "kind" not in errors:
        if update.kind == OrganisationKind.STATE and organisation.country_id is None:
            errors["kind"] = _("Only an organisation with a country can be a State.")
        roles = set(db.scalars(select(User.role).where(User.organisation_id == organisation.id)))
        if any(not role_allowed(role, update.kind) for role in roles):
            errors["kind"] = _("Some accounts of this organisation have a role this kind does "
                               "not allow: change their roles first.")
    if errors:
        raise FormErrors(errors)
    before = snapshot(organisation, ORGANISATION_FIELDS)
    organisation.name, organisation.acronym, organisation.kind = (
        update.name, update.acronym, update.kind
    )
    if before != snapshot(organisation, ORGANISATION_FIELDS):
        _record(db, viewer, organisation, "update", before)
    return organisation_row(db, viewer, organisation_id)
