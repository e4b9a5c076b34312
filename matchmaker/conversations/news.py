"""Who hears of a message in a conversation on a need or an offer: everyone taking part but
its author, once per message (the event key), in the message's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer
from matchmaker.models import ConversationMessage, Role, User
from matchmaker.notifications import recipients
from matchmaker.notifications.service import notify
from matchmaker.proposals.news import EXCERPT

if TYPE_CHECKING:
    from matchmaker.conversations.services import ConversationRow


def participants(db: Session, row: ConversationRow) -> list[User]:
    """The asking side, the poster's side, and whoever else wrote in it (a coordinator)."""
    subject, conversation = row.subject, row.conversation
    if subject.need:
        asking = recipients.by_organisation(db, Role.DONOR, [conversation.organisation_id])
        posting = recipients.need_side(db, subject.need)
    else:
        asking = recipients.by_organisation(db, Role.REQUESTER, [conversation.organisation_id])
        posting = recipients.offer_side(db, subject.offer)
    writers = db.scalars(
        select(User).where(User.id.in_(
            select(ConversationMessage.author_id)
            .where(ConversationMessage.conversation_id == conversation.id)))
        .order_by(User.id)
    ).all()
    return [*asking[conversation.organisation_id], *posting, *writers]


def message_posted(db: Session, viewer: Viewer, row: ConversationRow,
                   message: ConversationMessage) -> None:
    body = " ".join(message.body.split())
    excerpt = body if len(body) <= EXCERPT else body[:EXCERPT - 1].rstrip() + "…"
    record = row.subject.record
    notify(db, recipients.without(participants(db, row), viewer.user_id),
           "conversation_message", f"conversation-message:{message.id}",
           {"ref": record.reference, "title": record.title,
            "author": f"{viewer.name} ({viewer.organisation_name})", "excerpt": excerpt},
           f"/conversations/{row.conversation.id}#message-{message.id}")
