"""User text is shown as text: a need or a person called <script> never becomes markup."""

from __future__ import annotations

from matchmaker.models import NeedStatus, UserStatus
from tests import factories
from tests.accounts.conftest import make_person, sign_in

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def assert_escaped(html: str, where: str, shown: bool = True) -> None:
    assert SCRIPT not in html, f"raw markup on {where}"
    if shown:
        assert ESCAPED in html, f"title not shown on {where}"


def test_a_need_titled_script_is_escaped_on_every_page_that_shows_it(client, session, people):
    need = factories.make_need(session, "GHA", title=SCRIPT, description=SCRIPT, goal=SCRIPT)
    draft = factories.make_need(session, "GHA", title=SCRIPT + " draft", status=NeedStatus.DRAFT)
    session.commit()
    public_pages = ["/needs", "/needs?q=script", f"/needs/{need.reference}"]
    for path in public_pages:
        assert_escaped(client.get(path).text, path)
    assert_escaped(client.get("/needs?q=script", headers={"HX-Request": "true"}).text,
                   "the htmx results")
    assert_escaped(client.get("/").text, "/", shown=False)
    sign_in(client, session, people.requester)  # the owner sees its drafts too
    for path in [*public_pages, f"/needs/{draft.reference}", "/needs/mine",
                 f"/needs/{draft.reference}/edit"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_escaped(response.text, path)


def test_names_of_people_and_organisations_are_escaped(client, session, people):
    make_person(session, "gha", "requester", name=SCRIPT, status=UserStatus.PENDING)
    factories.make_organisation(session, SCRIPT, status="pending")
    session.commit()
    sign_in(client, session, people.admin)
    for path in ("/admin", "/admin/accounts", "/admin/organisations?status=pending"):
        assert_escaped(client.get(path).text, path)
    people.donor.name = SCRIPT
    session.commit()
    sign_in(client, session, people.donor)
    assert_escaped(client.get("/account").text, "/account (and the navigation bar)")
