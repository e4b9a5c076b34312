"""Page contexts of the need form and of a need's status actions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from matchmaker.accounts.authz import (
    Viewer,
    can_edit_need,
    can_post_offers,
    in_region,
    proposals_visible,
)
from matchmaker.i18n import _
from matchmaker.models import OPEN_NEED_STATUSES, Need, NeedStatus
from matchmaker.needs import editing
from matchmaker.needs.quality import Completeness, Duplicate, need_completeness
from matchmaker.needs.services import NeedRow
from matchmaker.needs.views import PRIORITY_LABELS, STATUS_LABELS, NeedDetailPage
from matchmaker.portfolio.actions import RecordActions, action_fields
from matchmaker.portfolio.choices import PortfolioChoices
from matchmaker.portfolio.coverage import ProposalTotals, has_commitments, need_totals
from matchmaker.portfolio.explanations import need_explanation
from matchmaker.portfolio.views import Option, ProposalSummary, currencies, language_options
from matchmaker.web.forms import FormState


@dataclass(frozen=True)
class NeedFormPage:
    """The need form (new or edit), with the live completeness score and duplicate warning."""

    form: FormState
    choices: PortfolioChoices
    currencies: list[Option]
    priorities: list[Option]
    languages: list[Option]
    completeness: Completeness
    duplicates: list[Duplicate]
    need: Need | None = None
    needs_country: bool = False
    blocked: str | None = None
    oob: bool = False

    @property
    def reference(self) -> str:
        return self.need.reference if self.need else ""

    @property
    def action_url(self) -> str:
        return f"/needs/{self.need.reference}/edit" if self.need else "/needs/new"

    @property
    def is_draft(self) -> bool:
        return self.need is None or self.need.status == NeedStatus.DRAFT

    @classmethod
    def build(cls, choices: PortfolioChoices, form: FormState, check: editing.NeedCheck,
              viewer: Viewer, need: Need | None = None, blocked: str | None = None,
              oob: bool = False) -> NeedFormPage:
        return cls(
            form=form,
            choices=choices,
            currencies=currencies(),
            priorities=[Option(k, str(v)) for k, v in PRIORITY_LABELS.items()],
            languages=language_options(),
            completeness=check.completeness,
            duplicates=check.duplicates,
            need=need,
            needs_country=need is None and viewer.is_admin,
            blocked=blocked,
            oob=oob,
        )


@dataclass(frozen=True)
class NeedActions(RecordActions):
    """The status actions on a need, with its completeness score for whoever may change it."""

    completeness: Completeness | None = None

    @classmethod
    def build(cls, session: Session, viewer: Viewer, need: Need, message: str = "",
              errors: list[str] | None = None) -> NeedActions:
        may_change = can_edit_need(viewer, need)
        return cls(
            **action_fields(
                need, may_change=may_change,
                committed=lambda: has_commitments(session, need_id=need.id),
                edit_blocked=lambda: editing.edit_blocked_reason(session, need),
                status_labels=STATUS_LABELS, draft=NeedStatus.DRAFT,
                withdrawable=editing.WITHDRAWABLE_STATUSES,
                redraftable=editing.REDRAFTABLE_STATUSES,
                withdraw_blocked=lambda: _("Withdrawing is not possible: this need has agreed "
                                           "proposals, which are commitments with donors."),
                message=message, errors=errors),
            completeness=need_completeness(need) if may_change else None,
        )


def need_detail_page(session: Session, viewer: Viewer, row: NeedRow, organisation: str,
                     language: str) -> NeedDetailPage:
    """A need's page: its facts, the actions the viewer may take, the proposals of the parties."""
    need = row.need
    totals = need_totals(session, [need.id]).get(need.id, ProposalTotals())
    summary = ProposalSummary.build(session, need, totals, proposals_visible(viewer))
    is_party = can_edit_need(viewer, need) or in_region(viewer, need.country_id) or bool(
        summary.lines)
    actions = NeedActions.build(session, viewer, need)
    return NeedDetailPage.build(
        row, organisation, language,
        actions=actions if actions.can_change else None,
        proposals=summary if is_party else None,
        can_propose=can_post_offers(viewer) and need.status in OPEN_NEED_STATUSES,
        explanation=need_explanation(session, viewer, row, language),
    )
