"""The account page (language preference), password change, and reset by a mailed link."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker.accounts import credentials, services
from matchmaker.accounts.controllers import open_session
from matchmaker.accounts.guards import login_required
from matchmaker.accounts.schemas import PasswordChangeForm, email_problem
from matchmaker.accounts.views import AccountPage
from matchmaker.errors import FormErrors, NotFound
from matchmaker.mail.outbox import deliver_after_response
from matchmaker.models import User
from matchmaker.web.forms import FormState, provide_form
from matchmaker.web.render import render

# The reset link must not leak to other sites through the Referer header.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


class AccountController(Controller):
    path = "/account"
    guards = [login_required]
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="account", sync_to_thread=True)
    def account_page(self, request: Request, db: Session, notice: str = "") -> Response:
        user = db.get(User, request.state.viewer.user_id)
        return render(request, "accounts/account.html", None, AccountPage.build(db, user, notice))

    @post("/language", name="account:language", sync_to_thread=True)
    def save_language(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        user = services.set_language(db, request.state.viewer.user_id, form.get("language", ""))
        db.commit()
        response = Redirect(path="/account?notice=language", status_code=303)
        # The language cookie wins over the preference, so it follows the new choice.
        response.set_cookie("lang", user.language, max_age=365 * 24 * 3600, samesite="lax",
                            httponly=True, secure=request.app.state.settings.secure_cookies)
        return response

    @get("/password", name="account:password", sync_to_thread=False)
    def password_page(self, request: Request) -> Response:
        return render(request, "accounts/password_change.html", None, {"form": FormState()})

    @post("/password", name="account:password:submit", sync_to_thread=True)
    def change_password(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        try:
            user = credentials.change_password(
                db, request.state.viewer, PasswordChangeForm.parse(form)
            )
        except FormErrors as exc:
            return render(request, "accounts/password_change.html", None,
                          {"form": FormState(errors=exc.errors)}, status_code=422)
        response = Redirect(path="/account?notice=password", status_code=303,
                            background=deliver_after_response(request))
        open_session(request, db, user, response)
        return response


class PasswordResetController(Controller):
    path = "/password"
    dependencies = {"form": Provide(provide_form)}

    @get("/forgot", name="password:forgot", sync_to_thread=False)
    def forgot_page(self, request: Request) -> Response:
        return render(request, "accounts/password_forgot.html", None, {"form": FormState()})

    @post("/forgot", name="password:forgot:submit", sync_to_thread=True)
    def forgot(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        email = (form.get("email") or "").strip()
        problem = email_problem(email)
        if problem:
            state = FormState(values={"email": email}, errors={"email": problem})
            return render(request, "accounts/password_forgot.html", None, {"form": state},
                          status_code=422)
        credentials.request_reset(db, email, request.app.state.settings.base_url)
        db.commit()
        response = render(request, "accounts/password_forgot_sent.html", None, {"email": email})
        response.background = deliver_after_response(request)
        return response

    @get("/reset/{token:str}", name="password:reset", sync_to_thread=True)
    def reset_page(self, request: Request, db: Session, token: str) -> Response:
        try:
            credentials.valid_reset_token(db, token)
        except NotFound:
            return _invalid_link(request)
        return render(request, "accounts/password_reset.html", None,
                      {"form": FormState(), "token": token}, headers=NO_REFERRER)

    @post("/reset/{token:str}", name="password:reset:submit", sync_to_thread=True)
    def reset(self, request: Request, db: Session, token: str, form: FormMultiDict) -> Response:
        try:
            credentials.reset_password(
                db, token, form.get("password") or "", form.get("password_confirm") or ""
            )
        except NotFound:
            db.rollback()
            return _invalid_link(request)
        except FormErrors as exc:
            db.rollback()
            return render(request, "accounts/password_reset.html", None,
                          {"form": FormState(errors=exc.errors), "token": token},
                          status_code=422, headers=NO_REFERRER)
        db.commit()
        return render(request, "accounts/password_reset_done.html", None, headers=NO_REFERRER)


def _invalid_link(request: Request) -> Response:
    return render(request, "accounts/password_reset_invalid.html", None, status_code=404,
                  headers=NO_REFERRER)
