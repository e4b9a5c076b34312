"""Offers pages: the list with search and filters, an offer's page, the offer form, actions."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.authz import offers_visible
from matchmaker.accounts.guards import roles_required
from matchmaker.i18n import _
from matchmaker.models import Role
from matchmaker.offers import editing, services
from matchmaker.offers.form_views import OfferActions, OfferFormPage, offer_detail_page
from matchmaker.offers.schemas import MULTI_FIELDS, MyOffersFilters, OfferFilters
from matchmaker.offers.views import MyOffersPage, OfferListPage
from matchmaker.portfolio.choices import PortfolioChoices
from matchmaker.portfolio.pages import RecordPages, form_state
from matchmaker.web.forms import provide_form
from matchmaker.web.render import render

WRITERS = roles_required(Role.DONOR, Role.ADMIN)
PAGES = RecordPages("offers", editing.offer_to_edit, OfferActions.build)


def _form_page(request: Request, db: Session, form, errors: dict[str, str], *, offer=None,
               status_code: int = 200) -> Response:
    choices = PortfolioChoices.load(db, i18n.get_language())
    state = form_state(form, errors, MULTI_FIELDS)
    page = OfferFormPage.build(db, request.state.viewer, choices, state, offer)
    return render(request, "offers/form.html", "offers/_form.html", page,
                  status_code=status_code)


class OfferController(Controller):
    path = "/offers"
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="offers:list", sync_to_thread=True)
    def list_offers(self, request: Request, db: Session) -> Response:
        filters = OfferFilters.parse(request.query_params)
        result = services.search_offers(db, filters, services.listed_clause(
            offers_visible(request.state.viewer)))
        page = OfferListPage.build(db, filters, result, i18n.get_language())
        return render(request, "offers/list.html", "offers/_results.html", page)

    @get("/mine", name="offers:mine", guards=[roles_required(Role.DONOR)], sync_to_thread=True)
    def my_offers(self, request: Request, db: Session) -> Response:
        filters = MyOffersFilters.parse(request.query_params)
        page = MyOffersPage.load(db, request.state.viewer, filters.status, i18n.get_language())
        return render(request, "offers/mine.html", "offers/_mine_rows.html", page)

    @get("/new", name="offers:new", guards=[WRITERS], sync_to_thread=True)
    def new_offer(self, request: Request, db: Session) -> Response:
        return _form_page(request, db, editing.blank_offer_values(), {})

    @post("/new", name="offers:create", guards=[WRITERS], sync_to_thread=True)
    def create_offer(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        choices = PortfolioChoices.load(db, i18n.get_language())
        return PAGES.save(
            request, form,
            lambda publish: editing.save_offer(db, request.state.viewer, form, choices,
                                               publish=publish),
            lambda errors: _form_page(request, db, form, errors, status_code=422))

    @post("/check", name="offers:check", guards=[WRITERS], sync_to_thread=True)
    def check_offer(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        """Live validation: the form with the error of the field just changed."""
        reference = (form.get("reference") or "").strip()
        viewer = request.state.viewer
        offer = editing.offer_to_edit(db, viewer, reference) if reference else None
        choices = PortfolioChoices.load(db, i18n.get_language())
        _values, errors = editing.read_offer_input(db, viewer, form, choices, offer=offer)
        touched = form.get("_field") or ""
        return _form_page(request, db, form, {k: v for k, v in errors.items() if k == touched},
                          offer=offer)

    @get("/{reference:str}", name="offers:detail", sync_to_thread=True)
    def offer_detail(self, request: Request, db: Session, reference: str) -> Response:
        viewer = request.state.viewer
        row = services.get_offer_by_reference(db, reference, offers_visible(viewer))
        page = offer_detail_page(db, viewer, row, i18n.get_language())
        return render(request, "offers/detail.html", None, page)

    @get("/{reference:str}/edit", name="offers:edit", guards=[WRITERS], sync_to_thread=True)
    def edit_offer(self, request: Request, db: Session, reference: str) -> Response:
        offer = editing.offer_to_edit(db, request.state.viewer, reference)
        return PAGES.edit_form(request, offer, editing.edit_blocked_reason(offer), lambda: (
            _form_page(request, db, editing.offer_form_values(db, offer), {}, offer=offer)))

    @post("/{reference:str}/edit", name="offers:update", guards=[WRITERS], sync_to_thread=True)
    def update_offer(self, request: Request, db: Session, reference: str,
                     form: FormMultiDict) -> Response:
        choices = PortfolioChoices.load(db, i18n.get_language())
        return PAGES.save(
            request, form,
            lambda publish: editing.save_offer(db, request.state.viewer, form, choices,
                                               reference=reference, publish=publish),
            lambda errors: _form_page(
                request, db, form, errors, status_code=422,
                offer=editing.offer_to_edit(db, request.state.viewer, reference)))

    @get("/{reference:str}/withdraw", name="offers:withdraw-confirm", guards=[WRITERS],
         sync_to_thread=True)
    def confirm_withdraw(self, request: Request, db: Session, reference: str) -> Response:
        """The confirmation step of withdrawing, where the reason is given."""
        return PAGES.withdraw_page(request, db, reference)

    @post("/{reference:str}/publish", name="offers:publish", guards=[WRITERS],
          sync_to_thread=True)
    def publish(self, request: Request, db: Session, reference: str) -> Response:
        choices = PortfolioChoices.load(db, i18n.get_language())
        return PAGES.act(request, db, reference, _("Published: requesters and coordinators "
                                                   "can now see this offer."),
                         lambda viewer: editing.publish_offer(db, viewer, reference, choices))

    @post("/{reference:str}/withdraw", name="offers:withdraw", guards=[WRITERS],
          sync_to_thread=True)
    def withdraw(self, request: Request, db: Session, reference: str,
                 form: FormMultiDict) -> Response:
        return PAGES.withdraw(
            request, db, reference, form,
            _("Withdrawn: the offer is no longer used for matching."),
            lambda viewer: editing.withdraw_offer(db, viewer, reference, form.get("reason")))

    @post("/{reference:str}/draft", name="offers:draft", guards=[WRITERS], sync_to_thread=True)
    def back_to_draft(self, request: Request, db: Session, reference: str) -> Response:
        return PAGES.act(request, db, reference, _("Back to draft: only your organisation can "
                                                   "see it until you publish it again."),
                         lambda viewer: editing.return_offer_to_draft(db, viewer, reference))
