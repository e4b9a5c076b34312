"""One place that decides between a full page and an htmx fragment."""

from __future__ import annotations

import dataclasses
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.response import Redirect

from matchmaker import i18n
from matchmaker.accounts.authz import ANONYMOUS


def is_fragment_request(request: Request) -> bool:
    """An htmx request that wants a fragment: not boosted and not a history restore."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def _as_context(context: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(context) and not isinstance(context, type):
        return {field.name: getattr(context, field.name) for field in dataclasses.fields(context)}
    return dict(context or {})


def page_globals(request: Request) -> dict[str, Any]:
    """What every template may use: the request, the user, the language, the CSRF token."""
    language = i18n.get_language()
    return {
        "request": request,
        "viewer": getattr(request.state, "viewer", ANONYMOUS),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "language": language,
        "text_direction": "rtl" if i18n.is_rtl(language) else "ltr",
        "current_path": request.url.path,
    }


def render(
    request: Request,
    page: str,
    fragment: str | None = None,
    context: Any = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    """Render ``page`` in full, or only ``fragment`` for an htmx request.

    ``context`` is a page context dataclass (or a mapping); its fields become template
    variables. The response always carries ``Vary: HX-Request`` so caches keep both forms apart.
    """
    environment = request.app.state.templates
    template_name = fragment if fragment and is_fragment_request(request) else page
    variables = page_globals(request)
    variables.update(_as_context(context))
    variables["page"] = context
    html = environment.get_template(template_name).render(variables)
    response_headers = {"Vary": "HX-Request", **(headers or {})}
    return Response(
        content=html, media_type=MediaType.HTML, status_code=status_code, headers=response_headers
    )


def go_to(request: Request, location: str, background=None) -> Response:
    """After a successful POST, open ``location``: htmx follows HX-Location (the address bar
    changes too), a plain form a 303 redirect."""
    if is_fragment_request(request):
        return Response(content="", status_code=200, headers={"HX-Location": location},
                        background=background)
    return Redirect(path=location, status_code=303, background=background)
