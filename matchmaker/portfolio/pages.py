"""The steps the need and offer pages share: the form's state, editing, saving, withdrawing
and the other status actions, for one feature (``needs`` or ``offers``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.datastructures import FormMultiDict
from sqlmodel import Session

from matchmaker.errors import FormErrors
from matchmaker.portfolio.responses import go_to, intent, status_action, withdraw_page
from matchmaker.web.forms import FormState
from matchmaker.web.render import render


def form_state(form, errors: dict[str, str], multi: Sequence[str]) -> FormState:
    """What the form shows: a submission as posted, or stored values (a plain mapping)."""
    if isinstance(form, FormMultiDict):
        return FormState.from_submission(form, errors, multi=multi)
    return FormState(values=dict(form), errors=errors)


@dataclass(frozen=True)
class RecordPages:
    """One feature's way to the records a viewer may change and to their actions panel.

    ``to_edit(session, viewer, reference)`` finds a record the viewer may change (NotFound,
    PermissionDenied otherwise); ``actions_for(session, viewer, record, message=, errors=)``
    builds its actions panel.
    """

    feature: str
    to_edit: Callable[..., Any]
    actions_for: Callable[..., Any]

    def edit_form(self, request: Request, record, blocked: str | None,
                  form_page: Callable[[], Response]) -> Response:
        """The edit form, or (409) why the record cannot be edited now."""
        if blocked:
            return render(request, "portfolio/blocked.html", None,
                          {"record": record, "reason": blocked, "feature": self.feature},
                          status_code=409)
        return form_page()

    def save(self, request: Request, form, save: Callable[[bool], Any],
             refused: Callable[[dict[str, str]], Response]) -> Response:
        """Save the form (publishing it when that button was pressed), then go to the record;
        on bad input ``refused`` shows the form again with the errors."""
        try:
            record = save(intent(form) == "publish")
        except FormErrors as exc:
            return refused(exc.errors)
        return go_to(request, f"/{self.feature}/{record.reference}")

    def withdraw_page(self, request: Request, db: Session, reference: str,
                      form: FormState | None = None, status_code: int = 200) -> Response:
        """The confirmation step of withdrawing, where the reason is given."""
        record = self.to_edit(db, request.state.viewer, reference)
        actions = self.actions_for(db, request.state.viewer, record)
        return withdraw_page(request, record, actions, self.feature, form, status_code)

    def act(self, request: Request, db: Session, reference: str, message: str,
            perform: Callable[[Any], Any], form_refused=None) -> Response:
        """Run a status action, ``perform(viewer)``; see ``status_action``."""
        viewer = request.state.viewer
        return status_action(
            request, db, self.feature, lambda: perform(viewer),
            lambda: self.to_edit(db, viewer, reference), self.actions_for, message,
            form_refused=form_refused)

    def withdraw(self, request: Request, db: Session, reference: str, form: FormMultiDict,
                 message: str, perform: Callable[[Any], Any]) -> Response:
        """Withdraw the record; without htmx, bad input shows the confirmation step again."""
        return self.act(
            request, db, reference, message, perform,
            form_refused=lambda exc: self.withdraw_page(
                request, db, reference, FormState.from_submission(form, exc.errors), 422))
