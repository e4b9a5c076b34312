"""The demo's console backend (`python3 dev.py start`): a notification mail is printed as its
text part with the unsubscribe link, never as HTML."""

from __future__ import annotations

import dataclasses

from matchmaker.mail import outbox
from tests.accounts.conftest import people  # noqa: F401 - a fixture
from tests.mail.test_smtp import propose


def test_the_console_prints_the_text_part_and_the_unsubscribe_link(
        session, engine, settings, people, capsys):
    propose(session, people.donor)
    console = dataclasses.replace(settings, mail_backend="console")

    assert outbox.deliver_now(engine, console) == 1
    printed = capsys.readouterr().out
    assert f"To: {people.donor.email}" in printed
    assert "From: Matchmaker <matchmaker@localhost>" in printed
    assert f"List-Unsubscribe: <{settings.base_url}/unsubscribe/" in printed
    assert f"Dear {people.donor.name}," in printed
    assert f"{settings.base_url}/proposals/1" in printed
    assert "<html" not in printed and "<p" not in printed
