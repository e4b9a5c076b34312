"""Security headers on every kind of answer (pages, API, static files, errors), no-store for
signed-in viewers, HSTS and a Secure language cookie outside the demo; and a body over the size
limit refused as too large (413), not as an expired form."""

from __future__ import annotations

from dataclasses import replace

import anyio
import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from matchmaker.accounts import sessions
from matchmaker.models import Need
from matchmaker.web.middleware import MAX_FORM_BYTES
from tests.accounts.conftest import anonymous_token
from tests.helpers import in_a_thread_of_its_own
from tests.portfolio.conftest import need_form, people, sign_in  # noqa: F401 - fixtures

TOO_LARGE = "This form is too large (at most 2 MB)."
EXPIRED = "This form has expired"


@pytest.fixture
def demo_client(settings, engine):
    from matchmaker.app import create_app

    app = create_app(replace(settings, demo=True), engine=engine)
    with TestClient(app=app, base_url="http://testserver.local") as test_client:
        yield test_client


def assert_protected(response, *, hsts: bool = True) -> None:
    """The headers every answer carries, whatever its kind or status."""
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "script-src 'self';" in policy and "'unsafe-eval'" not in policy
    assert "style-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert ("strict-transport-security" in headers) is hsts
    if hsts:
        assert headers["strict-transport-security"].startswith("max-age=31536000")


def no_store(response) -> bool:
    return response.headers.get("cache-control") == "no-store"


@pytest.mark.parametrize(("path", "status"), [
    ("/", 200),
    ("/needs", 200),
    ("/api/needs", 200),
    ("/static/css/matchmaker.css", 200),
    ("/static/js/htmx-2.0.11.min.js", 200),
    ("/no/such/page", 404),  # matches no route at all
    ("/api/proposals/999", 401),
])
def test_every_answer_carries_the_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_protected(response)
    assert not no_store(response)  # nothing personal to an anonymous visitor


def test_an_unrouted_method_and_a_refused_form_carry_them_too(client):
    assert_protected(client.delete("/"))  # 405
    refused = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert refused.status_code == 403 and EXPIRED in refused.text
    assert_protected(refused)


@pytest.mark.parametrize("path", ["/needs/mine", "/needs", "/api/needs", "/no/such/page"])
def test_signed_in_answers_are_not_stored(people, sign_in, path):
    ama = sign_in(people.requester)
    response = ama.get(path)
    assert_protected(response)
    assert no_store(response)


def test_static_files_stay_cacheable_for_signed_in_viewers(people, sign_in):
    response = sign_in(people.requester).get("/static/css/matchmaker.css")
    assert response.status_code == 200
    assert_protected(response)
    assert not no_store(response)


def test_the_demo_is_not_pinned_to_https(demo_client):
    for path in ("/", "/static/css/matchmaker.css", "/no/such/page"):
        assert_protected(demo_client.get(path), hsts=False)
    chosen = demo_client.get("/language/fr", follow_redirects=False)
    assert "secure" not in chosen.headers["set-cookie"].lower()  # plain http on a laptop


def test_the_language_cookie_is_secure_in_production(client):
    chosen = client.get("/language/fr?next=/needs", follow_redirects=False)
    assert chosen.status_code in (302, 303)
    cookie = chosen.headers["set-cookie"]
    assert cookie.startswith("lang=fr;")
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert_protected(chosen)


# --- the size limit ---------------------------------------------------------------------------

def oversized(text_field: str = "description") -> dict:
    return {**need_form(), text_field: "x" * (MAX_FORM_BYTES + 1), "intent": "publish"}


def stored_needs(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Need))


def test_a_form_over_the_limit_says_too_large_not_expired(client):
    token = anonymous_token(client)
    response = client.post("/login", data={"_csrf": token, "email": "a@example.org",
                                           "password": "x" * (MAX_FORM_BYTES + 1)})
    assert response.status_code == 413
    assert TOO_LARGE in response.text and EXPIRED not in response.text
    assert "<html" in response.text  # a page, in the site's frame
    assert_protected(response)


def test_a_need_form_over_the_limit_saves_nothing(session, people, sign_in):
    ama = sign_in(people.requester)
    response = ama.post("/needs/new", oversized())
    assert response.status_code == 413 and TOO_LARGE in response.text
    htmx = ama.post("/needs/new", oversized(), htmx=True)
    assert htmx.status_code == 413 and TOO_LARGE in htmx.text
    assert stored_needs(session) == 0
    assert ama.post("/needs/new", {**need_form(), "intent": "draft"}).status_code == 303


def test_a_body_without_a_declared_length_is_cut_at_the_limit(app, client):
    """Chunked: the size is only known while reading, so reading stops at the limit. Sent
    straight to the ASGI app, because the test client gathers a whole body before sending."""
    token = anonymous_token(client)
    chunk = b"x" * 65536
    chunks_read = 0

    async def receive():
        nonlocal chunks_read
        chunks_read += 1
        if chunks_read == 1:
            body = f"_csrf={token}&email=a%40example.org&password=".encode()
        else:
            body = chunk  # an endless body
        return {"type": "http.request", "body": body, "more_body": True}

    answer: list[dict] = []

    async def send(message):
        answer.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "https", "path": "/login", "raw_path": b"/login", "root_path": "",
        "query_string": b"", "client": ("127.0.0.1", 50000), "server": ("testserver", 443),
        "headers": [(b"host", b"testserver.local"),
                    (b"content-type", b"application/x-www-form-urlencoded"),
                    (b"cookie", f"{sessions.CSRF_COOKIE}={token}".encode())],
    }
    in_a_thread_of_its_own(anyio.run, app, scope, receive, send)
    assert answer[0]["status"] == 413
    assert TOO_LARGE in b"".join(m.get("body", b"") for m in answer[1:]).decode()
    assert (chunks_read - 1) * len(chunk) <= MAX_FORM_BYTES + len(chunk)


def test_an_api_body_over_the_limit_is_a_413_in_json(session, people, sign_in):
    ama = sign_in(people.requester)
    response = ama.api("POST", "/api/needs", {"title": "x" * (MAX_FORM_BYTES + 1)})
    assert response.status_code == 413
    assert response.json()["detail"] == TOO_LARGE
    assert_protected(response)
    assert stored_needs(session) == 0


def test_the_413_page_is_in_the_language_of_the_visitor(client):
    token = anonymous_token(client)
    client.cookies.set("lang", "fr", domain=client.base_url.host)
    response = client.post("/login", data={"_csrf": token, "password": "x" * MAX_FORM_BYTES,
                                           "email": "a@example.org"})
    assert response.status_code == 413
    assert '<html lang="fr"' in response.text
