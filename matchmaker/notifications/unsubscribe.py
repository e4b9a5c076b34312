"""Unsubscribing from a mail's link, without signing in: the signed token names the person
and the kind (or all kinds).

A GET only shows what would stop, with a button: mail scanners open links to check them, and
must not unsubscribe anyone. The POST stops it; mail programs send it themselves with the body
``List-Unsubscribe=One-Click`` (RFC 8058) and no CSRF token, which the session middleware lets
through on this path only.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from sqlmodel import Session

from matchmaker.notifications import reader
from matchmaker.notifications.views import UnsubscribePage
from matchmaker.web.render import render

# The token must not travel on to other sites in the Referer header.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


class UnsubscribeController(Controller):
    path = "/unsubscribe"

    @get("/{token:str}", name="unsubscribe", sync_to_thread=True)
    def confirm(self, request: Request, db: Session, token: str) -> Response:
        _user, kind = reader.unsubscribe_target(db, request.app.state.settings.secret_key,
                                                token)
        return render(request, "notifications/unsubscribe.html", None,
                      UnsubscribePage.build(token, kind), headers=NO_REFERRER)

    @post("/{token:str}", name="unsubscribe:submit", sync_to_thread=True, status_code=200)
    def unsubscribe(self, request: Request, db: Session, token: str) -> Response:
        user, kind = reader.unsubscribe_target(db, request.app.state.settings.secret_key,
                                               token)
        reader.unsubscribe(db, user, kind)
        db.commit()
        return render(request, "notifications/unsubscribe.html", None,
                      UnsubscribePage.build(token, kind, done=True), headers=NO_REFERRER)
