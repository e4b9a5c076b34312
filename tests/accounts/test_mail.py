"""The outbox: mail queued with the change, delivered by the configured sender, then redacted."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta

from sqlalchemy import select

from matchmaker.mail import outbox, senders
from matchmaker.models import OutboxMail, utcnow

BODY = "Open https://example.org/password/reset/abcDEF123_-xyz987 within one hour."


def queued(session, body: str = BODY) -> OutboxMail:
    mail = outbox.queue_mail(session, "ana@example.org", "Reset", body)
    session.commit()
    return mail


def test_the_outbox_backend_sends_nothing(session, engine, settings):
    mail = queued(session)
    assert outbox.deliver_pending(engine, settings) == 0
    session.refresh(mail)
    assert mail.sent_at is None and mail.body == BODY


def test_the_console_sender_prints_and_redacts(session, engine, settings, capsys):
    mail = queued(session)
    console = dataclasses.replace(settings, mail_backend="console")
    assert outbox.deliver_pending(engine, console) == 1
    printed = capsys.readouterr().out
    assert "To: ana@example.org" in printed and "abcDEF123_-xyz987" in printed
    session.refresh(mail)
    assert mail.sent_at is not None
    assert "abcDEF123_-xyz987" not in mail.body
    assert outbox.deliver_pending(engine, console) == 0  # sent once only


class FakeSMTP:
    sent: list = []
    fail = False

    def __init__(self, host, port, timeout):
        self.address = (host, port)

    def __enter__(self):
        if FakeSMTP.fail:
            raise ConnectionRefusedError("no mail server")
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        FakeSMTP.sent.append((self.address, message))


def test_the_smtp_sender_uses_the_settings(session, engine, settings, monkeypatch):
    monkeypatch.setattr(senders.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.fail = [], False
    queued(session, "Hello")
    smtp = dataclasses.replace(settings, mail_backend="smtp", smtp_host="mail.example.org",
                               smtp_port=2525, mail_from="clearing-house@example.org")
    assert outbox.deliver_pending(engine, smtp) == 1
    [(address, message)] = FakeSMTP.sent
    assert address == ("mail.example.org", 2525)
    assert message["From"] == "Matchmaker <clearing-house@example.org>"  # named, as senders do
    assert message["To"] == "ana@example.org"
    assert message.get_content().strip() == "Hello"


def test_a_failed_send_stays_queued_with_its_error(session, engine, settings, monkeypatch):
    monkeypatch.setattr(senders.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.fail = [], True
    mail = queued(session)
    smtp = dataclasses.replace(settings, mail_backend="smtp")
    assert outbox.deliver_pending(engine, smtp) == 0
    session.refresh(mail)
    assert mail.sent_at is None and "no mail server" in mail.error
    assert mail.body == BODY  # still needed for the next try
    FakeSMTP.fail = False
    assert outbox.deliver_pending(engine, smtp) == 0  # not before its retry time (back-off)
    mail.next_attempt_at = utcnow() - timedelta(seconds=1)  # as if that time had come
    session.commit()
    assert outbox.deliver_pending(engine, smtp) == 1


def test_a_mail_queued_in_a_rolled_back_transaction_is_never_sent(session):
    outbox.queue_mail(session, "ana@example.org", "Hi", "Hello")
    session.rollback()
    assert session.scalars(select(OutboxMail)).all() == []



def test_twelve_senders_at_once_send_each_mail_exactly_once(session, engine, settings,
                                                            monkeypatch):
    """SQLite ignores FOR UPDATE SKIP LOCKED: without the claim, senders that read the queue
    at the same moment each sent the same mail (a reset link printed up to four times)."""
    monkeypatch.setattr(senders.smtplib, "SMTP", SlowSMTP)
    FakeSMTP.sent, FakeSMTP.fail = [], False
    for number in range(20):
        outbox.queue_mail(session, "ana@example.org", f"Mail {number}", BODY)
    session.commit()
    smtp = dataclasses.replace(settings, mail_backend="smtp")
    barrier = threading.Barrier(12)
    counts: list[int] = []

    def deliver() -> None:
        barrier.wait()
        counts.append(outbox.deliver_pending(engine, smtp))

    threads = [threading.Thread(target=deliver) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    subjects = sorted(message["Subject"] for _address, message in FakeSMTP.sent)
    assert subjects == sorted(f"Mail {number}" for number in range(20))
    assert sum(counts) == 20
    assert session.scalars(select(OutboxMail).where(OutboxMail.sent_at.is_(None))).all() == []


class SlowSMTP(FakeSMTP):
    """A mail server that takes a moment per mail, so that the senders overlap."""

    def send_message(self, message):
        time.sleep(0.01)
        super().send_message(message)


def test_a_claim_left_by_a_dead_delivery_is_taken_again(session, engine, settings, monkeypatch):
    monkeypatch.setattr(senders.smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.fail = [], False
    mail = queued(session)
    assert outbox.claim(engine, mail.id, "a-delivery-that-died")
    smtp = dataclasses.replace(settings, mail_backend="smtp")
    assert outbox.deliver_pending(engine, smtp) == 0  # still taken
    mail.claimed_at = utcnow() - outbox.CLAIM_TIMEOUT - timedelta(seconds=1)
    session.commit()
    assert outbox.deliver_pending(engine, smtp) == 1
