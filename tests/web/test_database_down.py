"""While the database cannot be reached, every answer is a clear 503, never a 500.

/health reports the database down (also for a visitor with a session cookie, which once made
it a 500), pages answer a translated "temporarily unavailable" page with Retry-After, the API
answers JSON, and a form submitted meanwhile is not mistaken for a forged one.
"""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine

from matchmaker.app import create_app

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # nothing listens on port 1


@pytest.fixture
def cut_off(settings):
    engine = create_engine(UNREACHABLE, pool_pre_ping=False)
    with TestClient(app=create_app(settings, engine=engine),
                    base_url="https://testserver.local") as client:
        client.cookies.set("mm_session", "a-session-key-from-before-the-outage")
        yield client
    engine.dispose()


def test_health_reports_the_database_down_with_a_session_cookie(cut_off):
    response = cut_off.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "down"}


def test_pages_answer_temporarily_unavailable_with_retry_after(cut_off):
    response = cut_off.get("/needs")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert "temporarily unavailable" in response.text
    assert "Something went wrong" not in response.text


def test_the_page_is_in_the_readers_language(cut_off):
    response = cut_off.get("/needs", headers={"Accept-Language": "fr"})
    assert response.status_code == 503
    assert 'lang="fr"' in response.text
    assert "temporairement indisponible" in response.text


def test_the_api_answers_json(cut_off):
    response = cut_off.get("/api/needs")
    assert response.status_code == 503
    assert response.json()["status_code"] == 503


def test_a_form_sent_meanwhile_is_unavailable_not_forged(cut_off):
    response = cut_off.post("/login", data={"email": "a@example.org", "password": "x",
                                            "_csrf": "token"})
    assert response.status_code == 503
    assert "temporarily unavailable" in response.text
