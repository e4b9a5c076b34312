"""Input of the proposals feature: queue filters, decision and message forms, API bodies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from matchmaker.errors import FormErrors
from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import Side
from matchmaker.web.params import choice_param, int_param, text_param

TABS = {
    "all": lazy_gettext("All"),
    "awaiting_me": lazy_gettext("Awaiting my answer"),
    "awaiting_other": lazy_gettext("Awaiting the other side"),
    "agreed": lazy_gettext("Agreed"),
    "declined": lazy_gettext("Declined"),
    "closed": lazy_gettext("Superseded or expired"),
}
PER_PAGE_CHOICES = ("20", "50", "100")
SIDES = tuple(side.value for side in Side)
MET_CHOICES = {
    "yes": lazy_gettext("Yes, the need was met"),
    "partly": lazy_gettext("Partly"),
    "no": lazy_gettext("No"),
}
REASON_MAX = 2000
MESSAGE_MAX = 4000
NOTE_MAX = 2000


@dataclass(frozen=True)
class QueueFilters:
    """What the viewer asked the queue for; validated, not yet resolved."""

    tab: str = "all"
    q: str = ""
    page: int = 1
    per_page: int = 20

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> QueueFilters:
        """Read the query parameters; a bad one raises InputError naming it."""
        return cls(
            tab=choice_param(params, "tab", TABS, "all"),
            q=text_param(params, "q"),
            page=int_param(params, "page", 1, 1, 100_000),
            per_page=int(choice_param(params, "per_page", PER_PAGE_CHOICES, "20")),
        )

    def as_params(self) -> dict[str, object]:
        params = asdict(self)
        params["tab"] = "" if self.tab == "all" else self.tab
        params["per_page"] = "" if self.per_page == 20 else self.per_page
        params["page"] = "" if self.page == 1 else self.page
        return params


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_side(value: object) -> str | None:
    """The side a form or API body names (None: let the service pick the viewer's side)."""
    side = _text(value)
    if not side:
        return None
    if side not in SIDES:
        raise FormErrors({"side": _("Choose the requester or the donor side.")})
    return side


def parse_reason(value: object) -> str:
    """A decline reason: required, so the other side learns why."""
    reason = _text(value)
    if not reason:
        raise FormErrors({"reason": _("Give a reason, so the other side knows why.")})
    if len(reason) > REASON_MAX:
        raise FormErrors({"reason": _("Keep the reason under %(max)s characters.", max=REASON_MAX)})
    return reason


def parse_message(value: object) -> str:
    body = _text(value)
    if not body:
        raise FormErrors({"body": _("Write a message before sending it.")})
    if len(body) > MESSAGE_MAX:
        raise FormErrors({"body": _("Keep messages under %(max)s characters.", max=MESSAGE_MAX)})
    return body


def parse_note(value: object, field: str = "note") -> str:
    note = _text(value)
    if not note:
        raise FormErrors({field: _("Write a short note on what was delivered.")})
    if len(note) > NOTE_MAX:
        raise FormErrors({field: _("Keep the note under %(max)s characters.", max=NOTE_MAX)})
    return note


def parse_met(value: object) -> str:
    met = _text(value)
    if met not in MET_CHOICES:
        raise FormErrors({"met": _("Say whether the need was met.")})
    return met


@dataclass(frozen=True)
class ManualProposalInput:
    """A proposal made by hand: which need, which offer, how much (blank: as much as fits)."""

    need: str
    offer: str
    amount_usd: int | None = None

    @classmethod
    def parse(cls, data: Mapping[str, object]) -> ManualProposalInput:
        errors: dict[str, str] = {}
        need = _text(data.get("need"))
        offer = _text(data.get("offer"))
        if not need:
            errors["need"] = _("Choose the need to fund.")
        if not offer:
            errors["offer"] = _("Choose one of your offers.")
        raw_amount = data.get("amount_usd")
        amount: int | None = None
        if isinstance(raw_amount, int) and not isinstance(raw_amount, bool):
            amount = raw_amount
        elif _text(raw_amount):
            cleaned = _text(raw_amount).replace(",", "").replace(" ", "").lstrip("$")
            try:
                amount = int(cleaned)
            except ValueError:
                errors["amount_usd"] = _("Enter the amount in whole US dollars.")
        elif raw_amount not in (None, ""):
            errors["amount_usd"] = _("Enter the amount in whole US dollars.")
        if amount is not None and amount <= 0:
            errors["amount_usd"] = _("The amount must be more than zero.")
        if errors:
            raise FormErrors(errors)
        return cls(need=need, offer=offer, amount_usd=amount)


# --- JSON API bodies ------------------------------------------------------------------------


@dataclass
class AcceptBody:
    side: str | None = None


@dataclass
class DeclineBody:
    reason: str = ""
    side: str | None = None


@dataclass
class MessageBody:
    body: str = ""


@dataclass
class DeliveredBody:
    note: str = ""


@dataclass
class FeedbackBody:
    met: str = ""
    note: str = ""
    side: str | None = None


@dataclass
class ManualProposalBody:
    need: str = ""
    offer: str = ""
    amount_usd: int | None = None
