"""Account rules: signing in (with throttling and locking) and account preferences."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts import mails, throttle
from matchmaker.accounts.passwords import hash_password, needs_rehash, verify_password
from matchmaker.errors import InputError, MatchmakerError
from matchmaker.events import record_event
from matchmaker.i18n import _
from matchmaker.models import Event, User, UserStatus, utcnow

# Verifying against this when the email is unknown keeps the answer time the same.
_DUMMY_HASH = hash_password("not-a-real-password-only-for-constant-time")
# An account's owner gets at most one mail of each kind a stranger can trigger per interval.
OWNER_MAIL_INTERVAL = timedelta(hours=1)
SIGN_IN_REFUSED = "sign_in_refused"


class LoginError(MatchmakerError):
    status_code = 400


class TooManyAttempts(MatchmakerError):
    status_code = 429


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(db: Session, email: str) -> User | None:
    return db.scalars(select(User).where(func.lower(User.email) == normalise_email(email))).first()


def authenticate(db: Session, email: str, password: str, address: str) -> User:
    """The user with these credentials, or LoginError / TooManyAttempts with a clear message.

    Commits the attempt (so failures count even though the login is refused).
    """
    email = normalise_email(email)
    verdict = throttle.check(db, email, address)
    if verdict.blocked:
        if verdict.reason == "address":
            message = _("Too many failed sign-in attempts from your network. Please wait "
                        "%(minutes)s minutes and try again.", minutes=verdict.retry_after_minutes)
        else:
            message = _("Too many failed sign-in attempts for this account. Please wait "
                        "%(minutes)s minutes and try again.", minutes=verdict.retry_after_minutes)
        raise TooManyAttempts(message)
    user = find_user(db, email)
    matches = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not matches or not _may_sign_in(user):
        # One answer for every refusal: a locked or pending account must not tell a right
        # password from a wrong one. Its owner learns the reason by mail instead.
        throttle.record(db, email, address, succeeded=False)
        if user is not None and not matches:
            _count_failure(db, user)
        elif user is not None:
            _explain_refusal(db, user)
        db.commit()
        raise LoginError(
            _("The email address or password is not correct.") + " "
            + _("If the password is right but the account cannot sign in (still waiting for "
                "approval, locked or disabled), an email to that address explains why."),
            field="email",
        )
    throttle.record(db, email, address, succeeded=True)
    user.failed_logins = 0
    user.last_login_at = utcnow()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.flush()
    return user


def _may_sign_in(user: User) -> bool:
    return user.status == UserStatus.ACTIVE and user.locked_at is None


def _explain_refusal(db: Session, user: User) -> None:
    """Mail the owner why the right password did not sign them in (at most once an hour)."""
    if told_recently(db, user, SIGN_IN_REFUSED):
        return
    mails.sign_in_refused(db, user)
    record_event(db, None, "user", user.id, SIGN_IN_REFUSED,
                 note=f"right password, account {'locked' if user.locked_at else user.status}; "
                      "the reason was mailed to its owner")


def told_recently(db: Session, user: User, action: str) -> bool:
    """Whether ``user`` was mailed about ``action`` (an event of theirs) in the last interval.

    Mails that anyone can trigger for an account are capped, so they cannot flood its owner.
    """
    since = utcnow() - OWNER_MAIL_INTERVAL
    return bool(db.scalar(
        select(func.count(Event.id)).where(
            Event.entity == "user", Event.entity_id == user.id,
            Event.action == action, Event.created_at >= since,
        )
    ))


def _count_failure(db: Session, user: User) -> None:
    user.failed_logins += 1
    if user.failed_logins >= throttle.FAILURES_BEFORE_LOCK and user.locked_at is None:
        user.locked_at = utcnow()
        record_event(db, None, "user", user.id, "lock",
                     before={"locked": False}, after={"locked": True},
                     note="locked after repeated failed sign-ins")


def set_language(db: Session, user_id: int, language: str) -> User:
    """Save the account's preferred language (one of the UN languages)."""
    if language not in i18n.LANGUAGES:
        raise InputError(_("Choose one of the listed languages."), field="language")
    user = db.get(User, user_id)
    user.language = language
    db.flush()
    return user
