"""Two donors accepting, at the same moment, proposals that together exceed an offer's budget:
exactly one is agreed, the other refused with 409, and the offer is never over-committed.

The requests go through a live uvicorn server, released together by a barrier, so the two
acceptances really run at once in the app. On PostgreSQL the offer's row lock keeps them apart
(the test marked ``postgres``); on SQLite the write lock that the acceptance's first statement
takes does (the same race, run when the suite uses SQLite). Without either, both requests
succeed in the first round: the test has been checked against an acceptance without locks.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from matchmaker.accounts import sessions
from matchmaker.models import Proposal, Role
from tests import factories
from tests.accounts.conftest import make_person
from tests.proposals.conftest import make_proposal, reload

ROUNDS = 10


@pytest.fixture
def live_url(app):
    """The app served by uvicorn on a free local port, in a thread of this process."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning",
                                           workers=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)


@dataclass
class Answer:
    status: int
    detail: str
    started: float
    finished: float


def accept_together(clients: list[httpx.Client], proposal_ids: list[int]) -> list[Answer]:
    """Each client accepts its proposal; the requests leave together (a barrier)."""
    barrier = threading.Barrier(len(clients))
    answers: list[Answer | None] = [None] * len(clients)

    def accept(index: int) -> None:
        barrier.wait()
        started = time.monotonic()
        response = clients[index].post(f"/api/proposals/{proposal_ids[index]}/accept")
        answers[index] = Answer(response.status_code, response.json().get("detail", ""),
                                started, time.monotonic())

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def signed_in_client(session, base_url: str, user) -> httpx.Client:
    key, record = sessions.start_session(session, user)
    session.commit()
    client = httpx.Client(base_url=base_url, timeout=30,
                          headers={"X-CSRF-Token": record.csrf_token,
                                   "Accept": "application/json"})
    client.cookies.set(sessions.SESSION_COOKIE, key)
    return client


@pytest.mark.postgres
def test_concurrent_acceptances_never_over_commit_an_offer(session, live_url, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (set MATCHMAKER_DATABASE_URL=postgresql+psycopg://...); "
                    "the SQLite variant below runs instead")
    race(session, live_url)


def test_concurrent_acceptances_on_sqlite(session, live_url, is_postgres):
    if is_postgres:
        pytest.skip("the PostgreSQL variant above runs on this database")
    race(session, live_url)


def race(session, live_url: str) -> None:
    """ROUNDS times: two donors accept at once two proposals that together exceed the offer."""
    germany = factories.state_org(session, "DEU")
    donors = [make_person(session, "deu", Role.DONOR, name=f"Donor {n}") for n in (1, 2)]
    session.commit()
    clients = [signed_in_client(session, live_url, donor) for donor in donors]
    overlapping_rounds = 0

    for round_number in range(ROUNDS):
        offer = factories.make_offer(session, germany, title=f"Fund {round_number}",
                                     budget_usd=100_000)
        proposals = [
            make_proposal(session, factories.make_need(session, "GHA", cost_usd=70_000), offer,
                          70_000, "accepted_by_requester")
            for _ in range(2)
        ]
        session.commit()
        answers = accept_together(clients, [p.id for p in proposals])
        statuses = sorted(answer.status for answer in answers)
        assert statuses == [200, 409], (round_number, answers)
        refused = next(answer for answer in answers if answer.status == 409)
        assert "over-commit" in refused.detail
        offer = reload(session, offer)
        assert offer.committed_usd == 70_000 <= offer.budget_usd
        states = sorted(reload(session, p).state for p in proposals)
        assert states == ["accepted_by_requester", "agreed"]
        first, second = answers
        if first.started < second.finished and second.started < first.finished:
            overlapping_rounds += 1

    for client in clients:
        client.close()
    # The proof needs the two requests to have been in the app at the same time.
    assert overlapping_rounds >= ROUNDS // 2, overlapping_rounds


PROPOSERS = 10


def post_together(clients: list[httpx.Client], url: str, body: dict) -> list[httpx.Response]:
    """Each client posts ``body`` to ``url``; the requests leave together (a barrier)."""
    barrier = threading.Barrier(len(clients))
    answers: list[httpx.Response | None] = [None] * len(clients)

    def post(index: int) -> None:
        barrier.wait()
        answers[index] = clients[index].post(url, json=body)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def test_one_pair_proposed_by_hand_ten_times_at_once_is_proposed_once(session, live_url):
    """Each of the ten requests passes the pair check before any has written: the database's
    index of one live proposal per pair lets one in and the others get a 409 with its link."""
    germany = factories.state_org(session, "DEU")
    donor = make_person(session, "deu", Role.DONOR, name="Donor")
    session.commit()
    clients = [signed_in_client(session, live_url, donor) for _ in range(PROPOSERS)]
    for round_number in range(3):
        need = factories.make_need(session, "GHA", cost_usd=50_000)
        offer = factories.make_offer(session, germany, title=f"Fund {round_number}")
        session.commit()
        answers = post_together(clients, "/api/proposals", {
            "need": need.reference, "offer": offer.reference, "amount_usd": 10_000})
        created = [answer for answer in answers if answer.status_code == 201]
        assert len(created) == 1, [(a.status_code, a.text) for a in answers]
        proposal_id = created[0].json()["id"]
        for answer in answers:
            if answer.status_code == 409:
                assert "already open" in answer.json()["detail"]
                assert answer.json()["link"] == f"/proposals/{proposal_id}"
            elif answer is not created[0]:  # it read the pair after the first one was saved
                assert answer.status_code == 422, answer.text
                assert "already proposed" in answer.json()["errors"]["offer"]
        session.expire_all()
        assert session.scalars(select(Proposal.id).where(Proposal.need_id == need.id)
                               ).all() == [proposal_id]
    for client in clients:
        client.close()


def test_the_database_refuses_a_second_live_proposal_of_a_pair(session, deal):
    with pytest.raises(IntegrityError):
        make_proposal(session, deal.need, deal.offer, 1_000, "accepted_by_donor")
    session.rollback()
    for closed in ("declined", "superseded", "expired", "delivered"):
        make_proposal(session, deal.need, deal.offer, 1_000, closed)  # closed ones may repeat
