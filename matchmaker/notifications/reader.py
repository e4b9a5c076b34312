"""What a person does with their own notifications: open one, choose deliveries, unsubscribe.

Every function takes the person's id and touches only that person's rows, so nobody reads or
changes another person's notifications: a notification of someone else is NotFound, like one
that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update
from sqlmodel import Session

from matchmaker.errors import FormErrors, NotFound
from matchmaker.i18n import _
from matchmaker.models import Notification, NotificationDelivery, User
from matchmaker.notifications.kinds import DELIVERIES, KINDS, Kind, kinds_for
from matchmaker.notifications.service import mark_read, preferences, set_preference
from matchmaker.notifications.tokens import ALL_KINDS, read_unsubscribe_token
from matchmaker.web.urls import safe_next

DIGESTS = (NotificationDelivery.DAILY, NotificationDelivery.WEEKLY)


def own_notification(db: Session, user_id: int, notification_id: int) -> Notification:
    notification = db.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id))
    if notification is None:
        raise NotFound(_("There is no notification with this number."))
    return notification


def open_notification(db: Session, user_id: int, notification_id: int) -> str:
    """Mark one of the person's notifications read; the local path it points to."""
    notification = own_notification(db, user_id, notification_id)
    mark_read(db, user_id, notification.id)
    return safe_next(notification.link) if notification.link else "/notifications"


def save_preferences(db: Session, user: User, submitted: Mapping[str, str]) -> int:
    """Record the deliveries chosen for the kinds ``user``'s role receives; how many changed.

    A kind left out of the form keeps its delivery; an unknown delivery refuses the whole
    form (FormErrors at that kind) before anything is written.
    """
    current = preferences(db, user.id)
    chosen: dict[str, str] = {}
    errors: dict[str, str] = {}
    for kind in kinds_for(user.role):
        value = submitted.get(kind.key)
        if value is None:
            continue
        if value not in DELIVERIES:
            errors[kind.key] = _("Choose one of the options.")
        elif value != current[kind.key]:
            chosen[kind.key] = value
    if errors:
        raise FormErrors(errors)
    for key, delivery in chosen.items():
        _choose(db, user.id, key, delivery)
    return len(chosen)


def unsubscribe_target(db: Session, secret: str, token: str) -> tuple[User, Kind | None]:
    """The person and the kind (None for all kinds) a genuine unsubscribe token names."""
    read = read_unsubscribe_token(secret, token)
    user = db.get(User, read[0]) if read else None
    if user is None:
        raise NotFound(_("This unsubscribe link is not valid. Open it again from the mail, "
                         "or sign in and choose your notifications on your account page."))
    kind = read[1]
    return user, None if kind == ALL_KINDS else KINDS[kind]


def unsubscribe(db: Session, user: User, kind: Kind | None) -> None:
    """Stop mail of ``kind`` (of every kind when None) to ``user``."""
    for key in [kind.key] if kind else list(KINDS):
        _choose(db, user.id, key, NotificationDelivery.OFF)


def _choose(db: Session, user_id: int, kind: str, delivery: str) -> None:
    """Record the choice, and let it govern what still waits for a digest: an unsubscribed
    kind stops at once instead of arriving in next week's digest. Moving to "immediately"
    leaves waiting items in their digest rather than mailing each of them on its own."""
    set_preference(db, user_id, kind, delivery)
    if delivery in (*DIGESTS, NotificationDelivery.OFF):
        db.execute(update(Notification).where(
            Notification.user_id == user_id, Notification.kind == kind,
            Notification.mailed_at.is_(None), Notification.delivery.in_(DIGESTS),
        ).values(delivery=delivery).execution_options(synchronize_session=False))
