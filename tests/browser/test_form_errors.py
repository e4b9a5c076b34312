"""Every form of the product, in a real browser, given bad input: each error shows next to the
field that caused it, what was typed is kept, nothing is saved, and a form that htmx submits
shows its errors in place, without reloading the page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from matchmaker.models import ProposalState, User
from tests import factories
from tests.accounts.conftest import PASSWORD, mails_to, people  # noqa: F401 - a fixture
from tests.browser.steps import assert_same_document, label, menu, no_full_reload, sign_in
from tests.matching.conftest import category
from tests.proposals.conftest import make_proposal

CORRECT_THE_FORM = "Please correct the highlighted fields"


def signed_in(page: Page, live_server, user: User, path: str) -> Page:
    sign_in(page, live_server("/login"), user.email, PASSWORD)
    page.goto(live_server(path))
    return page


def expect_error(page: Page, name: str, message: str | re.Pattern) -> None:
    """The error of field ``name`` is shown at the field, and the field is marked invalid."""
    expect(page.locator(f"#field-{name} #error-{name}")).to_have_text(message)
    expect(page.locator(f"#field-{name}")).to_have_class(re.compile(r"\bfield-invalid\b"))


# --- needs and offers -------------------------------------------------------------------------

def test_need_form(page, live_server, people):
    signed_in(page, live_server, people.requester, "/needs/new")
    form = page.locator("#need-form")

    # A field is checked as soon as it is left, before anything is sent.
    no_full_reload(page)
    form.get_by_label("Quantity").fill("two")
    form.get_by_label("Quantity").press("Tab")
    expect_error(page, "quantity", "Enter a whole number, like 25000 (no decimals or letters).")
    expect(form.get_by_label("Quantity")).to_have_value("two")

    form.get_by_label("Title").fill("Marking machines for the police")
    form.get_by_label("Topic").select_option(label="Marking machines")
    form.get_by_label("Modality").select_option(label="Equipment")
    form.get_by_label("Estimated cost").fill("12k")
    form.get_by_label("Deadline").fill((date.today() - timedelta(days=1)).isoformat())
    form.get_by_role("button", name="Publish").click()

    expect(form.get_by_role("alert")).to_contain_text(CORRECT_THE_FORM)
    expect_error(page, "description", "Describe the project before publishing it.")
    expect_error(page, "goal", re.compile("^State a measurable goal before publishing"))
    expect_error(page, "estimated_cost",
                 "Enter a whole number, like 25000 (no decimals or letters).")
    expect_error(page, "deadline", "The deadline must be in the future.")
    expect_error(page, "quantity", "Enter a whole number, like 25000 (no decimals or letters).")
    expect(page.locator("#error-title")).to_have_count(0)
    expect(form.get_by_label("Title")).to_have_value("Marking machines for the police")
    expect(form.get_by_label("Estimated cost")).to_have_value("12k")
    expect(form.get_by_label("Topic")).to_have_value("marking.machines")
    expect(form.get_by_label("Estimated cost")).to_have_attribute("aria-invalid", "true")
    assert page.url == live_server("/needs/new")
    assert_same_document(page)

    menu(page, "My needs").click()
    expect(page.get_by_text("Your State has not posted any need yet.")).to_be_visible()


def test_offer_form(page, live_server, people):
    signed_in(page, live_server, people.donor, "/offers/new")
    form = page.locator("#offer-form")
    no_full_reload(page)
    form.get_by_label("Title").fill("Marking kits")
    form.get_by_label("Budget").fill("a lot")
    form.get_by_label("Available from").fill((date.today() + timedelta(days=60)).isoformat())
    form.get_by_label("Available until").fill((date.today() + timedelta(days=30)).isoformat())
    form.get_by_role("checkbox", name="English").uncheck()
    form.get_by_role("button", name="Publish").click()

    expect(form.get_by_role("alert")).to_contain_text(CORRECT_THE_FORM)
    expect_error(page, "description", "Describe what you offer before publishing it.")
    expect_error(page, "categories", "Tick the topics you can help with, or a whole area.")
    expect_error(page, "modalities", "Tick at least one way of giving assistance.")
    expect_error(page, "budget", "Enter a whole number, like 25000 (no decimals or letters).")
    expect_error(page, "languages", "Tick at least one language.")
    expect_error(page, "available_until", "The end of the window cannot come before its start.")
    expect(form.get_by_label("Title")).to_have_value("Marking kits")
    expect(form.get_by_label("Budget")).to_have_value("a lot")
    assert page.url == live_server("/offers/new")
    assert_same_document(page)

    # Fixing one field clears its error as soon as it is left.
    form.get_by_role("checkbox", name="Marking machines", exact=True).check()
    expect(page.locator("#error-categories")).to_have_count(0)

    menu(page, "My offers").click()
    expect(page.get_by_text("Your organisation has not posted any offer yet.")).to_be_visible()


# --- accounts ---------------------------------------------------------------------------------

def test_login_form_wrong_password_then_throttled(page, live_server, people):
    page.goto(live_server("/login"))
    page.get_by_label("Email address").fill(people.donor.email)
    page.get_by_role("button", name="Sign in").click()
    expect_error(page, "password", "Enter your password.")
    expect(page.get_by_label("Email address")).to_have_value(people.donor.email)

    for _attempt in range(5):
        page.get_by_label(label("Password")).fill("not my password at all")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "The email address or password is not correct.")
        expect(page.get_by_label("Email address")).to_have_value(people.donor.email)
        expect(page.get_by_label(label("Password"))).to_have_value("")

    # Even the right password now waits: the throttle says for how long.
    page.get_by_label(label("Password")).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(
        r"Too many failed sign-in attempts for this account\. Please wait \d+ minutes"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_signup_form(page, live_server, people):
    page.goto(live_server("/signup"))
    page.get_by_label("Your name").fill("Yaw Boateng")
    page.get_by_label("Work email address").fill("yaw.boateng@mfa")
    page.get_by_label(label("Password")).fill("short")
    page.get_by_label("Password again").fill("different")
    page.get_by_role("radio", name="My organisation is not listed: register it").check()
    page.get_by_label("Role you request").select_option("requester")
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("alert")).to_contain_text(CORRECT_THE_FORM)
    expect_error(page, "email", "Enter a valid email address, like name@example.org.")
    expect_error(page, "password", re.compile(r"^Use at least \d+ characters\.$"))
    expect_error(page, "new_organisation_name", "Enter the name of your organisation.")
    expect(page.get_by_label("Your name")).to_have_value("Yaw Boateng")
    expect(page.get_by_label("Work email address")).to_have_value("yaw.boateng@mfa")
    expect(page.get_by_label("Role you request")).to_have_value("requester")
    expect(page.get_by_role("radio", name="My organisation is not listed: register it")
           ).to_be_checked()
    expect(page.get_by_label(label("Password"))).to_have_value("")

    # The next mistake: the two passwords differ. An email that already has an account is
    # not flagged: sign-up does not tell who has one (its owner gets a mail instead).
    page.get_by_label("Work email address").fill(people.donor.email)
    page.get_by_label(label("Password")).fill("a long enough passphrase")
    page.get_by_label("Password again").fill("another long passphrase")
    page.get_by_role("radio", name="My organisation is listed").check()
    page.get_by_label("Organisation", exact=True).select_option(label="Ghana")
    page.get_by_role("button", name="Send my request").click()
    expect_error(page, "password_confirm", "The two passwords are not the same.")
    expect(page.locator("#error-email")).to_have_count(0)
    expect(page.get_by_label("Organisation", exact=True)).to_have_value(
        re.compile(r"^\d+$"))
    assert page.url == live_server("/signup")


def test_password_change_form(page, live_server, people):
    signed_in(page, live_server, people.requester, "/account/password")
    page.get_by_label("Current password").fill("not the current one")
    page.get_by_label(label("New password")).fill("a brand new passphrase")
    page.get_by_label("New password again").fill("a brand new passphrase")
    page.get_by_role("button", name="Change password").click()
    expect_error(page, "current_password", "This is not your current password.")

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label(label("New password")).fill("a brand new passphrase")
    page.get_by_label("New password again").fill("a different passphrase")
    page.get_by_role("button", name="Change password").click()
    expect_error(page, "password_confirm", "The two passwords are not the same.")
    expect(page.locator("#error-current_password")).to_have_count(0)
    assert page.url == live_server("/account/password")

    # The password is unchanged: the old one still signs in.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server("/login"), people.requester.email, PASSWORD)


def test_password_reset_forms(page, live_server, people, session):
    page.goto(live_server("/login"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email address").fill("ama.mensah at mfa")
    page.get_by_role("button", name="Send me a link").click()
    expect_error(page, "email", "Enter a valid email address, like name@example.org.")
    expect(page.get_by_label("Email address")).to_have_value("ama.mensah at mfa")

    page.get_by_label("Email address").fill(people.requester.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    [mail] = [m for m in mails_to(session, people.requester.email)
              if "/password/reset/" in m.body]
    link = re.search(r"https?://\S+?(/password/reset/[A-Za-z0-9_\-]+)", mail.body).group(1)

    page.goto(live_server(link))
    page.get_by_label(label("New password")).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Set new password").click()
    expect_error(page, "password", re.compile(r"^Use at least \d+ characters\.$"))
    page.get_by_label(label("New password")).fill("a brand new passphrase")
    page.get_by_label("New password again").fill("not the same passphrase")
    page.get_by_role("button", name="Set new password").click()
    expect_error(page, "password_confirm", "The two passwords are not the same.")
    # The link still works after a mistake.
    page.get_by_label(label("New password")).fill("a brand new passphrase")
    page.get_by_label("New password again").fill("a brand new passphrase")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#error-password, #error-password_confirm")).to_have_count(0)
    sign_in(page, live_server("/login"), people.requester.email, "a brand new passphrase")


# --- proposals --------------------------------------------------------------------------------

@pytest.fixture
def deal(session, people):
    """A Ghanaian need of $80,000, a German offer of $60,000 covering it, and a proposal."""
    machines = category(session, "marking.machines")
    need = factories.make_need(session, "GHA", topic=machines, cost_usd=80_000,
                               title="Marking machines for the Ghana police")
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 topics=[machines], budget_usd=60_000,
                                 title="German marking kits")
    proposal = make_proposal(session, need, offer, amount=50_000)
    session.commit()
    return need, offer, proposal


def test_propose_to_fund_form(page, live_server, people, deal, session):
    _need, offer, _proposal = deal
    other = factories.make_need(session, "GHA", topic=category(session, "marking.machines"),
                                cost_usd=30_000, title="Marking machines for customs")
    session.commit()
    signed_in(page, live_server, people.donor, f"/needs/{other.reference}")
    page.get_by_role("link", name="Propose to fund this need").click()
    form = page.locator("#new-proposal")
    no_full_reload(page)
    choice = form.get_by_label("Your offer").locator("option", has_text="German marking kits")
    form.get_by_label("Your offer").select_option(label=choice.inner_text().strip())
    form.get_by_label("Amount in US dollars").fill("ten thousand")
    form.get_by_role("button", name="Propose").click()
    expect_error(page, "amount_usd", "Enter the amount in whole US dollars.")
    expect(form.get_by_label("Amount in US dollars")).to_have_value("ten thousand")
    expect(form.get_by_label("Your offer")).to_have_value(offer.reference)

    form.get_by_label("Amount in US dollars").fill("45000")
    form.get_by_role("button", name="Propose").click()
    expect_error(page, "amount_usd", "The need still requires only $30,000.")
    expect(form.get_by_label("Amount in US dollars")).to_have_value("45000")
    assert page.url == live_server(f"/proposals/new?need={other.reference}")
    assert_same_document(page)

    # Corrected, the proposal is made and its page opens.
    form.get_by_label("Amount in US dollars").fill("30,000")
    form.get_by_role("button", name="Propose").click()
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Marking machines for customs")
    expect(page.locator("article.proposal")).to_have_attribute("data-state", "accepted_by_donor")


def test_decline_form_needs_a_reason(page, live_server, people, deal, session):
    _need, offer, proposal = deal
    other = make_proposal(session, factories.make_need(
        session, "GHA", topic=category(session, "marking.machines"), cost_usd=10_000,
        title="Marking for the customs service"), offer)
    session.commit()
    signed_in(page, live_server, people.requester, "/proposals")
    row = page.locator(f"#proposal-{proposal.id}")
    no_full_reload(page)
    row.get_by_text("Decline…").click()
    row.get_by_role("button", name="Decline this proposal").click()
    reason = row.get_by_label("Why do you decline?")
    expect(row.locator(".field-error")).to_have_text("Give a reason, so the other side knows why.")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_visible()  # the decline panel stays open
    expect(row).to_have_attribute("data-state", "proposed")
    assert_same_document(page)
    reason.fill("The police already received machines from another donor.")
    row.get_by_role("button", name="Decline this proposal").click()
    expect(row).to_have_attribute("data-state", "declined")
    expect(row).to_contain_text("Declined by the requesting State: The police already received")

    # On the proposal's own page (a plain form post), the same error at the same field.
    page.goto(live_server(f"/proposals/{other.id}"))
    panel = page.locator(".decision-panel")
    panel.get_by_text("Decline…").click()
    panel.get_by_label("Why do you decline?").fill("   ")
    panel.get_by_role("button", name="Decline this proposal").click()
    expect(panel.locator(".field-error")).to_have_text(
        "Give a reason, so the other side knows why.")
    expect(panel.get_by_label("Why do you decline?")).to_be_visible()
    expect(page.locator("article.proposal")).to_have_attribute("data-state", "proposed")


def test_an_accept_refused_in_the_queue_says_why_once_in_its_row(page, live_server, people,
                                                                 session):
    machines = category(session, "marking.machines")
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 topics=[machines], budget_usd=100_000, title="German kits")
    first, second = (
        make_proposal(session, factories.make_need(session, "GHA", topic=machines,
                                                   cost_usd=cost, title=title),
                      offer, state=ProposalState.ACCEPTED_BY_REQUESTER)
        for cost, title in ((80_000, "Marking for the police"), (50_000, "Marking for customs"))
    )
    session.commit()
    signed_in(page, live_server, people.donor, "/proposals")
    no_full_reload(page)
    page.locator(f"#proposal-{first.id}").get_by_role("button", name="Accept").click()
    expect(page.locator(f"#proposal-{first.id}")).to_have_attribute("data-state", "agreed")

    row = page.locator(f"#proposal-{second.id}")
    row.get_by_role("button", name="Accept").click()
    refusal = (f"Offer {offer.reference} has only $20,000 left, less than the $50,000 of this "
               "proposal: accepting it would over-commit the offer.")
    expect(row.get_by_role("alert")).to_have_text(refusal)
    expect(row.get_by_text(refusal)).to_have_count(1)  # not repeated as a warning
    expect(row).to_have_attribute("data-state", "accepted_by_requester")
    assert_same_document(page)


def test_message_form(page, live_server, people, deal):
    _need, _offer, proposal = deal
    signed_in(page, live_server, people.donor, f"/proposals/{proposal.id}")
    thread = page.locator("#messages")
    no_full_reload(page)
    thread.get_by_role("button", name="Send message").click()
    expect_error(page, "body", "Write a message before sending it.")
    long_message = "We can deliver in March. " * 200
    thread.get_by_label("Write a message").fill(long_message)
    thread.get_by_role("button", name="Send message").click()
    expect_error(page, "body", re.compile(r"^Keep messages under [\d,]+ characters\.$"))
    expect(thread.get_by_label("Write a message")).to_have_value(long_message)
    expect(thread.get_by_text("No messages yet.")).to_be_visible()
    assert_same_document(page)


def test_delivery_and_feedback_forms(page, live_server, people, deal, session):
    _need, offer, _proposal = deal
    other = factories.make_need(session, "GHA", topic=category(session, "marking.machines"),
                                cost_usd=10_000, title="Marking for the customs service")
    in_delivery = make_proposal(session, other, offer, state=ProposalState.IN_DELIVERY)
    third = factories.make_need(session, "GHA", topic=category(session, "marking.machines"),
                                cost_usd=10_000, title="Marking for the armed forces")
    delivered = make_proposal(session, third, offer, state=ProposalState.DELIVERED)
    session.commit()

    signed_in(page, live_server, people.donor, f"/proposals/{in_delivery.id}")
    page.get_by_role("button", name="Mark as delivered").click()
    expect_error(page, "note", "Write a short note on what was delivered.")
    expect(page.locator("article.proposal")).to_have_attribute("data-state", "in_delivery")

    page.goto(live_server(f"/proposals/{delivered.id}"))
    page.get_by_label("Your closure note").fill("Both machines work; 3,000 weapons marked.")
    page.get_by_role("button", name="Send feedback").click()
    expect_error(page, "met", "Say whether the need was met.")
    expect(page.get_by_label("Your closure note")).to_have_value(
        "Both machines work; 3,000 weapons marked.")


# --- solver and admin -------------------------------------------------------------------------

def test_run_form(page, live_server, people):
    signed_in(page, live_server, people.admin, "/runs")
    form = page.locator("#run-form")
    no_full_reload(page)
    form.get_by_label("Scope").select_option("region")
    form.get_by_label("Region").select_option("")
    form.locator("details.advanced > summary").click()  # the weights are folded away
    form.get_by_label("Topic match").fill("11")
    form.get_by_label("Proximity").fill("")
    form.get_by_label("Time limit (seconds)").fill("0")
    form.get_by_role("button", name="Start the run").click()
    expect_error(page, "region", "Choose the region to run the solver for.")
    expect_error(page, "weight_topic", "Enter a number between 0 and 10.")
    expect_error(page, "weight_region", "Enter a number between 0 and 10.")
    expect_error(page, "time_limit", "Enter a number of seconds between 1 and 60.")
    expect(form.get_by_label("Topic match")).to_have_value("11")
    expect(form.get_by_label("Scope")).to_have_value("region")

    # An area or topic run needs its area or topic; weights may not all be zero.
    form.get_by_label("Scope").select_option("category")
    for weight in form.locator("fieldset.weights input").all():
        weight.fill("0")
    form.get_by_label("Time limit (seconds)").fill("5")
    form.get_by_role("button", name="Start the run").click()
    expect_error(page, "category", "Choose the area or topic to run the solver for.")
    expect_error(page, "weight_topic", "At least one criterion needs a weight above 0.")
    expect(page.locator("#error-time_limit")).to_have_count(0)
    assert page.url == live_server("/runs")
    assert_same_document(page)
    expect(page.get_by_text("No run yet. Start one above.")).to_be_visible()


def test_admin_organisation_form(page, live_server, people, session):
    sahel = factories.make_organisation(session, "Sahel Arms Survey", acronym="SAS")
    factories.make_organisation(session, "Coastal Peace Network")
    session.commit()
    signed_in(page, live_server, people.admin, "/admin/organisations?q=Sahel")
    row = page.get_by_role("row").filter(has_text="Sahel Arms Survey")
    no_full_reload(page)
    row.get_by_role("link", name="Edit").click()
    form_row = page.locator("tr", has=page.get_by_role("button", name="Save"))
    form_row.get_by_label("Name").fill("Coastal Peace Network")
    form_row.get_by_label("Acronym").fill("CPN")
    form_row.get_by_role("button", name="Save").click()
    expect_error(page, "name", "Another organisation already has this name.")
    expect(form_row.get_by_label("Acronym")).to_have_value("CPN")
    form_row.get_by_label("Name").fill("")
    form_row.get_by_role("button", name="Save").click()
    expect_error(page, "name", "Enter the name of the organisation.")
    assert_same_document(page)

    # The edit page, for browsers without JavaScript: the same errors.
    page.goto(live_server(f"/admin/organisations/{sahel.id}/edit"))
    page.get_by_label("Name").fill("   ")
    page.get_by_role("button", name="Save").click()
    expect_error(page, "name", "Enter the name of the organisation.")
    expect(page.get_by_label("Acronym")).to_have_value("SAS")
