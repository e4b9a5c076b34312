"""Proposal pages: the review queue, a proposal's page, decisions in place, messages, and
"propose to fund this need".

Every action is a normal form (POST, then a redirect back) that htmx enhances: an answer in the
queue replaces its row, a message is added to the thread. Refusals show where the action was
taken (the row, the field) with 409 / 422; permission errors go through the error handlers.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.guards import login_required, roles_required
from matchmaker.errors import Conflict, FormErrors
from matchmaker.mail.outbox import deliver_after_response
from matchmaker.models import Role
from matchmaker.proposals import decisions, manual, messages, services
from matchmaker.proposals.schemas import ManualProposalInput, QueueFilters, parse_side
from matchmaker.proposals.views import DetailPage, NewProposalPage, ProposalItem, QueuePage
from matchmaker.web.bounds import RecordId
from matchmaker.web.forms import FormState, provide_form
from matchmaker.web.render import go_to, is_fragment_request, render
from matchmaker.web.urls import safe_next

CHANGED = {"HX-Trigger": "proposals-changed"}


def _detail(request: Request, db: Session, proposal_id: int, status_code: int = 200, *,
            alert: str | None = None, form_name: str = "", form: FormState | None = None
            ) -> Response:
    """The proposal's page, with a refusal (``alert``) or one form's errors if given."""
    viewer = request.state.viewer
    row = services.get_row(db, viewer, proposal_id)
    page = DetailPage.build(db, row, viewer, i18n.get_language(),
                            messages.thread_of(db, proposal_id))
    page.alert = alert
    if form_name == "decline_form":
        page.item.decline_form = form
    elif form_name:
        setattr(page, form_name, form)
    return render(request, "proposals/detail.html", None, page, status_code=status_code)


def _row(request: Request, db: Session, proposal_id: int, status_code: int = 200, *,
         error: str | None = None, decline_form: FormState | None = None,
         next_url: str | None = None) -> Response:
    viewer = request.state.viewer
    item = ProposalItem.build(services.get_row(db, viewer, proposal_id), viewer,
                              i18n.get_language())
    item.error = error
    if decline_form is not None:
        item.decline_form = decline_form
    context = {"item": item, "next_url": safe_next(next_url or "/proposals")}
    return render(request, "proposals/_row.html", None, context, status_code=status_code,
                  headers=CHANGED)


def _refused(request: Request, db: Session, form: FormMultiDict, proposal_id: int,
             status_code: int, *, alert: str | None = None,
             decline_form: FormState | None = None) -> Response:
    """A refused answer, shown where it was given: the queue's row (htmx) or the proposal's page."""
    if is_fragment_request(request):
        return _row(request, db, proposal_id, status_code, error=alert,
                    decline_form=decline_form, next_url=form.get("next"))
    return _detail(request, db, proposal_id, status_code, alert=alert,
                   form_name="decline_form" if decline_form else "", form=decline_form)


def _back(request: Request, db: Session, form: FormMultiDict, proposal_id: int) -> Response:
    """After an answer: the row for htmx, else back to the page the form came from."""
    if is_fragment_request(request):
        response = _row(request, db, proposal_id, next_url=form.get("next"))
    else:
        response = Redirect(path=safe_next(form.get("next") or f"/proposals/{proposal_id}"),
                            status_code=303)
    response.background = deliver_after_response(request)
    return response


class ProposalController(Controller):
    path = "/proposals"
    guards = [login_required]
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="proposals:queue", sync_to_thread=True)
    def queue(self, request: Request, db: Session) -> Response:
        filters = QueueFilters.parse(request.query_params)
        viewer = request.state.viewer
        result = services.search_queue(db, viewer, filters)
        page = QueuePage.build(filters, result, viewer, i18n.get_language())
        return render(request, "proposals/queue.html", "proposals/_results.html", page)

    @get("/awaiting-count", name="proposals:awaiting-count", sync_to_thread=True)
    def awaiting_count(self, request: Request, db: Session) -> Response:
        count = services.awaiting_count(db, request.state.viewer)
        return render(request, "proposals/_nav_count.html", None, {"awaiting": count})

    @get("/{proposal_id:int}", name="proposals:detail", sync_to_thread=True)
    def detail(self, request: Request, db: Session, proposal_id: RecordId) -> Response:
        return _detail(request, db, proposal_id)

    @post("/{proposal_id:int}/accept", name="proposals:accept", sync_to_thread=True)
    def accept(self, request: Request, db: Session, form: FormMultiDict,
               proposal_id: RecordId) -> Response:
        try:
            decisions.accept(db, request.state.viewer, proposal_id, parse_side(form.get("side")))
        except Conflict as refusal:
            return _refused(request, db, form, proposal_id, 409, alert=refusal.message)
        return _back(request, db, form, proposal_id)

    @post("/{proposal_id:int}/decline", name="proposals:decline", sync_to_thread=True)
    def decline(self, request: Request, db: Session, form: FormMultiDict,
                proposal_id: RecordId) -> Response:
        try:
            decisions.decline(db, request.state.viewer, proposal_id, form.get("reason") or "",
                              parse_side(form.get("side")))
        except FormErrors as invalid:
            state = FormState.from_submission(form, invalid.errors)
            return _refused(request, db, form, proposal_id, 422, decline_form=state)
        except Conflict as refusal:
            return _refused(request, db, form, proposal_id, 409, alert=refusal.message)
        return _back(request, db, form, proposal_id)

    @post("/{proposal_id:int}/messages", name="proposals:message", sync_to_thread=True)
    def post_message(self, request: Request, db: Session, form: FormMultiDict,
                     proposal_id: RecordId) -> Response:
        viewer = request.state.viewer
        state = FormState()
        status = 201
        try:
            messages.post_message(db, viewer, proposal_id, form.get("body") or "")
        except FormErrors as invalid:
            state, status = FormState.from_submission(form, invalid.errors), 422
        if not is_fragment_request(request):
            if status == 422:
                return _detail(request, db, proposal_id, 422, form_name="message_form",
                               form=state)
            return Redirect(path=f"/proposals/{proposal_id}#messages", status_code=303,
                            background=deliver_after_response(request))
        thread = messages.thread(db, viewer, proposal_id)
        response = render(request, "proposals/_thread.html", None,
                          {"proposal_id": proposal_id, "messages": thread,
                           "message_form": state}, status_code=status)
        response.background = deliver_after_response(request)
        return response

    @post("/{proposal_id:int}/delivery", name="proposals:delivery", sync_to_thread=True)
    def start_delivery(self, request: Request, db: Session, proposal_id: RecordId) -> Response:
        viewer = request.state.viewer
        return self._follow(request, db, proposal_id,
                            lambda: decisions.start_delivery(db, viewer, proposal_id),
                            "delivered_form")

    @post("/{proposal_id:int}/delivered", name="proposals:delivered", sync_to_thread=True)
    def delivered(self, request: Request, db: Session, form: FormMultiDict,
                  proposal_id: RecordId) -> Response:
        return self._follow(
            request, db, proposal_id,
            lambda: decisions.mark_delivered(db, request.state.viewer, proposal_id,
                                             form.get("note") or ""),
            "delivered_form", form,
        )

    @post("/{proposal_id:int}/feedback", name="proposals:feedback", sync_to_thread=True)
    def feedback(self, request: Request, db: Session, form: FormMultiDict,
                 proposal_id: RecordId) -> Response:
        return self._follow(
            request, db, proposal_id,
            lambda: decisions.give_feedback(db, request.state.viewer, proposal_id,
                                            form.get("met") or "", form.get("note") or "",
                                            parse_side(form.get("side"))),
            "feedback_form", form,
        )

    @staticmethod
    def _follow(request: Request, db: Session, proposal_id: int, action, form_name: str,
                form: FormMultiDict | None = None) -> Response:
        """Run a delivery step; back to the proposal's page, or its errors on that page."""
        try:
            action()
        except FormErrors as invalid:
            state = FormState.from_submission(form or {}, invalid.errors)
            return _detail(request, db, proposal_id, 422, form_name=form_name, form=state)
        except Conflict as refusal:
            return _detail(request, db, proposal_id, 409, alert=refusal.message)
        return Redirect(path=f"/proposals/{proposal_id}", status_code=303,
                        background=deliver_after_response(request))


class ManualProposalController(Controller):
    """ "Propose to fund this need": donors, the region's coordinators and admins propose an
    offer by hand."""

    path = "/proposals/new"
    guards = [roles_required(Role.DONOR, Role.COORDINATOR, Role.ADMIN)]
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="proposals:new", sync_to_thread=True)
    def new(self, request: Request, db: Session, need: str = "") -> Response:
        return self._page(request, db, need)

    @post("/", name="proposals:create", sync_to_thread=True)
    def create(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        try:
            data = ManualProposalInput.parse(form)
            proposal = manual.propose(db, request.state.viewer, data, i18n.get_language())
        except FormErrors as invalid:
            state = FormState.from_submission(form, invalid.errors)
            return self._page(request, db, form.get("need") or "", state, 422)
        return go_to(request, f"/proposals/{proposal.id}", deliver_after_response(request))

    @staticmethod
    def _page(request: Request, db: Session, reference: str, form: FormState | None = None,
              status_code: int = 200) -> Response:
        viewer = request.state.viewer
        language = i18n.get_language()
        row = manual.need_to_fund(db, viewer, reference.strip()[:24])
        choices = manual.offer_choices(db, viewer, row, language)
        page = NewProposalPage.build(row, choices, language, form)
        return render(request, "proposals/new.html", "proposals/_new_form.html", page,
                      status_code=status_code)
