"""Proposals made by hand: a donor proposes one of its offers to fund a need, a coordinator
brokers any need and offer of its region, a requester asks for a donor's offer.

The compatibility rules are the solver's hard rules (topic or its area covered, modality,
eligibility of the requesting State, overlapping windows, pair not declined before), checked
here record by record so that each refusal can say why in words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from matchmaker.accounts import authz
from matchmaker.accounts.authz import Viewer
from matchmaker.errors import Conflict, FormErrors
from matchmaker.events import record_event, snapshot
from matchmaker.i18n import _
from matchmaker.models import (
    COMMITTED_PROPOSAL_STATES,
    LIVE_PROPOSAL_STATES,
    OPEN_NEED_STATUSES,
    OPEN_PROPOSAL_STATES,
    Country,
    Need,
    Offer,
    OfferCategory,
    OfferCountry,
    OfferModality,
    OfferRegion,
    OfferStatus,
    Proposal,
    ProposalOrigin,
    ProposalState,
    Role,
    utcnow,
)
from matchmaker.needs.services import NeedRow, get_need_by_reference
from matchmaker.portfolio.lifecycle import committing
from matchmaker.proposals import news
from matchmaker.proposals.decisions import (
    ANSWER_WITHIN,
    PROPOSAL_FIELDS,
    remaining_budget,
    remaining_need,
)
from matchmaker.proposals.schemas import ManualProposalInput
from matchmaker.proposals.services import ENTITY, unanswered_sides
from matchmaker.reference.names import category_name, country_name
from matchmaker.web.templating import day, money

# A proposal by hand counts as accepted by the side of whoever made it; a coordinator's or an
# admin's waits for both sides.
OWN_SIDE = {Role.DONOR: "donor", Role.REQUESTER: "requester"}


@dataclass
class OfferLinks:
    """What an offer covers and where it may be used."""

    categories: set[int] = field(default_factory=set)
    modalities: set[int] = field(default_factory=set)
    regions: set[int] = field(default_factory=set)
    countries: set[int] = field(default_factory=set)
    excluded: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class OfferChoice:
    """One of the proposer's offers for a need: how much is left, and why it cannot fund it."""

    offer: Offer
    remaining: int
    default_amount: int
    problem: str | None

    @property
    def compatible(self) -> bool:
        return self.problem is None


def offer_links(db: Session, offer_ids: list[int]) -> dict[int, OfferLinks]:
    links: dict[int, OfferLinks] = defaultdict(OfferLinks)
    if not offer_ids:
        return links
    for offer_id, category_id in db.execute(
        select(OfferCategory.offer_id, OfferCategory.category_id)
        .where(OfferCategory.offer_id.in_(offer_ids))
    ):
        links[offer_id].categories.add(category_id)
    for offer_id, modality_id in db.execute(
        select(OfferModality.offer_id, OfferModality.modality_id)
        .where(OfferModality.offer_id.in_(offer_ids))
    ):
        links[offer_id].modalities.add(modality_id)
    for offer_id, region_id in db.execute(
        select(OfferRegion.offer_id, OfferRegion.region_id).where(OfferRegion.offer_id.in_(offer_ids))
    ):
        links[offer_id].regions.add(region_id)
    for offer_id, country_id, excluded in db.execute(
        select(OfferCountry.offer_id, OfferCountry.country_id, OfferCountry.excluded)
        .where(OfferCountry.offer_id.in_(offer_ids))
    ):
        (links[offer_id].excluded if excluded else links[offer_id].countries).add(country_id)
    return links


def _eligibility_problem(country: Country, offer: Offer, links: OfferLinks, state: str
                         ) -> str | None:
    if country.id in links.excluded:
        return _("This offer excludes %(state)s.", state=state)
    if offer.ldc_only and not country.is_ldc:
        return _("This offer is for least-developed countries only, and %(state)s is not one.",
                 state=state)
    if offer.sids_only and not country.is_sids:
        return _("This offer is for small island developing States only, and %(state)s is "
                 "not one.", state=state)
    places = {country.region_id, country.subregion_id, country.intermediate_region_id}
    listed = links.regions or links.countries
    if listed and country.id not in links.countries and not places & links.regions:
        return _("This offer is not open to %(state)s.", state=state)
    return None


def _window_problem(need: Need, offer: Offer) -> str | None:
    need_start, need_end = need.start_date, need.deadline
    if offer.available_until and need_start and need_start > offer.available_until:
        return _("This offer is available only until %(date)s, before the need's wanted start.",
                 date=day(offer.available_until))
    if offer.available_from and need_end and offer.available_from > need_end:
        return _("This offer is available only from %(date)s, after the need's deadline.",
                 date=day(offer.available_from))
    return None


def incompatibility(row: NeedRow, offer: Offer, links: OfferLinks, language: str) -> str | None:
    """Why ``offer`` cannot fund the need of ``row``, in words (None: it can)."""
    need = row.need
    if offer.status != OfferStatus.PUBLISHED:
        return _("Only a published offer can be proposed.")
    if need.topic_id not in links.categories and row.topic.parent_id not in links.categories:
        return _("This offer does not cover the topic “%(topic)s”.", topic=category_name(row.topic, _))
    if need.modality_id not in links.modalities:
        return _("This offer does not give assistance as “%(modality)s”.",
                 modality=category_name(row.modality, _))
    problem = _eligibility_problem(row.country, offer, links, country_name(row.country, language))
    if problem:
        return problem
    problem = _window_problem(need, offer)
    if problem:
        return problem
    if remaining_budget(offer) <= 0:
        return _("This offer has no budget left.")
    return None


def pair_problems(db: Session, need_id: int, offer_ids: list[int]) -> dict[int, str]:
    """Pairs ruled out by earlier proposals: declined, open or agreed already."""
    problems: dict[int, str] = {}
    for offer_id, proposal_id, state in db.execute(
        select(Proposal.offer_id, Proposal.id, Proposal.state).where(
            Proposal.need_id == need_id, Proposal.offer_id.in_(offer_ids),
            Proposal.state.in_((ProposalState.DECLINED, *OPEN_PROPOSAL_STATES,
                                *COMMITTED_PROPOSAL_STATES)),
        ).order_by(Proposal.id)
    ):
        if state == ProposalState.DECLINED:
            problems[offer_id] = _("This pair was declined before (proposal %(id)s); it is not "
                                   "proposed again.", id=proposal_id)
        else:
            problems.setdefault(offer_id, _("This offer is already proposed for this need "
                                            "(proposal %(id)s).", id=proposal_id))
    return problems


def proposable_offers(db: Session, viewer: Viewer) -> list[Offer]:
    """The offers the viewer may propose: its organisation's published ones (admins and
    coordinators: all, the compatibility rules then keep those open to the need's State)."""
    query = select(Offer).where(Offer.status == OfferStatus.PUBLISHED)
    if not (viewer.is_admin or viewer.is_coordinator):
        query = query.where(Offer.organisation_id == viewer.organisation_id)
    return list(db.scalars(query.order_by(Offer.reference)).all())


def need_to_fund(db: Session, viewer: Viewer, reference: str) -> NeedRow:
    """The need a proposal by hand is for (NotFound if the viewer may not see it,
    PermissionDenied if the viewer may not broker it)."""
    authz.require(viewer.is_donor or viewer.is_admin or viewer.is_coordinator,
                  _("Only donors and coordinators can propose to fund a need."))
    row = get_need_by_reference(db, reference, visible=authz.needs_visible(viewer))
    authz.require(authz.can_propose_for(viewer, row.need),
                  _("You can broker only the needs of your region's States."))
    return row


def need_problem(need: Need) -> str | None:
    if need.status not in OPEN_NEED_STATUSES:
        return _("This need is not open for funding.")
    if remaining_need(need) <= 0:
        return _("This need is already fully funded.")
    return None


def offer_choices(db: Session, viewer: Viewer, row: NeedRow, language: str
                  ) -> list[OfferChoice]:
    """Each of the viewer's offers for the need, compatible ones first.

    A coordinator chooses among every donor's offers: only those that can fund the need are
    listed (with those already proposed for it), not the many that cannot."""
    offers = proposable_offers(db, viewer)
    ids = [offer.id for offer in offers]
    links = offer_links(db, ids)
    taken = pair_problems(db, row.need.id, ids)
    choices = []
    for offer in offers:
        unfit = incompatibility(row, offer, links[offer.id], language)
        if unfit and viewer.is_coordinator:
            continue
        problem = unfit or taken.get(offer.id)
        remaining = remaining_budget(offer)
        choices.append(OfferChoice(offer, remaining, min(remaining, remaining_need(row.need)),
                                   problem))
    return sorted(choices, key=lambda choice: not choice.compatible)


def propose(db: Session, viewer: Viewer, data: ManualProposalInput, language: str = "en"
            ) -> Proposal:
    """Propose one of the viewer's offers to fund a need; FormErrors name the field at fault.

    A donor's proposal counts as accepted by the donor side (it waits for the requesting State);
    a coordinator's or an admin's waits for both sides. The sides that wait are told.
    """
    row = need_to_fund(db, viewer, data.need)
    need = row.need
    problem = need_problem(need)
    if problem:
        raise FormErrors({"need": problem})
    choices = {choice.offer.reference: choice
               for choice in offer_choices(db, viewer, row, language)}
    choice = choices.get(data.offer) or next(
        (c for c in choices.values() if str(c.offer.id) == data.offer), None
    )
    if choice is None:
        raise FormErrors({"offer": _("Choose a published offer that can fund this need.")
                          if viewer.is_coordinator else _("Choose one of your published offers.")})
    if choice.problem:
        raise FormErrors({"offer": choice.problem})
    amount = data.amount_usd if data.amount_usd is not None else choice.default_amount
    return place(db, viewer, need, choice.offer, amount, news.proposed_by_hand)


def place(db: Session, viewer: Viewer, need: Need, offer: Offer, amount: int,
          announce: Callable[..., None]) -> Proposal:
    """Write a proposal by hand of ``amount`` for a compatible pair, once the amount fits both
    sides; ``announce(db, viewer, proposal, need, offer, sides)`` tells the sides that wait.

    The viewer's own side (a donor's, a requester's) counts as accepted already."""
    if amount > remaining_budget(offer):
        raise FormErrors({"amount_usd": _("This offer has only %(left)s left.",
                                          left=money(remaining_budget(offer)))})
    if amount > remaining_need(need):
        raise FormErrors({"amount_usd": _("The need still requires only %(left)s.",
                                          left=money(remaining_need(need)))})
    try:
        return _insert(db, viewer, need, offer, amount, announce)
    except IntegrityError:
        # Checked above, but another request may have proposed the pair since: the database's
        # one-live-proposal-per-pair index refused this one.
        existing = live_proposal_id(db, need.id, offer.id)
        if existing is None:
            raise
        raise Conflict(_("A proposal for this need and offer is already open (proposal "
                         "%(id)s).", id=existing), link=f"/proposals/{existing}") from None


def live_proposal_id(db: Session, need_id: int, offer_id: int) -> int | None:
    """The live proposal of the pair (open, agreed or in delivery), if there is one."""
    return db.scalars(
        select(Proposal.id).where(Proposal.need_id == need_id, Proposal.offer_id == offer_id,
                                  Proposal.state.in_(LIVE_PROPOSAL_STATES))
    ).first()


def _insert(db: Session, viewer: Viewer, need: Need, offer: Offer, amount: int,
            announce: Callable[..., None]) -> Proposal:
    side = OWN_SIDE.get(viewer.role)
    now = utcnow()
    with committing(db):
        proposal = Proposal(
            need_id=need.id, offer_id=offer.id, origin=ProposalOrigin.MANUAL,
            amount_usd=amount, share=amount / need.cost_usd if need.cost_usd else 1.0,
            state=f"accepted_by_{side}" if side else ProposalState.PROPOSED,
            created_by_id=viewer.user_id, expires_at=now + ANSWER_WITHIN,
        )
        if side:
            setattr(proposal, f"{side}_accepted_at", now)
            setattr(proposal, f"{side}_accepted_by_id", viewer.user_id)
        db.add(proposal)
        db.flush()
        record_event(db, viewer, ENTITY, proposal.id, "proposed",
                     after={**snapshot(proposal, PROPOSAL_FIELDS), "amount_usd": amount,
                            "origin": ProposalOrigin.MANUAL})
        announce(db, viewer, proposal, need, offer, unanswered_sides(proposal))
    return proposal
