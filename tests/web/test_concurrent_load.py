"""The production server answers every request of a burst far above its thread count.

It once stopped answering at about 25 concurrent requests: finished requests kept their
database connections while their session's cleanup waited for a worker thread, and every
worker thread waited for a connection. This starts ``matchmaker run`` itself (its thread pool,
its database pool), signs in, and fires 100 requests at once, pages, API and health alike,
anonymous and signed in.
"""

from __future__ import annotations

import asyncio

import httpx

from tests import factories
from tests.helpers import in_a_thread_of_its_own
from tests.web.conftest import sign_in_over_http

CONCURRENT = 100
PATHS = ("/", "/needs", "/offers", "/health", "/api/needs", "/api/offers", "/proposals")


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
    cookies = sign_in_over_http(production_server, donor)

    for _ in range(2):  # twice: the second burst finds the pool as the first one left it
        answers = in_a_thread_of_its_own(asyncio.run, _burst(production_server, cookies))
        failures = [answer for answer in answers if answer != "ok"]
        assert failures == [], f"{len(failures)} of {CONCURRENT} not answered: {failures[:10]}"
