"""Responses the need and offer controllers share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker.errors import Conflict, FormErrors
from matchmaker.web.forms import FormState
from matchmaker.web.render import is_fragment_request, render


def go_to(request: Request, url: str) -> Response:
    """After a successful form: a 303 redirect, or for htmx an ``HX-Redirect`` to follow."""
    if is_fragment_request(request):
        return Response(content="", status_code=200, headers={"HX-Redirect": url})
    return Redirect(path=url, status_code=303)


def intent(form) -> str:
    """Which submit button was pressed: ``publish``, ``draft`` or ``save``."""
    value = (form.get("intent") or "").strip()
    return value if value in ("publish", "draft", "save") else "save"


def withdraw_page(request: Request, record, actions, feature: str,
                  form: FormState | None = None, status_code: int = 200) -> Response:
    """The confirmation step of withdrawing a need or an offer, with a box for the reason."""
    return render(request, "portfolio/withdraw.html", None,
                  {"record": record, "actions": actions, "feature": feature,
                   "form": form or FormState()}, status_code=status_code)


def status_action(request: Request, db: Session, feature: str, perform: Callable[[], Any],
                  reload: Callable[[], Any], actions_for: Callable[..., Any],
                  message: str, *,
                  form_refused: Callable[[FormErrors], Response] | None = None) -> Response:
    """Run a publish / withdraw / back-to-draft action of ``feature`` (``needs``, ``offers``).

    htmx gets the record's actions panel in place (with the refusal and its reason when the
    action is not possible); other browsers are sent back to the record's page, or on bad
    input to ``form_refused`` (the form the input came from, with its errors) when given.
    """
    viewer = request.state.viewer
    try:
        record = perform()
    except (Conflict, FormErrors) as exc:
        if not is_fragment_request(request):
            if isinstance(exc, Conflict):
                raise
            if form_refused is not None:
                return form_refused(exc)
        errors = list(exc.errors.values()) if isinstance(exc, FormErrors) else [exc.message]
        record = reload()
        actions = actions_for(db, viewer, record, errors=errors)
        return render(request, "portfolio/actions.html", "portfolio/_actions.html",
                      {"actions": actions, "record": record, "feature": feature},
                      status_code=exc.status_code)
    if not is_fragment_request(request):
        return go_to(request, f"/{feature}/{record.reference}")
    actions = actions_for(db, viewer, record, message=message)
    return render(request, "portfolio/_actions.html", "portfolio/_actions.html",
                  {"actions": actions, "record": record, "feature": feature, "oob": True})
