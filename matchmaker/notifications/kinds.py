"""Every kind of notification: its group, default delivery, and its words.

A notification stores its kind and plain ``params`` (titles, references, amounts in USD, ISO
codes); its subject and sentences are put into words here when shown or mailed, in the
reader's language. Adding a kind is adding an entry to KINDS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from matchmaker import i18n
from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import NotificationDelivery, Role
from matchmaker.notifications.summaries import bulletin_lines, region_summary_lines
from matchmaker.reference.names import country_name
from matchmaker.runs.schemas import CRITERION_LABELS
from matchmaker.web.templating import day, money

IMMEDIATE, DAILY, WEEKLY, OFF = (
    NotificationDelivery.IMMEDIATE, NotificationDelivery.DAILY, NotificationDelivery.WEEKLY,
    NotificationDelivery.OFF,
)
DELIVERIES = (IMMEDIATE, DAILY, WEEKLY, OFF)
DELIVERY_LABELS = {
    IMMEDIATE: lazy_gettext("Immediately"),
    DAILY: lazy_gettext("Daily digest"),
    WEEKLY: lazy_gettext("Weekly digest"),
    OFF: lazy_gettext("Off"),
}
GROUP_LABELS = {
    "proposals": lazy_gettext("Proposals"),
    "follow_up": lazy_gettext("Follow-up"),
    "needs": lazy_gettext("Needs and offers"),
    "accounts": lazy_gettext("Accounts"),
    "subscriptions": lazy_gettext("Subscriptions and summaries"),
}
PARTIES = (Role.REQUESTER, Role.DONOR, Role.COORDINATOR, Role.ADMIN)
STEP_WORDS = {
    "in_delivery": lazy_gettext("delivery has started"),
    "delivered": lazy_gettext("the assistance is delivered"),
}

Params = Mapping[str, Any]


def _date(value: Any) -> str:
    """An ISO date of the params in the reader's format ("15 janv. 2027"); other text as is."""
    try:
        return day(date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "—")


def _state(p: Params) -> str:
    """The requesting State's name in the reader's language (params keep the M49 English name
    and the ISO alpha-2 code)."""
    name = str(p.get("state", ""))
    if not p.get("state_iso2"):
        return name
    return country_name(SimpleNamespace(iso2=p["state_iso2"], name=name), i18n.get_language())


def _why(p: Params) -> str:
    """The criteria that weigh most in the proposal's score, in words ("" if none given)."""
    if p.get("criteria"):
        return ", ".join(str(CRITERION_LABELS[name]).lower() for name in p["criteria"]
                         if name in CRITERION_LABELS)
    return str(p.get("why", ""))


def _step(p: Params) -> str:
    step = p.get("step", "")
    return str(STEP_WORDS.get(step, step))


def _pair(p: Params) -> dict[str, str]:
    """The usual facts of a proposal, ready for a sentence."""
    return {
        "need": str(p.get("need_title", "")), "need_ref": str(p.get("need_ref", "")),
        "offer": str(p.get("offer_title", "")), "offer_ref": str(p.get("offer_ref", "")),
        "donor": str(p.get("donor", "")), "state": _state(p),
        "amount": money(p.get("amount_usd")),
    }


@dataclass(frozen=True)
class Kind:
    key: str
    group: str
    label: Any  # lazy string: the name on the preferences page
    default: str
    roles: tuple[str, ...]
    subject: Callable[[Params], str]
    lines: Callable[[Params], list[str]]
    action: Any  # lazy string: the label of the link to act on it

    def words(self, params: Params) -> tuple[str, list[str]]:
        """Subject and sentences of a notification of this kind, in the current language."""
        return self.subject(params), self.lines(params)


def _kinds() -> list[Kind]:
    open_it = lazy_gettext("Open the proposal")
    return [
        Kind(
            "proposal_new", "proposals", lazy_gettext("A new proposal to answer"), IMMEDIATE,
            (Role.REQUESTER, Role.DONOR),
            lambda p: _("New proposal: %(need_ref)s with %(offer_ref)s", **_pair(p)),
            lambda p: [
                _("Matchmaker proposes to fund “%(need)s” (%(need_ref)s, %(state)s) with "
                  "%(amount)s from “%(offer)s” (%(offer_ref)s, %(donor)s).", **_pair(p)),
                *([_("Why this match: %(why)s.", why=_why(p))] if _why(p) else []),
                _("Please accept or decline it; it expires on %(date)s if nobody answers.",
                  date=_date(p.get("expires_on"))),
            ],
            lazy_gettext("Answer the proposal"),
        ),
        Kind(
            "proposal_accepted", "proposals", lazy_gettext("The other side accepted"),
            IMMEDIATE, (Role.REQUESTER, Role.DONOR),
            lambda p: _("Accepted by the other side: %(need_ref)s with %(offer_ref)s",
                        **_pair(p)),
            lambda p: [_("%(who)s accepted the proposal to fund “%(need)s” (%(need_ref)s) "
                         "with %(amount)s from “%(offer)s”. Your answer is awaited.",
                         who=p.get("who", ""), **_pair(p))],
            lazy_gettext("Answer the proposal"),
        ),
        Kind(
            "proposal_agreed", "proposals", lazy_gettext("A proposal is agreed"), IMMEDIATE,
            PARTIES,
            lambda p: _("Agreed: %(need_ref)s funded by %(offer_ref)s", **_pair(p)),
            lambda p: [_("Both sides have accepted the proposal to fund “%(need)s” "
                         "(%(need_ref)s) with %(amount)s from “%(offer)s” (%(offer_ref)s). The "
                         "amount is now committed.", **_pair(p))],
            open_it,
        ),
        Kind(
            "proposal_declined", "proposals", lazy_gettext("A proposal is declined"),
            IMMEDIATE, PARTIES,
            lambda p: _("Declined: %(need_ref)s and %(offer_ref)s", **_pair(p)),
            lambda p: [_("The proposal to fund “%(need)s” (%(need_ref)s) with %(amount)s "
                         "from “%(offer)s” (%(offer_ref)s) was declined. Reason given: "
                         "%(reason)s", reason=p.get("reason", ""), **_pair(p))],
            open_it,
        ),
        Kind(
            "proposal_withdrawn", "proposals", lazy_gettext("A proposal is withdrawn"),
            DAILY, (Role.REQUESTER, Role.DONOR),
            lambda p: _("Withdrawn: %(need_ref)s with %(offer_ref)s", **_pair(p)),
            lambda p: [_("The proposal to fund “%(need)s” (%(need_ref)s) from “%(offer)s” "
                         "was withdrawn: %(reason)s", reason=p.get("reason", ""),
                         **_pair(p))],
            open_it,
        ),
        Kind(
            "proposal_expiring", "proposals", lazy_gettext("A proposal is about to expire"),
            IMMEDIATE, (Role.REQUESTER, Role.DONOR),
            lambda p: _("Expires on %(date)s: %(need_ref)s with %(offer_ref)s",
                        date=_date(p.get("expires_on")), **_pair(p)),
            lambda p: [_("The proposal to fund “%(need)s” (%(need_ref)s) with %(amount)s "
                         "from “%(offer)s” expires on %(date)s unless it is answered.",
                         date=_date(p.get("expires_on")), **_pair(p))],
            lazy_gettext("Answer the proposal"),
        ),
        Kind(
            "message_new", "follow_up", lazy_gettext("A message in a conversation"),
            IMMEDIATE, PARTIES,
            lambda p: _("New message on %(need_ref)s with %(offer_ref)s", **_pair(p)),
            lambda p: [_("%(author)s wrote:", author=p.get("author", "")),
                       str(p.get("excerpt", ""))],
            lazy_gettext("Read and reply"),
        ),
        Kind(
            "offer_requested", "proposals", lazy_gettext("A State asks for my offer"),
            IMMEDIATE, (Role.DONOR,),
            lambda p: _("%(state)s asks for %(offer_ref)s", **_pair(p)),
            lambda p: [
                _("%(who)s asks for %(amount)s from “%(offer)s” (%(offer_ref)s) to fund "
                  "“%(need)s” (%(need_ref)s, %(state)s).", who=p.get("who", ""), **_pair(p)),
                _("Please accept or decline it; it expires on %(date)s if nobody answers.",
                  date=_date(p.get("expires_on"))),
            ],
            lazy_gettext("Answer the proposal"),
        ),
        Kind(
            "conversation_message", "follow_up",
            lazy_gettext("A question on a need or an offer"), IMMEDIATE, PARTIES,
            lambda p: _("New message on %(ref)s: %(title)s", ref=p.get("ref", ""),
                        title=p.get("title", "")),
            lambda p: [_("%(author)s wrote:", author=p.get("author", "")),
                       str(p.get("excerpt", ""))],
            lazy_gettext("Read and reply"),
        ),
        Kind(
            "delivery_step", "follow_up", lazy_gettext("A delivery step"), IMMEDIATE, PARTIES,
            lambda p: _("Delivery of %(need_ref)s: %(step)s", step=_step(p), **_pair(p)),
            lambda p: [_("The delivery of “%(need)s” (%(need_ref)s) from “%(offer)s” moved "
                         "on: %(step)s.", step=_step(p), **_pair(p)),
                       *([str(p["note"])] if p.get("note") else [])],
            open_it,
        ),
        Kind(
            "feedback_requested", "follow_up", lazy_gettext("Closure feedback requested"),
            IMMEDIATE, (Role.REQUESTER, Role.DONOR),
            lambda p: _("Was the need met? Feedback on %(need_ref)s", **_pair(p)),
            lambda p: [_("The assistance for “%(need)s” (%(need_ref)s) from “%(offer)s” is "
                         "delivered. Please tell whether the need was met and what was "
                         "delivered: it feeds the track record of the clearing-house.",
                         **_pair(p))],
            lazy_gettext("Give feedback"),
        ),
        Kind(
            "commitment_overdue", "follow_up", lazy_gettext("A commitment is overdue"),
            IMMEDIATE, PARTIES,
            lambda p: _("Overdue: %(need_ref)s has no delivery recorded", **_pair(p)),
            lambda p: [_("The deadline of “%(need)s” (%(need_ref)s) has passed and no "
                         "delivery of the %(amount)s agreed with “%(offer)s” is recorded.",
                         **_pair(p))],
            open_it,
        ),
        Kind(
            "need_deadline", "needs", lazy_gettext("A need's deadline approaches"),
            IMMEDIATE, (Role.REQUESTER, Role.COORDINATOR),
            lambda p: _("Deadline on %(date)s: %(need_ref)s is not covered",
                        date=p.get("deadline", ""), **_pair(p)),
            lambda p: [_("“%(need)s” (%(need_ref)s) reaches its deadline on %(date)s and is "
                         "%(percent)s%% covered.", date=p.get("deadline", ""),
                         percent=p.get("percent", 0), **_pair(p))],
            lazy_gettext("Open the need"),
        ),
        Kind(
            "need_expired", "needs", lazy_gettext("A need expired"), IMMEDIATE,
            (Role.REQUESTER, Role.COORDINATOR),
            lambda p: _("Expired: %(need_ref)s passed its deadline", **_pair(p)),
            lambda p: [_("“%(need)s” (%(need_ref)s) passed its deadline of %(date)s without "
                         "being covered, and is now expired; it will not be proposed any "
                         "more. Post it again with a new deadline if it is still needed.",
                         date=p.get("deadline", ""), **_pair(p))],
            lazy_gettext("Open the need"),
        ),
        Kind(
            "signup_to_approve", "accounts", lazy_gettext("A sign-up to approve"), IMMEDIATE,
            (Role.COORDINATOR, Role.ADMIN),
            lambda p: _("To approve: %(name)s (%(organisation)s)",
                        name=p.get("name", ""), organisation=p.get("organisation", "")),
            lambda p: [_("%(name)s <%(email)s> asked for an account for %(organisation)s.",
                         name=p.get("name", ""), email=p.get("email", ""),
                         organisation=p.get("organisation", ""))],
            lazy_gettext("Review the request"),
        ),
        Kind(
            "needs_you_could_fund", "subscriptions", lazy_gettext("New needs I could fund"),
            WEEKLY, (Role.DONOR,),
            lambda p: _("New need you could fund: %(need_ref)s", **_pair(p)),
            lambda p: [_("%(state)s posted “%(need)s” (%(need_ref)s), %(amount)s.",
                         **_pair(p))],
            lazy_gettext("Open the need"),
        ),
        Kind(
            "offers_open_to_you", "subscriptions", lazy_gettext("New offers open to my State"),
            WEEKLY, (Role.REQUESTER,),
            lambda p: _("New offer open to you: %(offer_ref)s", **_pair(p)),
            lambda p: [_("%(donor)s offers “%(offer)s” (%(offer_ref)s), up to %(amount)s.",
                         **_pair(p))],
            lazy_gettext("Open the offer"),
        ),
        Kind(
            "region_summary", "subscriptions", lazy_gettext("Weekly summary of my region"),
            WEEKLY, (Role.COORDINATOR,),
            lambda p: _("Week in %(region)s", region=p.get("region", "")),
            region_summary_lines,
            lazy_gettext("Open the dashboard"),
        ),
        Kind(
            "bulletin", "subscriptions", lazy_gettext("The clearing-house bulletin"), IMMEDIATE,
            PARTIES,
            lambda p: _("Clearing-house bulletin, %(period)s", period=p.get("period", "")),
            bulletin_lines,
            lazy_gettext("Read the bulletin"),
        ),
    ]


KINDS: dict[str, Kind] = {kind.key: kind for kind in _kinds()}


def kinds_for(role: str) -> list[Kind]:
    """The kinds a person of ``role`` can receive, in the order of the preferences page."""
    return [kind for kind in KINDS.values() if role in kind.roles]
