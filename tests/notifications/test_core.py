"""The notification core: once per person and event, mailed once, in the reader's language."""

from __future__ import annotations

import threading

from sqlalchemy import select

from matchmaker.models import Notification, NotificationDelivery, OutboxMail, Role, UserStatus
from matchmaker.notifications import mailing, service
from matchmaker.notifications.tokens import read_unsubscribe_token, unsubscribe_token
from tests import factories
from tests.conftest import TEST_SECRET

PROPOSAL = {"need_title": "Marking machines", "need_ref": "N-00001", "offer_title": "Kits",
            "offer_ref": "O-00001", "donor": "Germany", "state": "Ghana",
            "amount_usd": 120_000, "expires_on": "15 Jan 2027", "why": "same topic"}


def person(session, role=Role.DONOR, **fields):
    return factories.make_user(session, factories.make_organisation(session), role, **fields)


def mails(session) -> list[OutboxMail]:
    session.expire_all()
    return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all())


def test_an_event_told_twice_is_one_notification_per_person(session):
    first, second = person(session), person(session)
    gone = person(session, status=UserStatus.DISABLED)
    assert service.notify(session, [first, second, gone], "proposal_new", "proposal:1:new",
                          PROPOSAL, "/proposals/1") == 2
    assert service.notify(session, [first, second], "proposal_new", "proposal:1:new",
                          PROPOSAL, "/proposals/1") == 0
    session.commit()
    assert service.unread_count(session, first.id) == 1
    assert service.unread_count(session, gone.id) == 0


def test_immediate_mail_is_in_the_readers_language_with_text_html_and_unsubscribe(
        session, engine, settings):
    reader = person(session, language="fr", name="Claire Martin")
    service.notify(session, [reader], "proposal_new", "proposal:2:new", PROPOSAL,
                   "/proposals/2")
    session.commit()
    assert mailing.compose_immediate(engine, settings) == 1
    assert mailing.compose_immediate(engine, settings) == 0  # never twice
    [mail] = mails(session)
    assert mail.recipient == reader.email
    assert "Claire Martin" in mail.body and "N-00001" in mail.subject
    assert f"{settings.base_url}/proposals/2" in mail.body
    assert 'lang="fr"' in mail.html_body and "Marking machines" in mail.html_body
    link = mail.headers["List-Unsubscribe"].strip("<>")
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link.rsplit("/", 1)[1]
    assert read_unsubscribe_token(settings.secret_key, token) == (reader.id, "proposal_new")


def test_concurrent_composers_mail_each_notification_once(session, engine, settings):
    readers = [person(session) for _ in range(5)]
    for index in range(4):
        service.notify(session, readers, "message_new", f"message:{index}",
                       {**PROPOSAL, "author": "A", "excerpt": "Hello"}, "/proposals/1")
    session.commit()
    threads = [threading.Thread(target=mailing.compose_immediate, args=(engine, settings))
               for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mails(session)) == 20


def test_a_digest_gathers_the_days_notifications_in_one_mail(session, engine, settings):
    reader = person(session)
    service.set_preference(session, reader.id, "message_new", NotificationDelivery.DAILY)
    for index in range(3):
        service.notify(session, [reader], "message_new", f"message:{index}",
                       {**PROPOSAL, "author": "Ama", "excerpt": f"Point {index}"},
                       "/proposals/1")
    session.commit()
    assert mailing.compose_immediate(engine, settings) == 0
    assert mailing.compose_digests(engine, settings, NotificationDelivery.DAILY) == 1
    assert mailing.compose_digests(engine, settings, NotificationDelivery.DAILY) == 0
    [digest] = mails(session)
    assert "3" in digest.subject
    assert all(f"Point {index}" in digest.body for index in range(3))
    assert session.scalar(select(Notification.mailed_at).limit(1)) is not None


def test_mark_read_and_tokens():
    assert read_unsubscribe_token(TEST_SECRET, unsubscribe_token(TEST_SECRET, 7)) == (7, "all")
    forged = unsubscribe_token("another secret that is long enough 0123456789", 7)
    assert read_unsubscribe_token(TEST_SECRET, forged) is None
    assert read_unsubscribe_token(TEST_SECRET, "7.nope.x") is None


def test_marking_read(session):
    reader = person(session)
    for index in range(3):
        service.notify(session, [reader], "delivery_step", f"step:{index}", PROPOSAL)
    session.commit()
    newest = service.recent(session, reader.id)[0]
    assert service.mark_read(session, reader.id, newest.id) == 1
    assert service.unread_count(session, reader.id) == 2
    assert service.mark_read(session, reader.id) == 2
    assert service.unread_count(session, reader.id) == 0
