"""Mail senders: the console (the demo prints mail) and SMTP; "outbox" sends nothing."""

from __future__ import annotations

import smtplib
import sys
from email.message import EmailMessage
from typing import Protocol

from matchmaker.models import OutboxMail
from matchmaker.settings import Settings


class MailSender(Protocol):
    def send(self, mail: OutboxMail) -> None: ...


class ConsoleSender:
    """Prints each mail to standard output (not to the log, which must never hold tokens)."""

    def __init__(self, mail_from: str) -> None:
        self.mail_from = mail_from

    def send(self, mail: OutboxMail) -> None:
        rule = "-" * 72
        print(
            f"{rule}\nFrom: {self.mail_from}\nTo: {mail.recipient}\nSubject: {mail.subject}\n\n"
            f"{mail.body}\n{rule}",
            file=sys.stdout,
            flush=True,
        )


class SmtpSender:
    def __init__(self, host: str, port: int, mail_from: str, timeout: float = 20.0) -> None:
        self.host, self.port, self.mail_from, self.timeout = host, port, mail_from, timeout

    def send(self, mail: OutboxMail) -> None:
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = mail.recipient
        message["Subject"] = mail.subject
        for name, value in (mail.headers or {}).items():
            message[name] = value
        message.set_content(mail.body)
        if mail.html_body:
            message.add_alternative(mail.html_body, subtype="html")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as connection:
            connection.send_message(message)


def sender_for(settings: Settings) -> MailSender | None:
    """The sender of ``settings.mail_backend``; None for "outbox" (mail stays queued)."""
    if settings.mail_backend == "console":
        return ConsoleSender(settings.mail_from)
    if settings.mail_backend == "smtp":
        return SmtpSender(settings.smtp_host, settings.smtp_port, settings.mail_from)
    return None
