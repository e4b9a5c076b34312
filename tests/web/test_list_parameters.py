"""Search boxes of the signed-in lists refuse control characters with a 400 at the field.

PostgreSQL cannot even compare a text containing NUL, so without this check such a search is a
500 there; on every database it is input no person types.
"""

from __future__ import annotations

import pytest

from tests.accounts.conftest import people, sign_in  # noqa: F401 - the people fixture

LISTS = [
    ("admin", "/admin/accounts?q=ab%00c"),
    ("admin", "/admin/organisations?q=%01x"),
    ("admin", "/admin/events?entity=need%00"),
    ("donor", "/proposals?q=%00"),
    ("requester", "/api/proposals?q=%1b"),
]


@pytest.mark.parametrize(("role", "path"), LISTS)
def test_control_characters_in_a_list_search_are_a_400(client, session, people, role, path):
    sign_in(client, session, getattr(people, role))
    response = client.get(path)
    assert response.status_code == 400, response.text[:300]
    assert "contains control characters" in response.text


def test_an_ordinary_search_still_works(client, session, people):
    sign_in(client, session, people.admin)
    assert client.get("/admin/accounts?q=Ghana").status_code == 200
