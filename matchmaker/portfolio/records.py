"""Finding the need or offer a request names, and the one a viewer may change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from matchmaker.accounts.authz import require
from matchmaker.errors import NotFound
from matchmaker.models import Need, Offer
from matchmaker.portfolio.lifecycle import lock_for_change
from matchmaker.portfolio.search import is_reference


def find_record(session: Session, model: type[Need] | type[Offer], reference: str,
                visible: ColumnElement[bool], not_found: str):
    """The record ``reference`` of ``model`` if ``visible`` lets the viewer see it, else
    NotFound with the message ``not_found`` (a hidden record and a missing one look alike)."""
    record = session.scalars(
        select(model).where(model.reference == reference, visible)
    ).first() if is_reference(reference) else None
    if record is None:
        raise NotFound(not_found)
    return record


def record_to_change(session: Session, record: Need | Offer, *, allowed: bool, refusal: str,
                     lock: bool = False, with_proposals: bool = False):
    """``record`` if the viewer is ``allowed`` to change it, else PermissionDenied with
    ``refusal``; with ``lock`` it is locked (and its proposals, ``with_proposals``) and read
    again."""
    require(allowed, refusal)
    if lock:
        return lock_for_change(session, record, with_proposals=with_proposals)
    return record
