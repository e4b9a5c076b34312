"""A new user, as in a real browser: signs up, is approved by an admin in the admin page, signs
in, and fails to reach another State's draft need by link, by a forged form, by an htmx request
and by an API call."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from matchmaker.models import Need, NeedStatus, User, UserStatus
from tests import factories
from tests.accounts.conftest import PASSWORD, make_person

PASSPHRASE = "ghana points of contact 2026"
SECRET_TITLE = "Peru's confidential draft: border scanners"
NEED_ROUTE = re.compile(r"^/(api/)?needs/\{reference:str\}")


def sign_in(page, live_server, email: str, password: str) -> None:
    page.goto(live_server("/login"))
    page.fill("#input-email", email)
    page.fill("#input-password", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")


def owner_only_need_routes(app) -> list[tuple[str, str]]:
    """Every (method, path template) of the app that acts on one need."""
    return sorted(
        (method, path)
        for path, handlers in app.route_handler_method_map.items()
        if NEED_ROUTE.match(path)
        for method in handlers
        if method not in ("OPTIONS", "HEAD")
    )


def forge_form_post(page, action: str, fields: dict[str, str]):
    """Submit a form the site never offered (built in the page, so it carries the cookies)."""
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([action, fields]) => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = action;
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement('input');
                    input.type = 'hidden'; input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [action, fields],
        )
    return navigation.value


def htmx_request(page, verb: str, path: str) -> str:
    """Make htmx issue ``verb path`` from an element of the page; returns what it shows."""
    page.evaluate("document.getElementById('alerts').innerHTML = ''")
    page.evaluate(
        """([verb, path]) => {
            document.getElementById('forged-htmx')?.remove();
            const button = document.createElement('button');
            button.id = 'forged-htmx';
            button.setAttribute('hx-' + verb.toLowerCase(), path);
            button.setAttribute('hx-target', '#main');
            document.body.appendChild(button);
            htmx.process(button);
            button.click();  // stays in the page: htmx drops answers to removed elements
        }""",
        [verb, path],
    )
    # a locator wait, not wait_for_function: the CSP forbids evaluating strings in the page
    expect(page.locator("#alerts")).to_have_text(re.compile(r"\S"))
    return page.inner_text("#alerts")


def test_sign_up_get_approved_and_stay_out_of_other_organisations(
    live_server, new_page, session
):
    admin = make_person(session, "unoda", "admin", name="Ada Secretariat")
    secret = factories.make_need(session, "PER", title=SECRET_TITLE, status=NeedStatus.DRAFT)
    session.commit()

    # 1. A new user asks for an account for Ghana.
    user_page = new_page()
    user_page.goto(live_server("/"))
    user_page.click("text=Request an account")
    user_page.fill("#input-name", "Yaw Boateng")
    user_page.fill("#input-email", "yaw.boateng@mfa.gov.gh")
    user_page.fill("#input-password", PASSPHRASE)
    user_page.fill("#input-password_confirm", PASSPHRASE)
    user_page.select_option("#input-organisation_id", label="Ghana")
    user_page.select_option("#input-role", value="requester")
    with user_page.expect_navigation():
        user_page.click("text=Send my request")
    assert "your request has been received" in user_page.inner_text("main")
    applicant = session.scalars(
        select(User).where(User.email == "yaw.boateng@mfa.gov.gh")
    ).one()
    assert applicant.status == UserStatus.PENDING

    # Pending: signing in is refused as a wrong password is; the reason comes by mail.
    sign_in(user_page, live_server, applicant.email, PASSPHRASE)
    assert "an email to that address explains why" in user_page.inner_text("main")

    # 2. The admin approves it in the admin page (htmx swaps the row in place).
    admin_page = new_page()
    sign_in(admin_page, live_server, admin.email, PASSWORD)
    admin_page.click("nav >> text=Admin")
    row = admin_page.locator(f"#account-{applicant.id}")
    assert "Yaw Boateng" in row.inner_text()
    row.locator("button", has_text="Approve").click()
    expect(row).to_contain_text("Active")
    session.refresh(applicant)
    assert applicant.status == UserStatus.ACTIVE

    # 3. The user signs in.
    sign_in(user_page, live_server, applicant.email, PASSPHRASE)
    assert "Yaw Boateng" in user_page.inner_text("header")
    token = user_page.evaluate(
        "JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRF-Token']"
    )

    # 4a. By link: the draft of another State, and every page about it, is not found.
    response = user_page.goto(live_server(f"/needs/{secret.reference}"))
    assert response.status == 404
    assert "Not found" in user_page.inner_text("main")
    for method, path in owner_only_need_routes(live_server.app):
        if method == "GET" and not path.startswith("/api/"):
            response = user_page.goto(live_server(path.replace("{reference:str}",
                                                               secret.reference)))
            assert response.status in (403, 404), path
            assert SECRET_TITLE not in user_page.content()

    # 4b. By forged form posts (with the user's own valid token) to every route on that need,
    #     and to the approval of another State's account.
    user_page.goto(live_server("/"))
    other_applicant = make_person(session, "per", "requester", status=UserStatus.PENDING)
    session.commit()
    targets = [f"/admin/accounts/{other_applicant.id}/approve"] + [
        path.replace("{reference:str}", secret.reference)
        for method, path in owner_only_need_routes(live_server.app)
        if method == "POST" and not path.startswith("/api/")
    ]
    for action in targets:
        forged = forge_form_post(user_page, action, {"_csrf": token, "title": "Hijacked"})
        assert forged.status in (403, 404), action
        assert SECRET_TITLE not in user_page.content()
        user_page.goto(live_server("/"))

    # 4c. By htmx requests from the page.
    for verb, path in [("GET", f"/needs/{secret.reference}"),
                       ("POST", f"/admin/accounts/{other_applicant.id}/approve")] + [
        ("POST", path.replace("{reference:str}", secret.reference))
        for method, path in owner_only_need_routes(live_server.app)
        if method == "POST" and not path.startswith("/api/")
    ]:
        shown = htmx_request(user_page, verb, path)
        assert "Not found" in shown or "Not allowed" in shown, (verb, path, shown)
        assert SECRET_TITLE not in user_page.content()

    # 4d. By API calls (JSON, with the session cookie and the CSRF header).
    api = user_page.request
    json_detail = api.get(live_server(f"/needs/{secret.reference}"),
                          headers={"Accept": "application/json"})
    assert json_detail.status == 404 and json_detail.json()["status_code"] == 404
    for method, path in owner_only_need_routes(live_server.app):
        if not path.startswith("/api/"):
            continue
        answer = api.fetch(live_server(path.replace("{reference:str}", secret.reference)),
                           method=method, headers={"X-CSRF-Token": token,
                                                   "Accept": "application/json"},
                           data={"title": "Hijacked"} if method != "GET" else None)
        assert answer.status in (403, 404), (method, path, answer.status)
        assert SECRET_TITLE not in answer.text()

    session.expire_all()
    unchanged = session.get(Need, secret.id)
    assert unchanged.status == NeedStatus.DRAFT and unchanged.title == SECRET_TITLE
    assert session.get(User, other_applicant.id).status == UserStatus.PENDING
