"""Conversations on a need or an offer before any proposal: who may ask, who may read and
write, and who is told of each message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.models import Conversation, Notification
from tests import factories
from tests.accounts.conftest import make_person


@pytest.fixture
def records(session, cast):
    """A Ghanaian need and a German offer, neither proposed yet."""
    need = factories.make_need(session, "GHA", title="Marking machines for Ghana")
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 title="German marking fund")
    session.commit()
    return need, offer


def ask(browser, field: str, reference: str, body: str):
    return browser.form("/conversations/new", {field: reference, "body": body})


def conversation_id(response) -> int:
    assert response.status_code == 303, response.text[:300]
    return int(response.headers["location"].split("?")[0].rsplit("/", 1)[1])


def told(session, user) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == "conversation_message")))


def test_a_donor_asks_a_state_about_its_need_and_the_state_answers(session, cast, records,
                                                                   browser_for):
    need, _offer = records
    donor, requester = browser_for(cast.donor), browser_for(cast.requester)
    assert "Ask the State a question" in donor.get(f"/needs/{need.reference}").text
    form = donor.get(f"/conversations/new?need={need.reference}")
    assert form.status_code == 200 and "Marking machines for Ghana" in form.text
    assert f'name="need" value="{need.reference}"' in form.text
    thread = conversation_id(ask(donor, "need", need.reference, "Which machines do you use?"))
    page = donor.get(f"/conversations/{thread}?sent=1")
    assert "Your message was sent." in page.text and "Which machines do you use?" in page.text

    assert len(told(session, cast.requester)) == 1 and told(session, cast.donor) == []
    listing = requester.get("/conversations").text
    assert f"/conversations/{thread}" in listing and "Germany" in listing
    answer = requester.htmx(f"/conversations/{thread}/messages",
                            {"body": "Dot-peen machines, 12 of them."})
    assert answer.status_code == 201
    assert "Dot-peen machines, 12 of them." in answer.text and "Your message was sent." in answer.text
    assert len(told(session, cast.donor)) == 1 and len(told(session, cast.requester)) == 1

    again = donor.get(f"/conversations/new?need={need.reference}", follow_redirects=False)
    assert again.status_code == 303 and f"/conversations/{thread}" in again.headers["location"]


def test_a_state_asks_a_donor_about_its_offer(session, cast, records, browser_for):
    _need, offer = records
    requester = browser_for(cast.requester)
    assert "Ask the donor a question" in requester.get(f"/offers/{offer.reference}").text
    thread = conversation_id(ask(requester, "offer", offer.reference, "Is Ghana eligible?"))
    assert "Is Ghana eligible?" in browser_for(cast.donor).get(f"/conversations/{thread}").text
    assert len(told(session, cast.donor)) == 1
    conversation = session.scalars(select(Conversation)).one()
    assert conversation.country_id == factories.country(session, "GHA").id


def test_who_may_read_a_conversation(session, cast, records, browser_for, client):
    need, _offer = records
    thread = conversation_id(ask(browser_for(cast.donor), "need", need.reference,
                                 "Which machines do you use?"))
    url = f"/conversations/{thread}"
    for who in (cast.donor, cast.requester, cast.coordinator, cast.admin):
        page = browser_for(who).get(url)
        assert page.status_code == 200 and "Which machines do you use?" in page.text, who.name
    colleague = make_person(session, "deu", "donor", name="Greta Hahn")
    session.commit()
    assert browser_for(colleague).get(url).status_code == 200  # the asking organisation
    for who in (cast.other_donor, cast.far_coordinator, cast.other_requester):
        browser = browser_for(who)
        assert browser.get(url).status_code == 404, who.name
        assert browser.form(f"{url}/messages", {"body": "Hello"}).status_code == 404
        assert f"{url}\"" not in browser.get("/conversations").text
    anonymous = client.get(url, follow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]


def test_a_coordinator_joins_and_is_told_of_the_replies(session, cast, records, browser_for):
    need, _offer = records
    donor = browser_for(cast.donor)
    thread = conversation_id(ask(donor, "need", need.reference, "Which machines?"))
    assert told(session, cast.coordinator) == []  # the region's coordinators read, not told
    coordinator = browser_for(cast.coordinator)
    assert coordinator.form(f"/conversations/{thread}/messages",
                            {"body": "UNREC can help with the specification."}
                            ).status_code == 303
    donor.form(f"/conversations/{thread}/messages", {"body": "Thank you."})
    assert len(told(session, cast.coordinator)) == 1
    assert len(told(session, cast.requester)) == 3


def test_who_may_ask(session, cast, records, browser_for):
    need, offer = records
    for who, field, reference in ((cast.requester, "need", need.reference),
                                  (cast.donor, "offer", offer.reference),
                                  (cast.coordinator, "need", need.reference)):
        browser = browser_for(who)
        assert browser.get(f"/conversations/new?{field}={reference}").status_code == 403
        assert ask(browser, field, reference, "Hello").status_code == 403
    empty = ask(browser_for(cast.donor), "need", need.reference, "  ")
    assert empty.status_code == 422 and "Write a message before sending it." in empty.text
    assert session.scalars(select(Conversation)).first() is None
