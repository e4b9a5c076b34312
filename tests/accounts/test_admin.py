"""Admin pages: approvals (by admins, and by coordinators for their region), organisations,
accounts and roles; every change is an event with the values before and after."""

from __future__ import annotations

from sqlalchemy import select

from matchmaker.accounts import sessions
from matchmaker.models import Event, Organisation, User, UserSession, UserStatus
from tests import factories
from tests.accounts.conftest import mails_to, make_person, organisation, sign_in

HTMX = {"HX-Request": "true"}


def pending_person(session, slug: str = "gha", role: str = "requester", **fields) -> User:
    user = make_person(session, slug, role, status=UserStatus.PENDING, **fields)
    session.commit()
    return user


def events_of(session, entity: str, entity_id: int) -> list[Event]:
    session.expire_all()
    return list(session.scalars(select(Event).where(
        Event.entity == entity, Event.entity_id == entity_id).order_by(Event.id)))


def post(client, token, path, **data):
    return client.post(path, data={"_csrf": token, **data}, follow_redirects=False)


def status_of(session, user) -> str:
    session.expire_all()
    return session.get(User, user.id).status


# --- approvals --------------------------------------------------------------------------------


def test_admin_approves_an_account_without_javascript(client, session, people):
    applicant = pending_person(session, name="Yaw Boateng")
    token = sign_in(client, session, people.admin)
    page = client.get("/admin")
    assert "Yaw Boateng" in page.text and "Accounts waiting for approval" in page.text
    response = post(client, token, f"/admin/accounts/{applicant.id}/approve", next="/admin")
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    assert status_of(session, applicant) == UserStatus.ACTIVE
    [event] = events_of(session, "user", applicant.id)
    assert (event.action, event.actor_id) == ("approve", people.admin.id)
    assert event.before["status"] == "pending" and event.after["status"] == "active"
    assert any("approved" in mail.subject for mail in mails_to(session, applicant.email))
    assert "Yaw Boateng" not in client.get("/admin").text


def test_approval_in_place_with_htmx_returns_the_new_row(client, session, people):
    applicant = pending_person(session)
    token = sign_in(client, session, people.admin)
    response = client.post(f"/admin/accounts/{applicant.id}/reject",
                           headers={**HTMX, "X-CSRF-Token": token})
    assert response.status_code == 200
    row = response.text.strip()
    assert row.startswith(f'<tr id="account-{applicant.id}"') and "<html" not in row
    assert "Rejected" in row and "/approve" not in row
    assert status_of(session, applicant) == UserStatus.REJECTED
    assert any("not approved" in mail.body for mail in mails_to(session, applicant.email))


def test_coordinator_approves_applicants_of_the_states_of_its_region(client, session, people):
    ghana = pending_person(session, name="Applicant from Ghana")
    peru = pending_person(session, "per", name="Applicant from Peru")
    ngo = pending_person(session, "small-arms-survey", "donor", name="Applicant from an NGO")
    token = sign_in(client, session, people.coordinator)  # UNREC: Africa
    page = client.get("/admin").text
    assert "Applicant from Ghana" in page
    assert "Applicant from Peru" not in page and "Applicant from an NGO" not in page
    assert post(client, token, f"/admin/accounts/{ghana.id}/approve").status_code == 303
    assert status_of(session, ghana) == UserStatus.ACTIVE
    for outsider in (peru, ngo):
        refused = post(client, token, f"/admin/accounts/{outsider.id}/approve")
        assert refused.status_code == 403
        assert "States of your region" in refused.text
        assert status_of(session, outsider) == UserStatus.PENDING


def test_coordinator_of_another_region_is_refused(client, session, people):
    applicant = pending_person(session)
    lima = make_person(session, "unlirec", "coordinator")
    session.commit()
    token = sign_in(client, session, lima)
    assert "No account is waiting for approval." in client.get("/admin").text
    for action in ("approve", "reject"):
        assert post(client, token, f"/admin/accounts/{applicant.id}/{action}").status_code == 403
    assert status_of(session, applicant) == UserStatus.PENDING
    assert events_of(session, "user", applicant.id) == []


def test_coordinators_reach_only_the_approvals(client, session, people):
    token = sign_in(client, session, people.coordinator)
    for path in ("/admin/accounts", "/admin/organisations", "/admin/events"):
        assert client.get(path).status_code == 403
    assert post(client, token, f"/admin/accounts/{people.requester.id}/disable").status_code == 403
    assert "Approvals" in client.get("/").text


def test_requesters_and_donors_cannot_approve(client, session, people):
    applicant = pending_person(session)
    for user in (people.requester, people.donor):
        token = sign_in(client, session, user)
        assert client.get("/admin").status_code == 403
        assert post(client, token, f"/admin/accounts/{applicant.id}/approve").status_code == 403
    assert status_of(session, applicant) == UserStatus.PENDING


def test_an_account_of_a_new_organisation_waits_for_the_organisation(client, session, people):
    new = factories.make_organisation(session, "Arms Control Network", status="pending")
    applicant = factories.make_user(session, new, "donor", status=UserStatus.PENDING)
    session.commit()
    token = sign_in(client, session, people.admin)
    assert "Arms Control Network" in client.get("/admin").text
    refused = post(client, token, f"/admin/accounts/{applicant.id}/approve")
    assert refused.status_code == 409 and "Approve the organisation" in refused.text
    assert post(client, token, f"/admin/organisations/{new.id}/approve").status_code == 303
    [event] = events_of(session, "organisation", new.id)
    assert event.before["status"] == "pending" and event.after["status"] == "approved"
    assert post(client, token, f"/admin/accounts/{applicant.id}/approve").status_code == 303


def test_rejecting_a_new_organisation_rejects_its_waiting_accounts(client, session, people):
    new = factories.make_organisation(session, "Dubious Arms Brokers", status="pending",
                                      kind="industry")
    applicant = factories.make_user(session, new, "donor", status=UserStatus.PENDING)
    session.commit()
    token = sign_in(client, session, people.admin)
    assert post(client, token, f"/admin/organisations/{new.id}/reject").status_code == 303
    session.expire_all()
    assert session.get(Organisation, new.id).status == "rejected"
    assert status_of(session, applicant) == UserStatus.REJECTED
    assert events_of(session, "user", applicant.id)[0].action == "reject"


# --- accounts and roles -----------------------------------------------------------------------


def test_admin_changes_a_role_and_the_event_keeps_before_and_after(client, session, people):
    token = sign_in(client, session, people.admin)
    response = post(client, token, f"/admin/accounts/{people.requester.id}/role", role="donor")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(User, people.requester.id).role == "donor"
    [event] = events_of(session, "user", people.requester.id)
    assert event.action == "change_role"
    assert (event.before["role"], event.after["role"]) == ("requester", "donor")


def test_a_role_must_fit_the_organisation(client, session, people):
    token = sign_in(client, session, people.admin)
    response = post(client, token, f"/admin/accounts/{people.donor.id}/role", role="coordinator")
    assert response.status_code == 400
    assert "Only UN regional centres and regional organisations" in response.text
    assert events_of(session, "user", people.donor.id) == []


def test_an_admin_cannot_demote_or_disable_themself(client, session, people):
    token = sign_in(client, session, people.admin)
    demote = post(client, token, f"/admin/accounts/{people.admin.id}/role", role="donor")
    disable = post(client, token, f"/admin/accounts/{people.admin.id}/disable")
    assert demote.status_code == disable.status_code == 409
    session.expire_all()
    assert session.get(User, people.admin.id).role == "admin"
    assert status_of(session, people.admin) == UserStatus.ACTIVE


def test_disable_signs_the_account_out_and_enable_lets_it_back(client, session, people):
    victim_key, _ = sessions.start_session(session, people.donor)
    session.commit()
    token = sign_in(client, session, people.admin)
    assert post(client, token, f"/admin/accounts/{people.donor.id}/disable").status_code == 303
    assert status_of(session, people.donor) == UserStatus.DISABLED
    assert session.scalars(select(UserSession).where(
        UserSession.user_id == people.donor.id)).all() == []
    assert post(client, token, f"/admin/accounts/{people.donor.id}/enable").status_code == 303
    assert status_of(session, people.donor) == UserStatus.ACTIVE
    actions = [event.action for event in events_of(session, "user", people.donor.id)]
    assert actions == ["disable", "enable"]


def test_accounts_list_searches_and_filters(client, session, people):
    pending_person(session, name="Zainab Waiting")
    sign_in(client, session, people.admin)
    everyone = client.get("/admin/accounts").text
    assert "Dieter Braun" in everyone and "Zainab Waiting" in everyone
    found = client.get("/admin/accounts?q=braun", headers=HTMX).text
    assert "Dieter Braun" in found and "Ama Mensah" not in found and "<html" not in found
    by_status = client.get("/admin/accounts?status=pending").text
    assert "Zainab Waiting" in by_status and "Dieter Braun" not in by_status
    by_role = client.get("/admin/accounts?role=coordinator").text
    assert "Kofi Agbeko" in by_role and "Dieter Braun" not in by_role
    assert client.get("/admin/accounts?role=emperor").status_code == 400


# --- organisations ----------------------------------------------------------------------------


def test_organisations_list_filters_by_kind_and_status(client, session, people):
    factories.make_organisation(session, "Waiting Foundation", status="pending")
    session.commit()
    sign_in(client, session, people.admin)
    centres = client.get("/admin/organisations?kind=regional_centre").text
    assert "UNREC" in centres and "Ghana" not in centres
    waiting = client.get("/admin/organisations?status=pending").text
    assert "Waiting Foundation" in waiting and "UNREC" not in waiting


def test_admin_edits_an_organisation_in_place(client, session, people):
    ngo = factories.make_organisation(session, "Arms Watch", acronym="AW")
    session.commit()
    token = sign_in(client, session, people.admin)
    form_row = client.get(f"/admin/organisations/{ngo.id}/edit", headers=HTMX)
    assert form_row.text.strip().startswith(f'<tr id="organisation-{ngo.id}"')
    assert 'name="acronym"' in form_row.text
    response = client.post(f"/admin/organisations/{ngo.id}",
                           data={"name": "Arms Watch International", "acronym": "AWI",
                                 "kind": "ngo"},
                           headers={**HTMX, "X-CSRF-Token": token})
    assert response.status_code == 200 and "Arms Watch International" in response.text
    [event] = events_of(session, "organisation", ngo.id)
    assert event.action == "update"
    assert event.before["name"] == "Arms Watch" and event.after["acronym"] == "AWI"


def test_organisation_edit_errors_stay_next_to_the_field(client, session, people):
    ngo = factories.make_organisation(session, "Arms Watch")
    session.commit()
    token = sign_in(client, session, people.admin)
    response = post(client, token, f"/admin/organisations/{ngo.id}", name="", kind="ngo")
    assert response.status_code == 422
    assert 'id="error-name"' in response.text
    state = post(client, token, f"/admin/organisations/{ngo.id}", name="Arms Watch", kind="state")
    assert "Only an organisation with a country can be a State" in state.text
    requester_kind = post(client, token, f"/admin/organisations/{organisation(session, 'gha').id}",
                          name="Ghana", kind="ngo")
    assert "change their roles first" in requester_kind.text
    assert events_of(session, "organisation", ngo.id) == []


# --- audit trail ------------------------------------------------------------------------------


def test_events_page_shows_the_trail_latest_first(client, session, people):
    token = sign_in(client, session, people.admin)
    post(client, token, f"/admin/accounts/{people.donor.id}/disable")
    post(client, token, f"/admin/accounts/{people.donor.id}/enable")
    html = client.get("/admin/events").text
    assert html.index("enabled the account again") < html.index("disabled the account")
    assert "Ada Secretariat" in html and "status: Active → Disabled" in html
    assert "disabled" not in client.get("/admin/events?entity=organisation").text.split("<tbody>")[-1]
