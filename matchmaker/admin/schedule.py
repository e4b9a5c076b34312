"""The admin schedule page: each scheduled job, how its last run went, when it runs next, and
a "Run now" button (admins only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect

from matchmaker.accounts.guards import roles_required
from matchmaker.errors import NotFound
from matchmaker.i18n import _, ngettext
from matchmaker.models import Role, ScheduledJob, utcnow
from matchmaker.scheduler import runner
from matchmaker.scheduler.jobs import all_jobs
from matchmaker.scheduler.registry import Job
from matchmaker.web.render import is_fragment_request, render

UNITS = ((timedelta(days=1), "day"), (timedelta(hours=1), "hour"),
         (timedelta(minutes=1), "minute"), (timedelta(seconds=1), "second"))


def period_words(every: timedelta) -> str:
    """"every 10 minutes", in the reader's language (the largest whole unit)."""
    count, name = max(int(every.total_seconds()), 1), "second"
    for unit, unit_name in UNITS:
        if every >= unit and every % unit == timedelta(0):
            count, name = every // unit, unit_name
            break
    return {
        "day": lambda: ngettext("every day", "every %(num)s days", count),
        "hour": lambda: ngettext("every hour", "every %(num)s hours", count),
        "minute": lambda: ngettext("every minute", "every %(num)s minutes", count),
        "second": lambda: ngettext("every second", "every %(num)s seconds", count),
    }[name]()


@dataclass(frozen=True)
class ScheduleItem:
    name: str
    description: str
    period: str
    last_started_at: datetime | None
    last_finished_at: datetime | None
    outcome: str  # "ok", "failed" or "" (never run)
    outcome_label: str
    badge: str  # the badge style of the outcome
    message: str
    next_due_at: datetime | None  # None: at the next tick
    running: bool
    notice: str = ""  # what "Run now" just did

    @classmethod
    def build(cls, job: Job, row: ScheduledJob | None, notice: str = "") -> ScheduleItem:
        outcome = row.last_outcome if row else ""
        labels = {"ok": _("Succeeded"), "failed": _("Failed")}
        running = bool(row and row.lease_until and row.lease_until > utcnow())
        return cls(
            name=job.name, description=str(job.description), period=period_words(job.every),
            last_started_at=row.last_started_at if row else None,
            last_finished_at=row.last_finished_at if row else None,
            outcome=outcome, outcome_label=labels.get(outcome, _("Never run")),
            badge={"ok": "done", "failed": "failed"}.get(outcome, "draft"),
            message=row.last_message if row else "",
            next_due_at=row.next_due_at if row else None, running=running, notice=notice,
        )


@dataclass(frozen=True)
class SchedulePage:
    items: list[ScheduleItem]


def _job(name: str) -> Job:
    for job in all_jobs():
        if job.name == name:
            return job
    raise NotFound(_("There is no scheduled job named %(name)s.", name=name))


def _notice(item_row: ScheduledJob | None, ran: bool) -> str:
    if not ran:
        return _("This job is running in a worker right now; try again when it has finished.")
    if item_row and item_row.last_outcome == runner.FAILED:
        return _("The job ran and failed: %(outcome)s", outcome=item_row.last_message)
    return _("The job ran: %(outcome)s", outcome=item_row.last_message if item_row else "")


def schedule_page(request: Request, ran: str = "", busy: str = "") -> SchedulePage:
    rows = runner.schedule_rows(request.app.state.engine)
    items = []
    for job in all_jobs():
        notice = (_notice(rows.get(job.name), True) if job.name == ran
                  else _notice(None, False) if job.name == busy else "")
        items.append(ScheduleItem.build(job, rows.get(job.name), notice))
    return SchedulePage(items)


class ScheduleController(Controller):
    path = "/admin/schedule"
    guards = [roles_required(Role.ADMIN)]

    @get("/", name="admin:schedule", sync_to_thread=True)
    def schedule(self, request: Request) -> Response:
        query = request.query_params
        page = schedule_page(request, ran=query.get("ran", ""), busy=query.get("busy", ""))
        return render(request, "admin/schedule.html", None, page)

    @post("/{name:str}/run", name="admin:schedule-run", sync_to_thread=True)
    def run(self, request: Request, name: str) -> Response:
        job = _job(name)
        state = request.app.state
        outcome = runner.run_now(state.engine, state.settings, job.name,
                                 f"admin:{request.state.viewer.user_id}")
        if not is_fragment_request(request):
            flag = "ran" if outcome else "busy"
            return Redirect(path=f"/admin/schedule?{flag}={job.name}", status_code=303)
        row = runner.schedule_rows(state.engine).get(job.name)
        item = ScheduleItem.build(job, row, _notice(row, outcome is not None))
        return render(request, "admin/_schedule_job.html", None, {"item": item})
