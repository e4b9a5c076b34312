"""The guards: an anonymous API call gets a translated 401 and leaves the route intact."""

from __future__ import annotations

import pytest

from tests.accounts.conftest import sign_in


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Please sign in to continue."), ("fr", "Veuillez vous connecter pour continuer.")],
)
def test_anonymous_api_call_gets_a_translated_401(client, language, message):
    response = client.get("/api/proposals", headers={"Accept-Language": language})
    assert response.status_code == 401
    assert response.json()["detail"] == message


def test_a_role_guard_refuses_with_a_translated_403(client, session, people):
    token = sign_in(client, session, people.requester)
    response = client.post("/api/proposals", json={"need": "X", "offer": "Y"},
                           headers={"X-CSRF-Token": token, "Accept-Language": "en"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role does not give access to this page."
