"""The account forms as submitted, with the checks that need no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from matchmaker.i18n import _

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
PASSWORD_FIELDS = ("password", "password_confirm", "current_password")


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _password(form: Mapping[str, str], name: str) -> str:
    # Passwords are taken as typed: leading or trailing spaces are part of them.
    return form.get(name) or ""


def text_problem(errors: dict[str, str], field: str, value: str, max_length: int,
                 missing: str = "") -> None:
    """Note in ``errors`` a missing (when ``missing`` says it is required) or too long text."""
    if not value and missing:
        errors[field] = missing
    elif len(value) > max_length:
        errors[field] = _("Use at most %(max)s characters.", max=max_length)


def email_problem(email: str) -> str | None:
    if not email:
        return _("Enter your email address.")
    if len(email) > 254 or not EMAIL_PATTERN.match(email):
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

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> SignupForm:
        return cls(
            name=_text(form, "name"),
            email=_text(form, "email").lower(),
            password=_password(form, "password"),
            password_confirm=_password(form, "password_confirm"),
            organisation_choice="new" if _text(form, "organisation_choice") == "new" else "existing",
            organisation_id=_text(form, "organisation_id"),
            new_organisation_name=_text(form, "new_organisation_name"),
            new_organisation_kind=_text(form, "new_organisation_kind"),
            new_organisation_country=_text(form, "new_organisation_country").upper(),
            role=_text(form, "role"),
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
