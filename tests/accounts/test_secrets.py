"""No password or reset token is ever logged, or kept in the database except as a hash."""

from __future__ import annotations

import dataclasses
import logging
import re

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from sqlmodel import SQLModel

from matchmaker.accounts import logfilter
from matchmaker.app import create_app
from matchmaker.models import OutboxMail
from tests.accounts.conftest import PASSWORD, anonymous_token, sign_in

SIGNUP_PASSWORD = "signup passphrase 2026"
CHANGED_PASSWORD = "changed passphrase 2026"
RESET_PASSWORD = "reset passphrase 2026!"
LINK = re.compile(r"/password/reset/([A-Za-z0-9_\-]{20,})")


@pytest.fixture
def console_client(settings, engine):
    """A client of an app whose mail goes to the console, as in the demo."""
    app = create_app(dataclasses.replace(settings, mail_backend="console"), engine=engine)
    with TestClient(app=app, base_url="https://testserver.local") as client:
        yield client


def app_records(caplog) -> list[str]:
    # The test client (httpx) logs each URL it requests; a browser does not log into the
    # server, so only the server's own records are checked.
    return [record.getMessage() for record in caplog.records if not record.name.startswith("httpx")]


def every_stored_text(session) -> str:
    """Every value of every row of every table, as one string."""
    session.expire_all()
    parts = []
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(select(table)).all():
            parts.extend(str(value) for value in row)
    return "\n".join(parts)


def test_the_account_flows_leave_no_secret_in_logs_or_database(
    console_client, session, people, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    client = console_client
    signup = client.post("/signup", follow_redirects=False, data={
        "name": "Yaw Boateng", "email": "yaw@mfa.gov.gh", "password": SIGNUP_PASSWORD,
        "password_confirm": SIGNUP_PASSWORD, "organisation_choice": "existing",
        "organisation_id": str(people.requester.organisation_id), "role": "requester",
        "_csrf": anonymous_token(client),
    })
    assert signup.status_code == 303
    login = client.post("/login", follow_redirects=False, data={
        "email": people.donor.email, "password": PASSWORD, "_csrf": anonymous_token(client),
    })
    assert login.status_code == 303
    token = sign_in(client, session, people.donor)
    change = client.post("/account/password", follow_redirects=False, data={
        "current_password": PASSWORD, "password": CHANGED_PASSWORD,
        "password_confirm": CHANGED_PASSWORD, "_csrf": token,
    })
    assert change.status_code == 303
    client.cookies.clear()
    client.post("/password/forgot", data={"email": people.donor.email,
                                          "_csrf": anonymous_token(client)})
    printed = capsys.readouterr().out
    reset_token = LINK.search(printed).group(1)  # the demo prints the link to the console
    reset = client.post(f"/password/reset/{reset_token}", data={
        "password": RESET_PASSWORD, "password_confirm": RESET_PASSWORD,
        "_csrf": anonymous_token(client),
    })
    assert reset.status_code == 200

    secrets = (PASSWORD, SIGNUP_PASSWORD, CHANGED_PASSWORD, RESET_PASSWORD, reset_token)
    logged = "\n".join(app_records(caplog))
    stored = every_stored_text(session)
    for secret in secrets:
        assert secret not in logged
        assert secret not in stored
    mails = session.scalars(select(OutboxMail)).all()
    assert mails and all(mail.sent_at is not None for mail in mails)
    assert any("/password/reset/[used link removed]" in mail.body for mail in mails)


def test_the_access_log_filter_hides_reset_tokens(caplog):
    logfilter.install()
    logger = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET",
                    "/password/reset/abcdefghijklmnopqrstuvwxyz0123456789", "1.1", 200)
    [message] = [record.getMessage() for record in caplog.records]
    assert "abcdefghijklmnopqrstuvwxyz0123456789" not in message
    assert "/password/reset/[used link removed]" in message
