"""The outbox: mail is queued in the caller's transaction and delivered once it has committed.

Queueing in the same transaction as the change means a mail is never sent for a change that
was rolled back, nor lost for one that was kept. Once a mail has been sent, any secret link in
its stored body (a password-reset token) is redacted, so the database keeps only hashes.
"""

from __future__ import annotations

import logging
import re
import secrets
import smtplib
from datetime import timedelta

from litestar import Request
from litestar.background_tasks import BackgroundTask
from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.db import session_scope
from matchmaker.mail.senders import sender_for
from matchmaker.models import OutboxMail, utcnow
from matchmaker.settings import Settings

logger = logging.getLogger("matchmaker.mail")

SECRET_LINKS = re.compile(r"(/password/reset/)[A-Za-z0-9_\-]+")
REDACTED = r"\1[used link removed]"
CLAIM_TIMEOUT = timedelta(minutes=10)  # far beyond the SMTP sender's 20-second timeout
MAX_ATTEMPTS = 8  # then the mail stays in the outbox with its error, for an admin to see
FIRST_RETRY = timedelta(minutes=1)  # doubled after each failure: 1, 2, 4 ... 64 minutes


def queue_mail(db: Session, to: str, subject: str, body: str, html_body: str = "",
               headers: dict[str, str] | None = None) -> OutboxMail:
    """Add a mail to the outbox in ``db``'s transaction (sent after it commits)."""
    mail = OutboxMail(recipient=to, subject=" ".join(str(subject).split())[:200],
                      body=str(body), html_body=html_body, headers=dict(headers or {}))
    db.add(mail)
    db.flush()
    return mail


def redact(body: str) -> str:
    """``body`` without the secret part of any single-use link."""
    return SECRET_LINKS.sub(REDACTED, body)


def deliver_pending(engine: Engine, settings: Settings, limit: int = 50) -> int:
    """Send queued mail with the configured sender; returns how many were sent.

    Each mail is first claimed (see :func:`claim`), then sent, marked sent and redacted. A
    failure is noted on the mail and its claim released, so it stays queued for the next
    delivery.
    """
    sender = sender_for(settings)
    if sender is None:
        return 0
    now = utcnow()
    with Session(engine) as db:
        ids = db.scalars(
            select(OutboxMail.id).where(
                OutboxMail.sent_at.is_(None), OutboxMail.attempts < MAX_ATTEMPTS,
                or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now))
            .order_by(OutboxMail.id).limit(limit)
        ).all()
    sent = 0
    for mail_id in ids:
        delivery = secrets.token_hex(16)
        if not claim(engine, mail_id, delivery):
            continue
        with session_scope(engine) as db:
            mail = db.get(OutboxMail, mail_id)
            try:
                sender.send(mail)
            except (OSError, smtplib.SMTPException) as exc:
                mail.error = f"{type(exc).__name__}: {exc}"[:500]
                mail.claimed_by, mail.claimed_at = "", None
                # A permanent refusal (5xx: no such mailbox, relay denied) is not retried.
                mail.attempts = MAX_ATTEMPTS if _permanent(exc) else mail.attempts + 1
                mail.next_attempt_at = utcnow() + FIRST_RETRY * 2 ** (mail.attempts - 1)
                logger.warning("mail #%s to %s not sent: %s", mail.id, mail.recipient,
                               type(exc).__name__)
                continue
            mail.sent_at = utcnow()
            mail.error = ""
            mail.body = redact(mail.body)
            sent += 1
    return sent


def _permanent(exc: Exception) -> bool:
    """A refusal of this mail itself (no such mailbox, message rejected); a refusal of the
    sender (530 sign-in required, 535 bad login) is a setting to fix, so it is retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(550 <= code <= 554 for code in codes)
    return isinstance(exc, smtplib.SMTPDataError) and 550 <= exc.smtp_code <= 554


def claim(engine: Engine, mail_id: int, delivery: str) -> bool:
    """Take mail ``mail_id`` for ``delivery`` (a random id); False if it is sent or taken.

    A conditional update, committed before sending: of several deliveries at once exactly one
    changes the row, on SQLite (which has no SKIP LOCKED) as on PostgreSQL. A claim older than
    CLAIM_TIMEOUT belongs to a delivery that died before marking the mail sent: it is retaken.
    """
    now = utcnow()
    with session_scope(engine) as db:
        claimed = db.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, OutboxMail.sent_at.is_(None),
                   or_(OutboxMail.claimed_at.is_(None),
                       OutboxMail.claimed_at < now - CLAIM_TIMEOUT))
            .values(claimed_by=delivery, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        return claimed.rowcount == 1


def deliver_after_response(request: Request) -> BackgroundTask:
    """A task delivering queued mail once the response has gone out (its transaction committed).

    Sending after the response keeps a slow mail server, or the mere existence of an
    account, from showing in the response time.
    """
    state = request.app.state
    return BackgroundTask(deliver_now, state.engine, state.settings)


def deliver_now(engine: Engine, settings: Settings) -> int:
    """Compose the mail of new notifications, then send what is queued."""
    from matchmaker.notifications.mailing import compose_immediate

    compose_immediate(engine, settings)
    return deliver_pending(engine, settings)
