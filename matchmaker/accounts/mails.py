"""The account mails (request received, approved, rejected, password reset and change, a
refused sign-in, a sign-up with a registered address).

Each is written in the recipient's language and queued in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from matchmaker import i18n
from matchmaker.i18n import _
from matchmaker.mail.outbox import queue_mail
from matchmaker.models import User, UserStatus


@contextmanager
def _in_language(language: str) -> Iterator[None]:
    previous = i18n.get_language()
    i18n.set_language(language)
    try:
        yield
    finally:
        i18n.set_language(previous)


def _send(db: Session, user: User, subject: str, *paragraphs: str) -> None:
    greeting = _("Dear %(name)s,", name=user.name)
    closing = _("The Matchmaker clearing-house")
    body = "\n\n".join((greeting, *paragraphs, closing)) + "\n"
    queue_mail(db, user.email, subject, body)


def request_received(db: Session, user: User, organisation_name: str) -> None:
    with _in_language(user.language):
        _send(
            db, user, _("Your request for a Matchmaker account"),
            _("We have received your request for an account for %(organisation)s. The "
              "secretariat (or the UN regional centre of your region) will review it; you will "
              "receive another email once it has been decided.", organisation=organisation_name),
            _("If you did not make this request, you can ignore this email."),
        )


def account_approved(db: Session, user: User, base_url: str) -> None:
    with _in_language(user.language):
        _send(
            db, user, _("Your Matchmaker account is approved"),
            _("Your account has been approved. You can now sign in at %(url)s",
              url=f"{base_url}/login"),
        )


def account_rejected(db: Session, user: User) -> None:
    with _in_language(user.language):
        _send(
            db, user, _("Your request for a Matchmaker account"),
            _("Your request for an account was not approved. If you think this is a mistake, "
              "please contact the secretariat of the clearing-house."),
        )


def password_reset(db: Session, user: User, link: str, hours: int) -> None:
    with _in_language(user.language):
        _send(
            db, user, _("Reset your Matchmaker password"),
            _("Someone (we hope you) asked to reset the password of your account. To choose a "
              "new password, open this link within %(hours)s hour(s); it works only once:",
              hours=hours) + f"\n\n{link}",
            _("If you did not ask for this, ignore this email: your password stays as it is."),
        )


def password_changed(db: Session, user: User) -> None:
    with _in_language(user.language):
        _send(
            db, user, _("Your Matchmaker password was changed"),
            _("The password of your account was just changed, and every other session was "
              "signed out. If you did not do this, reset your password at once and tell the "
              "secretariat."),
        )


def sign_in_refused(db: Session, user: User) -> None:
    """Why the right password did not sign ``user`` in (the sign-in page does not say)."""
    with _in_language(user.language):
        _send(
            db, user, _("Your Matchmaker account cannot sign in"),
            _("Someone (we hope you) just tried to sign in to your account with its password."),
            _refusal_reason(user),
            _("If it was not you, someone knows your password: tell the secretariat of the "
              "clearing-house."),
        )


def signup_with_registered_address(db: Session, user: User, base_url: str) -> None:
    """Someone asked for an account with ``user``'s address (the sign-up page does not say)."""
    with _in_language(user.language):
        if user.status == UserStatus.ACTIVE and user.locked_at is None:
            next_step = _("If it was you: you already have an account. Sign in at %(login)s, "
                          "or, if you forgot your password, choose a new one at %(forgot)s",
                          login=f"{base_url}/login", forgot=f"{base_url}/password/forgot")
        else:
            next_step = _refusal_reason(user)
        _send(
            db, user, _("Your request for a Matchmaker account"),
            _("Someone (we hope you) just asked for a new account with your email address, "
              "which already has one. No new account was created."),
            next_step,
            _("If it was not you, you can ignore this email: nothing has changed."),
        )


def _refusal_reason(user: User) -> str:
    if user.locked_at is not None:
        return _("This account is locked after repeated failed sign-ins. Ask an administrator "
                 "of the clearing-house to unlock it.")
    if user.status == UserStatus.PENDING:
        return _("Your account is waiting for approval. You will receive an email once it is "
                 "approved.")
    if user.status == UserStatus.REJECTED:
        return _("Your request for an account was not approved. Contact the secretariat if you "
                 "think this is a mistake.")
    return _("This account has been disabled. Contact the secretariat of the clearing-house.")
