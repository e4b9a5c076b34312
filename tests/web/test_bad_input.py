"""Bad input gets a message (or a 404 for a number that names no record), never a 500.

Each case here was a 500 on PostgreSQL, on SQLite or on both (issue 8, items 1 to 6 and 21):
ids beyond the integer columns, NUL in fields that skipped the control-character check, an
email too long for the login-attempt column, numbers of thousands of digits, Unicode digits in
an id, JSON nested too deep or not in UTF-8. The other half of each case: nothing is written.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from matchmaker.models import (
    LoginAttempt,
    Message,
    Need,
    Offer,
    Organisation,
    Proposal,
    User,
)
from tests import factories
from tests.accounts.conftest import anonymous_token
from tests.portfolio.conftest import field_error, need_form, offer_form
from tests.proposals.conftest import browser_for, cast, deal, reload  # noqa: F401 - fixtures

TOO_BIG_FOR_POSTGRES = 2**31
TOO_BIG_FOR_SQLITE = 2**63


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


# --- 1. ids beyond the integer range --------------------------------------------------------

ID_ROUTES = [
    ("donor", "GET", "/proposals/{id}"),
    ("donor", "GET", "/api/proposals/{id}"),
    ("donor", "GET", "/api/proposals/{id}/messages"),
    ("donor", "POST", "/api/proposals/{id}/accept"),
    ("donor", "POST", "/proposals/{id}/decline"),
    ("admin", "GET", "/runs/{id}"),
    ("admin", "GET", "/api/runs/{id}"),
    ("admin", "GET", "/admin/organisations/{id}"),
    ("admin", "POST", "/admin/accounts/{id}/approve"),
    ("admin", "POST", "/admin/accounts/{id}/disable"),
]


@pytest.mark.parametrize("number", [0, TOO_BIG_FOR_POSTGRES, TOO_BIG_FOR_SQLITE, 10**20])
@pytest.mark.parametrize(("role", "method", "path"), ID_ROUTES)
def test_an_id_beyond_the_database_range_is_a_404(cast, browser_for, role, method, path, number):
    browser = browser_for(getattr(cast, role))
    url = path.format(id=number)
    response = (browser.get(url) if method == "GET"
                else browser.client.post(url, headers={"X-CSRF-Token": browser.token}))
    assert response.status_code == 404, (url, response.text[:300])


def test_an_api_404_for_an_id_out_of_range_says_so_in_json(cast, browser_for):
    response = browser_for(cast.donor).get(f"/api/proposals/{TOO_BIG_FOR_POSTGRES}")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no record with this number."


# --- 2. control characters and line breaks, in every kind of text field -----------------------

def test_login_email_with_nul_is_a_message_at_the_field_and_no_attempt_is_recorded(
        client, session):
    token = anonymous_token(client)
    response = client.post("/login", data={"email": "ama@example.org\x00", "password": "x",
                                           "_csrf": token})
    assert response.status_code == 422
    assert "control characters" in field_error(response.text, "email")
    assert count(session, LoginAttempt) == 0


def test_login_email_over_254_characters_is_refused_before_the_attempt_column(client, session):
    token = anonymous_token(client)
    email = "a" * 250 + "@example.org"
    response = client.post("/login", data={"email": email, "password": "whatever password",
                                           "_csrf": token})
    assert response.status_code == 422
    assert "under 254 characters" in field_error(response.text, "email")
    assert count(session, LoginAttempt) == 0


@pytest.mark.parametrize("email", ["ama\x00@example.org", "ama@example.org\x1b[2J"])
def test_forgotten_password_email_with_control_characters(client, session, email):
    token = anonymous_token(client)
    response = client.post("/password/forgot", data={"email": email, "_csrf": token})
    assert response.status_code == 422
    assert "control characters" in field_error(response.text, "email")


def signup_form(**changes) -> dict:
    form = {"name": "Kwame Boateng", "email": "kwame@example.org",
            "password": "a long enough password", "password_confirm": "a long enough password",
            "organisation_choice": "new", "new_organisation_name": "Small Arms Watch Ghana",
            "new_organisation_kind": "ngo", "new_organisation_country": "GHA",
            "role": "requester"}
    form.update(changes)
    return form


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "Kwame\x00", "control characters"),
    ("name", "Kwame\nBcc: everyone", "on one line"),
    ("email", "kwame\x00@example.org", "control characters"),
    ("new_organisation_name", "Arms\x00Watch", "control characters"),
    ("new_organisation_name", "Arms\r\nWatch", "on one line"),
    ("new_organisation_country", "GH\x00", "control characters"),
    ("role", "requester\x00", "Choose a role."),
])
def test_signup_text_is_checked_at_the_field_and_nothing_is_written(
        client, session, field, value, message):
    users, organisations = count(session, User), count(session, Organisation)
    token = anonymous_token(client)
    response = client.post("/signup", data={**signup_form(**{field: value}), "_csrf": token})
    assert response.status_code == 422, response.text[:300]
    assert message in field_error(response.text, field)
    assert (count(session, User), count(session, Organisation)) == (users, organisations)


@pytest.mark.parametrize("raw_id", ["²", "٣", "1" * 20, str(TOO_BIG_FOR_POSTGRES), "-4", "0"])
def test_signup_organisation_id_that_is_no_id_gets_a_message(client, session, raw_id):
    token = anonymous_token(client)
    form = signup_form(organisation_choice="existing", organisation_id=raw_id)
    response = client.post("/signup", data={**form, "_csrf": token})
    assert response.status_code == 422
    assert field_error(response.text, "organisation_id") == "Choose an organisation from the list."


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "UN\x00ODA", "control characters"),
    ("name", "United Nations\nOffice", "on one line"),
    ("acronym", "U\x1bN", "control characters"),
    ("acronym", "UN\nODA", "on one line"),
])
def test_admin_organisation_name_and_acronym(session, cast, browser_for, field, value, message):
    organisation = session.scalars(select(Organisation).where(Organisation.slug == "unoda")).one()
    name, acronym = organisation.name, organisation.acronym
    admin = browser_for(cast.admin)
    form = {"name": name, "acronym": acronym or "", "kind": organisation.kind, field: value}
    response = admin.form(f"/admin/organisations/{organisation.id}", form)
    assert response.status_code == 422, response.text[:300]
    assert message in field_error(response.text, field)
    assert (reload(session, organisation).name, organisation.acronym) == (name, acronym)


PROPOSAL_TEXTS = [
    ("requester", "/proposals/{id}/messages", "body"),
    ("requester", "/proposals/{id}/decline", "reason"),
]


@pytest.mark.parametrize(("role", "path", "field"), PROPOSAL_TEXTS)
def test_proposal_texts_refuse_nul_in_forms(session, cast, deal, browser_for, role, path, field):
    browser = browser_for(getattr(cast, role))
    url = path.format(id=deal.proposal.id)
    response = browser.form(url, {field: "We agree\x00"})
    assert response.status_code == 422, response.text[:300]
    assert "control characters" in response.text
    assert reload(session, deal.proposal).state == deal.proposal.state
    assert count(session, Message) == 0


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/proposals/{id}/messages", {"body": "Hello\x00"}, "body"),
    ("/api/proposals/{id}/decline", {"reason": "No\x1b[31m"}, "reason"),
    ("/api/proposals/{id}/delivered", {"note": "Done\x00"}, "note"),
    ("/api/proposals/{id}/feedback", {"met": "yes", "note": "Fine\x00"}, "note"),
])
def test_proposal_texts_refuse_control_characters_in_the_api(cast, deal, browser_for, path,
                                                             body, field):
    response = browser_for(cast.requester).api("POST", path.format(id=deal.proposal.id), body)
    assert response.status_code == 422, response.text[:300]
    assert "control characters" in response.json()["errors"][field]


def test_multi_line_texts_keep_their_line_breaks(session, cast, deal, browser_for):
    response = browser_for(cast.requester).api(
        "POST", f"/api/proposals/{deal.proposal.id}/messages", {"body": "Dear donor,\n\nThanks."})
    assert response.status_code == 201, response.text[:300]
    assert session.scalars(select(Message.body)).one() == "Dear donor,\n\nThanks."


@pytest.mark.parametrize(("body", "field"), [
    ({"scope": "region", "region": "0\x0019"}, "region"),
    ({"scope": "category", "category": "marking\x00"}, "category"),
])
def test_solver_run_codes_refuse_control_characters(cast, browser_for, body, field):
    response = browser_for(cast.admin).api("POST", "/api/runs", body)
    assert response.status_code == 422, response.text[:300]
    assert "control characters" in response.json()["errors"][field]


# --- 4 and 21. numbers: absurd sizes, and "1,5" ----------------------------------------------

def requester_posts_need(browser, **changes):
    return browser.form("/needs/new", {**need_form(**changes), "intent": "draft"})


@pytest.mark.parametrize(("field", "value", "message"), [
    ("estimated_cost", "9" * 5000, "too large"),
    ("estimated_cost", "1" * 20, "too large"),
    ("quantity", "9" * 5000, "too large"),
    ("estimated_cost", "1,5", "group thousands as in 1,500"),
    ("estimated_cost", "12,34", "group thousands as in 1,500"),
    ("title", "Marking\nmachines", "on one line"),
    ("unit", "marking\rmachines", "on one line"),
    ("commitment", "ITI\u2028para. 8", "on one line"),
])
def test_need_form_numbers_and_one_line_fields(session, cast, browser_for, field, value,
                                               message):
    response = requester_posts_need(browser_for(cast.requester), **{field: value})
    assert response.status_code == 422, response.text[:300]
    assert message in field_error(response.text, field)
    assert count(session, Need) == 0


@pytest.mark.parametrize(("typed", "read"), [("1,500", 1500), ("1 500 000", 1_500_000),
                                             ("120000", 120_000), ("1'200", 1200)])
def test_thousands_separators_still_read(session, cast, browser_for, typed, read):
    response = requester_posts_need(browser_for(cast.requester), estimated_cost=typed)
    assert response.status_code == 303, response.text[:300]
    assert session.scalars(select(Need.estimated_cost)).one() == read


def test_need_description_keeps_its_line_breaks(session, cast, browser_for):
    description = "Three machines.\nTraining of six operators."
    response = requester_posts_need(browser_for(cast.requester), description=description)
    assert response.status_code == 303
    assert session.scalars(select(Need.description)).one() == description


@pytest.mark.parametrize(("field", "value"), [("budget", "9" * 5000), ("budget", "2,5"),
                                              ("title", "Fund\nfor marking")])
def test_offer_form_numbers_and_title(session, cast, browser_for, field, value):
    donor = browser_for(cast.donor)
    response = donor.form("/offers/new", {**offer_form(**{field: value}), "intent": "draft"})
    assert response.status_code == 422, response.text[:300]
    assert field_error(response.text, field)
    assert count(session, Offer) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"estimated_cost": "9" * 5000}, "estimated_cost"),
    ({"estimated_cost": 10**30}, "estimated_cost"),
    ({"quantity": "1,5"}, "quantity"),
    ({"title": "Two\nlines"}, "title"),
    ({"title": [[["deep"]]]}, "title"),
    ({"languages": [{"en": 1}]}, "languages"),
])
def test_need_api_numbers_and_texts(session, cast, browser_for, body, field):
    form = {**need_form(), **body, "publish": False}
    response = browser_for(cast.requester).api("POST", "/api/needs", form)
    assert response.status_code in (400, 422), response.text[:300]
    assert field in response.json()["errors"]
    assert count(session, Need) == 0


@pytest.mark.parametrize(("amount", "message"), [
    ("9" * 5000, "too large"), ("1" * 20, "too large"), ("1,5", "group thousands"),
    ("lots", "whole US dollars"),
])
def test_manual_proposal_amount_in_the_form(session, cast, deal, browser_for, amount, message):
    offer = second_offer(session)
    form = {"need": deal.need.reference, "offer": offer.reference, "amount_usd": amount}
    response = browser_for(cast.donor).form("/proposals/new", form)
    assert response.status_code == 422, response.text[:300]
    assert message in field_error(response.text, "amount_usd")
    assert count(session, Proposal) == 1  # the deal's own


@pytest.mark.parametrize("amount", [10**15, 10**20, 10**400])
def test_manual_proposal_amount_in_the_api(session, cast, deal, browser_for, amount):
    offer = second_offer(session)
    body = {"need": deal.need.reference, "offer": offer.reference, "amount_usd": amount}
    response = browser_for(cast.donor).api("POST", "/api/proposals", body)
    assert response.status_code in (400, 422), response.text[:300]
    assert response.json()["field"] == "amount_usd"
    assert count(session, Proposal) == 1


def second_offer(session) -> Offer:
    """A German offer not yet proposed for the deal's need."""
    offer = factories.make_offer(session, factories.state_org(session, "DEU"))
    session.commit()
    return offer


# --- 6. JSON bodies that cannot be decoded -----------------------------------------------------

JSON_ENDPOINTS = ["/api/needs", "/api/offers", "/api/proposals", "/api/proposals/{id}/messages",
                  "/api/proposals/{id}/decline", "/api/runs"]
UNDECODABLE = [b"[" * 100_000 + b"]" * 100_000, b'{"title": "\xff\xfe"}',
               b'{"body": ' + b'{"a":' * 5_000 + b"1" + b"}" * 5_001]


@pytest.mark.parametrize("body", UNDECODABLE, ids=["deep", "not-utf-8", "deep-object"])
@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_an_undecodable_json_body_is_a_400_with_a_json_message(cast, deal, browser_for, path,
                                                               body):
    admin = browser_for(cast.admin)
    response = admin.client.post(path.format(id=deal.proposal.id), content=body, headers={
        "X-CSRF-Token": admin.token, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text[:300]
    assert re.search(r"not valid JSON", response.json()["detail"])
