"""Notification mail: composed after the change commits, in the reader's language, text and
HTML, with one-click unsubscribe; sent by the outbox.

Composing claims the notifications it mails with a conditional update in the same transaction
that queues the mail, so each person gets each notification once, however many processes
compose at the same time (on SQLite as on PostgreSQL).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.accounts.mails import _in_language
from matchmaker.db import session_scope
from matchmaker.i18n import _, ngettext
from matchmaker.mail.outbox import queue_mail
from matchmaker.models import Notification, NotificationDelivery, User, UserStatus, utcnow
from matchmaker.notifications.kinds import KINDS
from matchmaker.notifications.tokens import ALL_KINDS, unsubscribe_token
from matchmaker.settings import Settings
from matchmaker.web.templating import make_environment

BATCH = 200


@lru_cache(maxsize=1)
def _environment():
    return make_environment()


def _claim(db: Session, ids: Sequence[int], at: datetime) -> bool:
    """Mark ``ids`` mailed unless another process did; True when all were still unmailed."""
    changed = db.execute(
        update(Notification).where(Notification.id.in_(ids), Notification.mailed_at.is_(None))
        .values(mailed_at=at).execution_options(synchronize_session=False)
    ).rowcount
    return changed == len(ids)


def _headers(settings: Settings, user: User, kind: str) -> tuple[dict[str, str], str]:
    link = f"{settings.base_url}/unsubscribe/{unsubscribe_token(settings.secret_key, user.id, kind)}"
    return {"List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}, link


def _item(settings: Settings, notification: Notification) -> dict:
    subject, lines = KINDS[notification.kind].words(notification.params)
    return {"subject": subject, "lines": lines, "action": str(KINDS[notification.kind].action),
            "link": settings.base_url + notification.link if notification.link else ""}


def _render(settings: Settings, user: User, subject: str, items: list[dict], kind: str,
            intro: str = "") -> tuple[str, str, dict[str, str]]:
    headers, unsubscribe = _headers(settings, user, kind)
    context = {
        "name": user.name, "subject": subject, "intro": intro, "items": items,
        "unsubscribe": unsubscribe, "preferences": f"{settings.base_url}/account/notifications",
        "kind_label": str(KINDS[kind].label) if kind in KINDS else "",
        "dir": "rtl" if user.language == "ar" else "ltr", "lang": user.language,
    }
    environment = _environment()
    text = environment.get_template("mail/notification.txt").render(context)
    html = environment.get_template("mail/notification.html").render(context)
    return text, html, headers


def compose_immediate(engine: Engine, settings: Settings) -> int:
    """Queue one mail per unmailed notification whose delivery is immediate; how many."""
    with Session(engine) as db:
        ids = db.scalars(
            select(Notification.id).where(
                Notification.delivery == NotificationDelivery.IMMEDIATE,
                Notification.mailed_at.is_(None))
            .order_by(Notification.id).limit(BATCH)
        ).all()
    queued = 0
    for notification_id in ids:
        with session_scope(engine) as db:
            notification = db.get(Notification, notification_id)
            if notification is None or not _claim(db, [notification_id], utcnow()):
                continue
            user = db.get(User, notification.user_id)
            if user.status != UserStatus.ACTIVE:
                continue  # claimed all the same: nobody is left to tell
            with _in_language(user.language):
                item = _item(settings, notification)
                text, html, headers = _render(settings, user, item["subject"], [item],
                                              notification.kind)
            queue_mail(db, user.email, item["subject"], text, html_body=html, headers=headers)
            queued += 1
    return queued


def compose_digests(engine: Engine, settings: Settings, delivery: str,
                    until: datetime | None = None) -> int:
    """Queue one digest per person of their unmailed ``delivery`` (daily or weekly)
    notifications created before ``until``; how many digests."""
    until = until or utcnow()
    with Session(engine) as db:
        pending = db.execute(
            select(Notification.user_id, Notification.id).where(
                Notification.delivery == delivery, Notification.mailed_at.is_(None),
                Notification.created_at <= until)
            .order_by(Notification.user_id, Notification.id)
        ).all()
    by_user: dict[int, list[int]] = defaultdict(list)
    for user_id, notification_id in pending:
        by_user[user_id].append(notification_id)
    queued = 0
    for user_id, ids in by_user.items():
        with session_scope(engine) as db:
            if not _claim(db, ids, utcnow()):
                db.rollback()  # another process is composing this digest
                continue
            user = db.get(User, user_id)
            if user.status != UserStatus.ACTIVE:
                continue
            notifications = db.scalars(select(Notification).where(Notification.id.in_(ids))
                                       .order_by(Notification.id)).all()
            subject, text, html, headers = digest_mail(settings, user, notifications, delivery)
            queue_mail(db, user.email, subject, text, html_body=html, headers=headers)
            queued += 1
    return queued


def digest_mail(settings: Settings, user: User, notifications: Sequence[Notification],
                delivery: str) -> tuple[str, str, str, dict[str, str]]:
    """Subject, text, HTML and headers of ``user``'s digest of ``notifications``, in the
    user's language (the demo writes its past digests with it too)."""
    with _in_language(user.language):
        items = [_item(settings, notification) for notification in notifications]
        subject = (ngettext("Your daily Matchmaker digest: %(num)s update",
                            "Your daily Matchmaker digest: %(num)s updates", len(items))
                   if delivery == NotificationDelivery.DAILY else
                   ngettext("Your weekly Matchmaker digest: %(num)s update",
                            "Your weekly Matchmaker digest: %(num)s updates", len(items)))
        text, html, headers = _render(
            settings, user, subject, items, ALL_KINDS,
            intro=_("Here is what happened on the clearing-house for you."))
    return subject, text, html, headers
