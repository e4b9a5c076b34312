"""A real SMTP server for the mail tests: aiosmtpd on a free local port, keeping what arrives.

``mailbox`` is the server; ``smtp_settings`` are the app's settings with the smtp backend
pointed at it (built from the MATCHMAKER_* variables, as a deployment would set them).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.conftest import TEST_SECRET

MAIL_FROM = "clearing-house@matchmaker.test"


@dataclass(frozen=True)
class Arrived:
    """One mail as the server received it: the envelope's recipients, the parsed message and
    the bytes on the wire."""

    recipients: tuple[str, ...]
    message: EmailMessage
    raw: bytes


@dataclass
class Collector:
    """The aiosmtpd handler: keeps each mail, or refuses it with a temporary error."""

    arrived: list[Arrived] = field(default_factory=list)
    refusing: bool = False
    refusal: str = "451 4.3.0 Mailbox busy, try again later"
    changed: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refusing:
            return self.refusal
        raw = envelope.original_content
        message = message_from_bytes(raw, policy=policy.default)
        with self.changed:
            self.arrived.append(Arrived(tuple(envelope.rcpt_tos), message, raw))
            self.changed.notify_all()
        return "250 2.0.0 Message accepted"


class Mailbox:
    """The SMTP server of a test; it can refuse mail, go down and come back on its port."""

    def __init__(self, port: int) -> None:
        self.host, self.port = "127.0.0.1", port
        self.collector = Collector()
        self.controller: Controller | None = None
        self.logins: list[tuple[str, str]] = []

    def start(self, credentials: tuple[str, str] | None = None) -> None:
        """Listen; with ``credentials``, only a client that signs in with them may send."""
        extra = {}
        if credentials is not None:
            def authenticate(server, session, envelope, mechanism, data):
                login = (data.login.decode(), data.password.decode())
                self.logins.append(login)
                return AuthResult(success=login == credentials)

            extra = {"authenticator": authenticate, "auth_required": True,
                     "auth_require_tls": False}
        self.controller = Controller(self.collector, hostname=self.host, port=self.port,
                                     **extra)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def refuse(self, refusing: bool = True, reply: str = "") -> None:
        self.collector.refusing = refusing
        if reply:
            self.collector.refusal = reply

    @property
    def arrived(self) -> list[Arrived]:
        with self.collector.changed:
            return list(self.collector.arrived)

    @property
    def messages(self) -> list[EmailMessage]:
        return [mail.message for mail in self.arrived]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages delivered to ``address``, in order of arrival."""
        return [mail.message for mail in self.arrived if address in mail.recipients]

    def wait_for(self, address: str, match: Callable[[EmailMessage], bool],
                 timeout: float = 15) -> EmailMessage:
        """The first message to ``address`` that ``match``es, waiting for it if need be: mail
        sent by a background task after a response arrives a moment after the response."""
        deadline = time.monotonic() + timeout
        with self.collector.changed:
            while True:
                for mail in self.collector.arrived:
                    if address in mail.recipients and match(mail.message):
                        return mail.message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no such mail to {address} within {timeout} s")
                self.collector.changed.wait(left)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    server = Mailbox(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(database_url: str, mailbox: Mailbox):
    from matchmaker.settings import load_settings

    return load_settings(
        {
            "MATCHMAKER_DATABASE_URL": database_url,
            "MATCHMAKER_SECRET_KEY": TEST_SECRET,
            "MATCHMAKER_MAIL_BACKEND": "smtp",
            "MATCHMAKER_SMTP_HOST": mailbox.host,
            "MATCHMAKER_SMTP_PORT": str(mailbox.port),
            "MATCHMAKER_MAIL_FROM": MAIL_FROM,
            "MATCHMAKER_WORKER": "0",
        },
        demo=False,
    )
