"""The audit trail: every change to a record leaves an Event (who, what, when, before/after)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from matchmaker.accounts.authz import Viewer
from matchmaker.models import Event


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(record: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The values of ``fields`` on ``record``, JSON-ready, for an event's before/after."""
    return {name: _plain(getattr(record, name)) for name in fields}


def record_event(
    db: Session,
    actor: Viewer | None,
    entity: str,
    entity_id: int,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> Event:
    """Add an event to the session (the caller's transaction commits it with the change)."""
    event = Event(
        actor_id=actor.user_id if actor else None,
        organisation_id=actor.organisation_id if actor else None,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before or {},
        after=after or {},
        note=note,
    )
    db.add(event)
    return event
