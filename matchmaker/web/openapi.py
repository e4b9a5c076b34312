"""The OpenAPI document of the JSON API (``/api/schema``).

Litestar builds it from the API controllers; this module adds what their signatures cannot say:
how a caller is recognised (the session cookie, plus the ``X-CSRF-Token`` header on unsafe
methods), the error body of every refusal, the query parameters the list handlers read
themselves (so their messages name the parameter), and the fields of JSON bodies that the
services, not Litestar, validate. The descriptions are for developers, in English like the
handlers' docstrings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypedDict

from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    Parameter,
    Schema,
    SecurityScheme,
)

from matchmaker.accounts.sessions import SESSION_COOKIE

SESSION = "session"
CSRF = "csrfHeader"
SECURITY_SCHEMES = {
    SESSION: SecurityScheme(
        type="apiKey", security_scheme_in="cookie", name=SESSION_COOKIE,
        description="The session cookie set by signing in at /login.",
    ),
    CSRF: SecurityScheme(
        type="apiKey", security_scheme_in="header", name="X-CSRF-Token",
        description="The session's CSRF token (the `X-CSRF-Token` value in the `hx-headers` of "
                    "any signed-in page), required with the cookie on POST, PUT and PATCH.",
    ),
}
# Each list holds alternatives: an API token will be one more alternative, not a change of these.
ANYONE = [{}, {SESSION: []}]  # anonymous callers see public records; signed-in ones may see more
SIGNED_IN = [{SESSION: []}]
SIGNED_IN_UNSAFE = [{SESSION: [], CSRF: []}]


class _ApiErrorDetails(TypedDict, total=False):
    field: str  # the parameter or field at fault
    errors: dict[str, str]  # each invalid field's message (422)


class ApiError(_ApiErrorDetails):
    """The body of every refusal (``web.errors.error_response``)."""

    status_code: int
    detail: str


ERROR_MEANINGS = {
    400: "Bad input: a query or path parameter out of range, or a body that is not valid JSON; "
         "`field` names the parameter.",
    401: "Not signed in.",
    403: "The caller's role or side may not do this, or an unsafe request came without the "
         "session's X-CSRF-Token header.",
    404: "No such record, or one the caller may not see.",
    409: "The record's state does not allow this now (for example, the offer is committed).",
    413: "The request body is too large.",
    422: "Invalid fields: `errors` maps each field to its message; `field` names the first.",
}


def error_responses(*codes: int) -> dict[int, ResponseSpec]:
    """The refusals an operation really answers, each with the error body."""
    return {
        code: ResponseSpec(ApiError, generate_examples=False, description=ERROR_MEANINGS[code])
        for code in codes
    }


# What each kind of operation can refuse: reading public records, reading the caller's own,
# and changing something (unsafe methods also meet the CSRF check before any guard).
PUBLIC_LIST = error_responses(400)
PUBLIC_READ = error_responses(400, 404)
SIGNED_IN_READ = error_responses(400, 401, 403, 404)
CHANGE = error_responses(400, 401, 403, 404, 409, 413, 422)
CREATE = error_responses(400, 401, 403, 409, 413, 422)
ACTION = error_responses(400, 401, 403, 404, 409, 422)  # no body, so no 413


# --- schemas of values the services read themselves ----------------------------------------

TEXT = Schema(type=OpenAPIType.STRING)
DATE = Schema(type=OpenAPIType.STRING, format="date", description="YYYY-MM-DD")
FLAG = Schema(type=OpenAPIType.BOOLEAN)
WHOLE_NUMBER = Schema(
    one_of=[Schema(type=OpenAPIType.INTEGER), Schema(type=OpenAPIType.STRING)],
    description="A whole number, or a string holding one.",
)
NUMBER = Schema(
    one_of=[Schema(type=OpenAPIType.NUMBER), Schema(type=OpenAPIType.STRING)],
    description="A number, or a string holding one.",
)
CODES = Schema(
    one_of=[Schema(type=OpenAPIType.ARRAY, items=TEXT), TEXT],
    description="A list of codes (a single code may be given as a string).",
)


def choice(values: Iterable[str], description: str | None = None) -> Schema:
    return Schema(type=OpenAPIType.STRING, enum=list(values), description=description)


def json_object(properties: Mapping[str, Schema], required: Sequence[str] = (),
                description: str | None = None) -> Schema:
    """A JSON body's fields; unknown fields are ignored by the services, so they are allowed."""
    return Schema(type=OpenAPIType.OBJECT, properties=dict(properties),
                  required=list(required) or None, description=description)


# --- query parameters read by hand ----------------------------------------------------------

def text_query(name: str, description: str, max_length: int = 100) -> Parameter:
    """Free text; control characters other than tab and line breaks are refused (400)."""
    return Parameter(name=name, param_in="query", description=description,
                     schema=Schema(type=OpenAPIType.STRING, max_length=max_length,
                                   pattern=NO_CONTROL_CHARACTERS))


def code_query(name: str, description: str, pattern: str, max_length: int) -> Parameter:
    """A reference code (region, topic, ...); an unknown one is refused (400) naming it."""
    return Parameter(name=name, param_in="query", description=description,
                     schema=Schema(type=OpenAPIType.STRING, pattern=pattern,
                                   max_length=max_length))


NO_CONTROL_CHARACTERS = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]*$"  # as web.params checks
M49 = "^[0-9]{3}$"
CATEGORY_CODE = "^[a-z][a-z_.]*$"
SLUG = "^[a-z0-9][a-z0-9-]*$"


def choice_query(name: str, description: str, choices: Iterable[str],
                 default: str | None = None) -> Parameter:
    return Parameter(name=name, param_in="query", description=description,
                     schema=Schema(type=OpenAPIType.STRING, enum=list(choices), default=default))


def int_query(name: str, description: str, minimum: int, maximum: int, default: int) -> Parameter:
    return Parameter(name=name, param_in="query", description=description,
                     schema=Schema(type=OpenAPIType.INTEGER, minimum=minimum, maximum=maximum,
                                   default=default))


def date_query(name: str, description: str) -> Parameter:
    return Parameter(name=name, param_in="query", description=description, schema=DATE)


def paging_query(sorts: Iterable[str], per_page: Iterable[str]) -> list[Parameter]:
    """The page, page size (and, when given, sort order) parameters of a list."""
    parameters = [
        int_query("page", "Page number.", 1, 100_000, 1),
        Parameter(name="per_page", param_in="query", description="Items per page.",
                  schema=Schema(type=OpenAPIType.INTEGER, enum=[int(n) for n in per_page],
                                default=20)),
    ]
    sorts = list(sorts)
    if sorts:
        parameters.insert(0, choice_query("sort", "Sort order.", sorts, "newest"))
    return parameters


def documented(*, query: Sequence[Parameter] = (), body: Schema | None = None,
               body_required: bool = True) -> type[Operation]:
    """An ``operation_class`` (Litestar's hook for customising an operation) adding the query
    parameters and the body fields a handler reads by hand, and whether a body is needed."""

    @dataclass
    class DocumentedOperation(Operation):
        def __post_init__(self) -> None:
            if query:
                self.parameters = [*(self.parameters or []), *query]
            if self.request_body is not None:
                if body is not None:
                    self.request_body.content = {"application/json": OpenAPIMediaType(schema=body)}
                self.request_body.required = body_required

    return DocumentedOperation


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Matchmaker API",
        version="1",
        description="The clearing-house's JSON API: needs, offers, proposals and runs. Sign in "
                    "at /login; send the session cookie, and on POST, PUT and PATCH the "
                    "session's X-CSRF-Token header. Every refusal is a JSON error body.",
        path="/api/schema",
        render_plugins=[JsonRenderPlugin()],  # the document only: no UI from a CDN
        components=Components(security_schemes=dict(SECURITY_SCHEMES)),
    )
