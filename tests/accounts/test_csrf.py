"""Every unsafe request needs the CSRF token: forms (field) and htmx or API calls (header)."""

from __future__ import annotations

import pytest

from matchmaker.models import User
from tests.accounts.conftest import anonymous_token, sign_in

HTMX = {"HX-Request": "true"}


def language_of(session, user) -> str:
    session.expire_all()
    return session.get(User, user.id).language


@pytest.mark.parametrize("token", [None, "", "wrong-token", "x" * 43])
def test_form_post_without_the_right_token_is_refused(client, session, people, token):
    sign_in(client, session, people.requester)
    data = {"language": "fr"} if token is None else {"language": "fr", "_csrf": token}
    response = client.post("/account/language", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "security token" in response.text
    assert language_of(session, people.requester) == "en"


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_htmx_request_without_the_right_header_is_refused(client, session, people, token):
    sign_in(client, session, people.admin)
    pending = people.donor
    pending.status = "pending"
    session.commit()
    headers = dict(HTMX) if token is None else {**HTMX, "X-CSRF-Token": token}
    response = client.post(f"/admin/accounts/{pending.id}/approve", headers=headers)
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#alerts"
    session.refresh(pending)
    assert pending.status == "pending"


def test_htmx_request_with_the_header_goes_through(client, session, people):
    token = sign_in(client, session, people.admin)
    people.donor.status = "pending"
    session.commit()
    response = client.post(f"/admin/accounts/{people.donor.id}/approve",
                           headers={**HTMX, "X-CSRF-Token": token})
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="account-{people.donor.id}"')


def test_json_request_without_the_header_gets_a_json_403(client, session, people):
    sign_in(client, session, people.requester)
    response = client.post("/account/language", json={"language": "fr"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.json()["status_code"] == 403


def test_the_token_of_another_session_does_not_work(client, session, people):
    other_token = sign_in(client, session, people.donor)
    sign_in(client, session, people.requester)
    response = client.post("/account/language", data={"language": "fr", "_csrf": other_token})
    assert response.status_code == 403


def test_anonymous_forms_need_the_token_of_their_cookie(client, people):
    anonymous_token(client)
    forged = client.post("/password/forgot", data={"email": people.donor.email,
                                                    "_csrf": "nonce.signature"})
    assert forged.status_code == 403
    ok = client.post("/password/forgot", data={"email": people.donor.email,
                                                "_csrf": anonymous_token(client)})
    assert ok.status_code == 200


def test_pages_send_the_token_in_the_htmx_header(client, session, people):
    token = sign_in(client, session, people.requester)
    html = client.get("/account").text
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in html
    assert f'name="_csrf" value="{token}"' in html
