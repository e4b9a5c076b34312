"""The status actions panel of a need or an offer: what the viewer may do, and why not."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordActions:
    """The status actions on a record that the viewer may take, with why others are closed."""

    reference: str
    status: str
    status_label: str
    can_change: bool
    edit_blocked: str | None
    can_publish: bool
    can_withdraw: bool
    can_redraft: bool
    withdraw_blocked: str | None
    message: str = ""
    errors: list[str] = field(default_factory=list)


def action_fields(record, *, may_change: bool, committed: Callable[[], bool],
                  edit_blocked: Callable[[], str | None], status_labels: Mapping,
                  draft: str, withdrawable: Collection[str], redraftable: Collection[str],
                  withdraw_blocked: Callable[[], str], message: str = "",
                  errors: list[str] | None = None) -> dict[str, Any]:
    """The fields of a ``RecordActions`` for ``record``; what costs a query or a translation
    (``committed``, ``edit_blocked``, ``withdraw_blocked``) is only asked for when it counts."""
    is_committed = may_change and committed()
    return {
        "reference": record.reference,
        "status": record.status,
        "status_label": str(status_labels.get(record.status, record.status)),
        "can_change": may_change,
        "edit_blocked": edit_blocked() if may_change else None,
        "can_publish": may_change and record.status == draft,
        "can_withdraw": may_change and not is_committed and record.status in withdrawable,
        "can_redraft": may_change and not is_committed and record.status in redraftable,
        "withdraw_blocked": withdraw_blocked() if is_committed else None,
        "message": message,
        "errors": errors or [],
    }
