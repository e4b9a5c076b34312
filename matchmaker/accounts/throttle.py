"""Login throttling per account and per address, and the lock after repeated failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session

from matchmaker.models import LoginAttempt, utcnow

WINDOW = timedelta(minutes=15)
ACCOUNT_FAILURES_BEFORE_WAIT = 5
ADDRESS_FAILURES_BEFORE_WAIT = 20
FAILURES_BEFORE_LOCK = 10


@dataclass(frozen=True)
class Throttle:
    blocked: bool
    retry_after_minutes: int = 0
    reason: str = ""  # "account" or "address"


def _recent_failures(db: Session, **match: str) -> tuple[int, object]:
    since = utcnow() - WINDOW
    column = getattr(LoginAttempt, next(iter(match)))
    count, oldest = db.execute(
        select(func.count(LoginAttempt.id), func.min(LoginAttempt.created_at)).where(
            column == next(iter(match.values())),
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.created_at >= since,
        )
    ).one()
    return count, oldest


def check(db: Session, email: str, address: str) -> Throttle:
    """Whether a login for ``email`` from ``address`` must wait, and for how long."""
    for reason, match, limit in (
        ("address", {"address": address}, ADDRESS_FAILURES_BEFORE_WAIT),
        ("account", {"email": email}, ACCOUNT_FAILURES_BEFORE_WAIT),
    ):
        count, oldest = _recent_failures(db, **match)
        if count >= limit:
            wait = (oldest + WINDOW) - utcnow()
            minutes = max(1, int(wait.total_seconds() // 60) + 1)
            return Throttle(True, minutes, reason)
    return Throttle(False)


def record(db: Session, email: str, address: str, succeeded: bool) -> None:
    db.add(LoginAttempt(email=email, address=address[:64], succeeded=succeeded))


def forget_failures(db: Session, email: str) -> None:
    """Clear the failed attempts of ``email`` (an admin unlocked it: it may sign in at once)."""
    db.execute(
        delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False))
    )
