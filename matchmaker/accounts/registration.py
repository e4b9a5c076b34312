"""Sign-up: a pending account for an existing organisation, or for a new (pending) one."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from matchmaker.accounts import mails, services
from matchmaker.accounts.authz import Viewer, managed_country_id
from matchmaker.accounts.passwords import hash_password
from matchmaker.accounts.roles import REQUESTABLE_ROLES, role_problem
from matchmaker.accounts.schemas import SignupForm
from matchmaker.accounts.services import find_user
from matchmaker.errors import FormErrors
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
from matchmaker.notifications import recipients
from matchmaker.notifications.service import notify

USER_FIELDS = ("email", "name", "organisation_id", "role", "status")
ORGANISATION_FIELDS = ("name", "acronym", "kind", "status", "country_id")
SIGNUP_AGAIN = "signup_with_registered_address"
NEW_ORGANISATION_KINDS = tuple(k.value for k in OrganisationKind if k != OrganisationKind.STATE)


def register(db: Session, form: SignupForm, base_url: str) -> User | None:
    """Create a pending account (and organisation) from ``form``, or raise FormErrors.

    Queues the "request received" mail to the applicant and notifies the people who may
    approve it (``reviewers_of``); nothing is written when any field is wrong. An address that already has an
    account gets the same answer as a new one (None is returned): its owner is told by mail,
    so sign-up does not reveal who has an account.
    """
    errors = form.problems()
    organisation = (
        _new_organisation(db, form, errors) if form.wants_new_organisation
        else _existing_organisation(db, form.organisation_id, errors)
    )
    if form.role not in REQUESTABLE_ROLES:
        errors["role"] = _("Choose a role.")
    elif organisation is not None:
        problem = role_problem(form.role, organisation.kind)
        if problem:
            errors["role"] = problem
    if errors:
        raise FormErrors(errors)
    # Hashed before looking the address up, so the answer takes as long either way.
    password_hash = hash_password(form.password)
    owner = find_user(db, form.email)
    if owner is not None:
        _tell_owner(db, owner, base_url)
        return None
    try:
        if organisation.id is None:
            db.add(organisation)
            db.flush()
        user = User(
            email=form.email, name=form.name, password_hash=password_hash,
            organisation_id=organisation.id, role=form.role, status=UserStatus.PENDING,
        )
        db.add(user)
        db.flush()
    except IntegrityError:
        db.rollback()  # the same email (or new organisation) signed up a moment ago
        owner = find_user(db, form.email)
        if owner is None:
            raise FormErrors({"new_organisation_name": _(
                "An organisation with this name is already registered: choose it in the list "
                "above."
            )}) from None
        _tell_owner(db, owner, base_url)
        return None
    applicant = Viewer(user_id=user.id, organisation_id=organisation.id, name=user.name)
    if organisation.status == OrganisationStatus.PENDING:
        record_event(db, applicant, "organisation", organisation.id, "request",
                     after=snapshot(organisation, ORGANISATION_FIELDS))
    record_event(db, applicant, "user", user.id, "signup", after=snapshot(user, USER_FIELDS))
    mails.request_received(db, user, organisation.name)
    notify(db, reviewers_of(db, organisation), "signup_to_approve", f"user:{user.id}:signup",
           {"name": user.name, "email": user.email, "organisation": organisation.name},
           "/admin")
    db.flush()
    return user


def _tell_owner(db: Session, owner: User, base_url: str) -> None:
    """Mail the owner of an address that someone used to sign up again (once an hour at most)."""
    if services.told_recently(db, owner, SIGNUP_AGAIN):
        return
    mails.signup_with_registered_address(db, owner, base_url)
    record_event(db, None, "user", owner.id, SIGNUP_AGAIN,
                 note="sign-up with the address of this account; its owner was told by mail")
    db.flush()


def _existing_organisation(db: Session, raw_id: str, errors: dict[str, str]) -> Organisation | None:
    if not raw_id:
        return None
    organisation = db.get(Organisation, int(raw_id)) if raw_id.isdigit() else None
    if organisation is None or organisation.status != OrganisationStatus.APPROVED:
        errors["organisation_id"] = _("Choose an organisation from the list.")
        return None
    return organisation


def _new_organisation(db: Session, form: SignupForm, errors: dict[str, str]) -> Organisation | None:
    kind = form.new_organisation_kind
    if kind == OrganisationKind.STATE:
        errors["new_organisation_kind"] = _(
            "Every UN member and observer State is already listed: choose it in the list above."
        )
    elif kind not in NEW_ORGANISATION_KINDS:
        errors["new_organisation_kind"] = _("Choose what kind of organisation it is.")
    country = None
    if form.new_organisation_country:
        country = db.scalars(
            select(Country).where(Country.iso3 == form.new_organisation_country)
        ).first()
        if country is None:
            errors["new_organisation_country"] = _("Choose a country from the list.")
    name = form.new_organisation_name
    if name and db.scalars(
        select(Organisation.id).where(
            or_(func.lower(Organisation.name) == name.lower(),
                func.lower(Organisation.acronym) == name.lower())
        )
    ).first():
        errors["new_organisation_name"] = _(
            "An organisation with this name is already registered: choose it in the list above."
        )
    if errors.keys() & {"new_organisation_name", "new_organisation_kind",
                        "new_organisation_country"} or not name:
        return None
    return Organisation(
        slug=unique_slug(db, name), name=name, kind=kind, status=OrganisationStatus.PENDING,
        country_id=country.id if country else None,
    )


def unique_slug(db: Session, name: str) -> str:
    """A URL-safe slug for ``name`` that no organisation uses yet."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:56] or "organisation"
    taken = set(db.scalars(select(Organisation.slug).where(Organisation.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def reviewers_of(db: Session, organisation: Organisation) -> list[User]:
    """Who may approve an account of ``organisation``: the admins, and for a State the
    coordinators whose region includes it (as ``authz.can_manage_user``)."""
    return recipients.admins(db) + recipients.coordinators_of(db, managed_country_id(organisation))
