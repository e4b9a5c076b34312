"""The production server answers every request of a burst far above its thread count.

It once stopped answering at about 25 concurrent requests: finished requests kept their
database connections while their session's cleanup waited for a worker thread, and every
worker thread waited for a connection. This starts ``matchmaker run`` itself (its thread pool,
its database pool), signs in, and fires 100 requests at once, pages, API and health alike,
anonymous and signed in.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests import factories
from tests.conftest import TEST_SECRET

CONCURRENT = 100
PATHS = ("/", "/needs", "/offers", "/health", "/api/needs", "/api/offers", "/proposals")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def production_server(database_url, engine) -> Iterator[str]:
    """``matchmaker run`` in a subprocess on a free port (stopped after the test)."""
    port = _free_port()
    env = {
        **os.environ,
        "MATCHMAKER_DATABASE_URL": database_url,
        "MATCHMAKER_SECRET_KEY": TEST_SECRET,
        "MATCHMAKER_MAIL_BACKEND": "outbox",
        "MATCHMAKER_HOST": "127.0.0.1",
        "MATCHMAKER_PORT": str(port),
        "MATCHMAKER_THREADS": "8",  # far fewer threads than concurrent requests
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "matchmaker.cli", "run"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start: {server.stderr.read()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _sign_in(url: str, user) -> str:
    """A Cookie header of ``user`` signed in through the login form over real HTTP (the
    cookies are Secure outside the demo, so they are sent by hand over plain http)."""
    from tests.helpers import csrf_token

    def header(response: httpx.Response, jar: dict[str, str]) -> str:
        jar.update(response.cookies.items())
        return "; ".join(f"{name}={value}" for name, value in jar.items())

    jar: dict[str, str] = {}
    with httpx.Client(base_url=url, follow_redirects=False) as browser:
        page = browser.get("/login")
        answer = browser.post(
            "/login", headers={"Cookie": header(page, jar)},
            data={"email": user.email, "password": factories.PASSWORD,
                  "_csrf": csrf_token(page.text)},
        )
        assert answer.status_code == 303, answer.text[:300]
        return header(answer, jar)


def _expected(path: str, signed_in: bool) -> int:
    return 303 if path == "/proposals" and not signed_in else 200  # anonymous: to sign in


async def _burst(url: str, cookie_header: str) -> list[str]:
    limits = httpx.Limits(max_connections=CONCURRENT, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        async def one(index: int) -> str:
            path, signed_in = PATHS[index % len(PATHS)], bool(index % 2)
            headers = {"Cookie": cookie_header} if signed_in else {}
            try:
                response = await client.get(path, headers=headers)
            except httpx.HTTPError as exc:
                return f"{path}: {type(exc).__name__}"
            if response.status_code != _expected(path, signed_in):
                return f"{path}: {response.status_code}"
            return "ok"

        return await asyncio.gather(*(one(index) for index in range(CONCURRENT)))


def test_a_burst_of_100_concurrent_requests_is_answered_in_full(production_server, session):
    donor = factories.make_user(session, factories.make_organisation(session), "donor")
    factories.make_need(session, "GHA")
    session.commit()
    cookies = _sign_in(production_server, donor)

    for _ in range(2):  # twice: the second burst finds the pool as the first one left it
        answers = asyncio.run(_burst(production_server, cookies))
        failures = [answer for answer in answers if answer != "ok"]
        assert failures == [], f"{len(failures)} of {CONCURRENT} not answered: {failures[:10]}"
