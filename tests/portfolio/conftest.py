"""Fixtures of the portfolio tests: people of each role, signed-in clients."""

from __future__ import annotations

import re
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.passwords import hash_password
from matchmaker.models import (
    Event,
    Need,
    Offer,
    Organisation,
    Proposal,
    ProposalState,
    Role,
    User,
)
from matchmaker.portfolio.coverage import recompute_need, recompute_offer
from tests import factories
from tests.helpers import login
from tests.proposals.conftest import make_proposal


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(factories.PASSWORD)


def person(session: Session, slug: str, role: str, **fields) -> User:
    organisation = session.scalars(select(Organisation).where(Organisation.slug == slug)).one()
    return factories.make_user(session, organisation, role, password_hash=password_hash(),
                               **fields)


@dataclass
class People:
    requester: User  # Ghana
    other_requester: User  # Peru
    donor: User  # Germany
    other_donor: User  # Japan
    coordinator: User  # UNREC (Africa)
    admin: User


@pytest.fixture
def people(session) -> People:
    people = People(
        requester=person(session, "gha", Role.REQUESTER, name="Ama Mensah"),
        other_requester=person(session, "per", Role.REQUESTER, name="Rosa Quispe"),
        donor=person(session, "deu", Role.DONOR, name="Dieter Braun"),
        other_donor=person(session, "jpn", Role.DONOR, name="Yuki Sato"),
        coordinator=person(session, "unrec", Role.COORDINATOR, name="Kofi Agbeko"),
        admin=person(session, "unoda", Role.ADMIN, name="Ada Secretariat"),
    )
    session.commit()
    return people


@dataclass
class SignedIn:
    """A test client signed in as one person, sending the CSRF token on unsafe requests."""

    client: TestClient
    token: str
    user: User

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data=None, *, htmx: bool = False, **kwargs):
        headers = {"X-CSRF-Token": self.token, **kwargs.pop("headers", {})}
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(url, data=data, headers=headers, follow_redirects=False,
                                **kwargs)

    def api(self, method: str, url: str, body=None):
        return self.client.request(method, url, json=body,
                                   headers={"X-CSRF-Token": self.token})


@pytest.fixture
def sign_in(app, client):
    """``sign_in(user)``: a new client of the same app, signed in as ``user``.

    Each client opens the app's lifespan, and a Litestar app has one event emitter whose exit
    stack is that of the lifespan opened last: lifespans must close in the reverse order of
    their opening, or one client's shutdown waits for ever on another's event loop. So this
    fixture depends on ``client`` (opened before, closed after these clients), and its
    ExitStack closes the signed-in clients last-opened first.
    """
    with ExitStack() as clients:

        def sign(user: User) -> SignedIn:
            opened = clients.enter_context(
                TestClient(app=app, base_url="https://testserver.local"))
            return SignedIn(opened, login(opened, user), user)

        yield sign


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def need_form(**changes) -> dict:
    """A need form that is valid for publishing; ``changes`` override fields."""
    data = {
        "title": "Marking machines for the national police",
        "description": "The police hold 12,000 unmarked service weapons.",
        "goal": "All 12,000 service weapons marked and recorded by the deadline",
        "topic": "marking.machines", "modality": "equipment",
        "quantity": "3", "unit": "marking machines",
        "estimated_cost": "120000", "currency": "USD", "priority": "high",
        "start_date": in_days(30), "deadline": in_days(200),
        "languages": ["en", "fr"], "commitment": "ITI para. 8",
        "action_plan_ref": "NAP 2025 measure 4", "visibility": "public",
    }
    data.update(changes)
    return data


def offer_form(**changes) -> dict:
    """An offer form that is valid for publishing; ``changes`` override fields."""
    data = {
        "title": "Marking equipment for West Africa",
        "description": "Dot-peen marking machines with training of operators.",
        "categories": ["marking", "stockpile.physical_security"],
        "modalities": ["equipment", "training"],
        "budget": "500000", "currency": "USD",
        "languages": ["en", "fr"],
        "available_from": in_days(0), "available_until": in_days(365),
        "regions": ["011"], "countries": ["KEN"], "excluded_countries": ["MLI"],
        "conditions": "End-use assurances required.",
    }
    data.update(changes)
    return data


def events(session: Session, entity: str, entity_id: int) -> list[Event]:
    session.expire_all()
    return list(session.scalars(select(Event).where(Event.entity == entity,
                                                    Event.entity_id == entity_id)
                                .order_by(Event.id)))


def created_reference(response) -> str:
    """The reference of the record a successful form created (from its 303 redirect)."""
    assert response.status_code == 303, re.findall(r'id="error-([^"]+)">([^<]*)<', response.text) or response.text[:400]
    return response.headers["location"].rsplit("/", 1)[-1]


def stored(session: Session, model, reference: str):
    """The need or offer ``reference`` as the database holds it now."""
    session.expire_all()
    return session.scalars(select(model).where(model.reference == reference)).one()


def proposal(session: Session, need: Need, offer: Offer, state: str = ProposalState.PROPOSED,
             amount: int | None = None) -> Proposal:
    """A proposal between ``need`` and ``offer``; a committed one updates both records' figures
    as the proposals feature does."""
    made = make_proposal(session, need, offer, amount, state)
    recompute_need(session, need)
    recompute_offer(session, offer)
    session.flush()
    return made


def field_error(html: str, name: str) -> str | None:
    """The error shown inside the field ``name`` of a form page, or None."""
    match = re.search(rf'id="field-{name}".*?(?:id="error-{name}">([^<]*)<|</(?:div|fieldset)>)',
                      html, re.S)
    assert match, f"no field {name} on the page"
    return match.group(1)
