"""Helpers for web tests: signing a test client in through the login form."""

from __future__ import annotations

import re

from matchmaker.models import User
from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="_csrf" value="([^"]+)"')
_HEADER_TOKEN = re.compile(r'"X-CSRF-Token": "([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of a page (hidden form field or the htmx header of the body)."""
    match = _TOKEN.search(html) or _HEADER_TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, user: User, password: str = PASSWORD) -> str:
    """Sign ``client`` in as ``user`` through the login form; returns the session's CSRF token.

    Send it as ``X-CSRF-Token`` on unsafe requests (or as ``_csrf`` in form bodies).
    """
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"email": user.email, "password": password,
                                           "_csrf": token}, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return csrf_token(client.get("/").text)


def in_a_thread_of_its_own(function, *args):
    """``function(*args)`` run in a new thread, its result returned (its exception raised).

    For tests that start an event loop (asyncio.run, anyio.run): once a browser test has run,
    Playwright's sync API keeps a loop running in the main thread, where no other may start.
    """
    import threading

    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # noqa: BLE001 - handed back to the caller
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
