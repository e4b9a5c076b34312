"""The message thread of a proposal: the two parties, the region's coordinators and admins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer
from matchmaker.events import record_event
from matchmaker.models import Message, Organisation, User
from matchmaker.portfolio.lifecycle import committing
from matchmaker.proposals import news, schemas
from matchmaker.proposals.services import ENTITY, get_row


@dataclass(frozen=True)
class ThreadMessage:
    message: Message
    author: str
    organisation: str


def thread(db: Session, viewer: Viewer, proposal_id: int) -> list[ThreadMessage]:
    """The messages of a proposal the viewer may see, oldest first (NotFound otherwise)."""
    get_row(db, viewer, proposal_id)
    return thread_of(db, proposal_id)


def thread_of(db: Session, proposal_id: int) -> list[ThreadMessage]:
    rows = db.execute(
        select(Message, User.name, Organisation.name)
        .join(User, User.id == Message.author_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(Message.proposal_id == proposal_id)
        .order_by(Message.created_at, Message.id)
    ).all()
    return [ThreadMessage(message, author, organisation) for message, author, organisation in rows]


def post_message(db: Session, viewer: Viewer, proposal_id: int, body: str) -> Message:
    """Add a message to the thread; whoever may see the proposal may write (FormErrors if empty).

    Everyone taking part in the thread but its author is told."""
    body = schemas.parse_message(body)
    row = get_row(db, viewer, proposal_id)
    with committing(db):
        message = Message(proposal_id=proposal_id, author_id=viewer.user_id, body=body)
        db.add(message)
        db.flush()
        record_event(db, viewer, ENTITY, proposal_id, "message", after={"message_id": message.id})
        news.message_posted(db, viewer, message, row.proposal, row.need, row.offer)
    return message
