"""How well a need is written: its completeness score and possible duplicates.

Both are shown while the need is written (design, "closing the loop"): a donor can act on a
need with a measurable goal, a cost, a quantity, a deadline and a link to the PoA / ITI
commitment it implements; and a State should not post the same request twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.i18n import lazy_gettext
from matchmaker.models import Need, NeedStatus

COMPLETENESS_ITEMS = {
    "goal": (lazy_gettext("Measurable goal"),
             lazy_gettext("Say what will be achieved, with a number: “12,000 weapons marked”.")),
    "estimated_cost": (lazy_gettext("Estimated cost"),
                       lazy_gettext("Donors compare needs by cost; an estimate is enough.")),
    "quantity": (lazy_gettext("Quantity"),
                 lazy_gettext("How many machines, trainees, sites…")),
    "deadline": (lazy_gettext("Deadline"),
                 lazy_gettext("When the assistance is needed by.")),
    "commitment": (lazy_gettext("PoA / ITI commitment"),
                   lazy_gettext("The paragraph the project implements, e.g. “ITI para. 8”.")),
}


@dataclass(frozen=True)
class CompletenessItem:
    key: str
    label: str
    done: bool
    hint: str


@dataclass(frozen=True)
class Completeness:
    items: list[CompletenessItem]

    @property
    def done(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def fraction(self) -> float:
        return self.done / len(self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.fraction)

    @property
    def missing(self) -> list[CompletenessItem]:
        return [item for item in self.items if not item.done]


def is_measurable(goal: str) -> bool:
    """A goal is measurable when it states a number (a count, a share, a date)."""
    return bool(goal.strip()) and bool(re.search(r"\d", goal))


def completeness(goal: str, estimated_cost: int | None, quantity: int | None,
                 deadline: date | None, commitment: str) -> Completeness:
    """The completeness score of a need (or of a need being written) from its values."""
    done = {
        "goal": is_measurable(goal or ""),
        "estimated_cost": bool(estimated_cost),
        "quantity": bool(quantity),
        "deadline": deadline is not None,
        "commitment": bool((commitment or "").strip()),
    }
    return Completeness([
        CompletenessItem(key, str(label), done[key], str(hint))
        for key, (label, hint) in COMPLETENESS_ITEMS.items()
    ])


def need_completeness(need: Need) -> Completeness:
    return completeness(need.goal, need.estimated_cost, need.quantity, need.deadline,
                        need.commitment)


# --- possible duplicates --------------------------------------------------------------------

STOP_WORDS = frozenset((
    "the", "and", "for", "with", "from", "into", "onto", "their", "national", "support",
    "project", "programme", "program", "des", "les", "pour", "avec", "dans", "los", "las",
    "para", "con",
))


def significant_words(title: str) -> frozenset[str]:
    """The words of a title that tell needs apart (lower case, no short or common words)."""
    words = re.findall(r"\w+", title.casefold())
    return frozenset(w for w in words if len(w) >= 4 and w not in STOP_WORDS and not w.isdigit())


@dataclass(frozen=True)
class Duplicate:
    reference: str
    title: str
    status: str
    shared_words: list[str]
    same_topic: bool


def possible_duplicates(session: Session, organisation_id: int | None, title: str,
                        topic_id: int | None, exclude_id: int | None = None,
                        limit: int = 5) -> list[Duplicate]:
    """Needs of the same State whose titles share most words, or a word and the topic."""
    words = significant_words(title or "")
    if organisation_id is None or not words:
        return []
    query = select(Need).where(Need.organisation_id == organisation_id,
                               Need.status != NeedStatus.WITHDRAWN)
    if exclude_id is not None:
        query = query.where(Need.id != exclude_id)
    found: list[tuple[float, Duplicate]] = []
    for other in session.scalars(query):
        other_words = significant_words(other.title)
        shared = words & other_words
        if not shared:
            continue
        similarity = len(shared) / len(words | other_words)
        same_topic = topic_id is not None and other.topic_id == topic_id
        if similarity >= 0.5 or (same_topic and similarity >= 0.2):
            found.append((similarity + same_topic, Duplicate(
                other.reference, other.title, other.status, sorted(shared), same_topic)))
    found.sort(key=lambda pair: -pair[0])
    return [duplicate for _, duplicate in found[:limit]]
