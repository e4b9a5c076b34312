"""The audit trail in words: each Event as a sentence in the reader's language.

Pages that show history (a proposal's page, the admin audit trail) say "Ghana accepted" rather
than dump ``state: proposed → accepted_by_requester``. The actor is named by their
organisation (a State by its CLDR name in the reader's language), the system by the app's
name; the values that changed are given with their field's label and in display form.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.roles import (
    ORGANISATION_STATUS_LABELS,
    SHORT_ROLE_LABELS,
    USER_STATUS_LABELS,
)
from matchmaker.i18n import _, get_language, lazy_gettext
from matchmaker.models import Country, Event, Organisation, User
from matchmaker.needs.views import PRIORITY_LABELS
from matchmaker.needs.views import STATUS_LABELS as NEED_STATUS_LABELS
from matchmaker.offers.views import STATUS_LABELS as OFFER_STATUS_LABELS
from matchmaker.portfolio.views import PROPOSAL_STATE_LABELS
from matchmaker.reference.names import organisation_name
from matchmaker.web.templating import day, number

_PORTFOLIO = {
    "created": lazy_gettext("%(who)s created it as a draft"),
    "updated": lazy_gettext("%(who)s changed %(fields)s"),
    "published": lazy_gettext("%(who)s published it"),
    "withdrawn": lazy_gettext("%(who)s withdrew it"),
    "returned_to_draft": lazy_gettext("%(who)s returned it to draft"),
    "expired": lazy_gettext("It expired: its deadline passed"),
    "proposal_agreed": lazy_gettext("%(who)s agreed a proposal on it"),
    "in_delivery": lazy_gettext("%(who)s started a delivery for it"),
    "delivered": lazy_gettext("%(who)s recorded a delivery for it"),
}
SENTENCES: dict[str, Mapping[str, Any]] = {
    "proposal": {
        "created": lazy_gettext("The solver proposed this match"),
        "proposed": lazy_gettext("%(who)s proposed this match by hand"),
        "accepted": lazy_gettext("%(who)s accepted"),
        "agreed": lazy_gettext("%(who)s accepted: both sides agree"),
        "declined": lazy_gettext("%(who)s declined"),
        "in_delivery": lazy_gettext("%(who)s started the delivery"),
        "delivered": lazy_gettext("%(who)s marked it as delivered"),
        "feedback": lazy_gettext("%(who)s gave closure feedback"),
        "expired": lazy_gettext("It expired unanswered"),
        "superseded": lazy_gettext("A later solver run superseded it"),
        "withdrawn": lazy_gettext("It was withdrawn: it can no longer be accepted"),
        "overdue": lazy_gettext("It became overdue: no delivery was recorded by the deadline"),
        "message": lazy_gettext("%(who)s posted a message"),
    },
    "need": _PORTFOLIO,
    "offer": _PORTFOLIO,
    "user": {
        "signup": lazy_gettext("%(who)s signed up"),
        "approve": lazy_gettext("%(who)s approved the account"),
        "reject": lazy_gettext("%(who)s rejected the account"),
        "change_role": lazy_gettext("%(who)s changed the account's role"),
        "disable": lazy_gettext("%(who)s disabled the account"),
        "enable": lazy_gettext("%(who)s enabled the account again"),
        "unlock": lazy_gettext("%(who)s unlocked the account"),
        "lock": lazy_gettext("The account was locked after repeated failed sign-ins"),
        "sign_in_refused": lazy_gettext("A sign-in was refused"),
        "password_change": lazy_gettext("%(who)s changed the password"),
        "password_reset": lazy_gettext("The password was reset from a mailed link"),
        "signup_with_registered_address": lazy_gettext(
            "Someone tried to sign up again with this address"),
    },
    "organisation": {
        "request": lazy_gettext("%(who)s asked to register the organisation"),
        "approve": lazy_gettext("%(who)s approved the organisation"),
        "reject": lazy_gettext("%(who)s rejected the organisation"),
    },
    "matchrun": {
        "queued": lazy_gettext("%(who)s started the run"),
        "claimed": lazy_gettext("A worker took up the run"),
        "done": lazy_gettext("The run finished"),
        "failed": lazy_gettext("The run failed"),
    },
}
ENTITY_LABELS = {
    "proposal": lazy_gettext("Proposal"),
    "need": lazy_gettext("Need"),
    "offer": lazy_gettext("Offer"),
    "user": lazy_gettext("Account"),
    "organisation": lazy_gettext("Organisation"),
    "matchrun": lazy_gettext("Solver run"),
}
FIELD_LABELS = {
    "title": lazy_gettext("title"), "description": lazy_gettext("description"),
    "goal": lazy_gettext("measurable goal"), "topic_id": lazy_gettext("topic"),
    "modality_id": lazy_gettext("modality"), "quantity": lazy_gettext("quantity"),
    "unit": lazy_gettext("unit"), "estimated_cost": lazy_gettext("estimated cost"),
    "currency": lazy_gettext("currency"), "cost_usd": lazy_gettext("cost in US dollars"),
    "priority": lazy_gettext("priority"), "start_date": lazy_gettext("wanted start"),
    "deadline": lazy_gettext("deadline"), "languages": lazy_gettext("languages"),
    "commitment": lazy_gettext("PoA / ITI commitment"),
    "action_plan_ref": lazy_gettext("national action plan"),
    "visibility": lazy_gettext("visibility"), "status": lazy_gettext("status"),
    "state": lazy_gettext("state"), "budget": lazy_gettext("budget"),
    "budget_usd": lazy_gettext("budget in US dollars"),
    "committed_usd": lazy_gettext("committed in US dollars"),
    "agreed_usd": lazy_gettext("agreed in US dollars"),
    "delivered_usd": lazy_gettext("delivered in US dollars"),
    "amount_usd": lazy_gettext("amount in US dollars"),
    "available_from": lazy_gettext("available from"),
    "available_until": lazy_gettext("available until"),
    "ldc_only": lazy_gettext("least-developed countries only"),
    "sids_only": lazy_gettext("small island States only"),
    "conditions": lazy_gettext("conditions"), "role": lazy_gettext("role"),
    "decline_reason": lazy_gettext("reason"), "declined_by_side": lazy_gettext("declined by"),
    "name": lazy_gettext("name"), "email": lazy_gettext("e-mail address"),
}  # fmt: skip
_VALUE_LABELS: dict[str, Mapping[str, Any]] = {
    "status": {**USER_STATUS_LABELS, **ORGANISATION_STATUS_LABELS, **OFFER_STATUS_LABELS,
               **NEED_STATUS_LABELS},
    "state": PROPOSAL_STATE_LABELS,
    "priority": PRIORITY_LABELS,
    "role": SHORT_ROLE_LABELS,
}
_SYSTEM = lazy_gettext("Matchmaker")


@dataclass(frozen=True)
class ChangeWords:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EventWords:
    """One event as pages show it."""

    event: Event
    who: str  # the actor's organisation, in the reader's language
    sentence: str
    record: str  # "Proposal #281"
    changes: list[ChangeWords]

    @property
    def at(self) -> datetime:
        return self.event.created_at

    @property
    def action(self) -> str:
        return self.event.action

    @property
    def note(self) -> str:
        return self.event.note


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))


def value_words(name: str, value: Any) -> str:
    """A stored before/after value as a reader would write it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name in _VALUE_LABELS and isinstance(value, str):
        return str(_VALUE_LABELS[name].get(value, value))
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:  # snapshots keep dates and moments as ISO text
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return day(moment.date() if len(value) == 10 else moment)
    return str(value)


def changes_of(event: Event) -> list[ChangeWords]:
    """The fields an event changed (for a creation: what it was created with)."""
    names = list(dict.fromkeys([*event.before, *event.after]))
    return [
        ChangeWords(field_label(name), value_words(name, event.before.get(name)),
                    value_words(name, event.after.get(name)))
        for name in names
        if event.before.get(name) != event.after.get(name) and name not in ("side", "message_id")
    ]


def sentence(event: Event, who: str) -> str:
    """What happened, in one sentence naming who did it."""
    template = SENTENCES.get(event.entity, {}).get(event.action)
    if event.entity == "proposal" and event.action == "created" and event.actor_id:
        template = SENTENCES["proposal"]["proposed"]
    if template is None:
        return _("%(who)s: %(action)s", who=who, action=event.action.replace("_", " "))
    fields = [field_label(name) for name in dict.fromkeys([*event.before, *event.after])
              if event.before.get(name) != event.after.get(name)]
    return str(template) % {"who": who, "fields": ", ".join(fields) or _("nothing")}


def speakers(db: Session, events: Iterable[Event]) -> dict[int, str]:
    """The name each event's actor speaks by, by event id: their organisation (a State by its
    name in the reader's language), else their own name, else the app for the system."""
    events = list(events)
    organisation_ids = {event.organisation_id for event in events if event.organisation_id}
    user_ids = {event.actor_id for event in events if event.actor_id and not event.organisation_id}
    organisations = {}
    if organisation_ids:
        rows = db.execute(
            select(Organisation, Country)
            .outerjoin(Country, Country.id == Organisation.country_id)
            .where(Organisation.id.in_(organisation_ids))
        ).all()
        language = get_language()
        organisations = {org.id: organisation_name(org, country, language) for org, country in rows}
    users = dict(db.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()
                 ) if user_ids else {}
    return {
        event.id: organisations.get(event.organisation_id) or users.get(event.actor_id)
        or str(_SYSTEM)
        for event in events
    }


def in_words(db: Session, events: Iterable[Event]) -> list[EventWords]:
    """``events`` as sentences, in the order given."""
    events = list(events)
    names = speakers(db, events)
    return [
        EventWords(
            event=event, who=names[event.id], sentence=sentence(event, names[event.id]),
            record=f"{ENTITY_LABELS.get(event.entity, event.entity)} #{event.entity_id}",
            changes=changes_of(event),
        )
        for event in events
    ]
