"""The account forms as submitted, with the checks that need no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from matchmaker.i18n import _
from matchmaker.web import bounds

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_LENGTH = 254  # RFC 5321, and the size of the email columns
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
PASSWORD_FIELDS = ("password", "password_confirm", "current_password")


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _checked_text(form: Mapping[str, str], name: str, max_length: int,
                  errors: dict[str, str]) -> str:
    """A one-line text field, or "" with its problem in ``errors``: what the services query
    with is then always storable (PostgreSQL cannot even compare a text holding NUL)."""
    value = _text(form, name)
    problem = bounds.text_problem(value, max_length, single_line=True)
    if problem:
        errors[name] = problem
        return ""
    return value


def _password(form: Mapping[str, str], name: str) -> str:
    # Passwords are taken as typed: leading or trailing spaces are part of them.
    return form.get(name) or ""


def text_problem(errors: dict[str, str], field: str, value: str, max_length: int,
                 missing: str = "") -> None:
    """Note in ``errors`` what is wrong with a one-line text (a name): missing (when
    ``missing`` says it is required), too long, control characters or line breaks."""
    problem = bounds.text_problem(value, max_length, single_line=True)
    if problem:
        errors[field] = problem
    elif not value and missing:
        errors[field] = missing


def email_problem(email: str) -> str | None:
    if not email:
        return _("Enter your email address.")
    problem = bounds.text_problem(email, MAX_EMAIL_LENGTH, single_line=True)
    if problem:
        return problem
    if not EMAIL_PATTERN.match(email):
        return _("Enter a valid email address, like name@example.org.")
    return None


def password_problems(password: str, confirmation: str, email: str) -> dict[str, str]:
    """What is wrong with a new ``password`` (keyed by field), or nothing."""
    if not password:
        return {"password": _("Choose a password.")}
    if len(password) < MIN_PASSWORD_LENGTH:
        return {"password": _("Use at least %(min)s characters.", min=MIN_PASSWORD_LENGTH)}
    if len(password) > MAX_PASSWORD_LENGTH:
        return {"password": _("Use at most %(max)s characters.", max=MAX_PASSWORD_LENGTH)}
    if email and password.strip().lower() == email.strip().lower():
        return {"password": _("Your password must not be your email address.")}
    if password != confirmation:
        return {"password_confirm": _("The two passwords are not the same.")}
    return {}


@dataclass(frozen=True)
class SignupForm:
    name: str
    email: str
    password: str
    password_confirm: str
    organisation_choice: str  # "existing" or "new"
    organisation_id: str
    new_organisation_name: str
    new_organisation_kind: str
    new_organisation_country: str  # ISO alpha-3 code
    role: str
    # What parsing refused (bad characters, a number that is no id); the value is left blank.
    input_errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> SignupForm:
        errors: dict[str, str] = {}
        raw_id = _text(form, "organisation_id")
        organisation_id = bounds.record_id(raw_id)
        if raw_id and organisation_id is None:
            errors["organisation_id"] = _("Choose an organisation from the list.")
        return cls(
            name=_checked_text(form, "name", 160, errors),
            email=_checked_text(form, "email", MAX_EMAIL_LENGTH, errors).lower(),
            password=_password(form, "password"),
            password_confirm=_password(form, "password_confirm"),
            organisation_choice="new" if _text(form, "organisation_choice") == "new" else "existing",
            organisation_id=str(organisation_id or ""),
            new_organisation_name=_checked_text(form, "new_organisation_name", 200, errors),
            new_organisation_kind=_checked_text(form, "new_organisation_kind", 32, errors),
            new_organisation_country=_checked_text(
                form, "new_organisation_country", 3, errors).upper(),
            role=_checked_text(form, "role", 32, errors),
            input_errors=errors,
        )

    @property
    def wants_new_organisation(self) -> bool:
        return self.organisation_choice == "new"

    def problems(self) -> dict[str, str]:
        """Field errors found without the database."""
        errors: dict[str, str] = {}
        text_problem(errors, "name", self.name, 160, _("Enter your name."))
        problem = email_problem(self.email)
        if problem:
            errors["email"] = problem
        errors.update(password_problems(self.password, self.password_confirm, self.email))
        if self.wants_new_organisation:
            text_problem(errors, "new_organisation_name", self.new_organisation_name, 200,
                         _("Enter the name of your organisation."))
        elif not self.organisation_id:
            errors["organisation_id"] = _(
                "Choose your organisation, or request a new one below."
            )
        errors.update(self.input_errors)
        return errors


@dataclass(frozen=True)
class LoginForm:
    email: str
    password: str

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> LoginForm:
        return cls(email=_text(form, "email"), password=_password(form, "password"))

    def problems(self) -> dict[str, str]:
        """Field errors found without the database: an email that no account can have (too
        long for the column, control characters) is refused before an attempt records it."""
        errors: dict[str, str] = {}
        if not self.email:
            errors["email"] = _("Enter your email address.")
        else:
            problem = bounds.text_problem(self.email, MAX_EMAIL_LENGTH, single_line=True)
            if problem:
                errors["email"] = problem
        if not self.password:
            errors["password"] = _("Enter your password.")
        return errors


@dataclass(frozen=True)
class PasswordChangeForm:
    current_password: str
    password: str
    password_confirm: str

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> PasswordChangeForm:
        return cls(
            current_password=_password(form, "current_password"),
            password=_password(form, "password"),
            password_confirm=_password(form, "password_confirm"),
        )


def kept_values(form: Mapping[str, str]) -> dict[str, str]:
    """The submitted values to show again in a form: everything but passwords and the token."""
    return {
        key: form.get(key) or ""
        for key in form
        if key not in PASSWORD_FIELDS and key != "_csrf"
    }
