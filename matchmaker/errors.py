"""Errors that services raise and the web layer turns into clear responses."""

from __future__ import annotations


class MatchmakerError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, link: str | None = None
                 ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.link = link  # where the user can see the record the message is about


class InputError(MatchmakerError):
    """Bad input; ``field`` names the parameter or form field that caused it."""

    status_code = 400


class FormErrors(MatchmakerError):
    """Several field errors of one form, keyed by field name; ``field`` names the first, so
    that JSON clients get ``field`` as well as ``errors``."""

    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()),
                         field=next(iter(errors), None))
        self.errors = errors


class NotFound(MatchmakerError):
    status_code = 404


class PermissionDenied(MatchmakerError):
    status_code = 403


class Conflict(MatchmakerError):
    """The request is valid but the record's state does not allow it now."""

    status_code = 409
