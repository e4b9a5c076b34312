"""Fixtures of the proposal tests: both parties, coordinators, signed-in clients, proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlmodel import Session

from matchmaker.models import (
    Event,
    Need,
    Offer,
    Proposal,
    ProposalOrigin,
    ProposalState,
    Role,
    utcnow,
)
from tests import factories
from tests.accounts.conftest import make_person, sign_in


@dataclass
class Cast:
    requester: object  # Ghana's point of contact
    donor: object  # Germany
    other_donor: object  # the Netherlands
    coordinator: object  # UNREC: its region includes Ghana
    far_coordinator: object  # UNLIREC: Latin America and the Caribbean
    admin: object
    other_requester: object  # Peru


@pytest.fixture
def cast(session) -> Cast:
    cast = Cast(
        requester=make_person(session, "gha", Role.REQUESTER, name="Ama Mensah"),
        donor=make_person(session, "deu", Role.DONOR, name="Dieter Braun"),
        other_donor=make_person(session, "nld", Role.DONOR, name="Nina de Vries"),
        coordinator=make_person(session, "unrec", Role.COORDINATOR, name="Kofi Agbeko"),
        far_coordinator=make_person(session, "unlirec", Role.COORDINATOR, name="Lucía Ramos"),
        admin=make_person(session, "unoda", Role.ADMIN, name="Ada Secretariat"),
        other_requester=make_person(session, "per", Role.REQUESTER, name="Pedro Quispe"),
    )
    session.commit()
    return cast


def make_proposal(session: Session, need: Need, offer: Offer, amount: int | None = None,
                  state: str = ProposalState.PROPOSED, **fields) -> Proposal:
    amount = amount if amount is not None else need.cost_usd
    proposal = Proposal(
        need_id=need.id, offer_id=offer.id, amount_usd=amount,
        share=amount / need.cost_usd, score=fields.pop("score", 7.5),
        breakdown=fields.pop("breakdown", {"topic": 3.0, "priority": 2.0, "cost_fit": 1.5,
                                           "region": 1.0}),
        state=state, origin=fields.pop("origin", ProposalOrigin.SOLVER),
        expires_at=fields.pop("expires_at", utcnow() + timedelta(days=20)), **fields,
    )
    session.add(proposal)
    session.flush()
    return proposal


@dataclass
class Deal:
    need: Need
    offer: Offer
    proposal: Proposal


@pytest.fixture
def deal(session, cast) -> Deal:
    """A Ghanaian need of $100,000 and a German offer of $250,000, proposed in full."""
    need = factories.make_need(session, "GHA", title="Marking machines for Ghana",
                               cost_usd=100_000)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 title="German marking fund", budget_usd=250_000)
    proposal = make_proposal(session, need, offer)
    session.commit()
    return Deal(need, offer, proposal)


class Browser:
    """A signed-in test client with the three ways of sending an action."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.token = token

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def form(self, url: str, data: dict | None = None, **kwargs):
        """A plain form post, as a browser without JavaScript sends it."""
        return self.client.post(url, data={**(data or {}), "_csrf": self.token},
                                follow_redirects=False, **kwargs)

    def htmx(self, url: str, data: dict | None = None, target: str = ""):
        headers = {"HX-Request": "true", "X-CSRF-Token": self.token}
        if target:
            headers["HX-Target"] = target
        return self.client.post(url, data=data or {}, headers=headers)

    def api(self, method: str, url: str, json: dict | None = None):
        headers = {"X-CSRF-Token": self.token, "Accept": "application/json"}
        return self.client.request(method, url, json=json, headers=headers)


@pytest.fixture
def browser_for(app, session):
    """``browser_for(user)``: a client of its own, signed in as ``user``.

    The clients are not entered as context managers: several lifespans of one app would wait
    on each other at shutdown, and these tests need no startup hook.
    """

    def open_for(user) -> Browser:
        client = TestClient(app=app, base_url="https://testserver.local")
        return Browser(client, sign_in(client, session, user))

    return open_for


def events_of(session: Session, entity: str, entity_id: int) -> list[Event]:
    session.expire_all()
    return list(session.scalars(
        select(Event).where(Event.entity == entity, Event.entity_id == entity_id)
        .order_by(Event.id)
    ))


def reload(session: Session, record):
    session.expire_all()
    return session.get(type(record), record.id)
