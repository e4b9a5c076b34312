"""Creating notifications (once per person and event), preferences, and the reader's list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from matchmaker.models import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
    User,
    UserStatus,
    utcnow,
)
from matchmaker.notifications.kinds import DELIVERIES, KINDS

EVENT_KEY_LENGTH = 120
LINK_LENGTH = 300


def preferences(db: Session, user_id: int) -> dict[str, str]:
    """The delivery of every kind for ``user_id``: the person's choice, else the default."""
    chosen = dict(db.execute(
        select(NotificationPreference.kind, NotificationPreference.delivery)
        .where(NotificationPreference.user_id == user_id)
    ).all())
    return {key: chosen.get(key, kind.default) for key, kind in KINDS.items()}


def set_preference(db: Session, user_id: int, kind: str, delivery: str) -> None:
    """Record how ``user_id`` wants ``kind`` (ValueError for an unknown kind or delivery)."""
    if kind not in KINDS or delivery not in DELIVERIES:
        raise ValueError(f"unknown kind or delivery: {kind!r}, {delivery!r}")
    row = db.scalar(select(NotificationPreference).where(
        NotificationPreference.user_id == user_id, NotificationPreference.kind == kind))
    if row is None:
        db.add(NotificationPreference(user_id=user_id, kind=kind, delivery=delivery))
    else:
        row.delivery = delivery
    db.flush()


def _insert(db: Session):
    return (postgresql_insert if db.get_bind().dialect.name == "postgresql"
            else sqlite_insert)(Notification)


def notify(db: Session, users: Iterable[User], kind: str, event_key: str,
           params: Mapping[str, Any] | None = None, link: str = "") -> int:
    """Tell each of ``users`` about one event, in ``db``'s transaction; how many were new.

    ``event_key`` names the event (e.g. ``proposal:12:agreed``): a person is told of one
    event once, however many times or from however many processes it is reported (a unique
    index, with ON CONFLICT DO NOTHING). Each notification takes the person's delivery for
    its kind; mail is composed from it after commit (notifications.mailing).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    recipients = {user.id: user for user in users
                  if user.id is not None and user.status == UserStatus.ACTIVE}
    if not recipients:
        return 0
    chosen = dict(db.execute(
        select(NotificationPreference.user_id, NotificationPreference.delivery)
        .where(NotificationPreference.kind == kind,
               NotificationPreference.user_id.in_(recipients))
    ).all())
    now = utcnow()
    rows = [
        {"user_id": user_id, "kind": kind, "event_key": event_key[:EVENT_KEY_LENGTH],
         "params": dict(params or {}), "link": link[:LINK_LENGTH],
         "delivery": chosen.get(user_id, KINDS[kind].default), "created_at": now,
         "read_at": None, "mailed_at": None}
        for user_id in sorted(recipients)
    ]
    # RETURNING counts the rows really inserted (rowcount is -1 on PostgreSQL here)
    inserted = db.execute(
        _insert(db).values(rows).on_conflict_do_nothing(
            index_elements=["user_id", "kind", "event_key"]).returning(Notification.id)
    ).all()
    return len(inserted)


def unread_count(db: Session, user_id: int) -> int:
    return db.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def recent(db: Session, user_id: int, limit: int = 50, before_id: int | None = None
           ) -> list[Notification]:
    """The person's notifications, newest first, a page of ``limit`` (paged by id)."""
    query = select(Notification).where(Notification.user_id == user_id)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    return list(db.scalars(query.order_by(Notification.id.desc()).limit(limit)).all())


def mark_read(db: Session, user_id: int, notification_id: int | None = None,
              at: datetime | None = None) -> int:
    """Mark one of the person's notifications (or all of them) read; how many changed."""
    query = update(Notification).where(Notification.user_id == user_id,
                                       Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.execute(query.values(read_at=at or utcnow())
                      .execution_options(synchronize_session=False)).rowcount


__all__ = ["NotificationDelivery", "mark_read", "notify", "preferences", "recent",
           "set_preference", "unread_count"]
