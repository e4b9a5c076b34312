"""A real relay: it asks the sender to sign in, and it refuses some mail for good."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from matchmaker.mail import outbox
from matchmaker.mail.outbox import queue_mail
from matchmaker.models import OutboxMail


def queued(session) -> OutboxMail:
    mail = queue_mail(session, "focal.point@example.org", "Subject", "Body")
    session.commit()
    return mail


def test_the_sender_signs_in_to_a_relay_that_asks(session, engine, smtp_settings, mailbox):
    mailbox.stop()
    mailbox.start(credentials=("matchmaker", "relay secret"))
    queued(session)
    signed_in = replace(smtp_settings, smtp_user="matchmaker", smtp_password="relay secret")
    assert outbox.deliver_pending(engine, signed_in) == 1
    assert mailbox.logins == [("matchmaker", "relay secret")]
    assert [message["To"] for message in mailbox.messages] == ["focal.point@example.org"]


def test_without_its_login_the_relay_keeps_the_mail_queued(session, engine, smtp_settings,
                                                            mailbox):
    mailbox.stop()
    mailbox.start(credentials=("matchmaker", "relay secret"))
    queued(session)
    assert outbox.deliver_pending(engine, smtp_settings) == 0
    session.expire_all()
    mail = session.scalars(select(OutboxMail)).one()
    assert mail.sent_at is None and mail.attempts == 1  # retried later: a setting may be fixed


def test_a_permanent_refusal_is_not_retried(session, engine, smtp_settings, mailbox):
    mailbox.refuse(reply="550 5.1.1 No such mailbox")
    queued(session)
    assert outbox.deliver_pending(engine, smtp_settings) == 0
    session.expire_all()
    mail = session.scalars(select(OutboxMail)).one()
    assert mail.attempts == outbox.MAX_ATTEMPTS and "550" in mail.error
