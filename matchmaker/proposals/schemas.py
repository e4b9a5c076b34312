"""Input of the proposals feature: queue filters, decision and message forms, API bodies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from matchmaker.errors import FormErrors, InputError
from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import Side
from matchmaker.portfolio.fields import MAX_AMOUNT
from matchmaker.web.bounds import text_problem, whole_number
from matchmaker.web.params import choice_param, int_param, text_param

TABS = {
    "all": lazy_gettext("All"),
    "awaiting_me": lazy_gettext("Awaiting my answer"),
    "awaiting_other": lazy_gettext("Awaiting the other side"),
    "agreed": lazy_gettext("Agreed"),
    "declined": lazy_gettext("Declined"),
    "closed": lazy_gettext("Superseded, expired or withdrawn"),
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
REFERENCE_MAX = 24  # N-00042, up to the largest id


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


def _written(value: object, field: str, max_length: int, missing: str, too_long: str) -> str:
    """A required text of several lines (reason, message, note), through the one text check."""
    text = _text(value)
    if not text:
        raise FormErrors({field: missing})
    if len(text) > max_length:
        raise FormErrors({field: too_long})
    problem = text_problem(text, max_length)
    if problem:
        raise FormErrors({field: problem})
    return text


def parse_reason(value: object) -> str:
    """A decline reason: required, so the other side learns why."""
    return _written(value, "reason", REASON_MAX,
                    _("Give a reason, so the other side knows why."),
                    _("Keep the reason under %(max)s characters.", max=REASON_MAX))


def parse_message(value: object) -> str:
    return _written(value, "body", MESSAGE_MAX, _("Write a message before sending it."),
                    _("Keep messages under %(max)s characters.", max=MESSAGE_MAX))


def parse_note(value: object, field: str = "note") -> str:
    return _written(value, field, NOTE_MAX, _("Write a short note on what was delivered."),
                    _("Keep the note under %(max)s characters.", max=NOTE_MAX))


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
        need = _reference(data.get("need"), "need", errors)
        offer = _reference(data.get("offer"), "offer", errors)
        if not need and "need" not in errors:
            errors["need"] = _("Choose the need to fund.")
        if not offer and "offer" not in errors:
            errors["offer"] = _("Choose one of your offers.")
        amount = _amount(data.get("amount_usd"), errors)
        if errors:
            raise FormErrors(errors)
        return cls(need=need, offer=offer, amount_usd=amount)


def _reference(value: object, field: str, errors: dict[str, str]) -> str:
    """A record's reference (or an offer's number) as chosen in the form, through the text
    check: it is looked up in the database next."""
    text = _text(value)
    problem = text_problem(text, REFERENCE_MAX, single_line=True)
    if problem:
        errors[field] = problem
        return ""
    return text


def _amount(value: object, errors: dict[str, str]) -> int | None:
    """Whole US dollars (None: as much as fits), typed or a JSON integer."""
    if value is None or value == "":
        return None
    not_a_number = _("Enter the amount in whole US dollars.")
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors["amount_usd"] = not_a_number
        return None
    try:
        # Negative numbers are read, so that they get the message below.
        amount = whole_number(str(value).strip().lstrip("$"), minimum=-MAX_AMOUNT,
                              maximum=MAX_AMOUNT, not_a_number=not_a_number)
    except InputError as problem:
        errors["amount_usd"] = problem.message
        return None
    if amount <= 0:
        errors["amount_usd"] = _("The amount must be more than zero.")
        return None
    return amount


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
