"""Page contexts of the admin pages: display values are computed here, not in templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from matchmaker.accounts.authz import Viewer
from matchmaker.accounts.roles import (
    KIND_LABELS,
    ORGANISATION_STATUS_LABELS,
    ROLE_KINDS,
    SHORT_ROLE_LABELS,
    USER_STATUS_LABELS,
    label,
)
from matchmaker.accounts.views import Choice
from matchmaker.admin.organisations import OrganisationRow
from matchmaker.admin.schemas import (
    ACCOUNT_STATUSES,
    PER_PAGE,
    AccountFilters,
    EventFilters,
    OrganisationFilters,
)
from matchmaker.admin.services import AccountRow, EventRow
from matchmaker.event_words import ENTITY_LABELS, EventWords, in_words
from matchmaker.i18n import lazy_gettext
from matchmaker.models import OrganisationKind, OrganisationStatus, Role, UserStatus
from matchmaker.web.forms import FormState
from matchmaker.web.pagination import Pagination, query_string

LOCKED_LABEL = lazy_gettext("Locked")


@dataclass(frozen=True)
class AccountItem:
    id: int
    name: str
    email: str
    organisation: str
    organisation_kind: str
    organisation_pending: bool
    role: str
    role_label: str
    status: str
    status_label: str
    locked: bool
    created_at: datetime
    is_self: bool
    administer: bool  # admins get every action; coordinators only approve / reject
    role_choices: list[Choice]

    @classmethod
    def build(cls, row: AccountRow, viewer: Viewer) -> AccountItem:
        user, organisation = row.user, row.organisation
        return cls(
            id=user.id,
            name=user.name,
            email=user.email,
            organisation=organisation.name,
            organisation_kind=label(KIND_LABELS, organisation.kind),
            organisation_pending=organisation.status != OrganisationStatus.APPROVED,
            role=user.role,
            role_label=label(SHORT_ROLE_LABELS, user.role),
            status=user.status,
            status_label=label(USER_STATUS_LABELS, user.status),
            locked=user.locked_at is not None,
            created_at=user.created_at,
            is_self=user.id == viewer.user_id,
            administer=viewer.is_admin,
            role_choices=[
                Choice(role, label(SHORT_ROLE_LABELS, role))
                for role, kinds in ROLE_KINDS.items()
                if organisation.kind in kinds
            ],
        )

    @property
    def can_decide(self) -> bool:
        return self.status == UserStatus.PENDING


@dataclass(frozen=True)
class OrganisationItem:
    id: int
    name: str
    acronym: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    country: str
    accounts: int
    is_reference: bool
    created_at: datetime

    @classmethod
    def build(cls, row: OrganisationRow) -> OrganisationItem:
        organisation = row.organisation
        return cls(
            id=organisation.id,
            name=organisation.name,
            acronym=organisation.acronym,
            kind=organisation.kind,
            kind_label=label(KIND_LABELS, organisation.kind),
            status=organisation.status,
            status_label=label(ORGANISATION_STATUS_LABELS, organisation.status),
            country=row.country.name if row.country else "",
            accounts=row.accounts,
            is_reference=organisation.is_reference,
            created_at=organisation.created_at,
        )


def kind_choices() -> list[Choice]:
    return [Choice(kind.value, label(KIND_LABELS, kind)) for kind in OrganisationKind]


@dataclass(frozen=True)
class ApprovalsPage:
    accounts: list[AccountItem]
    organisations: list[OrganisationItem]
    back: str = "/admin"


@dataclass(frozen=True)
class ListPage:
    """A paginated, filtered admin list; ``link`` keeps the filters when paging."""

    base: str
    filters: Any
    items: list
    pagination: Pagination
    options: dict[str, list[Choice]] = field(default_factory=dict)
    back: str = ""

    def link(self, **changes: object) -> str:
        query = query_string(self.filters.as_params(), **changes)
        return f"{self.base}?{query}" if query else self.base


def account_list(filters: AccountFilters, result: tuple[list[AccountRow], int], viewer: Viewer,
                 back: str) -> ListPage:
    rows, total = result
    statuses = {**USER_STATUS_LABELS, "locked": LOCKED_LABEL}
    return ListPage(
        base="/admin/accounts", filters=filters,
        items=[AccountItem.build(row, viewer) for row in rows],
        pagination=Pagination(filters.page, PER_PAGE, total),
        options={
            "role": [Choice(role.value, label(SHORT_ROLE_LABELS, role)) for role in Role],
            "status": [Choice(status, label(statuses, status)) for status in ACCOUNT_STATUSES],
        },
        back=back,
    )


def organisation_list(filters: OrganisationFilters, result: tuple[list[OrganisationRow], int],
                      back: str) -> ListPage:
    rows, total = result
    return ListPage(
        base="/admin/organisations", filters=filters,
        items=[OrganisationItem.build(row) for row in rows],
        pagination=Pagination(filters.page, PER_PAGE, total),
        options={
            "kind": kind_choices(),
            "status": [Choice(s.value, label(ORGANISATION_STATUS_LABELS, s))
                       for s in OrganisationStatus],
        },
        back=back,
    )


@dataclass(frozen=True)
class OrganisationEditPage:
    item: OrganisationItem
    form: FormState
    kinds: list[Choice]
    back: str

    @classmethod
    def build(cls, row: OrganisationRow, back: str, form: FormState | None = None):
        organisation = row.organisation
        values = {"name": organisation.name, "acronym": organisation.acronym,
                  "kind": organisation.kind}
        return cls(OrganisationItem.build(row), form or FormState(values=values), kind_choices(),
                   back)


@dataclass(frozen=True)
class EventItem:
    """One line of the audit trail: the event in words, and the person behind it."""

    words: EventWords
    person: str  # "name <address>", or "" for the system

    @classmethod
    def build(cls, row: EventRow, words: EventWords) -> EventItem:
        return cls(words, f"{row.actor.name} <{row.actor.email}>" if row.actor else "")


def event_list(db: Session, filters: EventFilters, result: tuple[list[EventRow], int],
               entities: list[str]) -> ListPage:
    rows, total = result
    words = in_words(db, [row.event for row in rows])
    return ListPage(
        base="/admin/events", filters=filters,
        items=[EventItem.build(row, said) for row, said in zip(rows, words, strict=True)],
        pagination=Pagination(filters.page, PER_PAGE, total),
        options={"entity": [Choice(entity, str(ENTITY_LABELS.get(entity, entity)))
                            for entity in entities]},
    )
