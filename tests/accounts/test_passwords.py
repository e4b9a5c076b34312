"""Password change, and reset by a single-use, expiring link sent through the outbox."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from litestar.testing import TestClient
from sqlalchemy import select

from matchmaker.accounts import sessions
from matchmaker.accounts.passwords import verify_password
from matchmaker.models import AuthToken, Event, UserSession, utcnow
from tests.accounts.conftest import PASSWORD, anonymous_token, mails_to, sign_in

NEW_PASSWORD = "an entirely new passphrase"
LINK = re.compile(r"https?://\S+/password/reset/([A-Za-z0-9_\-]+)")


def password_is(session, user, password: str) -> bool:
    session.refresh(user)
    return verify_password(user.password_hash, password)


def change(client, token, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/account/password", data={
        "current_password": current, "password": new,
        "password_confirm": new if confirm is None else confirm, "_csrf": token,
    }, follow_redirects=False)


def ask_reset(client, email: str):
    return client.post("/password/forgot", data={"email": email, "_csrf": anonymous_token(client)})


def reset_link(session, user) -> str:
    [mail] = [m for m in mails_to(session, user.email) if "/password/reset/" in m.body]
    return LINK.search(mail.body).group(0)


def reset_paths(session, user) -> list[str]:
    """The path of every reset link mailed to ``user``, oldest first."""
    return [f"/password/reset/{LINK.search(m.body).group(1)}"
            for m in mails_to(session, user.email) if "/password/reset/" in m.body]


def set_new_password(client, path: str, password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={
        "password": password, "password_confirm": password if confirm is None else confirm,
        "_csrf": anonymous_token(client),
    })


# --- change -----------------------------------------------------------------------------------


def test_change_password_keeps_this_session_and_ends_the_others(client, session, people):
    with TestClient(app=client.app, base_url="https://testserver.local") as elsewhere:
        sign_in(elsewhere, session, people.donor)
        token = sign_in(client, session, people.donor)
        old_key = client.cookies[sessions.SESSION_COOKIE]
        response = change(client, token)
        assert response.status_code == 303
        assert response.headers["location"] == "/account?notice=password"
        assert client.cookies[sessions.SESSION_COOKIE] != old_key  # a fresh session here
        page = client.get("/account?notice=password")
        assert page.status_code == 200 and "Your password has been changed" in page.text
        assert elsewhere.get("/account", follow_redirects=False).status_code == 303  # ended
    assert password_is(session, people.donor, NEW_PASSWORD)
    assert len(session.scalars(select(UserSession)).all()) == 1
    assert any("password of your account was just changed" in m.body
               for m in mails_to(session, people.donor.email))
    assert session.scalars(select(Event).where(Event.action == "password_change")).one()


def test_change_password_ends_every_reset_link_mailed_before(client, session, people):
    ask_reset(client, people.donor.email)
    [path] = reset_paths(session, people.donor)
    token = sign_in(client, session, people.donor)
    assert change(client, token).status_code == 303
    client.cookies.clear()
    assert client.get(path).status_code == 404
    assert set_new_password(client, path, "a thief's new passphrase").status_code == 404
    assert password_is(session, people.donor, NEW_PASSWORD)


def test_change_password_refuses_a_wrong_current_password(client, session, people):
    token = sign_in(client, session, people.donor)
    response = change(client, token, current="not my password at all")
    assert response.status_code == 422
    assert "This is not your current password." in response.text
    assert password_is(session, people.donor, PASSWORD)
    assert client.get("/account", follow_redirects=False).status_code == 200


def test_change_password_checks_the_new_one_and_writes_nothing(client, session, people):
    token = sign_in(client, session, people.donor)
    assert "at least 12" in change(client, token, new="short").text
    assert "not the same" in change(client, token, confirm="a different passphrase").text
    assert "must not be your email" in change(client, token, new=people.donor.email).text
    assert password_is(session, people.donor, PASSWORD)
    assert session.scalars(select(Event).where(Event.action == "password_change")).all() == []
    assert len(session.scalars(select(UserSession)).all()) == 1


def test_change_password_needs_a_session(client):
    response = client.get("/account/password", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


# --- reset ------------------------------------------------------------------------------------


def test_forgot_gives_the_same_answer_whether_or_not_the_account_exists(client, session, people):
    known = ask_reset(client, people.donor.email)
    unknown = ask_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda html, email: html.replace(email, "EMAIL")  # noqa: E731
    assert strip(known.text, people.donor.email) == strip(unknown.text, "nobody@example.org")
    assert mails_to(session, "nobody@example.org") == []
    link = reset_link(session, people.donor)
    assert link.startswith(f"{client.app.state.settings.base_url}/password/reset/")
    token = link.rsplit("/", 1)[1]
    [stored] = session.scalars(select(AuthToken)).all()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.expires_at - utcnow() <= timedelta(hours=1)


def test_reset_link_works_once_and_ends_every_session(client, session, people):
    sign_in(client, session, people.donor)
    ask_reset(client, people.donor.email)
    path = reset_link(session, people.donor).split("://", 1)[1].split("/", 1)[1]
    form = client.get(f"/{path}")
    assert form.status_code == 200 and 'name="password"' in form.text
    assert form.headers["referrer-policy"] == "no-referrer"
    done = set_new_password(client, f"/{path}")
    assert done.status_code == 200 and "Your password has been changed" in done.text
    assert password_is(session, people.donor, NEW_PASSWORD)
    assert session.scalars(select(UserSession)).all() == []
    assert session.scalars(select(AuthToken)).one().used_at is not None
    again = client.get(f"/{path}")
    assert again.status_code == 404
    assert "This link has expired or was already used" in again.text
    assert set_new_password(client, f"/{path}", "yet another passphrase").status_code == 404
    assert password_is(session, people.donor, NEW_PASSWORD)


def test_a_completed_reset_ends_the_other_links_and_sessions(client, session, people):
    with TestClient(app=client.app, base_url="https://testserver.local") as elsewhere:
        sign_in(elsewhere, session, people.donor)
        ask_reset(client, people.donor.email)
        ask_reset(client, people.donor.email)
        first, second = reset_paths(session, people.donor)
        assert set_new_password(client, second).status_code == 200
        assert elsewhere.get("/account", follow_redirects=False).status_code == 303
    assert client.get(first).status_code == 404
    assert set_new_password(client, first, "yet another passphrase").status_code == 404
    assert password_is(session, people.donor, NEW_PASSWORD)


def test_an_expired_link_is_refused(client, session, people):
    ask_reset(client, people.donor.email)
    path = "/" + reset_link(session, people.donor).split("://", 1)[1].split("/", 1)[1]
    stored = session.scalars(select(AuthToken)).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    assert "expired or was already used" in client.get(path).text
    assert set_new_password(client, path).status_code == 404
    assert password_is(session, people.donor, PASSWORD)


def test_a_bad_new_password_writes_nothing_and_keeps_the_link(client, session, people):
    ask_reset(client, people.donor.email)
    path = "/" + reset_link(session, people.donor).split("://", 1)[1].split("/", 1)[1]
    response = set_new_password(client, path, confirm="something different")
    assert response.status_code == 422
    assert "not the same" in response.text
    assert session.scalars(select(AuthToken)).one().used_at is None
    assert password_is(session, people.donor, PASSWORD)
    assert set_new_password(client, path).status_code == 200


def test_unknown_tokens_and_inactive_accounts_get_no_link(client, session, people):
    assert client.get("/password/reset/made-up-token").status_code == 404
    people.donor.status = "disabled"
    session.commit()
    ask_reset(client, people.donor.email)
    assert mails_to(session, people.donor.email) == []


def test_reset_requests_are_limited(client, session, people):
    for _ in range(5):
        ask_reset(client, people.donor.email)
    assert len(session.scalars(select(AuthToken)).all()) == 3


def test_a_reset_does_not_lift_a_lock(client, session, people):
    people.donor.locked_at = utcnow()
    session.commit()
    ask_reset(client, people.donor.email)
    path = "/" + reset_link(session, people.donor).split("://", 1)[1].split("/", 1)[1]
    assert set_new_password(client, path).status_code == 200
    session.refresh(people.donor)
    assert people.donor.locked_at is not None
