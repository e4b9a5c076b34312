"""The main pages of the product, as each role reaches them, on a small portfolio with something
on every page: a finished solver run with its proposals, a proposal awaiting both sides, an
account waiting for approval. The phone-layout and accessibility tests walk the same tour."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from matchmaker.models import Proposal, Role, UserStatus
from matchmaker.runs import execute
from matchmaker.runs.worker import claim_next_run
from tests import factories
from tests.accounts.conftest import PASSWORD, make_person, organisation
from tests.browser.steps import sign_in
from tests.matching.conftest import category
from tests.matching.test_runs import queue

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@dataclass(frozen=True)
class Stop:
    """One page of the tour: who opens it (None: the public) and where."""

    role: str | None
    path: str

    def __str__(self) -> str:
        return f"{self.role or 'public'} {self.path}"


@dataclass
class Tour:
    users: dict[str, object]
    stops: list[Stop]

    def by_role(self, only: tuple[str, ...] = ()) -> dict[str | None, list[str]]:
        grouped: dict[str | None, list[str]] = {}
        for stop in self.stops:
            if only and str(stop) not in only:
                continue
            grouped.setdefault(stop.role, []).append(stop.path)
        return grouped


@pytest.fixture
def tour(session, engine) -> Tour:
    machines = category(session, "marking.machines")
    need = factories.make_need(session, "GHA", topic=machines, cost_usd=80_000,
                               title="Marking machines for the Ghana police")
    spare = factories.make_need(session, "GHA", topic=machines, cost_usd=900_000,
                                title="Record-keeping for every district")
    offer = factories.make_offer(session, factories.state_org(session, "DEU"), topics=[machines],
                                 budget_usd=300_000, title="German marking kits")
    users = {
        "requester": make_person(session, "gha", Role.REQUESTER, name="Ama Mensah"),
        "donor": make_person(session, "deu", Role.DONOR, name="Dieter Braun"),
        "admin": make_person(session, "unoda", Role.ADMIN, name="Ada Secretariat"),
    }
    factories.make_user(session, organisation(session, "nld"), Role.DONOR,
                        name="Nina de Vries", status=UserStatus.PENDING)
    session.commit()
    run = queue(session, users["admin"])
    assert claim_next_run(engine, "tour") == run.id
    execute.execute_run(engine, run.id)
    proposal_id = first_proposal_of(session, run.id)
    stops = [
        Stop(None, "/"), Stop(None, "/needs"), Stop(None, "/offers"), Stop(None, "/login"),
        Stop(None, "/signup"), Stop(None, f"/needs/{need.reference}"),
        Stop(None, f"/offers/{offer.reference}"), Stop(None, "/bulletin"),
        Stop("requester", "/proposals"), Stop("requester", f"/proposals/{proposal_id}"),
        Stop("requester", "/needs/mine"), Stop("requester", "/needs/new"),
        Stop("requester", f"/needs/{need.reference}"), Stop("requester", "/notifications"),
        Stop("requester", "/account"),
        Stop("donor", "/proposals"), Stop("donor", "/offers/mine"), Stop("donor", "/offers/new"),
        Stop("donor", f"/offers/{offer.reference}"),
        Stop("donor", f"/proposals/new?need={spare.reference}"),
        Stop("admin", "/runs"), Stop("admin", f"/runs/{run.id}"), Stop("admin", "/admin"),
        Stop("admin", "/admin/accounts"), Stop("admin", "/admin/organisations"),
        Stop("admin", "/admin/events"), Stop("admin", "/admin/schedule"),
    ]
    return Tour(users, stops)


def first_proposal_of(session, run_id: int) -> int:
    return session.scalars(select(Proposal.id).where(Proposal.run_id == run_id)
                           .order_by(Proposal.id)).first()


def walk(browser: Browser, live_server, tour: Tour, viewport: dict, *, bypass_csp: bool = False,
         only: tuple[str, ...] = (), language: str = "") -> Iterator[tuple[Stop, Page]]:
    """Open every stop of the tour (or ``only`` those named, e.g. "donor /proposals"), signed in
    as its role (in ``language`` when given: the language switch's cookie), and yield it
    loaded."""
    for role, paths in tour.by_role(only).items():
        context = browser.new_context(viewport=viewport, bypass_csp=bypass_csp)
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            if role:
                sign_in(page, live_server("/login"), tour.users[role].email, PASSWORD)
            if language:  # after signing in, whose form the steps fill in English
                context.add_cookies([{"name": "lang", "value": language,
                                      "url": live_server("/")}])
            for path in paths:
                response = page.goto(live_server(path))
                assert response.status == 200, f"{role} {path}: {response.status}"
                yield Stop(role, path), page
        finally:
            context.close()


def each_failure(tour_pages, check: Callable[[Page], list[str]]) -> list[str]:
    """Run ``check`` on every page of the tour; the failures, each named by its page."""
    return [f"{stop}: {problem}" for stop, page in tour_pages for problem in check(page)]
