"""Server-side login sessions: the cookie carries a random key, the database its SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlmodel import Session

from matchmaker.accounts.authz import ANONYMOUS, Viewer, viewer_for
from matchmaker.models import User, UserSession, utcnow

SESSION_COOKIE = "mm_session"
CSRF_COOKIE = "mm_csrf"
IDLE_LIFETIME = timedelta(hours=8)
REFRESH_AFTER = timedelta(minutes=5)


def digest(secret_value: str) -> str:
    return hashlib.sha256(secret_value.encode()).hexdigest()


@dataclass(frozen=True)
class LoadedSession:
    session_id: int | None
    viewer: Viewer
    csrf_token: str


def start_session(
    db: Session, user: User, *, address: str = "", user_agent: str = "",
    replacing_key: str | None = None,
) -> tuple[str, UserSession]:
    """Open a new session for ``user`` (ending the one it replaces) and return its cookie key.

    A fresh key on every login defeats session fixation.
    """
    if replacing_key:
        end_session(db, replacing_key)
    key = secrets.token_urlsafe(32)
    record = UserSession(
        key_hash=digest(key),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + IDLE_LIFETIME,
        address=address[:64],
        user_agent=user_agent[:200],
    )
    db.add(record)
    db.flush()
    return key, record


def load_session(db: Session, key: str | None) -> LoadedSession | None:
    """The live session for cookie ``key`` (sliding its expiry), or None."""
    if not key:
        return None
    record = db.scalars(select(UserSession).where(UserSession.key_hash == digest(key))).first()
    now = utcnow()
    if record is None:
        return None
    if record.expires_at <= now:
        db.delete(record)
        db.commit()
        return None
    user = db.get(User, record.user_id)
    viewer = viewer_for(db, user)
    if viewer is ANONYMOUS:
        return None
    if now - record.last_seen_at > REFRESH_AFTER:
        record.last_seen_at = now
        record.expires_at = now + IDLE_LIFETIME
        db.commit()
    return LoadedSession(record.id, viewer, record.csrf_token)


def end_session(db: Session, key: str) -> None:
    db.execute(delete(UserSession).where(UserSession.key_hash == digest(key)))


def end_all_sessions(db: Session, user_id: int) -> None:
    """Log ``user_id`` out everywhere (password change or reset, lock, disable)."""
    db.execute(delete(UserSession).where(UserSession.user_id == user_id))


# --- CSRF tokens for visitors without a session ---------------------------------------------


def anonymous_csrf_token(secret_key: str) -> str:
    nonce = secrets.token_urlsafe(24)
    signature = hmac.new(secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{nonce}.{signature}"


def valid_anonymous_token(secret_key: str, token: str | None) -> bool:
    if not token or "." not in token:
        return False
    nonce, signature = token.rsplit(".", 1)
    expected = hmac.new(secret_key.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]
    return hmac.compare_digest(signature, expected)
