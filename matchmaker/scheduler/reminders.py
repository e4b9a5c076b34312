"""Reminders driven by the calendar: a proposal about to expire (7 days and 1 day before) and a
need whose deadline approaches while it is not covered (14 days before).

Each reminder has its own event key (``proposal:12:expiring:7``), so the notification's unique
index makes it once per person however often the job runs; keys already used are skipped
before anything is read or written. (What notify() returns is not counted: on PostgreSQL its
multi-row INSERT ... ON CONFLICT DO NOTHING reports a row count of -1, so it returns 0.)
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.db import session_scope
from matchmaker.i18n import ngettext
from matchmaker.models import (
    OPEN_NEED_STATUSES,
    OPEN_PROPOSAL_STATES,
    Need,
    Notification,
    Offer,
    Proposal,
)
from matchmaker.notifications.service import notify
from matchmaker.proposals.services import unanswered_sides
from matchmaker.scheduler import recipients
from matchmaker.scheduler.housekeeping import need_params, need_people
from matchmaker.settings import Settings

EXPIRY_REMINDERS = (7, 1)  # days before a proposal expires, widest first
DEADLINE_REMINDER = 14  # days before an uncovered need's deadline


def _used_keys(db: Session, kind: str, keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(db.scalars(select(Notification.event_key).distinct().where(
        Notification.kind == kind, Notification.event_key.in_(keys))).all())


def _expiry_key(proposal_id: int, expires_at: datetime, now: datetime) -> str:
    """The reminder due for a proposal expiring at ``expires_at``: the 1-day one within a day,
    else the 7-day one."""
    days = min(d for d in EXPIRY_REMINDERS if expires_at - now <= timedelta(days=d))
    return f"proposal:{proposal_id}:expiring:{days}"


def remind_expiring_proposals(engine: Engine, settings: Settings, now: datetime) -> str:
    """Remind the sides that have not answered an open proposal that it expires soon."""
    horizon = now + timedelta(days=max(EXPIRY_REMINDERS))
    with Session(engine) as db:
        soon = db.execute(select(Proposal.id, Proposal.expires_at).where(
            Proposal.state.in_(OPEN_PROPOSAL_STATES), Proposal.expires_at > now,
            Proposal.expires_at <= horizon).order_by(Proposal.id)).all()
        keys = {proposal_id: _expiry_key(proposal_id, expires_at, now)
                for proposal_id, expires_at in soon}
        used = _used_keys(db, "proposal_expiring", list(keys.values()))
    sent = 0
    for proposal_id, key in keys.items():
        if key in used:
            continue
        with session_scope(engine) as db:
            proposal = db.get(Proposal, proposal_id)
            if proposal.state not in OPEN_PROPOSAL_STATES:
                continue
            need, offer = db.get(Need, proposal.need_id), db.get(Offer, proposal.offer_id)
            sides = unanswered_sides(proposal)
            people = ((recipients.requesters(db, need) if "requester" in sides else [])
                      + (recipients.donors(db, offer) if "donor" in sides else []))
            params = {**recipients.proposal_params(db, need, offer, proposal.amount_usd),
                      "expires_on": proposal.expires_at.date().isoformat()}
            notify(db, people, "proposal_expiring", key, params, f"/proposals/{proposal_id}")
            sent += bool(people)
    return ngettext("%(num)s proposal about to expire was recalled to the parties.",
                    "%(num)s proposals about to expire were recalled to the parties.", sent)


def remind_need_deadlines(engine: Engine, settings: Settings, now: datetime) -> str:
    """Tell the State and its coordinators that an uncovered need reaches its deadline soon."""
    today = now.date()
    with Session(engine) as db:
        soon = db.scalars(select(Need.id).where(
            Need.status.in_(OPEN_NEED_STATUSES), Need.cost_usd > Need.agreed_usd,
            Need.deadline >= today, Need.deadline <= today + timedelta(days=DEADLINE_REMINDER))
            .order_by(Need.id)).all()
        keys = {need_id: f"need:{need_id}:deadline:{DEADLINE_REMINDER}" for need_id in soon}
        used = _used_keys(db, "need_deadline", list(keys.values()))
    sent = 0
    for need_id, key in keys.items():
        if key in used:
            continue
        with session_scope(engine) as db:
            need = db.get(Need, need_id)
            people = need_people(db, need)
            notify(db, people, "need_deadline", key, need_params(db, need),
                   f"/needs/{need.reference}")
            sent += bool(people)
    return ngettext("%(num)s need nearing its deadline uncovered was recalled.",
                    "%(num)s needs nearing their deadline uncovered were recalled.", sent)
