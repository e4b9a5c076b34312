"""Conversation pages: one's conversations, asking a first question, a conversation's thread.

Every action is a normal form (POST, then a redirect to the thread, which says the message was
sent) that htmx enhances: a message sent in place replaces the thread and the live region says
so. Mail of the notifications goes after the response.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker.accounts.guards import login_required
from matchmaker.conversations import services
from matchmaker.conversations.views import (
    ConversationItem,
    ConversationListPage,
    ConversationPage,
    NewConversationPage,
)
from matchmaker.errors import FormErrors
from matchmaker.i18n import _
from matchmaker.mail.outbox import deliver_after_response
from matchmaker.proposals.schemas import REFERENCE_MAX
from matchmaker.web.bounds import RecordId
from matchmaker.web.forms import FormState, provide_form
from matchmaker.web.render import is_fragment_request, render


def _reference(value: object) -> str:
    return value.strip()[:REFERENCE_MAX] if isinstance(value, str) else ""


def _thread(request: Request, db: Session, conversation_id: int, status_code: int = 200, *,
            form: FormState | None = None, notice: str = "") -> Response:
    """The conversation's page, or only its thread for htmx."""
    row = services.get(db, request.state.viewer, conversation_id)
    page = ConversationPage(ConversationItem.build(row),
                            services.messages_of(db, conversation_id), form or FormState(),
                            notice)
    return render(request, "conversations/detail.html", "conversations/_thread.html", page,
                  status_code=status_code)


class ConversationController(Controller):
    path = "/conversations"
    guards = [login_required]
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="conversations:list", sync_to_thread=True)
    def listing(self, request: Request, db: Session, record: str = "") -> Response:
        record = _reference(record)
        rows = services.mine(db, request.state.viewer, record)
        return render(request, "conversations/list.html", None,
                      ConversationListPage.build(rows, record))

    @get("/new", name="conversations:new", sync_to_thread=True)
    def new(self, request: Request, db: Session, need: str = "", offer: str = "") -> Response:
        viewer = request.state.viewer
        subject = services.subject_to_ask(db, viewer, _reference(need), _reference(offer))
        started = services.existing(db, viewer, subject)
        if started is not None:
            return Redirect(path=f"/conversations/{started.id}#messages", status_code=303)
        return render(request, "conversations/new.html", None,
                      NewConversationPage.build(subject))

    @post("/new", name="conversations:start", sync_to_thread=True)
    def start(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        viewer = request.state.viewer
        subject = services.subject_to_ask(db, viewer, _reference(form.get("need")),
                                          _reference(form.get("offer")))
        try:
            conversation = services.start(db, viewer, subject, form.get("body") or "")
        except FormErrors as invalid:
            page = NewConversationPage.build(subject,
                                             FormState.from_submission(form, invalid.errors))
            return render(request, "conversations/new.html", None, page, status_code=422)
        return Redirect(path=f"/conversations/{conversation.id}?sent=1#messages",
                        status_code=303, background=deliver_after_response(request))

    @get("/{conversation_id:int}", name="conversations:detail", sync_to_thread=True)
    def detail(self, request: Request, db: Session, conversation_id: RecordId,
               sent: str = "") -> Response:
        return _thread(request, db, conversation_id,
                       notice=_("Your message was sent.") if sent else "")

    @post("/{conversation_id:int}/messages", name="conversations:message",
          sync_to_thread=True)
    def post_message(self, request: Request, db: Session, form: FormMultiDict,
                     conversation_id: RecordId) -> Response:
        try:
            services.post(db, request.state.viewer, conversation_id, form.get("body") or "")
        except FormErrors as invalid:
            return _thread(request, db, conversation_id, 422,
                           form=FormState.from_submission(form, invalid.errors))
        if not is_fragment_request(request):
            return Redirect(path=f"/conversations/{conversation_id}?sent=1#messages",
                            status_code=303, background=deliver_after_response(request))
        response = _thread(request, db, conversation_id, 201,
                           notice=_("Your message was sent."))
        response.background = deliver_after_response(request)
        return response
