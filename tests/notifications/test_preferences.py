"""Preferences per person (what each kind's delivery is, and what then gets mailed) and the
one-click unsubscribe link of every mail, which needs no sign-in."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from matchmaker.models import NotificationDelivery, NotificationPreference, OutboxMail
from matchmaker.notifications import mailing, service
from matchmaker.notifications.kinds import KINDS
from matchmaker.notifications.tokens import unsubscribe_token
from tests.accounts.conftest import mails_to, people, sign_in  # noqa: F401 - a fixture
from tests.conftest import TEST_SECRET
from tests.notifications.test_centre import HTMX, tell

DAILY, OFF = NotificationDelivery.DAILY, NotificationDelivery.OFF
ONE_CLICK = {"content": b"List-Unsubscribe=One-Click",
             "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


def chosen(session, user) -> dict[str, str]:
    session.expire_all()
    return dict(session.execute(select(NotificationPreference.kind,
                                       NotificationPreference.delivery)
                                .where(NotificationPreference.user_id == user.id)).all())


def test_the_page_offers_the_kinds_of_ones_role_with_their_defaults(client, session, people):
    sign_in(client, session, people.donor)
    assert 'href="/account/notifications"' in client.get("/account").text
    page = client.get("/account/notifications").text
    assert "New needs I could fund" in page and "Subscriptions and summaries" in page
    assert "A sign-up to approve" not in page  # coordinators and admins only
    assert "<legend>A new proposal to answer</legend>" in page
    # Each radio group starts at the kind's default, which is marked as such.
    assert 'name="proposal_new" value="immediate" checked' in page
    assert 'name="needs_you_could_fund" value="weekly" checked' in page
    assert page.count("(default)") == page.count("<fieldset")


def test_saved_preferences_decide_what_is_mailed(client, session, people, engine, settings):
    token = sign_in(client, session, people.donor)
    saved = client.post("/account/notifications", follow_redirects=False, data={
        "_csrf": token, "proposal_new": OFF, "message_new": DAILY, "proposal_agreed": "weekly",
    })
    assert saved.status_code == 303
    assert "Your notification preferences have been saved." in client.get(
        saved.headers["location"]).text
    assert chosen(session, people.donor) == {
        "proposal_new": OFF, "message_new": DAILY, "proposal_agreed": "weekly"}
    assert 'name="message_new" value="daily" checked' in client.get(
        "/account/notifications").text

    tell(session, people.donor, 1, "proposal_new")
    tell(session, people.donor, 2, "message_new")
    tell(session, people.donor, 3, "proposal_declined")  # left at its default: immediately
    assert mailing.compose_immediate(engine, settings) == 1
    [immediate] = mails_to(session, people.donor.email)
    assert "Declined: N-00003" in immediate.subject
    assert mailing.compose_digests(engine, settings, DAILY) == 1
    digest = mails_to(session, people.donor.email)[-1]
    assert "digest: 1 " in digest.subject and "Ama wrote:" in digest.body
    assert "Matchmaker proposes" not in digest.body  # the proposal, turned off, is never mailed
    assert mailing.compose_digests(engine, settings, "weekly") == 0


def test_a_refused_choice_is_shown_at_its_kind_and_nothing_is_saved(client, session, people):
    token = sign_in(client, session, people.requester)
    refused = client.post("/account/notifications", data={
        "_csrf": token, "proposal_new": OFF, "message_new": "hourly"})
    assert refused.status_code == 422
    assert 'id="error-message_new"' in refused.text
    assert 'name="proposal_new" value="off" checked' in refused.text  # kept as chosen
    assert chosen(session, people.requester) == {}


def test_saving_with_htmx_answers_with_the_form_and_its_confirmation(client, session, people):
    token = sign_in(client, session, people.coordinator)
    saved = client.post("/account/notifications", headers={"X-CSRF-Token": token, **HTMX},
                        data={"signup_to_approve": DAILY})
    assert saved.status_code == 200
    assert saved.text.lstrip().startswith('<form id="preferences"')
    assert '<div id="alerts" hx-swap-oob="innerHTML">' in saved.text
    assert "Your notification preferences have been saved." in saved.text
    assert 'name="signup_to_approve" value="daily" checked' in saved.text


def test_one_click_unsubscribe_from_a_mail_needs_no_sign_in(client, session, people, engine,
                                                            settings):
    tell(session, people.requester, 1, "proposal_new")
    mailing.compose_immediate(engine, settings)
    [mail] = mails_to(session, people.requester.email)
    path = urlsplit(mail.headers["List-Unsubscribe"].strip("<>")).path

    # A mail scanner opening the link changes nothing.
    page = client.get(path)
    assert page.status_code == 200 and "A new proposal to answer" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert chosen(session, people.requester) == {}

    # The mail program's one-click POST carries no CSRF token, and works.
    done = client.post(path, **ONE_CLICK)
    assert done.status_code == 200
    assert "you will no longer receive mail about “A new proposal to answer”" in done.text
    assert 'href="/account/notifications"' in done.text
    assert chosen(session, people.requester) == {"proposal_new": OFF}

    tell(session, people.requester, 2, "proposal_new")
    assert mailing.compose_immediate(engine, settings) == 0


def test_unsubscribing_from_all_stops_every_kind_and_what_waits_for_a_digest(
        client, session, people, engine, settings):
    service.set_preference(session, people.donor.id, "message_new", DAILY)
    tell(session, people.donor, 1, "message_new")  # waits for tonight's digest
    token = unsubscribe_token(TEST_SECRET, people.donor.id)
    assert "Stop all notification mail" in client.get(f"/unsubscribe/{token}").text

    done = client.post(f"/unsubscribe/{token}", **ONE_CLICK)
    assert "you will no longer receive any notification mail" in done.text
    assert chosen(session, people.donor) == {key: OFF for key in KINDS}
    assert mailing.compose_digests(engine, settings, DAILY) == 0
    assert session.scalar(select(OutboxMail.id)) is None


def test_a_forged_token_is_not_found_and_changes_nothing(client, session, people):
    forged = unsubscribe_token("another secret that is long enough 0123456789",
                               people.donor.id)
    for answer in (client.get(f"/unsubscribe/{forged}"),
                   client.post(f"/unsubscribe/{forged}", **ONE_CLICK),
                   client.get("/unsubscribe/nonsense")):
        assert answer.status_code == 404
        assert "This unsubscribe link is not valid." in answer.text
    assert chosen(session, people.donor) == {}


def test_only_the_unsubscribe_path_goes_without_a_csrf_token(client, session, people):
    sign_in(client, session, people.donor)
    refused = client.post("/account/notifications", data={"proposal_new": OFF})
    assert refused.status_code == 403
    assert chosen(session, people.donor) == {}
