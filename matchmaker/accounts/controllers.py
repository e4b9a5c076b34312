"""Sign in, sign out and sign up."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker.accounts import registration, services, sessions
from matchmaker.accounts.schemas import LoginForm, SignupForm, kept_values
from matchmaker.accounts.services import LoginError, TooManyAttempts
from matchmaker.accounts.views import SignupPage
from matchmaker.errors import FormErrors
from matchmaker.mail.outbox import deliver_after_response
from matchmaker.web.forms import FormState, provide_form
from matchmaker.web.render import render
from matchmaker.web.urls import safe_next


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(request: Request, response: Response, key: str) -> None:
    response.set_cookie(
        sessions.SESSION_COOKIE, key, path="/", httponly=True, samesite="lax",
        secure=request.app.state.settings.secure_cookies,
    )


def open_session(request: Request, db: Session, user, response: Response) -> None:
    """Start a fresh session for ``user`` in this browser (ending the one it had) and commit."""
    key, _record = sessions.start_session(
        db, user, address=client_address(request),
        user_agent=request.headers.get("user-agent", ""),
        replacing_key=request.state.session_key or None,
    )
    db.commit()
    set_session_cookie(request, response, key)


class AuthController(Controller):
    dependencies = {"form": Provide(provide_form)}

    @get("/login", name="login", sync_to_thread=True)
    def login_page(self, request: Request, next: str = "/") -> Response:
        if request.state.viewer.is_authenticated:
            return Redirect(path=safe_next(next))
        form = FormState(values={"next": safe_next(next)})
        return render(request, "accounts/login.html", None, {"form": form})

    @post("/login", name="login:submit", sync_to_thread=True)
    def login(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        login = LoginForm.parse(form)
        target = safe_next(form.get("next"))
        state = FormState(values={"email": login.email, "next": target}, errors=login.problems())
        if state.errors:
            return render(request, "accounts/login.html", None, {"form": state}, status_code=422)
        try:
            user = services.authenticate(db, login.email, login.password, client_address(request))
        except TooManyAttempts as exc:
            state.errors["__all__"] = exc.message
            return render(request, "accounts/login.html", None, {"form": state}, status_code=429)
        except LoginError as exc:
            state.errors["__all__"] = exc.message
            response = render(request, "accounts/login.html", None, {"form": state},
                              status_code=422)
            # Every refusal sends the queue, so the mail to a refused owner shows in no timing.
            response.background = deliver_after_response(request)
            return response
        response = Redirect(path=target, status_code=303)
        open_session(request, db, user, response)
        return response

    @post("/logout", name="logout", sync_to_thread=True)
    def logout(self, request: Request, db: Session) -> Response:
        if request.state.session_key:
            sessions.end_session(db, request.state.session_key)
            db.commit()
        response = Redirect(path="/", status_code=303)
        response.delete_cookie(sessions.SESSION_COOKIE, path="/")
        return response


class SignupController(Controller):
    path = "/signup"
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="signup", sync_to_thread=True)
    def signup_page(self, request: Request, db: Session) -> Response:
        return render(request, "accounts/signup.html", None, SignupPage.build(db))

    @post("/", name="signup:submit", sync_to_thread=True)
    def signup(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        try:
            registration.register(db, SignupForm.parse(form), request.app.state.settings.base_url)
        except FormErrors as exc:
            state = FormState(values=kept_values(form), errors=exc.errors)
            return render(request, "accounts/signup.html", None, SignupPage.build(db, state),
                          status_code=422)
        db.commit()
        return Redirect(path="/signup/done", status_code=303,
                        background=deliver_after_response(request))

    @get("/done", name="signup:done", sync_to_thread=False)
    def signup_done(self, request: Request) -> Response:
        return render(request, "accounts/signup_done.html")
