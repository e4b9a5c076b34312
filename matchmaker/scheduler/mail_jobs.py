"""Mail jobs: notification mail composed (at once, or in daily and weekly digests) and the
outbox delivered. Composing claims each notification, so running these in several workers
mails everything once (notifications.mailing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from matchmaker.i18n import ngettext
from matchmaker.mail.outbox import deliver_pending
from matchmaker.models import NotificationDelivery, utcnow
from matchmaker.notifications.mailing import compose_digests, compose_immediate
from matchmaker.settings import Settings


def send_mail(engine: Engine, settings: Settings, now: datetime) -> str:
    """Compose the mail of new immediate notifications, then send what the outbox holds."""
    composed = compose_immediate(engine, settings)
    sent = deliver_pending(engine, settings)
    return " ".join((
        ngettext("%(num)s notification mail composed;", "%(num)s notification mails composed;",
                 composed),
        ngettext("%(num)s mail sent.", "%(num)s mails sent.", sent),
    ))


def _digests(engine: Engine, settings: Settings, now: datetime, delivery: str) -> str:
    # Up to this moment, not the tick's start: the digest carries what this tick just told.
    count = compose_digests(engine, settings, delivery, until=max(now, utcnow()))
    return ngettext("%(num)s digest composed.", "%(num)s digests composed.", count)


def daily_digests(engine: Engine, settings: Settings, now: datetime) -> str:
    return _digests(engine, settings, now, NotificationDelivery.DAILY)


def weekly_digests(engine: Engine, settings: Settings, now: datetime) -> str:
    return _digests(engine, settings, now, NotificationDelivery.WEEKLY)
