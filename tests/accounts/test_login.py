"""Signing in and out: refusals with clear messages, throttling, the lock, session handling."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from matchmaker.accounts import sessions, throttle
from matchmaker.app import create_app
from matchmaker.models import Event, UserSession, UserStatus, utcnow
from matchmaker.settings import load_settings
from tests.accounts.conftest import (
    PASSWORD,
    anonymous_token,
    mails_to,
    make_person,
    set_session_key,
    sign_in,
)
from tests.conftest import TEST_SECRET


def login(client, email: str, password: str = PASSWORD, **extra):
    data = {"email": email, "password": password, "_csrf": anonymous_token(client), **extra}
    return client.post("/login", data=data, follow_redirects=False)


def session_cookie(response) -> str:
    """The Set-Cookie header of the session cookie in ``response``."""
    [header] = [h for h in response.headers.get_list("set-cookie")
                if h.startswith(f"{sessions.SESSION_COOKIE}=")]
    return header


def is_signed_in(client) -> bool:
    return client.get("/account", follow_redirects=False).status_code == 200


REFUSED = "The email address or password is not correct."


def refusal(response) -> str:
    """What the sign-in page says, with the anonymous CSRF token and the form's idempotency key
    (random per page) left out."""
    return re.sub(r'name="_(csrf|idem)" value="[^"]*"', "", response.text)


def test_login_opens_a_session_and_goes_to_next(client, people):
    response = login(client, people.donor.email, next="/needs")
    assert response.status_code == 303
    assert response.headers["location"] == "/needs"
    assert is_signed_in(client)
    assert "Dieter Braun" in client.get("/").text


def test_login_never_redirects_off_site(client, people):
    response = login(client, people.donor.email, next="//evil.example/")
    assert response.headers["location"] == "/"


def test_wrong_password_gets_one_message_for_both_fields(client, session, people):
    response = login(client, people.donor.email, "wrong password!")
    assert response.status_code == 422
    assert REFUSED in response.text
    unknown = login(client, "nobody@example.org", "wrong password!")
    assert REFUSED in unknown.text
    assert mails_to(session, people.donor.email) == []  # a wrong password explains nothing


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": UserStatus.PENDING}, "Your account is waiting for approval."),
        ({"status": UserStatus.REJECTED}, "Your request for an account was not approved."),
        ({"status": UserStatus.DISABLED}, "This account has been disabled."),
        ({"locked_at": utcnow()}, "This account is locked after repeated failed sign-ins."),
    ],
    ids=["pending", "rejected", "disabled", "locked"],
)
def test_an_account_that_cannot_sign_in_answers_alike_for_a_right_and_a_wrong_password(
    client, session, fields, reason
):
    user = make_person(session, "gha", "requester", **fields)
    session.commit()
    right = login(client, user.email)
    wrong = login(client, user.email, "wrong password!")
    assert right.status_code == wrong.status_code == 422
    assert refusal(right) == refusal(wrong)
    assert REFUSED in right.text and reason not in right.text
    assert not is_signed_in(client)
    # Only the owner learns why, by mail, and only after the right password.
    [mail] = mails_to(session, user.email)
    assert mail.subject == "Your Matchmaker account cannot sign in"
    assert reason in mail.body


def test_the_reason_is_mailed_at_most_once_an_hour(client, session):
    user = make_person(session, "gha", "requester", status=UserStatus.PENDING)
    session.commit()
    for _attempt in range(3):
        assert login(client, user.email).status_code == 422
    assert len(mails_to(session, user.email)) == 1


def test_an_unknown_address_answers_like_a_refused_account(client, session):
    user = make_person(session, "gha", "requester", status=UserStatus.PENDING)
    session.commit()
    assert refusal(login(client, user.email)) == refusal(
        login(client, "nobody@example.org")
    ).replace("nobody@example.org", user.email)


def test_throttling_per_account(client, people):
    for _ in range(throttle.ACCOUNT_FAILURES_BEFORE_WAIT):
        assert login(client, people.donor.email, "wrong password!").status_code == 422
    response = login(client, people.donor.email)  # even the right password must wait
    assert response.status_code == 429
    assert "Too many failed sign-in attempts for this account" in response.text
    assert "minutes" in response.text
    assert not is_signed_in(client)
    # Another account from the same address is not held up.
    assert login(client, people.requester.email).status_code == 303


def test_throttling_per_address(client, people):
    for n in range(throttle.ADDRESS_FAILURES_BEFORE_WAIT):
        assert login(client, f"guess{n}@example.org", "wrong password!").status_code == 422
    response = login(client, people.donor.email)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts from your network" in response.text


def test_lock_after_repeated_failures_and_admin_unlock(client, session, people):
    people.donor.failed_logins = throttle.FAILURES_BEFORE_LOCK - 1
    session.commit()
    login(client, people.donor.email, "wrong password!")
    session.refresh(people.donor)
    assert people.donor.locked_at is not None
    response = login(client, people.donor.email)
    assert response.status_code == 422
    assert REFUSED in response.text and "after repeated failed" not in response.text
    assert "administrator" in mails_to(session, people.donor.email)[-1].body

    token = sign_in(client, session, people.admin)
    unlock = client.post(f"/admin/accounts/{people.donor.id}/unlock",
                         data={"_csrf": token}, follow_redirects=False)
    assert unlock.status_code == 303
    session.refresh(people.donor)
    assert people.donor.locked_at is None and people.donor.failed_logins == 0
    event = session.scalars(select(Event).where(Event.action == "unlock")).one()
    assert event.actor_id == people.admin.id
    assert event.before["locked_at"] is not None and event.after["locked_at"] is None

    client.post("/logout", data={"_csrf": token})
    assert login(client, people.donor.email).status_code == 303


def test_a_locked_account_loses_its_sessions(client, session, people):
    sign_in(client, session, people.donor)
    assert is_signed_in(client)
    people.donor.failed_logins = throttle.FAILURES_BEFORE_LOCK - 1
    session.commit()
    other = TestClient(app=client.app, base_url="https://testserver.local")
    with other:
        login(other, people.donor.email, "wrong password!")
    assert not is_signed_in(client)


def test_session_fixation_a_planted_key_is_replaced(client, session, people):
    set_session_key(client, "planted-by-an-attacker")
    response = login(client, people.donor.email)
    new_key = client.cookies[sessions.SESSION_COOKIE]
    assert new_key != "planted-by-an-attacker"
    assert session_cookie(response).startswith(f"{sessions.SESSION_COOKIE}={new_key}")


def test_login_rotates_the_session_and_the_old_key_is_dead(client, session, people):
    login(client, people.donor.email)
    old_key = client.cookies[sessions.SESSION_COOKIE]
    client.cookies.delete(sessions.CSRF_COOKIE)
    csrf = client.get("/account").text.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"email": people.donor.email, "password": PASSWORD,
                                           "_csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    new_key = client.cookies[sessions.SESSION_COOKIE]
    assert new_key != old_key
    assert is_signed_in(client)
    set_session_key(client, old_key)
    assert not is_signed_in(client)
    assert session.scalars(select(UserSession)).all().__len__() == 1


def test_logout_really_ends_the_session(client, session, people):
    login(client, people.donor.email)
    key = client.cookies[sessions.SESSION_COOKIE]
    csrf = client.get("/account").text.split('name="_csrf" value="', 1)[1].split('"', 1)[0]
    response = client.post("/logout", data={"_csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert f"{sessions.SESSION_COOKIE}=" in session_cookie(response)
    assert session.scalars(select(UserSession)).all() == []
    set_session_key(client, key)  # replaying the old cookie
    assert not is_signed_in(client)
    assert "Dieter Braun" not in client.get("/").text


def test_session_cookie_is_httponly_lax_and_secure_outside_the_demo(client, people):
    header = session_cookie(login(client, people.donor.email)).lower()
    assert "httponly" in header
    assert "samesite=lax" in header
    assert "secure" in header
    anonymous = client.get("/", headers={"cookie": ""}).headers.get_list("set-cookie")
    assert all("secure" in h.lower() and "httponly" in h.lower() for h in anonymous)


def test_session_cookie_is_not_secure_in_the_demo(database_url, engine, people):
    demo = load_settings({"MATCHMAKER_DATABASE_URL": database_url,
                          "MATCHMAKER_SECRET_KEY": TEST_SECRET,
                          "MATCHMAKER_MAIL_BACKEND": "outbox"}, demo=True)
    with TestClient(app=create_app(demo, engine=engine), base_url="http://testserver.local") as c:
        header = session_cookie(login(c, people.donor.email)).lower()
    assert "httponly" in header and "samesite=lax" in header
    assert "secure" not in header
