"""Page contexts of the account pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.registration import NEW_ORGANISATION_KINDS
from matchmaker.accounts.roles import (
    KIND_LABELS,
    PLURAL_KIND_LABELS,
    REQUESTABLE_ROLES,
    ROLE_LABELS,
    SHORT_ROLE_LABELS,
    USER_STATUS_LABELS,
    label,
)
from matchmaker.i18n import lazy_gettext
from matchmaker.models import Country, Organisation, OrganisationKind, OrganisationStatus, User
from matchmaker.reference.names import country_name, sort_key
from matchmaker.web.forms import FormState

NOTICES = {
    "password": lazy_gettext("Your password has been changed. Other sessions were signed out."),
    "language": lazy_gettext("Your language preference has been saved."),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ChoiceGroup:
    label: str
    choices: list[Choice]


def organisation_groups(db: Session, language: str) -> list[ChoiceGroup]:
    """Approved organisations by kind (States first, by their name in ``language``)."""
    organisations = db.scalars(
        select(Organisation).where(Organisation.status == OrganisationStatus.APPROVED)
    ).all()
    countries = {c.id: c for c in db.scalars(select(Country)).all()}
    groups = []
    for kind in OrganisationKind:
        choices = [
            Choice(str(o.id), _organisation_label(o, countries, language))
            for o in organisations
            if o.kind == kind
        ]
        if choices:
            choices.sort(key=lambda choice: sort_key(choice.label))
            groups.append(ChoiceGroup(label(PLURAL_KIND_LABELS, kind), choices))
    return groups


def _organisation_label(organisation: Organisation, countries: dict, language: str) -> str:
    if organisation.kind == OrganisationKind.STATE and organisation.country_id in countries:
        return country_name(countries[organisation.country_id], language)
    if organisation.acronym:
        return f"{organisation.name} ({organisation.acronym})"
    return organisation.name


def country_choices(db: Session, language: str) -> list[Choice]:
    choices = [Choice(c.iso3, country_name(c, language)) for c in db.scalars(select(Country))]
    return sorted(choices, key=lambda choice: sort_key(choice.label))


@dataclass(frozen=True)
class SignupPage:
    form: FormState
    organisations: list[ChoiceGroup]
    kinds: list[Choice]
    countries: list[Choice]
    roles: list[Choice]

    @classmethod
    def build(cls, db: Session, form: FormState | None = None) -> SignupPage:
        language = i18n.get_language()
        return cls(
            form=form or FormState(values={"organisation_choice": "existing"}),
            organisations=organisation_groups(db, language),
            kinds=[Choice(k, label(KIND_LABELS, k)) for k in NEW_ORGANISATION_KINDS],
            countries=country_choices(db, language),
            roles=[Choice(r, label(ROLE_LABELS, r)) for r in REQUESTABLE_ROLES],
        )


@dataclass(frozen=True)
class AccountPage:
    name: str
    email: str
    organisation: str
    organisation_kind: str
    role: str
    status: str
    languages: list[Choice]
    form: FormState
    notice: str

    @classmethod
    def build(cls, db: Session, user: User, notice: str = "") -> AccountPage:
        organisation = db.get(Organisation, user.organisation_id)
        return cls(
            name=user.name,
            email=user.email,
            organisation=organisation.name,
            organisation_kind=label(KIND_LABELS, organisation.kind),
            role=label(SHORT_ROLE_LABELS, user.role),
            status=label(USER_STATUS_LABELS, user.status),
            languages=[Choice(code, name) for code, name in i18n.LANGUAGES.items()],
            form=FormState(values={"language": user.language}),
            notice=str(NOTICES[notice]) if notice in NOTICES else "",
        )
