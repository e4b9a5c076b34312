"""Exception handlers: every error becomes a clear page (or JSON under /api), never a trace."""

from __future__ import annotations

import logging
import traceback
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect
from litestar.serialization import msgspec_hooks
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import InterfaceError, OperationalError

from matchmaker.errors import FormErrors, MatchmakerError
from matchmaker.i18n import _
from matchmaker.web.render import render

logger = logging.getLogger("matchmaker")

TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Please correct the form",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}
RETRY_AFTER_SECONDS = 30


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "application/json" in request.headers.get(
        "accept", ""
    ).split(",")[0]


def error_response(
    request: Request, status_code: int, message: str, field: str | None = None,
    errors: dict[str, str] | None = None, headers: dict[str, str] | None = None,
    link: str | None = None,
) -> Response:
    if wants_json(request):
        body: dict = {"status_code": status_code, "detail": message}
        if field:
            body["field"] = field
        if link:
            body["link"] = link
        if errors:
            body["errors"] = errors
        return Response(content=body, status_code=status_code, headers=headers)
    context = {
        "status_code": status_code,
        "title": _(TITLES.get(status_code, "Error")),
        "message": message,
        "field": field,
        "link": link,
    }
    response = render(request, "errors/error.html", "errors/_error.html", context,
                      status_code=status_code, headers=headers)
    if request.headers.get("hx-request") == "true":
        # htmx does not swap error responses by default; retarget to the page's alert area.
        response.headers["HX-Retarget"] = "#alerts"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def handle_matchmaker_error(request: Request, exc: MatchmakerError) -> Response:
    errors = exc.errors if isinstance(exc, FormErrors) else None
    return error_response(request, exc.status_code, exc.message, exc.field, errors,
                          link=exc.link)


def handle_validation_error(request: Request, exc: ValidationException) -> Response:
    field = None
    message = _("The request is not valid.")
    extra = exc.extra if isinstance(exc.extra, list) else []
    if any(isinstance(item, dict) and item.get("source") == "path" for item in extra):
        # A record number out of range (web/bounds.RecordId) names no record, like any other.
        return error_response(request, 404, _("There is no record with this number."))
    if extra and isinstance(extra[0], dict):
        field = extra[0].get("key")
        detail = extra[0].get("message", "")
        message = _("Invalid value for “%(field)s”: %(detail)s", field=field, detail=detail)
    return error_response(request, 400, message, field)


def handle_http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and not wants_json(request):
        return redirect_to_login(request)
    message = exc.detail if status < 500 else _("An unexpected error occurred.")
    return error_response(request, status, str(message), headers=exc.headers)


def redirect_to_login(request: Request) -> Response:
    """Send a visitor who must sign in to the login page, and back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = "/login?" + urlencode({"next": target})
    if request.headers.get("hx-request") == "true":
        return Response(content="", status_code=204, headers={"HX-Redirect": location})
    return Redirect(path=location, status_code=303)


# Litestar turns msgspec's DecodeError into a 400, but lets through the errors of a body nested
# too deep (RecursionError) or not in UTF-8 (UnicodeDecodeError): those come here.
_BODY_DECODERS = {msgspec_hooks.decode_json.__code__, msgspec_hooks.decode_msgpack.__code__}


def raised_decoding_body(exc: BaseException) -> bool:
    return any(frame.f_code in _BODY_DECODERS
               for frame, _line in traceback.walk_tb(exc.__traceback__))


def handle_undecodable_body(request: Request, exc: RecursionError | UnicodeDecodeError
                            ) -> Response:
    if not raised_decoding_body(exc):
        return handle_internal_error(request, exc)
    return error_response(request, 400, _(
        "The request body is not valid JSON: it must be UTF-8 text, nested at most a few "
        "hundred levels deep."))


def database_unavailable(request: Request) -> Response:
    """503 with Retry-After: the database cannot be reached (or is busy) for now."""
    return error_response(
        request, 503,
        _("Matchmaker is temporarily unavailable. Please try again in a minute."),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def handle_database_error(request: Request, exc: OperationalError | InterfaceError
                          ) -> Response:
    logger.error("database unavailable on %s %s: %s", request.method, request.url.path,
                 str(exc.orig or exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    return database_unavailable(request)


def handle_internal_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(
        request, HTTP_500_INTERNAL_SERVER_ERROR,
        _("An unexpected error occurred. It has been logged; please try again later."),
    )


EXCEPTION_HANDLERS = {
    MatchmakerError: handle_matchmaker_error,
    ValidationException: handle_validation_error,
    RecursionError: handle_undecodable_body,
    UnicodeDecodeError: handle_undecodable_body,
    HTTPException: handle_http_exception,
    OperationalError: handle_database_error,
    InterfaceError: handle_database_error,
    Exception: handle_internal_error,
}
