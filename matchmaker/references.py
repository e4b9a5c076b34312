"""Human-readable record references (``N-00042``, ``O-00007``) derived from the primary key."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from matchmaker.models import Need, Offer

PREFIXES: dict[type, str] = {Need: "N", Offer: "O"}


def add_with_reference(session: Session, record: Need | Offer) -> Need | Offer:
    """Insert ``record`` and give it its reference from its id (unique under concurrency)."""
    prefix = PREFIXES[type(record)]
    record.reference = f"tmp-{uuid.uuid4().hex[:18]}"
    session.add(record)
    session.flush()
    record.reference = f"{prefix}-{record.id:05d}"
    session.flush()
    return record
