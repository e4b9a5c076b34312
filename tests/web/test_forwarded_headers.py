"""A client cannot pick the address that login throttling counts by forging X-Forwarded-For.

The production server believes forwarded headers only from MATCHMAKER_TRUSTED_PROXIES (none by
default); a test client on 127.0.0.1 that sends a new forged address with every failed login
is still one address, and is blocked after ADDRESS_FAILURES_BEFORE_WAIT failures.
"""

from __future__ import annotations

import httpx

from matchmaker.accounts.throttle import ADDRESS_FAILURES_BEFORE_WAIT
from tests.helpers import csrf_token


def test_forged_forwarded_addresses_do_not_reset_the_address_block(production_server):
    with httpx.Client(base_url=production_server) as client:
        page = client.get("/login")
        cookie = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
        token = csrf_token(page.text)
        statuses = []
        for attempt in range(ADDRESS_FAILURES_BEFORE_WAIT + 1):
            answer = client.post(
                "/login",
                headers={"Cookie": cookie, "X-Forwarded-For": f"203.0.113.{attempt + 1}"},
                data={"email": f"nobody{attempt}@example.org", "password": "wrong password",
                      "_csrf": token},
            )
            statuses.append(answer.status_code)
    assert 429 not in statuses[:ADDRESS_FAILURES_BEFORE_WAIT]
    assert statuses[-1] == 429
