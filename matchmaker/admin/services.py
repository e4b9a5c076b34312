"""Approving and administering accounts; every change leaves an event with before / after.

The guards let only admins (and, for approvals, coordinators) reach these; each function checks
again through ``authz`` which account the viewer may manage, so no handler can forget it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session

from matchmaker.accounts import mails, sessions, throttle
from matchmaker.accounts.authz import (
    Viewer,
    can_manage_user,
    managed_country_id,
    require,
    users_visible,
)
from matchmaker.accounts.roles import role_problem
from matchmaker.admin.schemas import PER_PAGE, AccountFilters, EventFilters
from matchmaker.errors import Conflict, InputError, NotFound
from matchmaker.events import record_event, snapshot
from matchmaker.i18n import _
from matchmaker.models import (
    Event,
    Organisation,
    OrganisationStatus,
    User,
    UserStatus,
    utcnow,
)
from matchmaker.web.pagination import page_offset

USER_FIELDS = ("role", "status", "locked_at", "failed_logins")


@dataclass(frozen=True)
class AccountRow:
    user: User
    organisation: Organisation


def _rows_query():
    return select(User, Organisation).join(Organisation, Organisation.id == User.organisation_id)


def pending_accounts(db: Session, viewer: Viewer) -> list[AccountRow]:
    """Accounts waiting for approval that ``viewer`` may decide on, oldest first."""
    rows = db.execute(
        _rows_query()
        .where(User.status == UserStatus.PENDING, users_visible(viewer))
        .order_by(User.created_at, User.id)
    ).all()
    return [AccountRow(*row) for row in rows]


def search_accounts(
    db: Session, viewer: Viewer, filters: AccountFilters
) -> tuple[list[AccountRow], int]:
    """One page of the accounts matching ``filters``, and how many match in all."""
    require(viewer.is_admin)
    conditions = [users_visible(viewer)]
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        conditions.append(or_(
            func.lower(User.name).like(pattern),
            func.lower(User.email).like(pattern),
            func.lower(Organisation.name).like(pattern),
        ))
    if filters.role:
        conditions.append(User.role == filters.role)
    if filters.status == "locked":
        conditions.append(User.locked_at.is_not(None))
    elif filters.status:
        conditions.append(User.status == filters.status)
    query = _rows_query().where(*conditions)
    total = db.scalar(select(func.count()).select_from(query.with_only_columns(User.id).subquery()))
    rows = db.execute(
        query.order_by(func.lower(User.name), User.id)
        .limit(PER_PAGE).offset(page_offset(filters.page, PER_PAGE, total))
    ).all()
    return [AccountRow(*row) for row in rows], total


def managed_account(db: Session, viewer: Viewer, user_id: int) -> AccountRow:
    """The account ``user_id`` if ``viewer`` may manage it (PermissionDenied if not)."""
    row = db.execute(_rows_query().where(User.id == user_id)).first()
    if row is None:
        raise NotFound(_("There is no account number %(id)s.", id=user_id))
    require(
        can_manage_user(viewer, managed_country_id(row[1])),
        _("You may only manage the accounts of the States of your region."),
    )
    return AccountRow(*row)


def _change(
    db: Session, viewer: Viewer, row: AccountRow, action: str, apply: Callable[[User], None],
    note: str = "",
) -> AccountRow:
    before = snapshot(row.user, USER_FIELDS)
    apply(row.user)
    db.flush()
    record_event(db, viewer, "user", row.user.id, action, before=before,
                 after=snapshot(row.user, USER_FIELDS), note=note)
    return row


def approve_account(db: Session, viewer: Viewer, user_id: int, base_url: str) -> AccountRow:
    row = managed_account(db, viewer, user_id)
    if row.user.status not in (UserStatus.PENDING, UserStatus.REJECTED):
        raise Conflict(_("This account is not waiting for approval."))
    if row.organisation.status != OrganisationStatus.APPROVED:
        raise Conflict(_("Approve the organisation “%(name)s” first.",
                         name=row.organisation.name))

    def approve(user: User) -> None:
        user.status = UserStatus.ACTIVE
        user.approved_at = utcnow()
        user.approved_by_id = viewer.user_id

    _change(db, viewer, row, "approve", approve)
    mails.account_approved(db, row.user, base_url)
    return row


def reject_account(db: Session, viewer: Viewer, user_id: int) -> AccountRow:
    row = managed_account(db, viewer, user_id)
    if row.user.status != UserStatus.PENDING:
        raise Conflict(_("This account is not waiting for approval."))
    _change(db, viewer, row, "reject", lambda user: setattr(user, "status", UserStatus.REJECTED))
    mails.account_rejected(db, row.user)
    return row


def _admin_row(db: Session, viewer: Viewer, user_id: int, refuse_self: str = "") -> AccountRow:
    require(viewer.is_admin)
    row = managed_account(db, viewer, user_id)
    if refuse_self and row.user.id == viewer.user_id:
        raise Conflict(refuse_self)
    return row


def change_role(db: Session, viewer: Viewer, user_id: int, role: str) -> AccountRow:
    row = _admin_row(db, viewer, user_id, _("You cannot change your own role; ask another "
                                            "administrator."))
    problem = role_problem(role, row.organisation.kind)
    if problem:
        raise InputError(problem, field="role")
    if role == row.user.role:
        return row
    return _change(db, viewer, row, "change_role", lambda user: setattr(user, "role", role))


def disable_account(db: Session, viewer: Viewer, user_id: int) -> AccountRow:
    row = _admin_row(db, viewer, user_id, _("You cannot disable your own account."))
    if row.user.status != UserStatus.ACTIVE:
        raise Conflict(_("Only an active account can be disabled."))
    _change(db, viewer, row, "disable", lambda user: setattr(user, "status", UserStatus.DISABLED))
    sessions.end_all_sessions(db, row.user.id)
    return row


def enable_account(db: Session, viewer: Viewer, user_id: int) -> AccountRow:
    row = _admin_row(db, viewer, user_id)
    if row.user.status != UserStatus.DISABLED:
        raise Conflict(_("Only a disabled account can be enabled again."))
    return _change(db, viewer, row, "enable",
                   lambda user: setattr(user, "status", UserStatus.ACTIVE))


def unlock_account(db: Session, viewer: Viewer, user_id: int) -> AccountRow:
    """Lift the lock after repeated failed sign-ins, and forget those failures."""
    row = _admin_row(db, viewer, user_id)
    if row.user.locked_at is None:
        raise Conflict(_("This account is not locked."))

    def unlock(user: User) -> None:
        user.locked_at = None
        user.failed_logins = 0

    _change(db, viewer, row, "unlock", unlock)
    throttle.forget_failures(db, row.user.email)
    return row


@dataclass(frozen=True)
class EventRow:
    event: Event
    actor: User | None


def event_entities(db: Session) -> list[str]:
    """The kinds of record the audit trail holds events for."""
    return sorted(db.scalars(select(Event.entity).distinct()))


def list_events(db: Session, viewer: Viewer, filters: EventFilters) -> tuple[list[EventRow], int]:
    """One page of the audit trail, latest first, and how many events match."""
    require(viewer.is_admin)
    conditions = [Event.entity == filters.entity] if filters.entity else []
    total = db.scalar(select(func.count(Event.id)).where(*conditions))
    rows = db.execute(
        select(Event, User)
        .outerjoin(User, User.id == Event.actor_id)
        .where(*conditions)
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(PER_PAGE).offset(page_offset(filters.page, PER_PAGE, total))
    ).all()
    return [EventRow(*row) for row in rows], total
