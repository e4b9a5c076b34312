"""Sign-up: a pending account for an existing or a new organisation, with inline validation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.accounts.passwords import verify_password
from matchmaker.models import (
    Event,
    Organisation,
    OrganisationStatus,
    OutboxMail,
    User,
    UserStatus,
)
from tests.accounts.conftest import PASSWORD, anonymous_token, mails_to, make_person, organisation

NEW_PASSWORD = "a long enough passphrase"


def signup_form(session, **changes) -> dict[str, str]:
    form = {
        "name": "Yaw Boateng",
        "email": "yaw.boateng@mfa.gov.gh",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        "organisation_choice": "existing",
        "organisation_id": str(organisation(session, "gha").id),
        "new_organisation_name": "",
        "new_organisation_kind": "",
        "new_organisation_country": "",
        "role": "requester",
    }
    form.update(changes)
    return form


def post_signup(client, form):
    return client.post("/signup", data={**form, "_csrf": anonymous_token(client)},
                       follow_redirects=False)


def field_error(html: str, field: str) -> str:
    """The error text shown next to ``field`` ("" if none)."""
    marker = f'id="error-{field}">'
    if marker not in html:
        return ""
    return html.split(marker, 1)[1].split("<", 1)[0]


def test_signup_page_lists_organisations_grouped_by_kind(client):
    html = client.get("/signup").text
    assert '<optgroup label="States">' in html
    assert '<optgroup label="UN regional centres">' in html
    assert ">Ghana</option>" in html
    assert 'name="_csrf"' in html


def test_signup_for_an_existing_state_creates_a_pending_account(client, session):
    response = post_signup(client, signup_form(session))
    assert response.status_code == 303
    assert response.headers["location"] == "/signup/done"
    user = session.scalars(select(User).where(User.email == "yaw.boateng@mfa.gov.gh")).one()
    assert user.status == UserStatus.PENDING
    assert user.role == "requester"
    assert user.organisation_id == organisation(session, "gha").id
    assert user.password_hash.startswith("$argon2")
    assert NEW_PASSWORD not in user.password_hash
    [mail] = mails_to(session, user.email)
    assert "received your request" in mail.body and "Ghana" in mail.body
    assert session.scalars(select(Event).where(Event.entity == "user",
                                               Event.entity_id == user.id)).one().action == "signup"
    done = client.get("/signup/done")
    assert "your request has been received" in done.text


def test_signup_notifies_admins_and_the_regional_coordinator(client, session, people):
    post_signup(client, signup_form(session))
    assert mails_to(session, people.admin.email)
    assert mails_to(session, people.coordinator.email)  # UNREC covers Ghana
    assert not mails_to(session, people.donor.email)


def test_signup_with_a_new_organisation_creates_it_pending(client, session):
    form = signup_form(session, organisation_choice="new", organisation_id="",
                       new_organisation_name="Arms Control Network Ghana",
                       new_organisation_kind="ngo", new_organisation_country="GHA", role="donor")
    response = post_signup(client, form)
    assert response.status_code == 303
    new = session.scalars(
        select(Organisation).where(Organisation.name == "Arms Control Network Ghana")
    ).one()
    assert new.status == OrganisationStatus.PENDING
    assert new.kind == "ngo"
    assert new.slug == "arms-control-network-ghana"
    user = session.scalars(select(User).where(User.email == form["email"])).one()
    assert user.organisation_id == new.id and user.status == UserStatus.PENDING


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your name."),
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
        ({"password": "short", "password_confirm": "short"}, "password", "at least 12"),
        ({"password": "yaw.boateng@mfa.gov.gh", "password_confirm": "yaw.boateng@mfa.gov.gh"},
         "password", "must not be your email"),
        ({"password_confirm": "something else entirely"}, "password_confirm", "not the same"),
        ({"organisation_id": ""}, "organisation_id", "Choose your organisation"),
        ({"organisation_id": "999999"}, "organisation_id", "Choose an organisation from the list"),
        ({"role": ""}, "role", "Choose a role"),
        ({"role": "admin"}, "role", "Choose a role"),
        ({"role": "coordinator"}, "role", "Only UN regional centres and regional organisations"),
        ({"organisation_choice": "new", "new_organisation_name": ""},
         "new_organisation_name", "Enter the name"),
        ({"organisation_choice": "new", "new_organisation_name": "New Org",
          "new_organisation_kind": "state"}, "new_organisation_kind", "already listed"),
        ({"organisation_choice": "new", "new_organisation_name": "New Org",
          "new_organisation_kind": "ngo", "new_organisation_country": "XXX"},
         "new_organisation_country", "Choose a country"),
        ({"organisation_choice": "new", "new_organisation_name": "ecowas",
          "new_organisation_kind": "regional_org"}, "new_organisation_name", "already registered"),
    ],
)
def test_each_invalid_field_shows_its_error_and_keeps_the_form(client, session, changes, field,
                                                               message):
    form = signup_form(session, **changes)
    response = post_signup(client, form)
    assert response.status_code == 422
    html = response.text
    assert message in field_error(html, field), field_error(html, field)
    assert f'value="{form["name"]}"' in html  # kept as typed
    assert NEW_PASSWORD not in html  # passwords are never shown again
    assert session.scalars(select(User)).all() == []
    assert session.scalars(select(Organisation).where(Organisation.name == "New Org")).all() == []


def test_requester_role_needs_a_state(client, session):
    form = signup_form(session, organisation_id=str(organisation(session, "ecowas").id))
    html = post_signup(client, form).text
    assert "Only a State can request assistance" in field_error(html, "role")


def all_mails(session) -> list[OutboxMail]:
    session.expire_all()
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_a_registered_address_gets_the_answer_of_a_new_one_and_its_owner_a_mail(
    client, session, people
):
    new = post_signup(client, signup_form(session, email="someone.new@example.org"))
    mails_before = len(all_mails(session))
    users_before = len(session.scalars(select(User)).all())
    taken = post_signup(client, signup_form(session, email=people.donor.email.upper()))
    assert (taken.status_code, taken.headers["location"]) == (303, "/signup/done")
    assert (taken.status_code, taken.headers["location"]) == (
        new.status_code, new.headers["location"])
    assert len(session.scalars(select(User)).all()) == users_before  # no account written
    [mail] = all_mails(session)[mails_before:]  # nothing to the reviewers either
    assert mail.recipient == people.donor.email
    assert "already has one" in mail.body
    assert f"{client.app.state.settings.base_url}/password/forgot" in mail.body
    session.refresh(people.donor)
    assert verify_password(people.donor.password_hash, PASSWORD)  # the account is untouched


def test_a_registered_address_is_refused_only_for_the_other_fields(client, session, people):
    response = post_signup(client, signup_form(session, email=people.donor.email,
                                               password_confirm="something else"))
    assert response.status_code == 422
    assert field_error(response.text, "email") == ""
    assert "not the same" in field_error(response.text, "password_confirm")
    assert mails_to(session, people.donor.email) == []


def test_the_owner_of_a_pending_address_is_told_it_still_waits_once_an_hour(client, session):
    owner = make_person(session, "gha", "requester", status=UserStatus.PENDING)
    session.commit()
    for _attempt in range(3):
        assert post_signup(client, signup_form(session, email=owner.email)).status_code == 303
    [mail] = mails_to(session, owner.email)
    assert "waiting for approval" in mail.body


def test_signup_without_csrf_token_is_refused(client, session):
    client.get("/signup")
    response = client.post("/signup", data=signup_form(session))
    assert response.status_code == 403
    assert session.scalars(select(User)).all() == []
