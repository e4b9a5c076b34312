"""Conversations on a need or an offer, before any proposal exists.

A donor asks a State about its need, or a State asks a donor about its offer: one thread per
record and asking organisation, read and written by the two sides, the coordinators of the
State concerned and admins (``authz.conversations_visible``); one nobody may read is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session

from matchmaker.accounts import authz
from matchmaker.accounts.authz import Viewer
from matchmaker.conversations import news
from matchmaker.errors import NotFound
from matchmaker.i18n import _
from matchmaker.models import (
    Conversation,
    ConversationMessage,
    Need,
    Offer,
    Organisation,
    User,
    utcnow,
)
from matchmaker.needs.services import get_need_by_reference
from matchmaker.offers.services import get_offer_by_reference
from matchmaker.portfolio.lifecycle import committing
from matchmaker.proposals.messages import ThreadMessage
from matchmaker.proposals.schemas import parse_message

LIST_SIZE = 50

ASKER = aliased(Organisation)
POSTER = aliased(Organisation)


@dataclass(frozen=True)
class Subject:
    """What a conversation is about: a need or an offer, and who posted it."""

    need: Need | None
    offer: Offer | None

    @property
    def record(self) -> Need | Offer:
        return self.need or self.offer

    @property
    def link(self) -> str:
        return f"/needs/{self.need.reference}" if self.need else f"/offers/{self.offer.reference}"


@dataclass(frozen=True)
class ConversationRow:
    conversation: Conversation
    subject: Subject
    asker: Organisation  # the organisation that asks
    poster: Organisation  # the need's State or the offer's donor


def subject_to_ask(db: Session, viewer: Viewer, need: str = "", offer: str = "") -> Subject:
    """The need or offer the viewer asks about (NotFound if unseen, PermissionDenied if the
    viewer is not who may ask: a donor about a need, a State about an offer)."""
    if need:
        row = get_need_by_reference(db, need, visible=authz.needs_visible(viewer))
        authz.require(authz.can_ask_about_need(viewer, row.need),
                      _("Only donors can ask a State about its need."))
        return Subject(row.need, None)
    if offer:
        found = get_offer_by_reference(db, offer, authz.offers_visible(viewer))
        authz.require(authz.can_ask_about_offer(viewer, found.offer),
                      _("Only a State's point of contact can ask a donor about its offer."))
        return Subject(None, found.offer)
    raise NotFound(_("Say which need or offer the question is about."))


def existing(db: Session, viewer: Viewer, subject: Subject) -> Conversation | None:
    """The viewer's organisation's conversation on ``subject``, if it has started one."""
    column = Conversation.need_id if subject.need else Conversation.offer_id
    return db.scalars(select(Conversation).where(
        column == subject.record.id, Conversation.organisation_id == viewer.organisation_id
    )).first()


def start(db: Session, viewer: Viewer, subject: Subject, body: str) -> Conversation:
    """Ask a first question (or add it to the organisation's conversation on the record)."""
    body = parse_message(body)
    conversation = existing(db, viewer, subject)
    if conversation is None:
        try:
            conversation = _insert(db, viewer, subject)
        except IntegrityError:
            # A colleague asked about the same record at the same moment: one thread it is.
            conversation = existing(db, viewer, subject)
            if conversation is None:
                raise
    post(db, viewer, conversation.id, body)
    return conversation


def _insert(db: Session, viewer: Viewer, subject: Subject) -> Conversation:
    with committing(db):
        conversation = Conversation(
            need_id=subject.need.id if subject.need else None,
            offer_id=subject.offer.id if subject.offer else None,
            organisation_id=viewer.organisation_id,
            # The State concerned, whose coordinators may read and join the conversation.
            country_id=subject.need.country_id if subject.need else viewer.country_id,
            started_by_id=viewer.user_id,
        )
        db.add(conversation)
    return conversation


def _rows_query():
    """Conversations with their need or offer, the asking and the posting organisation."""
    return (
        select(Conversation, Need, Offer, ASKER, POSTER)
        .outerjoin(Need, Need.id == Conversation.need_id)
        .outerjoin(Offer, Offer.id == Conversation.offer_id)
        .join(ASKER, ASKER.id == Conversation.organisation_id)
        .join(POSTER, POSTER.id == func.coalesce(Need.organisation_id, Offer.organisation_id))
    )


def _row(row) -> ConversationRow:
    conversation, need, offer, asker, poster = row
    return ConversationRow(conversation, Subject(need, offer), asker, poster)


def get(db: Session, viewer: Viewer, conversation_id: int) -> ConversationRow:
    """The conversation if the viewer may read it; NotFound otherwise (no leak)."""
    row = db.execute(_rows_query().where(Conversation.id == conversation_id,
                                         authz.conversations_visible(viewer))).first()
    if row is None:
        raise NotFound(_("No conversation number %(id)s.", id=conversation_id))
    return _row(row)


def mine(db: Session, viewer: Viewer, record: str = "", limit: int = LIST_SIZE
         ) -> list[ConversationRow]:
    """The conversations the viewer may read (on the need or offer ``record`` if given), the
    latest message first."""
    query = _rows_query().where(authz.conversations_visible(viewer))
    if record:
        query = query.where(or_(Need.reference == record, Offer.reference == record))
    rows = db.execute(
        query.order_by(Conversation.last_message_at.desc(), Conversation.id.desc()).limit(limit)
    ).all()
    return [_row(row) for row in rows]


def messages_of(db: Session, conversation_id: int) -> list[ThreadMessage]:
    rows = db.execute(
        select(ConversationMessage, User.name, Organisation.name)
        .join(User, User.id == ConversationMessage.author_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(ConversationMessage.conversation_id == conversation_id)
        .order_by(ConversationMessage.created_at, ConversationMessage.id)
    ).all()
    return [ThreadMessage(message, author, organisation)
            for message, author, organisation in rows]


def post(db: Session, viewer: Viewer, conversation_id: int, body: str) -> ConversationMessage:
    """Add a message; whoever may read the conversation may write (FormErrors if empty).
    Everyone taking part but its author is told."""
    body = parse_message(body)
    row = get(db, viewer, conversation_id)
    with committing(db):
        message = ConversationMessage(conversation_id=conversation_id,
                                      author_id=viewer.user_id, body=body)
        db.add(message)
        row.conversation.last_message_at = message.created_at = utcnow()
        db.flush()
        news.message_posted(db, viewer, row, message)
    return message
