"""Idempotent writes: a retried submit replays the first answer instead of saving twice.

An unsafe request may carry a key: the ``Idempotency-Key`` header (API clients, htmx) or the
``_idem`` field that every form gets, fresh, when it is rendered (next to its CSRF token). The
first request with a key stores a row (viewer, key and a digest of the request) before the
handler runs, and the answer after it; a retry of the same request replays that answer, and
one arriving while the first still runs gets a 409. The digest covers method, path and body,
so a form's live field checks, which carry the form's key too, are told apart.

A server killed after the handler committed but before the answer was stored leaves a row
that the handler's own transaction marked ``committed`` (see :func:`mark_committed`): a
retry is then told that the change was saved, and saves nothing. A row left by a server
killed before its commit is taken over by the retry once ``IN_FLIGHT_TIMEOUT`` has passed.
Only answers below 400 are kept: a refused request changed nothing and may simply be sent
again, and answers that set cookies are never stored (they may carry a session key).
"""

from __future__ import annotations

import hashlib
import re
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs

from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matchmaker.i18n import _
from matchmaker.models import IdempotentRequest, utcnow
from matchmaker.web.errors import error_response
from matchmaker.web.middleware import SAFE_METHODS, _header, _read_body, _replay

KEY_HEADER = b"idempotency-key"
KEY_FIELD = "_idem"
VALID_KEY = re.compile(r"[A-Za-z0-9_\-]{8,64}")
KEY_LIFETIME = timedelta(hours=24)
IN_FLIGHT_TIMEOUT = timedelta(minutes=2)
MAX_STORED_BODY = 1024 * 1024
# Paths that hold secrets (reset tokens) or only start and end sessions: never keyed.
EXEMPT_PREFIXES = ("/password/", "/login", "/logout", "/static/")
REPLAYED_HEADER = (b"idempotent-replayed", b"true")

_in_flight: ContextVar[int | None] = ContextVar("matchmaker_idempotent_request", default=None)


@dataclass(frozen=True)
class Stored:
    """What a retry finds: the answer to replay, or why there is none yet."""

    status_code: int
    headers: list
    body: bytes
    committed: bool


def _claim(engine: Engine, owner: str, digest: str, method: str, path: str
           ) -> int | Stored:
    """The new row's id, or what an earlier request with this key left."""
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(delete(IdempotentRequest).where(
            IdempotentRequest.owner == owner, IdempotentRequest.expires_at < now))
        # A row left by a server that died before its handler committed is taken over.
        taken = connection.execute(
            update(IdempotentRequest)
            .where(IdempotentRequest.owner == owner, IdempotentRequest.key == digest,
                   IdempotentRequest.status_code == 0, IdempotentRequest.committed.is_(False),
                   IdempotentRequest.created_at < now - IN_FLIGHT_TIMEOUT)
            .values(created_at=now).returning(IdempotentRequest.id)
        ).scalar()
        if taken is not None:
            return taken
    try:
        with engine.begin() as connection:
            return connection.execute(insert(IdempotentRequest).values(
                owner=owner, key=digest, method=method, path=path[:200], status_code=0,
                headers=[], body=b"", committed=False, created_at=now,
                expires_at=now + KEY_LIFETIME,
            ).returning(IdempotentRequest.id)).scalar_one()
    except IntegrityError:
        pass
    with engine.connect() as connection:
        row = connection.execute(
            select(IdempotentRequest.status_code, IdempotentRequest.headers,
                   IdempotentRequest.body, IdempotentRequest.committed)
            .where(IdempotentRequest.owner == owner, IdempotentRequest.key == digest)
        ).one_or_none()
    if row is None:  # expired and deleted by a concurrent request: a rare race, retry once
        return _claim(engine, owner, digest, method, path)
    return Stored(*row)


def _outcome(status_code: int, headers: list, body: bytes) -> str:
    """"keep" an answer below 400 (unless it sets a cookie or is large), "forget" a refusal
    (it changed nothing), "failed" otherwise (a 5xx)."""
    if status_code >= 500 or status_code == 0:
        return "failed"
    sets_cookie = any(name.lower() == "set-cookie" for name, _value in headers)
    if status_code < 400 and not sets_cookie and len(body) <= MAX_STORED_BODY:
        return "keep"
    return "forget"


def _finish(engine: Engine, row_id: int, outcome: str, status_code: int, headers: list,
            body: bytes) -> None:
    """Store the answer to replay, or drop the row; after a failure the row stays only if the
    handler had committed, so that a retry does not save twice."""
    row = IdempotentRequest.id == row_id
    with engine.begin() as connection:
        if outcome == "keep":
            connection.execute(update(IdempotentRequest).where(row)
                               .values(status_code=status_code, headers=headers, body=body))
        elif outcome == "forget":
            connection.execute(delete(IdempotentRequest).where(row))
        else:
            connection.execute(delete(IdempotentRequest).where(
                row, IdempotentRequest.committed.is_(False)))


def mark_committed(session: Session) -> None:
    """Mark the running keyed request's row committed, in the transaction about to commit.

    A ``before_commit`` listener of every session: the mark and the handler's change commit
    together, so a retry after a crash can tell a saved change from one that never was.
    """
    row_id = _in_flight.get()
    # The commit flushes after this event: pending objects count as writes too.
    wrote = session.info.get("wrote") or session.new or session.dirty or session.deleted
    if row_id is not None and wrote:
        session.execute(update(IdempotentRequest).where(IdempotentRequest.id == row_id)
                        .values(committed=True).execution_options(synchronize_session=False))


def _note_write(session: Session, *_args) -> None:
    session.info["wrote"] = True


def _note_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


def _forget_writes(session: Session, *_args) -> None:
    session.info.pop("wrote", None)


def install_commit_marker() -> None:
    """Listen on every session (once per process) for writes and commits."""
    for name, listener in (("after_flush", _note_write), ("do_orm_execute", _note_statement),
                           ("before_commit", mark_committed),
                           ("after_commit", _forget_writes),
                           ("after_soft_rollback", _forget_writes)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _owner(scope: Scope) -> str:
    state = scope.get("state", {})
    viewer = state.get("viewer")
    if viewer is not None and viewer.is_authenticated:
        return f"user:{viewer.user_id}"
    token = state.get("csrf_token", "")
    return "anon:" + hashlib.sha256(token.encode()).hexdigest()[:32]


def _digest(key: str, scope: Scope, body: bytes) -> str:
    request = hashlib.sha256()
    for part in (key.encode(), scope["method"].encode(), scope["path"].encode(), body):
        request.update(part + b"\0")
    return request.hexdigest()


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self) -> None:
        install_commit_marker()

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["method"] in SAFE_METHODS or scope["path"].startswith(EXEMPT_PREFIXES):
            await next_app(scope, receive, send)
            return
        body, messages = await _read_body(receive)
        receive = _replay(messages, receive)
        key = _header(scope, KEY_HEADER)
        content_type = _header(scope, b"content-type")
        if not key and content_type.startswith("application/x-www-form-urlencoded"):
            key = parse_qs(body.decode("utf-8", "replace")).get(KEY_FIELD, [""])[0]
        if not key or messages[-1].get("more_body"):  # no key, or too large to keep
            await next_app(scope, receive, send)
            return
        if not VALID_KEY.fullmatch(key):
            await self._refuse(scope, receive, send, 400, _(
                "The idempotency key must be 8 to 64 letters, digits, “-” or “_”."))
            return
        engine = scope["litestar_app"].state.engine
        claimed = await sync_to_thread(_claim, engine, _owner(scope), _digest(key, scope, body),
                                       scope["method"], scope["path"])
        if isinstance(claimed, Stored):
            await self._answer_retry(scope, receive, send, claimed)
            return
        await self._run(scope, receive, send, next_app, engine, claimed)

    async def _run(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp,
                   engine: Engine, row_id: int) -> None:
        answer: dict = {"status": 0, "headers": [], "body": []}

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = [[name.decode("latin-1"), value.decode("latin-1")]
                                     for name, value in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                answer["body"].append(message.get("body", b""))
            await send(message)

        token = _in_flight.set(row_id)
        outcome = "failed"
        try:
            await next_app(scope, receive, keep)
            outcome = _outcome(answer["status"], answer["headers"], b"".join(answer["body"]))
        finally:
            _in_flight.reset(token)
            await sync_to_thread(_finish, engine, row_id, outcome, answer["status"],
                                 answer["headers"], b"".join(answer["body"]))

    async def _answer_retry(self, scope: Scope, receive: Receive, send: Send, stored: Stored
                            ) -> None:
        if stored.status_code:
            headers = [(name.encode("latin-1"), value.encode("latin-1"))
                       for name, value in stored.headers]
            await send({"type": "http.response.start", "status": stored.status_code,
                        "headers": [*headers, REPLAYED_HEADER]})
            await send({"type": "http.response.body", "body": stored.body})
        elif stored.committed:
            await self._refuse(scope, receive, send, 409, _(
                "This was already saved, but its answer was lost on the way. Reload the "
                "page to see it."))
        else:
            await self._refuse(scope, receive, send, 409, _(
                "This is already being saved. Wait a moment, then reload the page."))

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status_code: int,
                      message: str) -> None:
        request: Request = Request(scope, receive=receive)
        response = error_response(request, status_code, message)
        await response.to_asgi_response(app=None, request=request)(scope, receive, send)
