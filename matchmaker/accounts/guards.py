"""Litestar guards: the first gate of the authorisation layer (services check the rest)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from matchmaker.accounts.authz import ANONYMOUS, Viewer
from matchmaker.i18n import _


def viewer_of(connection: ASGIConnection) -> Viewer:
    return connection.scope.get("state", {}).get("viewer", ANONYMOUS)


def login_required(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    # The handler parameter must not be called ``_``: that would hide the translation function,
    # and calling a route handler with a string replaces the function it wraps.
    if not viewer_of(connection).is_authenticated:
        raise NotAuthorizedException(_("Please sign in to continue."))


@dataclass(frozen=True)
class RoleGuard:
    """A guard letting through signed-in users whose role is one of ``roles``.

    An object rather than a closure renamed after the fact: its repr names the roles, and
    nothing is written to any function when it is made or called.
    """

    roles: tuple[str, ...]

    def __call__(self, connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        login_required(connection, handler)
        if viewer_of(connection).role not in self.roles:
            raise PermissionDeniedException(_("Your role does not give access to this page."))


def roles_required(*roles: str) -> RoleGuard:
    return RoleGuard(roles)
