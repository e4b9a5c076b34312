"""Request middleware: who is asking (session cookie), the body size limit, and CSRF protection.

It runs before routing, guards and handlers, so ``request.state.viewer`` is always set and no
unsafe request reaches a handler without a valid token: the ``X-CSRF-Token`` header (htmx
sends it from the base template) or the ``_csrf`` field of a form.
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.enums import ScopeType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts import sessions
from matchmaker.accounts.authz import ANONYMOUS
from matchmaker.i18n import _
from matchmaker.web.errors import database_unavailable, error_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "_csrf"
CSRF_HEADER = b"x-csrf-token"
MAX_FORM_BYTES = 2 * 1024 * 1024
# The signed token in the path authenticates an unsubscribe, and the one-click POST that mail
# programs send (RFC 8058: body "List-Unsubscribe=One-Click") cannot carry a CSRF token.
CSRF_EXEMPT_POST_PREFIX = "/unsubscribe/"


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # noqa: BLE001 - a malformed cookie header is ignored
                continue
    return {key: morsel.value for key, morsel in jar.items()}


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return ""


def _query_language(scope: Scope) -> str | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang")
    return values[0] if values else None


def _too_large() -> RequestEntityTooLarge:
    return RequestEntityTooLarge(detail=_("This form is too large (at most %(size)s MB).",
                                          size=MAX_FORM_BYTES // (1024 * 1024)))


def _limited(scope: Scope, receive: Receive) -> Receive:
    """``receive``, refusing a body over the limit as soon as it says or sends that much.

    The declared length is checked first, so nothing of a refused body is read; a body without
    one (chunked) is counted as it arrives, and never held beyond the limit.
    """
    try:
        declared = int(_header(scope, b"content-length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_FORM_BYTES:
        raise _too_large()
    received = 0

    async def limited() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_FORM_BYTES:
                raise _too_large()
        return message

    return limited


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    chunks: list[bytes] = []
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks), messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replay() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


class SessionMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    @staticmethod
    def should_bypass_for_scope(scope: Scope) -> bool:
        # Static files need neither a viewer nor a CSRF check.
        return scope["path"].startswith("/static/")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        app_state = scope["litestar_app"].state
        settings = app_state.settings
        cookies = _cookies(scope)

        def load() -> sessions.LoadedSession | None:
            with Session(app_state.engine, expire_on_commit=False) as db:
                return sessions.load_session(db, cookies.get(sessions.SESSION_COOKIE))

        try:
            loaded = await sync_to_thread(load)  # the handlers' threads, matched by the pool
        except (OperationalError, InterfaceError):
            if scope["method"] not in SAFE_METHODS:  # nothing can be saved: say so, not "403"
                await self._unavailable(scope, receive, send)
                return
            loaded = None  # reads go on anonymously: /health reports, pages answer 503
        new_anonymous_token = ""
        if loaded is not None:
            viewer, csrf_token, session_id = loaded.viewer, loaded.csrf_token, loaded.session_id
        else:
            viewer, session_id = ANONYMOUS, None
            csrf_token = cookies.get(sessions.CSRF_COOKIE, "")
            if not sessions.valid_anonymous_token(settings.secret_key, csrf_token):
                csrf_token = new_anonymous_token = sessions.anonymous_csrf_token(
                    settings.secret_key
                )
        requested = _query_language(scope) or cookies.get("lang") or (
            viewer.language if viewer.is_authenticated else None
        )
        i18n.set_language(i18n.pick_language(requested, _header(scope, b"accept-language")))
        state = scope.setdefault("state", {})
        state.update(viewer=viewer, csrf_token=csrf_token, session_id=session_id,
                     session_key=cookies.get(sessions.SESSION_COOKIE, ""))

        if scope["method"] not in SAFE_METHODS:
            # A body over the limit is a 413 that says so (the error handlers render it), not
            # a form cut short whose missing token would read as an expired form.
            receive = _limited(scope, receive)
            submitted = _header(scope, CSRF_HEADER)
            content_type = _header(scope, b"content-type")
            if not submitted and content_type.startswith("application/x-www-form-urlencoded"):
                body, messages = await _read_body(receive)
                receive = _replay(messages, receive)
                submitted = parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD, [""])[0]
            forged = not submitted or not hmac.compare_digest(submitted, csrf_token)
            exempt = (scope["method"] == "POST"
                      and scope["path"].startswith(CSRF_EXEMPT_POST_PREFIX))
            if forged and not exempt:
                await self._reject(scope, receive, send)
                return

        if new_anonymous_token:
            secure = "; Secure" if settings.secure_cookies else ""
            cookie = (
                f"{sessions.CSRF_COOKIE}={new_anonymous_token}; Path=/; HttpOnly; "
                f"SameSite=Lax{secure}"
            ).encode()

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"set-cookie", cookie)]
                await send(message)

            await next_app(scope, receive, send_with_cookie)
            return
        await next_app(scope, receive, send)

    async def _unavailable(self, scope: Scope, receive: Receive, send: Send) -> None:
        request: Request = Request(scope, receive=receive)
        response = database_unavailable(request)
        await response.to_asgi_response(app=None, request=request)(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        request: Request = Request(scope, receive=receive)
        response = error_response(
            request, 403,
            _("This form has expired or did not come from this site (missing or wrong "
              "security token). Reload the page and try again."),
        )
        await response.to_asgi_response(app=None, request=request)(scope, receive, send)
