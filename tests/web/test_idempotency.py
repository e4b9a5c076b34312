"""Idempotency keys: a retried submit (same key, same request) replays the first answer and
saves nothing new; a new key is a new submit. The last test kills a real server right after
it has saved, and retries once it is back."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from matchmaker.accounts import sessions
from matchmaker.models import Event, IdempotentRequest, Need, utcnow
from matchmaker.web.idempotency import IN_FLIGHT_TIMEOUT
from tests.conftest import TEST_SECRET
from tests.portfolio.conftest import need_form, people, sign_in  # noqa: F401 - fixtures
from tests.portfolio.test_api import need_body

ROOT = Path(__file__).resolve().parents[2]
_KEY = re.compile(r'name="_idem" value="([^"]+)"')


def needs_titled(session, title: str) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Need).where(Need.title == title))


def form_key(page) -> str:
    keys = _KEY.findall(page.text)
    assert keys, "the form has no idempotency key"
    return keys[0]


def test_a_resubmitted_need_form_saves_one_need_and_answers_alike(session, people, sign_in):
    ama = sign_in(people.requester)
    key = form_key(ama.get("/needs/new"))
    data = {**need_form(title="Sent twice"), "intent": "draft", "_idem": key}
    first, second = ama.post("/needs/new", data), ama.post("/needs/new", data)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    assert needs_titled(session, "Sent twice") == 1

    again = {**data, "_idem": form_key(ama.get("/needs/new"))}  # the form opened anew
    assert form_key(ama.get("/needs/new")) != key
    assert ama.post("/needs/new", again).headers["location"] != first.headers["location"]
    assert needs_titled(session, "Sent twice") == 2


def api_create(ama, key: str | bytes, title: str = "Created by the API"):
    return ama.client.post("/api/needs", json=need_body(title=title), headers={
        "X-CSRF-Token": ama.token, "Idempotency-Key": key})


def test_an_api_create_retried_with_its_key_creates_one_need(session, people, sign_in):
    ama = sign_in(people.requester)
    first, second = api_create(ama, "key-0001-abcdef"), api_create(ama, "key-0001-abcdef")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert needs_titled(session, "Created by the API") == 1
    assert api_create(ama, "key-0002-abcdef").status_code == 201
    assert needs_titled(session, "Created by the API") == 2


def test_a_key_is_the_viewers_own(session, people, sign_in):
    first = api_create(sign_in(people.requester), "shared-key-123")
    other = api_create(sign_in(people.other_requester), "shared-key-123")
    assert first.status_code == other.status_code == 201
    assert first.json()["reference"] != other.json()["reference"]


def test_a_refused_request_is_not_replayed(session, people, sign_in):
    ama = sign_in(people.requester)
    body = need_body(title="")
    headers = {"X-CSRF-Token": ama.token, "Idempotency-Key": "refused-key-1"}
    assert ama.client.post("/api/needs", json=body, headers=headers).status_code == 422
    assert session.scalars(select(IdempotentRequest)).all() == []


@pytest.mark.parametrize("key", ["short", "x" * 65, "bad key with spaces",
                                 "ключ-123456".encode()])
def test_a_malformed_key_is_refused_and_nothing_is_saved(session, people, sign_in, key):
    response = api_create(sign_in(people.requester), key)
    assert response.status_code == 400
    assert "idempotency key" in response.json()["detail"]
    assert needs_titled(session, "Created by the API") == 0


def test_a_retry_while_the_first_request_runs_or_after_it_was_lost(session, people, sign_in):
    ama = sign_in(people.requester)
    assert api_create(ama, "in-flight-key").status_code == 201
    assert session.scalars(select(IdempotentRequest.committed)).one()  # marked by its commit
    session.execute(update(IdempotentRequest).values(  # as if it were still running
        status_code=0, committed=False, headers=[], body=b""))
    session.commit()
    running = api_create(ama, "in-flight-key")
    assert running.status_code == 409 and "already being saved" in running.json()["detail"]
    session.execute(update(IdempotentRequest).values(committed=True))  # its server died
    session.commit()
    lost = api_create(ama, "in-flight-key")
    assert lost.status_code == 409 and "already saved" in lost.json()["detail"]
    assert needs_titled(session, "Created by the API") == 1


def test_a_request_whose_server_died_before_saving_is_run_again(session, people, sign_in):
    ama = sign_in(people.requester)
    assert api_create(ama, "died-early-key", "First try").status_code == 201
    session.execute(update(Need).values(title="Renamed"))  # undo what the handler saved ...
    session.execute(update(IdempotentRequest).values(  # ... and its answer: it died first
        status_code=0, committed=False, created_at=utcnow() - IN_FLIGHT_TIMEOUT * 2))
    session.commit()
    assert api_create(ama, "died-early-key", "First try").status_code == 201
    assert needs_titled(session, "First try") == 1


# --- kill -9 of a real server right after it saved ----------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int, *, kill_after_save: bool) -> subprocess.Popen:
    env = {**os.environ, "MATCHMAKER_DATABASE_URL": database_url,
           "MATCHMAKER_SECRET_KEY": TEST_SECRET, "MATCHMAKER_MAIL_BACKEND": "outbox",
           "MATCHMAKER_WORKER": "0",
           "MATCHMAKER_TEST_KILL_AFTER_SAVE": "1" if kill_after_save else "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "tests.web.killable_app:create",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    pytest.fail(f"the server did not start: {server.stderr.read().decode()[-2000:]}")


def test_a_save_retried_after_the_server_was_killed_is_not_saved_twice(
    session, people, database_url
):
    key, record = sessions.start_session(session, people.requester)
    session.commit()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    headers = {"X-CSRF-Token": record.csrf_token, "Idempotency-Key": "kill-nine-key-1",
               "Cookie": f"{sessions.SESSION_COOKIE}={key}"}
    body = need_body(title="Saved as the server died")

    server = start_server(database_url, port, kill_after_save=True)
    try:
        with pytest.raises(httpx.TransportError):  # no answer: the server is gone
            httpx.post(f"{base}/api/needs", json=body, headers=headers, timeout=10)
        assert server.wait(10) == -signal.SIGKILL
    finally:
        server.kill()
    # The save committed whole (the need and its event) before the kill, or not at all.
    session.expire_all()
    [need] = session.scalars(select(Need).where(Need.title == "Saved as the server died"))
    assert session.scalars(select(Event).where(Event.entity == "need",
                                               Event.entity_id == need.id)).all()

    server = start_server(database_url, port, kill_after_save=False)
    try:
        retry = httpx.post(f"{base}/api/needs", json=body, headers=headers, timeout=10)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    assert retry.status_code == 409, retry.text
    assert "already saved" in retry.json()["detail"]
    assert needs_titled(session, "Saved as the server died") == 1
