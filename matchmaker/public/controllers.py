"""Public pages: the landing page with live figures, the language switch, the health check."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.public import services
from matchmaker.public.views import LandingPage
from matchmaker.web.render import render
from matchmaker.web.urls import safe_next


class PublicController(Controller):
    @get("/", name="landing", sync_to_thread=True)
    def landing(self, request: Request, db: Session) -> Response:
        return render(request, "public/landing.html", None, LandingPage.build(db))

    @get("/language/{language:str}", name="language", sync_to_thread=True)
    def switch_language(self, request: Request, language: str, next: str = "/") -> Redirect:
        chosen = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
        response = Redirect(path=safe_next(next))
        response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="lax",
                            httponly=True, secure=request.app.state.settings.secure_cookies)
        return response

    @get("/health", name="health", cache=False, sync_to_thread=True)
    def health(self, db: Session) -> Response:
        up = services.database_is_reachable(db)
        return Response(
            content={"status": "ok" if up else "degraded", "database": "up" if up else "down"},
            status_code=200 if up else 503,
        )
