"""Admin pages: approvals (admins and, for their region, coordinators), organisations,
accounts and the audit trail (admins only).

Row actions answer an htmx request with the row in its new state, and a plain form post with a
redirect back to the list, so every action also works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer
from matchmaker.accounts.guards import roles_required
from matchmaker.admin import organisations, services, views
from matchmaker.admin.schemas import (
    AccountFilters,
    EventFilters,
    OrganisationFilters,
    OrganisationUpdate,
)
from matchmaker.admin.services import AccountRow
from matchmaker.errors import FormErrors
from matchmaker.mail.outbox import deliver_after_response
from matchmaker.models import Role
from matchmaker.web.bounds import RecordId
from matchmaker.web.forms import FormState, provide_form
from matchmaker.web.render import is_fragment_request, render
from matchmaker.web.urls import safe_next

ADMINS = [roles_required(Role.ADMIN)]
REVIEWERS = [roles_required(Role.ADMIN, Role.COORDINATOR)]


def current_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def back_from(form: FormMultiDict, default: str) -> str:
    target = form.get("next")
    return safe_next(target) if target else default


def row_or_redirect(request: Request, fragment: str, context: dict, back: str) -> Response:
    """The changed row for htmx (swapped in place), else a redirect back to the page."""
    if is_fragment_request(request):
        response = render(request, fragment, fragment, context)
    else:
        response = Redirect(path=back, status_code=303)
    response.background = deliver_after_response(request)
    return response


def account_changed(request: Request, db: Session, form: FormMultiDict, row: AccountRow,
                    default: str) -> Response:
    db.commit()
    back = back_from(form, default)
    item = views.AccountItem.build(row, request.state.viewer)
    return row_or_redirect(request, "admin/_account_row.html", {"item": item, "back": back}, back)


def change_access(request: Request, db: Session, form: FormMultiDict,
                  change: Callable[[Session, Viewer, int], AccountRow], user_id: int) -> Response:
    """Disable, enable or unlock an account (``change`` is the service doing it)."""
    row = change(db, request.state.viewer, user_id)
    return account_changed(request, db, form, row, "/admin/accounts")


def organisation_changed(request: Request, db: Session, form: FormMultiDict,
                         row: organisations.OrganisationRow) -> Response:
    db.commit()
    back = back_from(form, "/admin/organisations")
    item = views.OrganisationItem.build(row)
    return row_or_redirect(request, "admin/_organisation_row.html", {"item": item, "back": back},
                           back)


class ApprovalController(Controller):
    path = "/admin"
    guards = REVIEWERS
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="admin:approvals", sync_to_thread=True)
    def approvals(self, request: Request, db: Session) -> Response:
        viewer = request.state.viewer
        page = views.ApprovalsPage(
            accounts=[views.AccountItem.build(row, viewer)
                      for row in services.pending_accounts(db, viewer)],
            organisations=[views.OrganisationItem.build(row)
                           for row in organisations.pending_organisations(db, viewer)],
        )
        return render(request, "admin/approvals.html", None, page)

    @post("/accounts/{user_id:int}/approve", name="admin:account:approve", sync_to_thread=True)
    def approve(self, request: Request, db: Session, form: FormMultiDict,
                user_id: RecordId) -> Response:
        row = services.approve_account(db, request.state.viewer, user_id,
                                       request.app.state.settings.base_url)
        return account_changed(request, db, form, row, "/admin")

    @post("/accounts/{user_id:int}/reject", name="admin:account:reject", sync_to_thread=True)
    def reject(self, request: Request, db: Session, form: FormMultiDict,
               user_id: RecordId) -> Response:
        row = services.reject_account(db, request.state.viewer, user_id)
        return account_changed(request, db, form, row, "/admin")


class AccountAdminController(Controller):
    path = "/admin/accounts"
    guards = ADMINS
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="admin:accounts", sync_to_thread=True)
    def accounts(self, request: Request, db: Session) -> Response:
        viewer = request.state.viewer
        filters = AccountFilters.parse(request.query_params)
        page = views.account_list(filters, services.search_accounts(db, viewer, filters), viewer,
                                  current_url(request))
        return render(request, "admin/accounts.html", "admin/_accounts_results.html", page)

    @post("/{user_id:int}/role", name="admin:account:role", sync_to_thread=True)
    def change_role(self, request: Request, db: Session, form: FormMultiDict,
                    user_id: RecordId) -> Response:
        row = services.change_role(db, request.state.viewer, user_id, form.get("role") or "")
        return account_changed(request, db, form, row, "/admin/accounts")

    @post("/{user_id:int}/disable", name="admin:account:disable", sync_to_thread=True)
    def disable(self, request: Request, db: Session, form: FormMultiDict,
                user_id: RecordId) -> Response:
        return change_access(request, db, form, services.disable_account, user_id)

    @post("/{user_id:int}/enable", name="admin:account:enable", sync_to_thread=True)
    def enable(self, request: Request, db: Session, form: FormMultiDict,
               user_id: RecordId) -> Response:
        return change_access(request, db, form, services.enable_account, user_id)

    @post("/{user_id:int}/unlock", name="admin:account:unlock", sync_to_thread=True)
    def unlock(self, request: Request, db: Session, form: FormMultiDict,
               user_id: RecordId) -> Response:
        return change_access(request, db, form, services.unlock_account, user_id)


class OrganisationAdminController(Controller):
    path = "/admin/organisations"
    guards = ADMINS
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="admin:organisations", sync_to_thread=True)
    def organisation_list(self, request: Request, db: Session) -> Response:
        filters = OrganisationFilters.parse(request.query_params)
        result = organisations.search_organisations(db, request.state.viewer, filters)
        page = views.organisation_list(filters, result, current_url(request))
        return render(request, "admin/organisations.html", "admin/_organisations_results.html",
                      page)

    @get("/{organisation_id:int}", name="admin:organisation", sync_to_thread=True)
    def organisation(self, request: Request, db: Session, organisation_id: RecordId,
                     next: str = "/admin/organisations") -> Response:
        row = organisations.organisation_row(db, request.state.viewer, organisation_id)
        page = views.OrganisationEditPage.build(row, safe_next(next))
        return render(request, "admin/organisation_edit.html", "admin/_organisation_row.html",
                      page)

    @get("/{organisation_id:int}/edit", name="admin:organisation:edit", sync_to_thread=True)
    def edit(self, request: Request, db: Session, organisation_id: RecordId,
             next: str = "/admin/organisations") -> Response:
        row = organisations.organisation_row(db, request.state.viewer, organisation_id)
        page = views.OrganisationEditPage.build(row, safe_next(next))
        return render(request, "admin/organisation_edit.html",
                      "admin/_organisation_form_row.html", page)

    @post("/{organisation_id:int}", name="admin:organisation:update", sync_to_thread=True)
    def update(self, request: Request, db: Session, form: FormMultiDict,
               organisation_id: RecordId) -> Response:
        viewer = request.state.viewer
        try:
            row = organisations.update_organisation(
                db, viewer, organisation_id, OrganisationUpdate.parse(form)
            )
        except FormErrors as exc:
            db.rollback()
            row = organisations.organisation_row(db, viewer, organisation_id)
            state = FormState(values=asdict(OrganisationUpdate.parse(form)), errors=exc.errors)
            page = views.OrganisationEditPage.build(
                row, back_from(form, "/admin/organisations"), state
            )
            return render(request, "admin/organisation_edit.html",
                          "admin/_organisation_form_row.html", page, status_code=422)
        return organisation_changed(request, db, form, row)

    @post("/{organisation_id:int}/approve", name="admin:organisation:approve",
          sync_to_thread=True)
    def approve(self, request: Request, db: Session, form: FormMultiDict,
                organisation_id: RecordId) -> Response:
        row = organisations.approve_organisation(db, request.state.viewer, organisation_id)
        return organisation_changed(request, db, form, row)

    @post("/{organisation_id:int}/reject", name="admin:organisation:reject",
          sync_to_thread=True)
    def reject(self, request: Request, db: Session, form: FormMultiDict,
               organisation_id: RecordId) -> Response:
        row = organisations.reject_organisation(db, request.state.viewer, organisation_id)
        return organisation_changed(request, db, form, row)


class EventController(Controller):
    path = "/admin/events"
    guards = ADMINS

    @get("/", name="admin:events", sync_to_thread=True)
    def events(self, request: Request, db: Session) -> Response:
        filters = EventFilters.parse(request.query_params)
        result = services.list_events(db, request.state.viewer, filters)
        page = views.event_list(db, filters, result, services.event_entities(db))
        return render(request, "admin/events.html", "admin/_events_results.html", page)
