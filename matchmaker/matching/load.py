"""Read the open portfolio of a scope, and the earlier proposals that constrain a new run.

Earlier proposals count in three ways:

- agreed (committed) ones are already in the needs' ``agreed_usd`` and the offers'
  ``committed_usd``, so the remaining amounts leave them out; their pairs are not proposed again;
- open ones that a new run replaces (solver proposals still waiting for both parties, on needs
  of this run) are *superseded* when the run writes its own;
- every other open one (made by hand, already accepted by one side, or from a run on another
  scope sharing the offer) is *held*: its amount is set aside on both the need and the offer
  and its pair is not proposed again;
- declined pairs are never proposed again.

Offers with nothing left (exhausted by agreed proposals, or held by open ones) do not take
part in the solve, but they are kept aside as ``spent_offers``: an unmet need's reason is
worked out against every compatible offer, so it can say "the offers open to it are
committed" rather than the false "none is open to it".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.matching.scope import Scope
from matchmaker.models import (
    COMMITTED_PROPOSAL_STATES,
    OPEN_NEED_STATUSES,
    OPEN_PROPOSAL_STATES,
    Category,
    CategoryLevel,
    Country,
    Modality,
    Need,
    Offer,
    OfferCategory,
    OfferCountry,
    OfferModality,
    OfferRegion,
    OfferStatus,
    Organisation,
    OrganisationRegion,
    Proposal,
    ProposalOrigin,
    ProposalState,
    Region,
    RegionLevel,
)

# Open solver proposals a new run replaces. Ones a party has already accepted are held instead,
# so a re-run never throws away someone's answer.
SUPERSEDABLE_STATES = (ProposalState.PROPOSED,)
PRIORITY_LEVELS = {"low": 1, "medium": 2, "high": 3}


@dataclass
class NeedRecord:
    id: int
    reference: str
    title: str
    country_id: int
    topic_id: int
    modality_id: int
    cost_usd: int
    remaining: float  # cost less agreed and held amounts
    priority: int  # 1 low .. 3 high
    start_date: date | None
    deadline: date | None
    languages: tuple[str, ...]


@dataclass
class OfferRecord:
    id: int
    reference: str
    title: str
    organisation_id: int
    remaining: float  # budget less committed and held amounts
    languages: tuple[str, ...]
    available_from: date | None
    available_until: date | None
    ldc_only: bool
    sids_only: bool
    category_ids: set[int] = field(default_factory=set)
    modality_ids: set[int] = field(default_factory=set)
    region_ids: set[int] = field(default_factory=set)
    country_ids: set[int] = field(default_factory=set)
    excluded_ids: set[int] = field(default_factory=set)


@dataclass
class Places:
    """Reference data the encoder needs: countries, regions, topics, modalities."""

    countries: dict[int, Country]
    regions: dict[int, Region]
    topic_area: dict[int, int]  # topic id -> area id
    areas: list[int]
    topics: list[int]
    modalities: list[int]  # modality ids in a stable order (bit positions)
    home: dict[int, tuple[int | None, int | None]]  # organisation -> (region, sub-region)


@dataclass
class Portfolio:
    """What a run works on: open needs and offers with their remaining amounts, and the pairs
    that earlier proposals rule out."""

    needs: list[NeedRecord]
    offers: list[OfferRecord]
    places: Places
    declined: set[tuple[int, int]] = field(default_factory=set)  # (need id, offer id)
    taken: set[tuple[int, int]] = field(default_factory=set)  # held or agreed pairs
    held_usd: float = 0.0
    held_count: int = 0
    superseded: list[int] = field(default_factory=list)  # proposal ids this run replaces
    spent_offers: list[OfferRecord] = field(default_factory=list)  # open, nothing left
    scope_need_ids: list[int] = field(default_factory=list)  # open needs in scope, any amount
    cooperation: set[tuple[int, int]] = field(default_factory=set)  # (organisation, country)


def load_portfolio(session: Session, scope: Scope, today: date) -> Portfolio:
    """The open portfolio of ``scope`` on ``today``, with earlier proposals accounted for."""
    needs = _load_needs(session, scope, today)
    offers = _load_offers(session, today)
    portfolio = Portfolio(needs=needs, offers=offers, places=_load_places(session, offers),
                          scope_need_ids=[n.id for n in needs])
    _account_for_proposals(session, portfolio)
    portfolio.needs = [n for n in portfolio.needs if n.remaining > 0]
    portfolio.spent_offers = [o for o in portfolio.offers if o.remaining <= 0]
    portfolio.offers = [o for o in portfolio.offers if o.remaining > 0]
    return portfolio


def _languages(text: str) -> tuple[str, ...]:
    return tuple(code.strip().lower() for code in (text or "").split(",") if code.strip())


def _load_needs(session: Session, scope: Scope, today: date) -> list[NeedRecord]:
    # A need past its deadline is out even before the scheduler marks it expired: the solver
    # would otherwise rank it the most urgent of all.
    query = select(Need).where(
        Need.status.in_(OPEN_NEED_STATUSES), Need.cost_usd > Need.agreed_usd,
        Need.deadline.is_(None) | (Need.deadline >= today),
    )
    countries = scope.need_country_ids(session)
    if countries is not None:
        query = query.where(Need.country_id.in_(sorted(countries)))
    topics = scope.topic_ids(session)
    if topics is not None:
        query = query.where(Need.topic_id.in_(sorted(topics)))
    return [
        NeedRecord(
            id=need.id,
            reference=need.reference,
            title=need.title,
            country_id=need.country_id,
            topic_id=need.topic_id,
            modality_id=need.modality_id,
            cost_usd=need.cost_usd,
            remaining=float(need.cost_usd - need.agreed_usd),
            priority=PRIORITY_LEVELS.get(need.priority, 2),
            start_date=need.start_date,
            deadline=need.deadline,
            languages=_languages(need.languages),
        )
        for need in session.scalars(query.order_by(Need.id))
    ]


def _open_offers(today: date):
    # Exhausted offers too: they take no part in the solve (nothing left) but explain needs.
    return select(Offer.id).where(
        Offer.status.in_((OfferStatus.PUBLISHED, OfferStatus.EXHAUSTED)),
        (Offer.available_until.is_(None)) | (Offer.available_until >= today),
    )


def _load_offers(session: Session, today: date) -> list[OfferRecord]:
    open_ids = _open_offers(today)
    offers = {
        offer.id: OfferRecord(
            id=offer.id,
            reference=offer.reference,
            title=offer.title,
            organisation_id=offer.organisation_id,
            remaining=max(0.0, float(offer.budget_usd - offer.committed_usd)),
            languages=_languages(offer.languages),
            available_from=offer.available_from,
            available_until=offer.available_until,
            ldc_only=offer.ldc_only,
            sids_only=offer.sids_only,
        )
        for offer in session.scalars(select(Offer).where(Offer.id.in_(open_ids)).order_by(Offer.id))
    }
    links = (
        (OfferCategory, OfferCategory.category_id, "category_ids"),
        (OfferModality, OfferModality.modality_id, "modality_ids"),
        (OfferRegion, OfferRegion.region_id, "region_ids"),
    )
    for table, column, attribute in links:
        for offer_id, value in session.execute(
            select(table.offer_id, column).where(table.offer_id.in_(open_ids))
        ):
            getattr(offers[offer_id], attribute).add(value)
    for offer_id, country_id, excluded in session.execute(
        select(OfferCountry.offer_id, OfferCountry.country_id, OfferCountry.excluded).where(
            OfferCountry.offer_id.in_(open_ids)
        )
    ):
        record = offers[offer_id]
        (record.excluded_ids if excluded else record.country_ids).add(country_id)
    return list(offers.values())


def _load_places(session: Session, offers: list[OfferRecord]) -> Places:
    countries = {c.id: c for c in session.scalars(select(Country))}
    regions = {r.id: r for r in session.scalars(select(Region))}
    categories = session.scalars(select(Category).order_by(Category.id)).all()
    modalities = session.scalars(select(Modality.id).order_by(Modality.sort_order, Modality.id))
    return Places(
        countries=countries,
        regions=regions,
        topic_area={c.id: c.parent_id for c in categories if c.level == CategoryLevel.TOPIC},
        areas=[c.id for c in categories if c.level == CategoryLevel.AREA],
        topics=[c.id for c in categories if c.level == CategoryLevel.TOPIC],
        modalities=list(modalities),
        home=_homes(session, {o.organisation_id for o in offers}, countries, regions),
    )


def _homes(session, organisation_ids, countries, regions) -> dict:
    """Each donor's home region and sub-region: its State's, or the regions it covers."""
    home: dict[int, tuple[int | None, int | None]] = {}
    for organisation_id, country_id in session.execute(
        select(Organisation.id, Organisation.country_id).where(
            Organisation.id.in_(sorted(organisation_ids))
        )
    ):
        country = countries.get(country_id)
        home[organisation_id] = (
            (country.region_id, country.subregion_id) if country else (None, None)
        )
    for organisation_id, region_id in session.execute(
        select(OrganisationRegion.organisation_id, OrganisationRegion.region_id).where(
            OrganisationRegion.organisation_id.in_(sorted(organisation_ids))
        )
    ):
        region_of, subregion_of = home.get(organisation_id, (None, None))
        if region_of is not None:
            continue  # a State's own place wins
        region = regions[region_id]
        if region.level == RegionLevel.INTERMEDIATE:
            region = regions[region.parent_id]
        if region.level == RegionLevel.SUBREGION:
            home[organisation_id] = (region.parent_id, subregion_of or region.id)
        else:
            home[organisation_id] = (region.id, subregion_of)
    return home


def _account_for_proposals(session: Session, portfolio: Portfolio) -> None:
    needs = {n.id: n for n in portfolio.needs}
    offers = {o.id: o for o in portfolio.offers}
    states = (*OPEN_PROPOSAL_STATES, *COMMITTED_PROPOSAL_STATES, ProposalState.DECLINED)
    rows = session.execute(
        select(
            Proposal.id, Proposal.need_id, Proposal.offer_id, Proposal.amount_usd,
            Proposal.state, Proposal.origin,
        ).where(
            Proposal.state.in_(states),
            Proposal.need_id.in_(list(needs)) | Proposal.offer_id.in_(list(offers)),
        )
    ).all() if needs or offers else []
    held_on_need: dict[int, float] = defaultdict(float)
    held_on_offer: dict[int, float] = defaultdict(float)
    for proposal_id, need_id, offer_id, amount, state, origin in rows:
        pair = (need_id, offer_id)
        if state == ProposalState.DECLINED:
            portfolio.declined.add(pair)
        elif state in COMMITTED_PROPOSAL_STATES:
            portfolio.taken.add(pair)
        elif (
            origin == ProposalOrigin.SOLVER and state in SUPERSEDABLE_STATES and need_id in needs
        ):
            portfolio.superseded.append(proposal_id)
        else:
            portfolio.taken.add(pair)
            held_on_need[need_id] += amount
            held_on_offer[offer_id] += amount
            portfolio.held_count += need_id in needs
    for need_id, amount in held_on_need.items():
        if need_id in needs:
            # What is kept is what it takes from the scope's needs: no more than a need still
            # asks (competing proposals for one need overlap), none for needs outside the scope;
            # so it never exceeds what the run reports as requested before them.
            portfolio.held_usd += min(amount, needs[need_id].remaining)
            needs[need_id].remaining = max(0.0, needs[need_id].remaining - amount)
    for offer_id, amount in held_on_offer.items():
        if offer_id in offers:
            offers[offer_id].remaining = max(0.0, offers[offer_id].remaining - amount)
    portfolio.cooperation = set(
        session.execute(
            select(Offer.organisation_id, Need.country_id)
            .join(Proposal, Proposal.offer_id == Offer.id)
            .join(Need, Need.id == Proposal.need_id)
            .where(Proposal.state.in_(COMMITTED_PROPOSAL_STATES))
            .distinct()
        ).all()
    )
