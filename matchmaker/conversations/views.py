"""Page contexts of the conversations: the list, a conversation, the first question."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from matchmaker.conversations.services import ConversationRow, Subject
from matchmaker.i18n import _
from matchmaker.proposals.messages import ThreadMessage
from matchmaker.web.forms import FormState


def about(subject: Subject) -> str:
    """ "Need N-00042: Marking machines" in the reader's language."""
    record = subject.record
    if subject.need:
        return _("Need %(ref)s: %(title)s", ref=record.reference, title=record.title)
    return _("Offer %(ref)s: %(title)s", ref=record.reference, title=record.title)


@dataclass(frozen=True)
class ConversationItem:
    id: int
    about: str
    record_link: str
    asker: str
    poster: str
    last_message_at: datetime

    @classmethod
    def build(cls, row: ConversationRow) -> ConversationItem:
        return cls(id=row.conversation.id, about=about(row.subject),
                   record_link=row.subject.link, asker=row.asker.name, poster=row.poster.name,
                   last_message_at=row.conversation.last_message_at)


@dataclass(frozen=True)
class ConversationListPage:
    items: list[ConversationItem]
    record: str

    @classmethod
    def build(cls, rows: list[ConversationRow], record: str) -> ConversationListPage:
        return cls(items=[ConversationItem.build(row) for row in rows], record=record)


@dataclass
class ConversationPage:
    item: ConversationItem
    messages: list[ThreadMessage]
    message_form: FormState
    notice: str = ""


@dataclass(frozen=True)
class NewConversationPage:
    about: str
    record_link: str
    kind: str  # "need" or "offer": the name of the form field carrying the reference
    reference: str
    form: FormState

    @classmethod
    def build(cls, subject: Subject, form: FormState | None = None) -> NewConversationPage:
        return cls(about=about(subject), record_link=subject.link,
                   kind="need" if subject.need else "offer",
                   reference=subject.record.reference, form=form or FormState())
