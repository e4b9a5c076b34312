"""Display pieces the need and offer pages share: option lists and the proposals summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import OPEN_PROPOSAL_STATES, Need, Offer, Proposal
from matchmaker.portfolio.coverage import ProposalTotals
from matchmaker.portfolio.fields import DELIVERY_LANGUAGES, currency_options, language_name

PROPOSAL_STATE_LABELS = {
    "proposed": lazy_gettext("Proposed"),
    "accepted_by_requester": lazy_gettext("Accepted by the requester"),
    "accepted_by_donor": lazy_gettext("Accepted by the donor"),
    "agreed": lazy_gettext("Agreed"),
    "in_delivery": lazy_gettext("In delivery"),
    "delivered": lazy_gettext("Delivered"),
    "declined": lazy_gettext("Declined"),
    "superseded": lazy_gettext("Superseded"),
    "expired": lazy_gettext("Expired"),
    "withdrawn": lazy_gettext("Withdrawn"),
}


@dataclass(frozen=True)
class Option:
    value: str
    label: str


def language_options() -> list[Option]:
    return [Option(code, language_name(code)) for code in DELIVERY_LANGUAGES]


def currencies() -> list[Option]:
    return [Option(code, label) for code, label in currency_options()]


def status_options(labels: Mapping[str, Any], counts: Mapping[str, int]) -> list[Option]:
    """The choices of a status filter, each with how many of one's records have that status."""
    return [Option(value, _("%(status)s (%(count)s)", status=label, count=counts.get(value, 0)))
            for value, label in labels.items()]


class ProposalLinks:
    """Links to the proposals of a row of "my needs" / "my offers" (``totals`` of the row)."""

    totals: ProposalTotals

    @property
    def open_links(self) -> list[tuple[int, str]]:
        return [(pid, f"/proposals/{pid}") for pid in self.totals.open_ids]

    @property
    def agreed_links(self) -> list[tuple[int, str]]:
        return [(pid, f"/proposals/{pid}") for pid in self.totals.agreed_ids]


@dataclass(frozen=True)
class ProposalLine:
    """One proposal as a need or offer page lists it."""

    id: int
    url: str
    counterpart: str  # the offer on a need's page, the need on an offer's page
    counterpart_reference: str
    amount_usd: int
    state: str
    state_label: str
    is_open: bool


@dataclass(frozen=True)
class ProposalSummary:
    """Agreed and open amounts, and the proposals the viewer may open."""

    agreed_usd: int
    open_usd: int
    open_count: int
    lines: list[ProposalLine]

    @classmethod
    def build(cls, session: Session, record: Need | Offer, totals: ProposalTotals,
              visible: ColumnElement[bool]) -> ProposalSummary:
        on_need = isinstance(record, Need)
        other = Offer if on_need else Need
        link = Proposal.offer_id if on_need else Proposal.need_id
        own = Proposal.need_id if on_need else Proposal.offer_id
        rows = session.execute(
            select(Proposal, other.title, other.reference)
            .join(other, other.id == link)
            .where(own == record.id, visible)
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        ).all()
        return cls(
            agreed_usd=totals.agreed_usd,
            open_usd=totals.open_usd,
            open_count=totals.open_count,
            lines=[
                ProposalLine(
                    id=proposal.id, url=f"/proposals/{proposal.id}", counterpart=title,
                    counterpart_reference=reference, amount_usd=proposal.amount_usd,
                    state=proposal.state,
                    state_label=str(PROPOSAL_STATE_LABELS.get(proposal.state, proposal.state)),
                    is_open=proposal.state in OPEN_PROPOSAL_STATES,
                )
                for proposal, title, reference in rows
            ],
        )
