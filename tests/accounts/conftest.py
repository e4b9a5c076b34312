"""Fixtures of the account tests: one signed-up person per role, signing in without the form."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pytest
from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts import sessions
from matchmaker.accounts.passwords import hash_password
from matchmaker.models import Organisation, OutboxMail, Role, User
from tests import factories

PASSWORD = factories.PASSWORD


@lru_cache(maxsize=1)
def password_hash() -> str:
    """One argon2 hash of the test password, shared so that tests stay fast."""
    return hash_password(PASSWORD)


def organisation(session: Session, slug: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.slug == slug)).one()


def make_person(session: Session, slug: str, role: str, **fields) -> User:
    return factories.make_user(session, organisation(session, slug), role,
                               password_hash=password_hash(), **fields)


@dataclass
class People:
    requester: User  # Ghana
    donor: User  # Germany
    coordinator: User  # UNREC, whose region includes Ghana
    admin: User  # the secretariat (UNODA)


@pytest.fixture
def people(session) -> People:
    people = People(
        requester=make_person(session, "gha", Role.REQUESTER, name="Ama Mensah"),
        donor=make_person(session, "deu", Role.DONOR, name="Dieter Braun"),
        coordinator=make_person(session, "unrec", Role.COORDINATOR, name="Kofi Agbeko"),
        admin=make_person(session, "unoda", Role.ADMIN, name="Ada Secretariat"),
    )
    session.commit()
    return people


def sign_in(client, session: Session, user: User) -> str:
    """Give ``client`` a session of ``user``; returns its CSRF token."""
    key, record = sessions.start_session(session, user)
    session.commit()
    set_session_key(client, key)
    return record.csrf_token


def set_session_key(client, key: str) -> None:
    """Put ``key`` in the session cookie, as the server would have set it."""
    client.cookies.delete(sessions.SESSION_COOKIE)
    client.cookies.set(sessions.SESSION_COOKIE, key, domain=client.base_url.host)


def anonymous_token(client) -> str:
    """The CSRF token of an anonymous visitor (the cookie the first page sets)."""
    client.cookies.delete(sessions.SESSION_COOKIE)
    if sessions.CSRF_COOKIE not in client.cookies:
        client.get("/login")
    return client.cookies[sessions.CSRF_COOKIE]


def mails_to(session: Session, email: str) -> list[OutboxMail]:
    session.expire_all()
    return list(session.scalars(
        select(OutboxMail).where(OutboxMail.recipient == email).order_by(OutboxMail.id)
    ))
