"""Exactly once under concurrency: twenty events fire at once while several deliveries run,
and every recipient finds each mail once on the SMTP server, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from sqlmodel import Session

from matchmaker.mail import outbox
from matchmaker.models import Role
from matchmaker.notifications import mailing, service
from tests.accounts.conftest import make_person
from tests.notifications.test_core import PROPOSAL
from tests.proposals.conftest import browser_for, cast, deal  # noqa: F401 - fixtures

EVENTS = 20
DELIVERIES = 4


@pytest.fixture
def settings(smtp_settings):
    """The app of these tests sends its mail to the local SMTP server."""
    return smtp_settings


def all_at_once(tasks: list[Callable[[], object]]) -> None:
    """Run ``tasks`` in threads released together; re-raise the first failure."""
    barrier = threading.Barrier(len(tasks))
    failures: list[BaseException] = []

    def run(task) -> None:
        try:
            barrier.wait()
            task()
        except BaseException as failure:  # noqa: BLE001 - handed to the test below
            failures.append(failure)

    threads = [threading.Thread(target=run, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not failures, failures[0]


def deliveries(engine, settings, rounds: int = 5) -> list[Callable[[], object]]:
    """Delivery processes, each composing and sending a few times while the events fire."""
    def deliver() -> None:
        for _round in range(rounds):
            outbox.deliver_now(engine, settings)

    return [deliver] * DELIVERIES


def excerpts_by_recipient(mailbox) -> Counter:
    """How often each (recipient, message text) arrived: all ones when nothing doubled."""
    found = Counter()
    for arrived in mailbox.arrived:
        text = arrived.message.get_body(("plain",)).get_content()
        number = next(line for line in text.splitlines() if line.startswith("Message number"))
        found[(arrived.recipients, number)] += 1
    return found


def test_twenty_messages_posted_at_once_are_each_mailed_once_to_each_reader(
        session, engine, settings, mailbox, cast, deal, browser_for):
    # Two accounts on each side: every message goes to the three people who did not write it.
    second_requester = make_person(session, "gha", Role.REQUESTER, name="Kwame Boateng")
    second_donor = make_person(session, "deu", Role.DONOR, name="Greta Vogel")
    session.commit()
    writers = [cast.requester, cast.donor] * (EVENTS // 2)
    clients = [browser_for(writer) for writer in writers]
    url = f"/proposals/{deal.proposal.id}/messages"

    def post(number: int) -> Callable[[], None]:
        def send() -> None:
            response = clients[number].form(url, {"body": f"Message number {number}"})
            assert response.status_code == 303, response.text[:300]
        return send

    all_at_once([post(number) for number in range(EVENTS)]
                + deliveries(engine, settings))
    outbox.deliver_now(engine, settings)  # what the last background task may not have seen

    readers = {cast.requester.email: cast.requester, cast.donor.email: cast.donor,
               second_requester.email: second_requester, second_donor.email: second_donor}
    expected = Counter()
    for number, writer in enumerate(writers):
        for email, reader in readers.items():
            if reader is not writer:
                expected[((email,), f"Message number {number}")] = 1
    assert excerpts_by_recipient(mailbox) == expected
    assert len(mailbox.arrived) == EVENTS * 3


def test_twenty_events_reported_twice_at_once_are_mailed_once(
        session, engine, settings, mailbox, cast):
    """Each event is reported by two processes at once (two workers running the same job),
    while four deliveries compose and send: one mail per reader and event."""
    readers = [cast.requester, cast.donor, cast.coordinator]

    def report(number: int) -> Callable[[], None]:
        def tell() -> None:
            with Session(engine) as db:
                service.notify(db, readers, "message_new", f"message:{number}",
                               {**PROPOSAL, "author": "Ama",
                                "excerpt": f"Message number {number}"}, "/proposals/1")
                db.commit()
            mailing.compose_immediate(engine, settings)
        return tell

    all_at_once([report(number) for number in range(EVENTS)] * 2
                + deliveries(engine, settings))
    outbox.deliver_now(engine, settings)

    counts = excerpts_by_recipient(mailbox)
    assert set(counts.values()) == {1}
    assert len(counts) == EVENTS * len(readers)
