"""Fixtures of the web tests: the production command serving the test database."""

from __future__ import annotations

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


def sign_in_over_http(url: str, user) -> str:
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
