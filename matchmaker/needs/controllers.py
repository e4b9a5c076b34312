"""Needs pages: the list with search and filters, a need's page, the need form and actions."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.authz import needs_visible
from matchmaker.accounts.guards import roles_required
from matchmaker.i18n import _
from matchmaker.models import Role
from matchmaker.needs import editing, services
from matchmaker.needs.form_views import NeedActions, NeedFormPage, need_detail_page
from matchmaker.needs.fundable import FundablePage
from matchmaker.needs.schemas import MULTI_FIELDS, MyNeedsFilters, NeedFilters
from matchmaker.needs.views import MyNeedsPage, NeedListPage
from matchmaker.portfolio.choices import PortfolioChoices
from matchmaker.portfolio.pages import RecordPages, form_state
from matchmaker.reference.names import organisation_name
from matchmaker.web.forms import provide_form
from matchmaker.web.render import render

WRITERS = roles_required(Role.REQUESTER, Role.ADMIN)
PAGES = RecordPages("needs", editing.need_to_edit, NeedActions.build)


def _form_page(request: Request, db: Session, form, errors: dict[str, str], *,
               need=None, status_code: int = 200, oob: bool = False) -> Response:
    viewer = request.state.viewer
    choices = PortfolioChoices.load(db, i18n.get_language())
    check = editing.check_need(db, viewer, form, choices, need)
    state = form_state(form, errors, MULTI_FIELDS)
    page = NeedFormPage.build(choices, state, check, viewer, need, oob=oob)
    return render(request, "needs/form.html", "needs/_form_update.html", page,
                  status_code=status_code)


class NeedController(Controller):
    path = "/needs"
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="needs:list", sync_to_thread=True)
    def list_needs(self, request: Request, db: Session) -> Response:
        filters = NeedFilters.parse(request.query_params)
        result = services.search_needs(db, filters, visible=services.listed_clause(
            needs_visible(request.state.viewer)))
        page = NeedListPage.build(db, filters, result, i18n.get_language())
        return render(request, "needs/list.html", "needs/_results.html", page)

    @get("/mine", name="needs:mine", guards=[roles_required(Role.REQUESTER)],
         sync_to_thread=True)
    def my_needs(self, request: Request, db: Session) -> Response:
        filters = MyNeedsFilters.parse(request.query_params)
        page = MyNeedsPage.load(db, request.state.viewer, filters.status, i18n.get_language())
        return render(request, "needs/mine.html", "needs/_mine_rows.html", page)

    @get("/fundable", name="needs:fundable", guards=[roles_required(Role.DONOR)],
         sync_to_thread=True)
    def fundable(self, request: Request, db: Session) -> Response:
        """The open needs the donor organisation's published offers could fund."""
        page = FundablePage.build(db, request.state.viewer, i18n.get_language())
        return render(request, "needs/fundable.html", None, page)

    @get("/new", name="needs:new", guards=[WRITERS], sync_to_thread=True)
    def new_need(self, request: Request, db: Session) -> Response:
        return _form_page(request, db, editing.blank_need_values(), {})

    @post("/new", name="needs:create", guards=[WRITERS], sync_to_thread=True)
    def create_need(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        choices = PortfolioChoices.load(db, i18n.get_language())
        return PAGES.save(
            request, form,
            lambda publish: editing.save_need(db, request.state.viewer, form, choices,
                                              publish=publish),
            lambda errors: _form_page(request, db, form, errors, status_code=422))

    @post("/check", name="needs:check", guards=[WRITERS], sync_to_thread=True)
    def check_need(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        """Live validation: the errors of the field just changed, the score, duplicates."""
        reference = (form.get("reference") or "").strip()
        need = editing.need_to_edit(db, request.state.viewer, reference) if reference else None
        choices = PortfolioChoices.load(db, i18n.get_language())
        check = editing.check_need(db, request.state.viewer, form, choices, need)
        touched = form.get("_field") or ""
        errors = {name: message for name, message in check.errors.items() if name == touched}
        return _form_page(request, db, form, errors, need=need, oob=True)

    @get("/{reference:str}", name="needs:detail", sync_to_thread=True)
    def need_detail(self, request: Request, db: Session, reference: str) -> Response:
        viewer = request.state.viewer
        row = services.get_need_by_reference(db, reference, visible=needs_visible(viewer))
        organisation = services.requesting_organisation(db, row.need)
        language = i18n.get_language()
        page = need_detail_page(db, viewer, row, organisation_name(organisation, row.country, language),
                                language)
        return render(request, "needs/detail.html", None, page)

    @get("/{reference:str}/edit", name="needs:edit", guards=[WRITERS], sync_to_thread=True)
    def edit_need(self, request: Request, db: Session, reference: str) -> Response:
        need = editing.need_to_edit(db, request.state.viewer, reference)
        return PAGES.edit_form(request, need, editing.edit_blocked_reason(db, need), lambda: (
            _form_page(request, db, editing.need_form_values(db, need), {}, need=need)))

    @post("/{reference:str}/edit", name="needs:update", guards=[WRITERS], sync_to_thread=True)
    def update_need(self, request: Request, db: Session, reference: str,
                    form: FormMultiDict) -> Response:
        choices = PortfolioChoices.load(db, i18n.get_language())
        return PAGES.save(
            request, form,
            lambda publish: editing.save_need(db, request.state.viewer, form, choices,
                                              reference=reference, publish=publish),
            lambda errors: _form_page(
                request, db, form, errors, status_code=422,
                need=editing.need_to_edit(db, request.state.viewer, reference)))

    @get("/{reference:str}/withdraw", name="needs:withdraw-confirm", guards=[WRITERS],
         sync_to_thread=True)
    def confirm_withdraw(self, request: Request, db: Session, reference: str) -> Response:
        """The confirmation step of withdrawing, where the reason is given."""
        return PAGES.withdraw_page(request, db, reference)

    @post("/{reference:str}/publish", name="needs:publish", guards=[WRITERS],
          sync_to_thread=True)
    def publish(self, request: Request, db: Session, reference: str) -> Response:
        choices = PortfolioChoices.load(db, i18n.get_language())
        return PAGES.act(request, db, reference, _("Published: donors and coordinators can "
                                                   "now see this need."),
                         lambda viewer: editing.publish_need(db, viewer, reference, choices))

    @post("/{reference:str}/withdraw", name="needs:withdraw", guards=[WRITERS],
          sync_to_thread=True)
    def withdraw(self, request: Request, db: Session, reference: str,
                 form: FormMultiDict) -> Response:
        return PAGES.withdraw(
            request, db, reference, form,
            _("Withdrawn: the need is no longer offered for matching."),
            lambda viewer: editing.withdraw_need(db, viewer, reference, form.get("reason")))

    @post("/{reference:str}/draft", name="needs:draft", guards=[WRITERS], sync_to_thread=True)
    def back_to_draft(self, request: Request, db: Session, reference: str) -> Response:
        return PAGES.act(request, db, reference, _("Back to draft: only your State can see it "
                                                   "until you publish it again."),
                         lambda viewer: editing.return_need_to_draft(db, viewer, reference))
