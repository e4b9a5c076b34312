"""The message thread of a proposal: who may write, escaping, empty messages, the API."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.models import Message
from tests.proposals.conftest import events_of


def test_message_posted_in_place_is_appended_to_the_thread(session, cast, deal, browser_for):
    requester = browser_for(cast.requester)
    url = f"/proposals/{deal.proposal.id}/messages"
    first = requester.htmx(url, {"body": "Could delivery start in March?"})
    assert first.status_code == 201
    assert first.text.lstrip().startswith('<section id="messages"')
    second = browser_for(cast.donor).htmx(url, {"body": "Yes, March works for us."})
    html = second.text
    assert html.index("Could delivery start in March?") < html.index("Yes, March works for us.")
    assert "Ama Mensah" in html and "Dieter Braun" in html
    assert '<textarea id="input-body" name="body"' in html and "March works for us.</textarea>" not in html
    [event, _second] = events_of(session, "proposal", deal.proposal.id)
    assert event.action == "message" and event.actor_id == cast.requester.id


def test_message_without_javascript_redirects_to_the_thread(cast, deal, browser_for):
    donor = browser_for(cast.donor)
    response = donor.form(f"/proposals/{deal.proposal.id}/messages", {"body": "Hello"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/proposals/{deal.proposal.id}#messages"
    assert "Hello" in donor.get(f"/proposals/{deal.proposal.id}").text


def test_message_text_is_escaped(cast, deal, browser_for):
    donor = browser_for(cast.donor)
    donor.form(f"/proposals/{deal.proposal.id}/messages",
               {"body": '<script>alert("x")</script> & <b>bold</b>'})
    page = donor.get(f"/proposals/{deal.proposal.id}").text
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_empty_message_is_refused_at_the_field(session, cast, deal, browser_for):
    requester = browser_for(cast.requester)
    url = f"/proposals/{deal.proposal.id}/messages"
    fragment = requester.htmx(url, {"body": "  \n "})
    assert fragment.status_code == 422
    assert 'id="error-body"' in fragment.text and "Write a message" in fragment.text
    page = requester.form(url, {"body": ""})
    assert page.status_code == 422 and 'id="error-body"' in page.text and "<html" in page.text
    api = requester.api("POST", "/api" + url, {"body": ""})
    assert api.status_code == 422 and "body" in api.json()["errors"]
    session.expire_all()
    assert session.scalars(select(Message)).all() == []


def test_coordinators_of_the_region_and_admins_may_write_others_may_not(
    session, cast, deal, browser_for
):
    url = f"/proposals/{deal.proposal.id}/messages"
    assert browser_for(cast.coordinator).form(url, {"body": "UNREC can help"}).status_code == 303
    assert browser_for(cast.admin).form(url, {"body": "Noted"}).status_code == 303
    assert browser_for(cast.far_coordinator).form(url, {"body": "Hi"}).status_code == 404
    assert browser_for(cast.other_donor).api("POST", "/api" + url, {"body": "Hi"}).status_code == 404


def test_messages_api(cast, deal, browser_for):
    donor = browser_for(cast.donor)
    url = f"/api/proposals/{deal.proposal.id}/messages"
    created = donor.api("POST", url, {"body": "First <message>"})
    assert created.status_code == 201
    assert created.json()["body"] == "First <message>"
    assert created.json()["author"] == "Dieter Braun"
    listed = browser_for(cast.requester).api("GET", url).json()
    assert [m["body"] for m in listed] == ["First <message>"]
