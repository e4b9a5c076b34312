"""The notification centre: the header's bell, the list, mark as read, opening one; each person
sees and changes only their own notifications."""

from __future__ import annotations

import re

from matchmaker.notifications import service, views
from tests.accounts.conftest import people, sign_in  # noqa: F401 - a fixture
from tests.notifications.test_core import PROPOSAL

HTMX = {"HX-Request": "true"}


def tell(session, user, index: int, kind: str = "proposal_new", link: str = "/proposals/2"):
    """One notification of ``kind`` to ``user`` about need N-0000<index>; returns it."""
    service.notify(session, [user], kind, f"test:{kind}:{index}",
                   {**PROPOSAL, "need_ref": f"N-0000{index}", "author": "Ama",
                    "excerpt": "Hello"}, link)
    session.commit()
    return service.recent(session, user.id, limit=1)[0]


def bell_label(client) -> str:
    html = client.get("/notifications/bell").text
    return re.search(r'aria-label="([^"]+)"', html).group(1)


def test_the_bell_and_the_list_show_only_ones_own(client, session, people):
    tell(session, people.requester, 1)
    tell(session, people.requester, 2, "message_new")
    theirs = tell(session, people.donor, 3)
    sign_in(client, session, people.requester)

    assert 'hx-get="/notifications/bell"' in client.get("/account").text
    assert bell_label(client) == "Notifications, 2 unread"
    page = client.get("/notifications").text
    assert "New proposal: N-00001 with O-00001" in page
    assert "New message on N-00002 with O-00001" in page and "Ama wrote:" in page
    assert "N-00003" not in page
    assert page.count('class="badge badge-unread"') == 2
    assert "2 unread notifications." in page

    # Another person's notification is not there for them: neither read nor opened.
    token = sign_in(client, session, people.requester)
    assert client.post(f"/notifications/{theirs.id}/read",
                       headers={"X-CSRF-Token": token}).status_code == 404
    assert client.get(f"/notifications/{theirs.id}/open",
                      follow_redirects=False).status_code == 404
    assert service.unread_count(session, people.donor.id) == 1


def test_mark_one_in_place_then_all_without_javascript(client, session, people):
    first = tell(session, people.donor, 1)
    tell(session, people.donor, 2)
    token = sign_in(client, session, people.donor)

    answer = client.post(f"/notifications/{first.id}/read",
                         headers={"X-CSRF-Token": token, **HTMX})
    assert answer.status_code == 200
    assert answer.headers["HX-Trigger"] == "notifications-changed"
    assert f'id="notification-{first.id}"' in answer.text
    assert "The notification is marked as read." in answer.text
    assert "badge-unread" not in answer.text and "Mark as read" not in answer.text
    assert '<div id="notification-toolbar" class="notification-toolbar" hx-swap-oob="true">' \
        in answer.text and "1 unread notification." in answer.text
    assert bell_label(client) == "Notifications, 1 unread"

    done = client.post("/notifications/read-all", data={"_csrf": token},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/notifications?notice=all"
    page = client.get(done.headers["location"]).text
    assert "All your notifications are marked as read." in page
    assert "Nothing unread." in page and "Mark all as read" not in page
    assert bell_label(client) == "Notifications"
    assert service.unread_count(session, people.donor.id) == 0


def test_mark_all_with_htmx_replaces_the_list(client, session, people):
    tell(session, people.donor, 1)
    token = sign_in(client, session, people.donor)
    answer = client.post("/notifications/read-all", headers={"X-CSRF-Token": token, **HTMX})
    assert answer.headers["HX-Trigger"] == "notifications-changed"
    assert answer.text.lstrip().startswith('<div id="notification-centre">')
    assert '<div id="alerts" hx-swap-oob="innerHTML">' in answer.text
    assert "All your notifications are marked as read." in answer.text
    again = client.post("/notifications/read-all", headers={"X-CSRF-Token": token, **HTMX})
    assert "There was nothing unread." in again.text


def test_opening_one_marks_it_read_and_goes_to_its_link(client, session, people):
    notification = tell(session, people.requester, 1, link="/proposals/7")
    sign_in(client, session, people.requester)
    page = client.get("/notifications").text
    assert f'href="/notifications/{notification.id}/open"' in page
    assert "Answer the proposal" in page

    opened = client.get(f"/notifications/{notification.id}/open", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/proposals/7"
    assert service.unread_count(session, people.requester.id) == 0


def test_the_list_pages_by_key(client, session, people, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    oldest = tell(session, people.donor, 1)
    for index in (2, 3):
        tell(session, people.donor, index)
    sign_in(client, session, people.donor)

    first = client.get("/notifications").text
    assert "N-00003" in first and "N-00002" in first and "N-00001" not in first
    older = re.search(r'href="(/notifications\?before=\d+)"', first).group(1)
    second = client.get(older).text
    assert "N-00001" in second and "N-00002" not in second
    assert f"notification-{oldest.id}" in second
    assert 'href="/notifications?before=' not in second  # the last page
    assert client.get("/notifications?before=99999999999999").status_code == 200


def test_signed_out_visitors_see_no_notifications(client):
    assert client.get("/notifications", follow_redirects=False).status_code == 303
    assert client.get("/notifications/bell").status_code == 204
