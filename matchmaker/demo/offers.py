"""Demo offers: what donors can give, where, in which languages and on which conditions."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session

from matchmaker.demo.catalogue import Catalogue, Donor, OfferSpec
from matchmaker.demo.context import Clock, Reference, in_currency
from matchmaker.demo.people import People
from matchmaker.models import (
    Category,
    Modality,
    Offer,
    OfferCategory,
    OfferCountry,
    OfferModality,
    OfferRegion,
    OfferStatus,
    Organisation,
)
from matchmaker.reference.money import to_usd
from matchmaker.references import add_with_reference

# Published offers add up to about this share of the value of the open needs, so that the
# solver has to choose (and the dashboards show gaps).
OFFER_SHARE = 0.5


@dataclass
class DemoOffer:
    """An offer with its topics, modalities and eligibility, as later steps need them."""

    offer: Offer
    organisation: Organisation
    categories: list[Category]
    modalities: list[Modality]
    region_ids: set[int] = field(default_factory=set)
    country_ids: set[int] = field(default_factory=set)
    excluded_ids: set[int] = field(default_factory=set)
    unit_cost_usd: int = 0  # for an offer of goods: its capacity is budget / unit cost


def available_donors(people: People, catalogue: Catalogue) -> list[Donor]:
    """Donors of the demo file whose organisation exists (reference or demo-only)."""
    return [donor for donor in catalogue.donors if donor.slug in people.organisations]


def create_offers(
    session: Session,
    ref: Reference,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    rng: random.Random,
    requested_usd: int,
) -> list[DemoOffer]:
    """Every offer of every available donor, budgets scaled to ``OFFER_SHARE`` of requests."""
    drafts: list[tuple[DemoOffer, float]] = []
    for donor in available_donors(people, catalogue):
        organisation = people.organisations[donor.slug]
        for spec in donor.offers:
            demo = _draw_offer(ref, people, catalogue, clock, rng, organisation, donor, spec)
            drafts.append((demo, spec.size * rng.uniform(0.8, 1.25)))

    published = sum(size for demo, size in drafts if demo.offer.status == OfferStatus.PUBLISHED)
    usd_per_size = requested_usd * OFFER_SHARE / published
    for demo, size in drafts:
        _set_budget(demo, size * usd_per_size)

    drafts.sort(key=lambda pair: pair[0].offer.created_at)
    offers = [demo for demo, _ in drafts]
    for demo in offers:
        add_with_reference(session, demo.offer)
    session.add_all(link for demo in offers for link in _links(demo))
    session.flush()
    return offers


def _set_budget(demo: DemoOffer, budget_usd: float) -> None:
    offer = demo.offer
    offer.budget, offer.currency = in_currency(budget_usd, offer.currency)
    offer.budget_usd = to_usd(offer.budget, offer.currency)
    if demo.unit_cost_usd:
        offer.quantity = max(1, offer.budget_usd // demo.unit_cost_usd)


def _where(ref: Reference, spec: OfferSpec) -> str:
    names = [ref.regions[m49].name for m49 in spec.regions]
    names += [ref.countries[iso3].name for iso3 in spec.countries if iso3 in ref.countries]
    if not names:
        return "all regions"
    if len(names) == 1:
        return names[0]
    if any(" and " in name for name in names):  # "Latin America and the Caribbean"
        return ", ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _languages(catalogue: Catalogue, spec: OfferSpec) -> str:
    if spec.languages:
        return spec.languages
    if not spec.regions:
        return catalogue.worldwide_languages
    codes: list[str] = []
    for m49 in spec.regions:
        for code in catalogue.region_languages.get(m49, "en").split(","):
            if code not in codes:
                codes.append(code)
    return ",".join(codes)


def _draw_offer(
    ref: Reference,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    rng: random.Random,
    organisation: Organisation,
    donor: Donor,
    spec: OfferSpec,
) -> DemoOffer:
    status = spec.status
    created_days_ago = rng.randint(60, 500)
    if status == OfferStatus.DRAFT:
        created_days_ago = rng.randint(1, 45)
    created_at = clock.moment(-created_days_ago, rng)
    published_at = None
    updated_at = created_at
    if status != OfferStatus.DRAFT:
        published_at = created_at + timedelta(days=rng.randint(0, 7))
        updated_at = published_at
    if status == OfferStatus.WITHDRAWN:
        updated_at = published_at + timedelta(days=rng.randint(10, 40))
    if rng.random() < 0.15:
        available_from = clock.day(rng.randint(10, 90))
    else:
        available_from = created_at.date() + timedelta(days=rng.randint(0, 30))
    with_capacity = bool(spec.unit and spec.unit_cost_usd and "equipment" in spec.modalities)

    offer = Offer(
        organisation_id=organisation.id,
        created_by_id=people.donor_for(organisation).id,
        title=spec.title.format(where=_where(ref, spec)),
        description=spec.description,
        currency=donor.currency,
        unit=spec.unit if with_capacity else "",
        languages=_languages(catalogue, spec),
        available_from=available_from,
        available_until=clock.day(rng.randint(270, 900)),
        ldc_only=spec.ldc_only,
        sids_only=spec.sids_only,
        conditions=spec.conditions,
        status=status,
        created_at=created_at,
        updated_at=updated_at,
        published_at=published_at,
    )
    categories: list[Category] = []
    for code in spec.topics:
        category = ref.offer_category(code)
        if category is not None and category not in categories:
            categories.append(category)
    demo = DemoOffer(
        offer=offer,
        organisation=organisation,
        categories=categories,
        modalities=[ref.modalities[code] for code in spec.modalities],
        country_ids={ref.countries[iso3].id for iso3 in spec.countries if iso3 in ref.countries},
        excluded_ids={ref.countries[iso3].id for iso3 in spec.exclude if iso3 in ref.countries},
        unit_cost_usd=spec.unit_cost_usd if with_capacity else 0,
    )
    demo.region_ids = {ref.regions[m49].id for m49 in spec.regions}
    return demo


def _links(demo: DemoOffer) -> list:
    offer_id = demo.offer.id
    links: list = [OfferCategory(offer_id=offer_id, category_id=c.id) for c in demo.categories]
    links += [OfferModality(offer_id=offer_id, modality_id=m.id) for m in demo.modalities]
    links += [OfferRegion(offer_id=offer_id, region_id=r) for r in sorted(demo.region_ids)]
    links += [OfferCountry(offer_id=offer_id, country_id=c) for c in sorted(demo.country_ids)]
    links += [
        OfferCountry(offer_id=offer_id, country_id=c, excluded=True)
        for c in sorted(demo.excluded_ids)
    ]
    return links
