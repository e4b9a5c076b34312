"""The schedule: every job the worker's scheduler runs, in the order a tick runs them.

Add a job with one entry in ``all_jobs``. The order matters within a tick: needs past their
deadline expire before open proposals are withdrawn, so both happen in the same tick, and mail
goes last so that it carries what the tick has just told people.
"""

from __future__ import annotations

from datetime import timedelta

from matchmaker.bulletin import services as bulletin
from matchmaker.i18n import lazy_gettext
from matchmaker.notifications import feeds, region_summary
from matchmaker.scheduler import housekeeping, mail_jobs, reminders
from matchmaker.scheduler.registry import Job

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


def all_jobs() -> list[Job]:
    return [
        Job("expire_needs", 10 * MINUTE, housekeeping.expire_needs,
            lazy_gettext("Expire needs past their deadline and tell the State and its "
                         "coordinators.")),
        Job("expire_proposals", MINUTE, housekeeping.expire_proposals,
            lazy_gettext("Expire proposals nobody answered by their answer date.")),
        Job("withdraw_unanswerable", MINUTE, housekeeping.withdraw_unanswerable,
            lazy_gettext("Withdraw open proposals that can no longer be accepted (need "
                         "covered, withdrawn or expired; offer spent or withdrawn).")),
        Job("flag_overdue", HOUR, housekeeping.flag_overdue,
            lazy_gettext("Flag agreed commitments with no delivery recorded by the need's "
                         "deadline, and tell both parties and the coordinators.")),
        Job("remind_expiring_proposals", HOUR, reminders.remind_expiring_proposals,
            lazy_gettext("Remind the parties of proposals that expire in 7 days and in 1 "
                         "day.")),
        Job("remind_need_deadlines", HOUR, reminders.remind_need_deadlines,
            lazy_gettext("Remind the State and its coordinators of uncovered needs 14 days "
                         "before their deadline.")),
        feeds.SUBSCRIPTION_FEEDS,
        region_summary.REGION_SUMMARIES,
        bulletin.BULLETIN,
        Job("daily_digests", DAY, mail_jobs.daily_digests,
            lazy_gettext("Compose the daily digests.")),
        Job("weekly_digests", 7 * DAY, mail_jobs.weekly_digests,
            lazy_gettext("Compose the weekly digests.")),
        Job("send_mail", timedelta(seconds=5), mail_jobs.send_mail,
            lazy_gettext("Compose notification mail and deliver the outbox, with retries.")),
    ]
