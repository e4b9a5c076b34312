"""Mail senders: the console (the demo prints mail) and SMTP; "outbox" sends nothing."""

from __future__ import annotations

import smtplib
import ssl
import sys
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol

from matchmaker.models import OutboxMail, utcnow
from matchmaker.settings import Settings

DISPLAY_NAME = "Matchmaker"
# Bodies go out as quoted-printable or base64, never raw 8-bit: a relay that does not announce
# 8BITMIME still carries Arabic, Chinese or Russian text intact. Headers are encoded (RFC 2047)
# by the same policy, and lines end in CRLF as SMTP wants.
SMTP_POLICY = policy.SMTP.clone(cte_type="7bit")


class MailSender(Protocol):
    def send(self, mail: OutboxMail) -> None: ...


def sender_address(mail_from: str) -> Address:
    """``mail_from`` as a From address, named "Matchmaker" unless it carries a name itself."""
    name, address = parseaddr(mail_from)
    username, _, domain = address.partition("@")
    return Address(display_name=name or DISPLAY_NAME, username=username, domain=domain)


def message_id(mail: OutboxMail, domain: str) -> str:
    """A Message-ID fixed by the outbox row, so a retry after a lost answer from the server is
    recognisably the same mail to the receiving side (which may drop the duplicate)."""
    stamp = mail.created_at.strftime("%Y%m%d%H%M%S") if mail.created_at else "0"
    return f"<outbox.{mail.id}.{stamp}@{domain or 'localhost'}>"


class ConsoleSender:
    """Prints each mail's text part and its unsubscribe link to standard output (not to the
    log, which must never hold tokens); the HTML alternative is left out."""

    def __init__(self, mail_from: str) -> None:
        self.mail_from = str(sender_address(mail_from))

    def send(self, mail: OutboxMail) -> None:
        rule = "-" * 72
        unsubscribe = (mail.headers or {}).get("List-Unsubscribe", "")
        extra = f"List-Unsubscribe: {unsubscribe}\n" if unsubscribe else ""
        print(
            f"{rule}\nFrom: {self.mail_from}\nTo: {mail.recipient}\nSubject: {mail.subject}\n"
            f"{extra}\n{mail.body}\n{rule}",
            file=sys.stdout,
            flush=True,
        )


class SmtpSender:
    """Sends over SMTP, one connection per mail: multipart/alternative (text, then HTML) when
    the mail has an HTML body, marked as automatic so that out-of-office replies stay away."""

    def __init__(self, host: str, port: int, mail_from: str, timeout: float = 20.0,
                 user: str = "", password: str = "", security: str = "none") -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.user, self.password, self.security = user, password, security
        self.mail_from = sender_address(mail_from)

    def message(self, mail: OutboxMail) -> EmailMessage:
        message = EmailMessage(policy=SMTP_POLICY)
        message["From"] = self.mail_from
        message["To"] = mail.recipient
        message["Subject"] = mail.subject
        message["Date"] = format_datetime(utcnow())
        message["Message-ID"] = message_id(mail, self.mail_from.domain)
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
        for name, value in (mail.headers or {}).items():
            message[name] = value
        message.set_content(mail.body)
        if mail.html_body:
            message.add_alternative(mail.html_body, subtype="html")
        return message

    def connect(self) -> smtplib.SMTP:
        """A connection, encrypted and signed in as the settings say (a relay usually asks)."""
        if self.security == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout,
                context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                connection.starttls(context=ssl.create_default_context())
        if self.user:
            connection.login(self.user, self.password)
        return connection

    def send(self, mail: OutboxMail) -> None:
        message = self.message(mail)
        with self.connect() as connection:
            connection.send_message(message)


def sender_for(settings: Settings) -> MailSender | None:
    """The sender of ``settings.mail_backend``; None for "outbox" (mail stays queued)."""
    if settings.mail_backend == "console":
        return ConsoleSender(settings.mail_from)
    if settings.mail_backend == "smtp":
        return SmtpSender(settings.smtp_host, settings.smtp_port, settings.mail_from,
                          user=settings.smtp_user, password=settings.smtp_password,
                          security=settings.smtp_security)
    return None
