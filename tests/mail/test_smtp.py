"""Notification mail over real SMTP: what arrives at a local server, and what happens when the
server refuses or is down (the mail waits in the outbox, with back-off, and goes once it is
back; after MAX_ATTEMPTS it stops)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from matchmaker.mail import outbox
from matchmaker.models import OutboxMail, Role, utcnow
from matchmaker.notifications import service
from tests.accounts.conftest import make_person, people  # noqa: F401 - a fixture
from tests.mail.conftest import MAIL_FROM
from tests.notifications.test_core import PROPOSAL


def propose(session, reader, number: int = 1, **params) -> None:
    service.notify(session, [reader], "proposal_new", f"proposal:{number}:new",
                   {**PROPOSAL, **params}, f"/proposals/{number}")
    session.commit()


def the_mail(session) -> OutboxMail:
    session.expire_all()
    [mail] = session.scalars(select(OutboxMail)).all()
    return mail


def test_a_notification_arrives_as_text_and_html_with_its_headers(
        session, engine, smtp_settings, mailbox):
    reader = make_person(session, "gha", Role.REQUESTER, name="Amélie Dubois", language="fr",
                         email="amelie@ghana.example.org")
    propose(session, reader, need_title="Machines de marquage pour la police")

    assert outbox.deliver_now(engine, smtp_settings) == 1
    [arrived] = mailbox.arrived
    message = arrived.message
    assert arrived.recipients == ("amelie@ghana.example.org",)
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    # In the reader's language, in both parts, with the link to answer.
    assert "Bonjour Amélie Dubois," in text.get_content()
    assert "Le centre d'échange Matchmaker" in text.get_content()
    assert f"{smtp_settings.base_url}/proposals/1" in text.get_content()
    assert 'lang="fr"' in html.get_content()
    assert "Machines de marquage pour la police" in html.get_content()

    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Matchmaker", MAIL_FROM)
    assert message["To"] == "amelie@ghana.example.org"
    subject = " ".join(message["Subject"].split())  # French puts a no-break space before ":"
    assert subject.startswith("Nouvelle proposition") and "N-00001 avec O-00001" in subject
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime is not None
    assert message["Message-ID"].endswith("@matchmaker.test>")
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{smtp_settings.base_url}/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert the_mail(session).sent_at is not None
    assert outbox.deliver_now(engine, smtp_settings) == 0  # sent once


@pytest.mark.parametrize(("language", "reader", "applicant", "organisation", "greeting"), [
    ("ar", "ليلى حداد", "عمر الفاروق", "وزارة الداخلية", "السيد/السيدة ليلى حداد"),
    ("zh", "王芳", "李伟", "公安部", "尊敬的 王芳"),
    ("ru", "Ольга Иванова", "Дмитрий Соколов", "Министерство внутренних дел",
     "Уважаемый(-ая) Ольга Иванова"),
], ids=["ar", "zh", "ru"])
def test_non_ascii_names_and_titles_travel_encoded_and_arrive_intact(
        session, engine, smtp_settings, mailbox, language, reader, applicant, organisation,
        greeting):
    admin = make_person(session, "unoda", Role.ADMIN, name=reader, language=language)
    service.notify(session, [admin], "signup_to_approve", "signup:1",
                   {"name": applicant, "organisation": organisation,
                    "email": "applicant@example.org"}, "/admin/approvals")
    session.commit()

    assert outbox.deliver_now(engine, smtp_settings) == 1
    [arrived] = mailbox.arrived
    # Seven-bit on the wire (RFC 2047 subject, base64 or quoted-printable bodies) ...
    assert arrived.raw.isascii()
    assert b"=?utf-8?" in arrived.raw.split(b"\r\n\r\n", 1)[0]
    # ... and the same words once decoded.
    message = arrived.message
    assert applicant in message["Subject"] and organisation in message["Subject"]
    assert message["Subject"] == the_mail(session).subject
    text, html = message.iter_parts()
    assert greeting in text.get_content()
    assert applicant in html.get_content()
    assert f'lang="{language}"' in html.get_content()
    assert ('dir="rtl"' in html.get_content()) == (language == "ar")


def due_again(session) -> None:
    """Let the back-off time pass: the next delivery may try the mail again."""
    session.execute(update(OutboxMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    session.commit()


@pytest.mark.parametrize("failure", ["refused", "down"])
def test_a_failed_send_waits_with_back_off_and_goes_once_the_server_is_back(
        session, engine, smtp_settings, mailbox, people, failure):
    propose(session, people.donor)
    if failure == "refused":
        mailbox.refuse()
    else:
        mailbox.stop()

    before = utcnow()
    assert outbox.deliver_now(engine, smtp_settings) == 0
    mail = the_mail(session)
    assert mail.sent_at is None and mail.attempts == 1
    assert mail.error.startswith("SMTPDataError" if failure == "refused"
                                 else "ConnectionRefusedError")
    assert before + outbox.FIRST_RETRY <= mail.next_attempt_at <= utcnow() + outbox.FIRST_RETRY
    # Not due yet: the next delivery does not try, even with the server back.
    mailbox.refuse(False)
    if failure == "down":
        mailbox.start()
    assert outbox.deliver_pending(engine, smtp_settings) == 0
    assert mailbox.arrived == []

    due_again(session)
    assert outbox.deliver_pending(engine, smtp_settings) == 1
    assert [message["To"] for message in mailbox.messages] == [people.donor.email]
    mail = the_mail(session)
    assert mail.sent_at is not None and mail.error == ""
    due_again(session)
    assert outbox.deliver_pending(engine, smtp_settings) == 0
    assert len(mailbox.arrived) == 1


def test_the_wait_doubles_and_after_the_last_attempt_the_mail_stays_unsent(
        session, engine, smtp_settings, mailbox, people):
    propose(session, people.donor)
    mailbox.refuse()
    waits = []
    for _attempt in range(outbox.MAX_ATTEMPTS):
        started = utcnow()
        assert outbox.deliver_now(engine, smtp_settings) == 0
        waits.append(the_mail(session).next_attempt_at - started)
        due_again(session)
    assert [round(wait / outbox.FIRST_RETRY) for wait in waits[:4]] == [1, 2, 4, 8]
    mail = the_mail(session)
    assert mail.attempts == outbox.MAX_ATTEMPTS and "SMTPDataError" in mail.error

    mailbox.refuse(False)
    assert outbox.deliver_pending(engine, smtp_settings) == 0
    assert mailbox.arrived == []
    assert the_mail(session).sent_at is None  # left for an admin to see, with its error
