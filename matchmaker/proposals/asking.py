"""A requester asks for a donor's offer: a proposal by hand for one of its State's needs,
accepted by the requesting side already, that the donor accepts or declines.

The compatibility rules are those of any proposal by hand (``manual``), seen from the offer:
each of the requester's open needs is listed with why it cannot be funded, if it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from matchmaker.accounts import authz
from matchmaker.accounts.authz import Viewer
from matchmaker.errors import FormErrors
from matchmaker.i18n import _
from matchmaker.models import OPEN_NEED_STATUSES, Country, Need, Offer, Organisation, Proposal
from matchmaker.needs.services import NeedRow, list_organisation_needs
from matchmaker.notifications import recipients
from matchmaker.notifications.service import notify
from matchmaker.offers.services import OfferRow, get_offer_by_reference
from matchmaker.proposals import manual, news
from matchmaker.proposals.decisions import remaining_budget, remaining_need
from matchmaker.proposals.schemas import ManualProposalInput


@dataclass(frozen=True)
class NeedChoice:
    """One of the requester's open needs for the offer: how much it could get, or why not."""

    row: NeedRow
    default_amount: int
    problem: str | None

    @property
    def compatible(self) -> bool:
        return self.problem is None


def offer_to_ask(db: Session, viewer: Viewer, reference: str) -> OfferRow:
    """The offer a requester asks for (NotFound if unseen, PermissionDenied if not askable)."""
    authz.require(viewer.is_requester and viewer.country_id is not None,
                  _("Only a State's point of contact can ask for an offer."))
    row = get_offer_by_reference(db, reference, authz.offers_visible(viewer))
    authz.require(authz.can_ask_for_offer(viewer, row.offer),
                  _("Only a published offer can be asked for."))
    return row


def need_choices(db: Session, viewer: Viewer, offer: Offer, language: str) -> list[NeedChoice]:
    """Each of the requester's open needs for ``offer``, those it could fund first."""
    rows = [row for row in list_organisation_needs(db, viewer.organisation_id)
            if row.need.status in OPEN_NEED_STATUSES]
    links = manual.offer_links(db, [offer.id])[offer.id]
    choices = []
    for row in rows:
        problem = (manual.need_problem(row.need)
                   or manual.incompatibility(row, offer, links, language)
                   or manual.pair_problems(db, row.need.id, [offer.id]).get(offer.id))
        amount = min(remaining_budget(offer), remaining_need(row.need))
        choices.append(NeedChoice(row, amount, problem))
    return sorted(choices, key=lambda choice: not choice.compatible)


def ask(db: Session, viewer: Viewer, data: ManualProposalInput, language: str = "en"
        ) -> Proposal:
    """Ask for an offer for one of the viewer's needs; FormErrors name the field at fault."""
    offer = offer_to_ask(db, viewer, data.offer).offer
    choices = {choice.row.need.reference: choice
               for choice in need_choices(db, viewer, offer, language)}
    choice = choices.get(data.need)
    if choice is None:
        raise FormErrors({"need": _("Choose one of your State's open needs.")})
    if choice.problem:
        raise FormErrors({"need": choice.problem})
    amount = data.amount_usd if data.amount_usd is not None else choice.default_amount
    return manual.place(db, viewer, choice.row.need, offer, amount, offer_requested)


def offer_requested(db: Session, viewer: Viewer, proposal: Proposal, need: Need, offer: Offer,
                    sides: set[str]) -> None:
    """Tell the donor's side that a State asks for its offer (its answer is what remains)."""
    facts = news.facts(proposal, need, offer, db.get(Country, need.country_id),
                       db.get(Organisation, offer.organisation_id))
    notify(db, recipients.without(recipients.offer_side(db, offer), viewer.user_id),
           "offer_requested", f"proposal:{proposal.id}:requested",
           facts | {"who": f"{viewer.name} ({viewer.organisation_name})"},
           news.link(proposal.id))
