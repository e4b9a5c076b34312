"""Which role an account may hold in which kind of organisation, and the labels shown for them."""

from __future__ import annotations

from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import OrganisationKind, OrganisationStatus, Role, UserStatus

ALL_KINDS = frozenset(kind.value for kind in OrganisationKind)
ROLE_KINDS: dict[str, frozenset[str]] = {
    Role.REQUESTER: frozenset({OrganisationKind.STATE}),
    Role.DONOR: ALL_KINDS,
    Role.COORDINATOR: frozenset({OrganisationKind.REGIONAL_CENTRE, OrganisationKind.REGIONAL_ORG}),
    Role.ADMIN: ALL_KINDS,
}
# Roles a person may ask for when signing up; admin is only ever given by another admin.
REQUESTABLE_ROLES = (Role.REQUESTER, Role.DONOR, Role.COORDINATOR)

ROLE_LABELS = {
    Role.REQUESTER: lazy_gettext("Requester (a State's point of contact)"),
    Role.DONOR: lazy_gettext("Donor"),
    Role.COORDINATOR: lazy_gettext("Coordinator (regional centre or organisation)"),
    Role.ADMIN: lazy_gettext("Administrator (secretariat)"),
}
SHORT_ROLE_LABELS = {
    Role.REQUESTER: lazy_gettext("Requester"),
    Role.DONOR: lazy_gettext("Donor"),
    Role.COORDINATOR: lazy_gettext("Coordinator"),
    Role.ADMIN: lazy_gettext("Administrator"),
}
KIND_LABELS = {
    OrganisationKind.STATE: lazy_gettext("State"),
    OrganisationKind.REGIONAL_ORG: lazy_gettext("Regional organisation"),
    OrganisationKind.INTERNATIONAL_ORG: lazy_gettext("International organisation"),
    OrganisationKind.REGIONAL_CENTRE: lazy_gettext("UN regional centre"),
    OrganisationKind.NGO: lazy_gettext("Non-governmental organisation"),
    OrganisationKind.INDUSTRY: lazy_gettext("Industry"),
}
PLURAL_KIND_LABELS = {
    OrganisationKind.STATE: lazy_gettext("States"),
    OrganisationKind.REGIONAL_ORG: lazy_gettext("Regional organisations"),
    OrganisationKind.INTERNATIONAL_ORG: lazy_gettext("International organisations"),
    OrganisationKind.REGIONAL_CENTRE: lazy_gettext("UN regional centres"),
    OrganisationKind.NGO: lazy_gettext("Non-governmental organisations"),
    OrganisationKind.INDUSTRY: lazy_gettext("Industry"),
}
USER_STATUS_LABELS = {
    UserStatus.PENDING: lazy_gettext("Waiting for approval"),
    UserStatus.ACTIVE: lazy_gettext("Active"),
    UserStatus.REJECTED: lazy_gettext("Rejected"),
    UserStatus.DISABLED: lazy_gettext("Disabled"),
}
ORGANISATION_STATUS_LABELS = {
    OrganisationStatus.PENDING: lazy_gettext("Waiting for approval"),
    OrganisationStatus.APPROVED: lazy_gettext("Approved"),
    OrganisationStatus.REJECTED: lazy_gettext("Rejected"),
}


def label(labels: dict, value: str) -> str:
    """The translated label of ``value``, or the value itself when it has none."""
    return str(labels.get(value, value))


def role_allowed(role: str, kind: str) -> bool:
    return kind in ROLE_KINDS.get(role, frozenset())


def role_problem(role: str, kind: str) -> str | None:
    """Why an account of an organisation of ``kind`` cannot hold ``role`` (None if it can)."""
    if role not in ROLE_KINDS:
        return _("Choose a role.")
    if role_allowed(role, kind):
        return None
    if role == Role.REQUESTER:
        return _("Only a State can request assistance: choose a State, or the donor role.")
    return _("Only UN regional centres and regional organisations have coordinators.")
