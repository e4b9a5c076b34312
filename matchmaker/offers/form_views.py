"""Page contexts of the offer form, an offer's page and its status actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from matchmaker.accounts.authz import Viewer, can_edit_offer, proposals_visible
from matchmaker.i18n import _
from matchmaker.models import Offer, OfferStatus
from matchmaker.offers import editing
from matchmaker.offers.services import OfferRow, offer_coverage
from matchmaker.offers.views import STATUS_LABELS, OfferItem
from matchmaker.portfolio.actions import RecordActions, action_fields
from matchmaker.portfolio.choices import Choice, PortfolioChoices, donor_organisations
from matchmaker.portfolio.coverage import (
    ProposalTotals,
    has_commitments,
    offer_totals,
    remaining_offer_usd,
)
from matchmaker.portfolio.explanations import offer_explanation
from matchmaker.portfolio.fields import language_labels
from matchmaker.portfolio.views import Option, ProposalSummary, currencies, language_options
from matchmaker.web.forms import FormState


@dataclass(frozen=True)
class OfferFormPage:
    """The offer form (new or edit)."""

    form: FormState
    choices: PortfolioChoices
    currencies: list[Option]
    languages: list[Option]
    organisations: list[Choice]
    offer: Offer | None = None

    @property
    def reference(self) -> str:
        return self.offer.reference if self.offer else ""

    @property
    def action_url(self) -> str:
        return f"/offers/{self.offer.reference}/edit" if self.offer else "/offers/new"

    @property
    def is_draft(self) -> bool:
        return self.offer is None or self.offer.status == OfferStatus.DRAFT

    @property
    def committed_usd(self) -> int:
        return self.offer.committed_usd if self.offer else 0

    @classmethod
    def build(cls, session: Session, viewer: Viewer, choices: PortfolioChoices,
              form: FormState, offer: Offer | None = None) -> OfferFormPage:
        return cls(
            form=form, choices=choices, currencies=currencies(), languages=language_options(),
            organisations=donor_organisations(session) if offer is None and viewer.is_admin
            else [],
            offer=offer,
        )


class OfferActions(RecordActions):
    """The status actions on an offer that the viewer may take, with why others are closed."""

    @classmethod
    def build(cls, session: Session, viewer: Viewer, offer: Offer, message: str = "",
              errors: list[str] | None = None) -> OfferActions:
        return cls(**action_fields(
            offer, may_change=can_edit_offer(viewer, offer),
            committed=lambda: has_commitments(session, offer_id=offer.id),
            edit_blocked=lambda: editing.edit_blocked_reason(offer),
            status_labels=STATUS_LABELS, draft=OfferStatus.DRAFT,
            withdrawable=editing.WITHDRAWABLE_STATUSES, redraftable=editing.REDRAFTABLE_STATUSES,
            withdraw_blocked=lambda: _("Withdrawing is not possible: agreed proposals hold part "
                                       "of this offer's budget."),
            message=message, errors=errors))


@dataclass(frozen=True)
class OfferDetailPage:
    item: OfferItem
    description: str
    languages: list[str]
    quantity: int | None
    unit: str
    conditions: str
    actions: Any = None
    proposals: Any = None
    explanation: Any = None  # OfferExplanation: what its budget would buy, for its parties


def offer_detail_page(session: Session, viewer: Viewer, row: OfferRow,
                      language: str) -> OfferDetailPage:
    """An offer's page: budget and what is left, coverage, eligibility, the parties' proposals."""
    offer = row.offer
    coverage = offer_coverage(session, [offer.id])[offer.id]
    totals = offer_totals(session, [offer.id]).get(offer.id, ProposalTotals())
    summary = ProposalSummary.build(session, offer, totals, proposals_visible(viewer))
    actions = OfferActions.build(session, viewer, offer)
    is_party = can_edit_offer(viewer, offer) or bool(summary.lines)
    return OfferDetailPage(
        item=OfferItem.build(row, coverage, language),
        description=offer.description,
        languages=language_labels(offer.languages),
        quantity=offer.quantity,
        unit=offer.unit,
        conditions=offer.conditions,
        actions=actions if actions.can_change else None,
        proposals=summary if is_party else None,
        explanation=offer_explanation(session, viewer, offer,
                                      remaining_offer_usd(offer) - totals.open_usd, language),
    )
