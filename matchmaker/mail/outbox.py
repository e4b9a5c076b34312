"""The outbox: mail is queued in the caller's transaction and delivered once it has committed.

Queueing in the same transaction as the change means a mail is never sent for a change that
was rolled back, nor lost for one that was kept. Once a mail has been sent, any secret link in
its stored body (a password-reset token) is redacted, so the database keeps only hashes.
"""

from __future__ import annotations

import logging
import re
import smtplib

from litestar import Request
from litestar.background_tasks import BackgroundTask
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.db import session_scope
from matchmaker.mail.senders import sender_for
from matchmaker.models import OutboxMail, utcnow
from matchmaker.settings import Settings

logger = logging.getLogger("matchmaker.mail")

SECRET_LINKS = re.compile(r"(/password/reset/)[A-Za-z0-9_\-]+")
REDACTED = r"\1[used link removed]"


def queue_mail(db: Session, to: str, subject: str, body: str) -> OutboxMail:
    """Add a mail to the outbox in ``db``'s transaction (sent after it commits)."""
    mail = OutboxMail(recipient=to, subject=str(subject)[:200], body=str(body))
    db.add(mail)
    db.flush()
    return mail


def redact(body: str) -> str:
    """``body`` without the secret part of any single-use link."""
    return SECRET_LINKS.sub(REDACTED, body)


def deliver_pending(engine: Engine, settings: Settings, limit: int = 50) -> int:
    """Send queued mail with the configured sender; returns how many were sent.

    Each mail is claimed with a row lock (skipped if another process holds it), sent, marked
    sent and redacted in its own transaction. A failure is noted on the mail, which stays
    queued for the next delivery.
    """
    sender = sender_for(settings)
    if sender is None:
        return 0
    with Session(engine) as db:
        ids = db.scalars(
            select(OutboxMail.id).where(OutboxMail.sent_at.is_(None))
            .order_by(OutboxMail.id).limit(limit)
        ).all()
    sent = 0
    for mail_id in ids:
        with session_scope(engine) as db:
            mail = db.scalars(
                select(OutboxMail)
                .where(OutboxMail.id == mail_id, OutboxMail.sent_at.is_(None))
                .with_for_update(skip_locked=True)
            ).first()
            if mail is None:
                continue
            try:
                sender.send(mail)
            except (OSError, smtplib.SMTPException) as exc:
                mail.error = f"{type(exc).__name__}: {exc}"[:500]
                logger.warning("mail #%s to %s not sent: %s", mail.id, mail.recipient,
                               type(exc).__name__)
                continue
            mail.sent_at = utcnow()
            mail.error = ""
            mail.body = redact(mail.body)
            sent += 1
    return sent


def deliver_after_response(request: Request) -> BackgroundTask:
    """A task delivering queued mail once the response has gone out (its transaction committed).

    Sending after the response keeps a slow mail server, or the mere existence of an
    account, from showing in the response time.
    """
    state = request.app.state
    return BackgroundTask(deliver_pending, state.engine, state.settings)
