"""Page contexts of the notification centre, the preferences page and the unsubscribe page.

Words are put together here, in the reader's language (the request's), from each kind's
``words(params)``; the templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC

from babel.dates import format_time
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import Notification, User
from matchmaker.notifications.kinds import (
    DELIVERIES,
    DELIVERY_LABELS,
    GROUP_LABELS,
    KINDS,
    Kind,
    kinds_for,
)
from matchmaker.notifications.service import preferences, recent, unread_count
from matchmaker.web.templating import day

PAGE_SIZE = 20

NOTICES = {
    "read": lazy_gettext("The notification is marked as read."),
    "all": lazy_gettext("All your notifications are marked as read."),
    "none": lazy_gettext("There was nothing unread."),
    "saved": lazy_gettext("Your notification preferences have been saved."),
}


def notice(key: str) -> str:
    return str(NOTICES[key]) if key in NOTICES else ""


@dataclass
class NotificationItem:
    id: int
    subject: str
    lines: list[str]
    action: str
    open_url: str  # marks it read, then goes to what it is about ("" when about nothing)
    unread: bool
    created_iso: str
    created: str
    notice: str = ""

    @classmethod
    def build(cls, notification: Notification, notice_key: str = "") -> NotificationItem:
        kind = KINDS.get(notification.kind)  # a retired kind's rows are shown by their key
        subject, lines = kind.words(notification.params) if kind else (notification.kind, [])
        created = notification.created_at
        # SQLite gives back naive values; every stored time is UTC.
        created = (created.replace(tzinfo=UTC) if created.tzinfo is None
                   else created.astimezone(UTC))
        return cls(
            id=notification.id,
            subject=subject,
            lines=lines,
            action=str(kind.action) if kind else "",
            open_url=f"/notifications/{notification.id}/open" if notification.link else "",
            unread=notification.read_at is None,
            created_iso=created.isoformat(timespec="minutes"),
            created=_("%(date)s, %(time)s UTC", date=day(created.date()),
                      time=format_time(created, "short", tzinfo=UTC,
                                       locale=i18n.babel_locale())),
            notice=notice(notice_key),
        )


@dataclass
class CentrePage:
    items: list[NotificationItem]
    unread_notifications: int  # also the header's bell, which needs no second request here
    older_url: str  # the next page, older notifications ("" on the last page)
    paged: bool  # not the first page: offer a way back to the newest
    notice: str = ""
    in_place: bool = False  # an htmx answer: the notice goes to the page's alerts

    @classmethod
    def build(cls, db: Session, user_id: int, before_id: int | None = None,
              notice_key: str = "", in_place: bool = False) -> CentrePage:
        rows = recent(db, user_id, limit=PAGE_SIZE + 1, before_id=before_id)
        shown = rows[:PAGE_SIZE]
        return cls(
            items=[NotificationItem.build(row) for row in shown],
            unread_notifications=unread_count(db, user_id),
            older_url=f"/notifications?before={shown[-1].id}" if len(rows) > PAGE_SIZE else "",
            paged=before_id is not None,
            notice=notice(notice_key),
            in_place=in_place,
        )


@dataclass(frozen=True)
class DeliveryOption:
    value: str
    label: str
    is_default: bool


@dataclass(frozen=True)
class PreferenceRow:
    key: str
    label: str
    chosen: str
    options: list[DeliveryOption]
    error: str = ""


@dataclass(frozen=True)
class PreferenceGroup:
    label: str
    rows: list[PreferenceRow]


@dataclass
class PreferencesPage:
    groups: list[PreferenceGroup]
    notice: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    in_place: bool = False  # an htmx answer: the notice goes to the page's alerts

    @classmethod
    def build(cls, db: Session, user: User, notice_key: str = "",
              submitted: dict[str, str] | None = None,
              errors: dict[str, str] | None = None, in_place: bool = False
              ) -> PreferencesPage:
        """The kinds ``user``'s role receives, by group; ``submitted`` values win (a refused
        form shows what was chosen, beside its error)."""
        chosen = {**preferences(db, user.id), **(submitted or {})}
        errors = errors or {}
        by_group: dict[str, list[PreferenceRow]] = {}
        for kind in kinds_for(user.role):
            options = [DeliveryOption(value, str(DELIVERY_LABELS[value]), value == kind.default)
                       for value in DELIVERIES]
            by_group.setdefault(kind.group, []).append(PreferenceRow(
                kind.key, str(kind.label), chosen.get(kind.key, kind.default), options,
                errors.get(kind.key, "")))
        groups = [PreferenceGroup(str(GROUP_LABELS[group]), by_group[group])
                  for group in GROUP_LABELS if group in by_group]
        return cls(groups=groups, notice=notice(notice_key), errors=errors, in_place=in_place)


@dataclass(frozen=True)
class UnsubscribePage:
    token: str
    what: str  # the kind's name, or "" for every kind
    done: bool = False

    @classmethod
    def build(cls, token: str, kind: Kind | None, done: bool = False) -> UnsubscribePage:
        return cls(token=token, what=str(kind.label) if kind else "", done=done)
