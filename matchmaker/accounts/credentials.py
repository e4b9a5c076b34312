"""Password change and reset by a single-use, expiring token (only its SHA-256 is stored)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session

from matchmaker.accounts import mails, sessions
from matchmaker.accounts.authz import Viewer
from matchmaker.accounts.passwords import hash_password, verify_password
from matchmaker.accounts.schemas import PasswordChangeForm, password_problems
from matchmaker.accounts.services import find_user
from matchmaker.errors import FormErrors, NotFound
from matchmaker.events import record_event
from matchmaker.i18n import _
from matchmaker.models import AuthToken, TokenPurpose, User, UserStatus, utcnow

RESET_LIFETIME = timedelta(hours=1)
RESETS_PER_HOUR = 3  # more requests for one account are ignored (no mail flood)


def change_password(db: Session, viewer: Viewer, form: PasswordChangeForm) -> User:
    """Set a new password for the signed-in user after checking the current one.

    Ends every session of the user (the caller opens a fresh one for this browser) and every
    reset link mailed before.
    """
    user = db.get(User, viewer.user_id)
    errors: dict[str, str] = {}
    if not verify_password(user.password_hash, form.current_password):
        errors["current_password"] = _("This is not your current password.")
    errors.update(password_problems(form.password, form.password_confirm, user.email))
    if not errors and form.password == form.current_password:
        errors["password"] = _("Choose a password different from the current one.")
    if errors:
        raise FormErrors(errors)
    _set_password(db, user, form.password)
    record_event(db, viewer, "user", user.id, "password_change",
                 note="password changed by its owner; other sessions ended")
    mails.password_changed(db, user)
    return user


def _set_password(db: Session, user: User, password: str) -> None:
    """Store the new password; every session and every reset link issued before it ends."""
    user.password_hash = hash_password(password)
    sessions.end_all_sessions(db, user.id)
    _use_up_reset_tokens(db, user.id)
    db.flush()


def _use_up_reset_tokens(db: Session, user_id: int) -> None:
    # A link mailed before the change must not undo it (nor let a mailbox thief back in).
    db.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.purpose == TokenPurpose.PASSWORD_RESET,
               AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def request_reset(db: Session, email: str, base_url: str) -> None:
    """Mail a reset link if ``email`` is an active account; do nothing visible otherwise."""
    user = find_user(db, email)
    if user is None or user.status != UserStatus.ACTIVE:
        return
    since = utcnow() - timedelta(hours=1)
    recent = db.scalar(
        select(func.count(AuthToken.id)).where(
            AuthToken.user_id == user.id, AuthToken.created_at >= since
        )
    )
    if recent >= RESETS_PER_HOUR:
        return
    token = secrets.token_urlsafe(32)
    db.add(AuthToken(
        token_hash=sessions.digest(token), user_id=user.id,
        purpose=TokenPurpose.PASSWORD_RESET, expires_at=utcnow() + RESET_LIFETIME,
    ))
    hours = int(RESET_LIFETIME.total_seconds() // 3600)
    mails.password_reset(db, user, f"{base_url.rstrip('/')}/password/reset/{token}", hours)
    db.flush()


def valid_reset_token(db: Session, token: str) -> AuthToken:
    """The unused, unexpired reset token ``token`` of an active account, or NotFound."""
    record = db.scalars(
        select(AuthToken).where(
            AuthToken.token_hash == sessions.digest(token),
            AuthToken.purpose == TokenPurpose.PASSWORD_RESET,
        )
    ).first()
    user = db.get(User, record.user_id) if record else None
    if (
        record is None or record.used_at is not None or record.expires_at <= utcnow()
        or user is None or user.status != UserStatus.ACTIVE
    ):
        raise NotFound(_("This link has expired or was already used."))
    return record


def reset_password(db: Session, token: str, password: str, confirmation: str) -> User:
    """Set the password of the token's account, use up all its reset links, end its sessions.

    An admin's lock stays: a reset proves access to the mailbox, not who is guessing.
    """
    record = valid_reset_token(db, token)
    user = db.get(User, record.user_id)
    errors = password_problems(password, confirmation, user.email)
    if errors:
        raise FormErrors(errors)
    # Claiming the token with a conditional update makes two simultaneous uses fail but one.
    claimed = db.execute(
        update(AuthToken)
        .where(AuthToken.id == record.id, AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        raise NotFound(_("This link has expired or was already used."))
    _set_password(db, user, password)
    record_event(db, None, "user", user.id, "password_reset",
                 note="password reset through a mailed link; all sessions ended")
    return user
