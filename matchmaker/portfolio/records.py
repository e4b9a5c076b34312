"""Finding the need or offer a request names, and the one a viewer may change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer, require
from matchmaker.errors import Conflict, NotFound
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


def record_to_save(session: Session, viewer: Viewer, reference: str | None, data: Mapping, *,
                   partial: bool, may_post: bool, post_refusal: str,
                   to_edit: Callable[..., Any], blocked: Callable[[Any], str | None],
                   form_values: Callable[[Session, Any], dict[str, Any]]) -> tuple[Any, Mapping]:
    """The record a form saves (None for a new one, which the viewer ``may_post``, else
    PermissionDenied with ``post_refusal``) and the data to read.

    An edited record is found with ``to_edit`` and locked; Conflict when ``blocked`` gives a
    reason it cannot be edited. With ``partial`` the fields left out of ``data`` keep their
    stored ``form_values``.
    """
    if reference is None:
        require(may_post, post_refusal)
        return None, data
    record = to_edit(session, viewer, reference, lock=True)
    reason = blocked(record)
    if reason:
        raise Conflict(reason)
    if partial:
        data = {**form_values(session, record), **data}
    return record, data
