"""Demo organisations and accounts.

``DEMO_ACCOUNTS`` are the documented log-ins, one or more per role, all with ``DEMO_PASSWORD``.
Every other organisation that posts needs or offers in the demo also gets a focal-point account
(``focal.<slug>@demo.matchmaker.test``, same password), so that each need and offer has an
author and each decision on a proposal a person who took it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from matchmaker.accounts.passwords import hash_password
from matchmaker.demo.context import Clock, DemoError, Reference
from matchmaker.models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    User,
    UserStatus,
)

DEMO_PASSWORD = "demo-password-2026"
DEMO_EMAIL_DOMAIN = "demo.matchmaker.test"


@dataclass(frozen=True)
class DemoOrganisation:
    """An organisation that exists only in the demo (its name says so)."""

    slug: str
    name: str
    acronym: str
    kind: str
    website: str = ""
    status: str = OrganisationStatus.APPROVED


DEMO_ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation(
        "demo-saferhands", "SaferHands Network (demo NGO)", "SaferHands", OrganisationKind.NGO,
        "https://saferhands.example",
    ),
    DemoOrganisation(
        "demo-fieldsurvey", "Field Survey Collective (demo NGO)", "FSC", OrganisationKind.NGO,
        "https://fieldsurvey.example",
    ),
    DemoOrganisation(
        "demo-markline", "Markline Identification Systems (demo supplier)", "Markline",
        OrganisationKind.INDUSTRY, "https://markline.example",
    ),
    DemoOrganisation(
        "demo-safer-streets", "Safer Streets Coalition (demo NGO, awaiting approval)",
        "SSC", OrganisationKind.NGO, "https://saferstreets.example", OrganisationStatus.PENDING,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    """A documented demo log-in (README, tests): the password is ``DEMO_PASSWORD``."""

    email: str
    role: str
    organisation: str
    name: str
    language: str = "en"
    status: str = UserStatus.ACTIVE


def _at(local: str, org: str = "") -> str:
    return f"{local}@{org + '.' if org else ''}{DEMO_EMAIL_DOMAIN}"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(_at("admin"), Role.ADMIN, "unoda", "Amal Haddad"),
    DemoAccount(_at("coordinator", "unrec"), Role.COORDINATOR, "unrec", "Koffi Agbeko", "fr"),
    DemoAccount(_at("coordinator", "unlirec"), Role.COORDINATOR, "unlirec", "Lucía Paredes", "es"),
    DemoAccount(_at("coordinator", "unrcpd"), Role.COORDINATOR, "unrcpd", "Sunita Rai"),
    DemoAccount(_at("requester.ghana"), Role.REQUESTER, "gha", "Kwame Asante"),
    DemoAccount(_at("requester.senegal"), Role.REQUESTER, "sen", "Aminata Ndiaye", "fr"),
    DemoAccount(_at("requester.peru"), Role.REQUESTER, "per", "Jorge Quispe", "es"),
    DemoAccount(_at("requester.jamaica"), Role.REQUESTER, "jam", "Marsha Campbell"),
    DemoAccount(_at("requester.fiji"), Role.REQUESTER, "fji", "Litia Naivalu"),
    DemoAccount(_at("requester.philippines"), Role.REQUESTER, "phl", "Ramon Dela Cruz"),
    DemoAccount(_at("requester.kyrgyzstan"), Role.REQUESTER, "kgz", "Aida Mamytova", "ru"),
    DemoAccount(_at("donor.germany"), Role.DONOR, "deu", "Katrin Vogel"),
    DemoAccount(_at("donor.japan"), Role.DONOR, "jpn", "Haruto Sato"),
    DemoAccount(_at("donor.eu"), Role.DONOR, "eu", "Sophie Laurent", "fr"),
    DemoAccount(_at("donor.undp"), Role.DONOR, "undp", "Daniel Okafor"),
    DemoAccount(_at("donor.saferhands"), Role.DONOR, "demo-saferhands", "Grace Mwangi"),
    DemoAccount(_at("donor.markline"), Role.DONOR, "demo-markline", "Pieter de Vries"),
    DemoAccount(
        _at("pending"), Role.DONOR, "demo-safer-streets", "Omar Benali", "fr", UserStatus.PENDING
    ),
)


def focal_point_email(slug: str) -> str:
    return _at(f"focal.{slug}")


@dataclass
class People:
    """Organisations by slug and the user who acts for each organisation in the demo."""

    organisations: dict[str, Organisation]
    users: list[User]
    acting: dict[tuple[str, str], User]  # (organisation slug, role) -> who acts in that role
    admin: User

    def requester_for(self, organisation: Organisation) -> User:
        return self.acting[(organisation.slug, Role.REQUESTER)]

    def donor_for(self, organisation: Organisation) -> User:
        return self.acting[(organisation.slug, Role.DONOR)]

    def coordinators(self) -> dict[int, User]:
        """Coordinator accounts by the regional centre their organisation is."""
        by_id = {o.id: o for o in self.organisations.values()}
        return {
            by_id[user.organisation_id].regional_centre_id: user
            for user in self.users
            if user.role == Role.COORDINATOR and by_id[user.organisation_id].regional_centre_id
        }


def create_people(
    session: Session,
    ref: Reference,
    clock: Clock,
    rng: random.Random,
    requesters: list[tuple[str, str]],
    donors: list[str],
) -> People:
    """Demo organisations, the documented accounts and focal points of every other poster.

    ``requesters`` is (slug, language) per requesting State; ``donors`` the donors' slugs.
    """
    organisations = dict(ref.organisations)
    created = [
        Organisation(
            slug=spec.slug,
            name=spec.name,
            acronym=spec.acronym,
            kind=spec.kind,
            status=spec.status,
            website=spec.website,
            is_reference=False,
            created_at=clock.moment(-rng.randint(200, 500), rng),
        )
        for spec in DEMO_ORGANISATIONS
    ]
    created[-1].created_at = clock.moment(-2, rng)  # the one awaiting approval is new
    session.add_all(created)
    session.flush()
    organisations.update({organisation.slug: organisation for organisation in created})

    missing = sorted({a.organisation for a in DEMO_ACCOUNTS} - organisations.keys())
    if missing:
        raise DemoError(f"reference organisations missing for demo accounts: {missing}")

    # One argon2 hash for all: the password is public and hashing each (~50 ms) would make a
    # build of 150 accounts take seconds.
    password_hash = hash_password(DEMO_PASSWORD)
    users: list[User] = []
    acting: dict[tuple[str, str], User] = {}
    for account in DEMO_ACCOUNTS:
        user = _user(clock, rng, password_hash, account.email, account.name,
                     organisations[account.organisation], account.role, account.language,
                     account.status)  # fmt: skip
        users.append(user)
        if account.status == UserStatus.ACTIVE:
            acting.setdefault((account.organisation, account.role), user)
    admin = users[0]

    focal = [(slug, Role.REQUESTER, language) for slug, language in requesters]
    focal += [(slug, Role.DONOR, "en") for slug in donors]
    for slug, role, language in focal:
        if (slug, role) in acting:
            continue
        organisation = organisations[slug]
        name = f"{organisation.acronym or organisation.name} focal point"
        user = _user(clock, rng, password_hash, focal_point_email(slug), name, organisation,
                     role, language, UserStatus.ACTIVE)  # fmt: skip
        users.append(user)
        acting[(slug, role)] = user
    session.add_all(users)
    session.flush()
    for user in users:
        if user.status == UserStatus.ACTIVE and user is not admin:
            user.approved_by_id = admin.id
    return People(organisations=organisations, users=users, acting=acting, admin=admin)


def _user(
    clock: Clock,
    rng: random.Random,
    password_hash: str,
    email: str,
    name: str,
    organisation: Organisation,
    role: str,
    language: str,
    status: str,
) -> User:
    created_at = clock.moment(-rng.randint(430, 700), rng)
    if status == UserStatus.PENDING:
        created_at = clock.moment(-1, rng)
    active = status == UserStatus.ACTIVE
    return User(
        email=email,
        name=name,
        password_hash=password_hash,
        organisation_id=organisation.id,
        role=role,
        status=status,
        language=language,
        created_at=created_at,
        approved_at=created_at + timedelta(days=rng.randint(0, 3)) if active else None,
        last_login_at=clock.moment(-rng.randint(0, 30), rng) if active else None,
        is_demo=True,
    )
