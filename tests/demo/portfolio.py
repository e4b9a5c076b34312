"""Helpers for the demo tests: the built portfolio read back from the database by natural keys."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from matchmaker.models import (
    Category,
    Country,
    Event,
    MatchRun,
    Message,
    Modality,
    Need,
    Notification,
    Offer,
    OfferCategory,
    OfferCountry,
    OfferModality,
    OfferRegion,
    Organisation,
    OutboxMail,
    Proposal,
    Region,
    User,
)

TODAY = date(2026, 11, 23)


@dataclass
class Portfolio:
    needs: list[Need]
    offers: list[Offer]
    proposals: list[Proposal]
    runs: list[MatchRun]
    events: list[Event]
    messages: list[Message]
    users: dict[int, User]
    organisations: dict[int, Organisation]
    countries: dict[int, Country]
    categories: dict[int, Category]
    modalities: dict[int, Modality]
    regions: dict[int, Region]
    offer_categories: dict[int, set[int]]
    offer_modalities: dict[int, set[int]]
    offer_regions: dict[int, set[int]]
    offer_countries: dict[int, set[int]]
    offer_excluded: dict[int, set[int]]
    notifications: list[Notification]
    mails: list[OutboxMail]

    @property
    def need_by_id(self) -> dict[int, Need]:
        return {need.id: need for need in self.needs}

    @property
    def offer_by_id(self) -> dict[int, Offer]:
        return {offer.id: offer for offer in self.offers}


def load(session: Session) -> Portfolio:
    def all_of(model):
        return list(session.exec(select(model)).all())

    def by_id(model):
        return {row.id: row for row in all_of(model)}

    links: dict[str, dict[int, set[int]]] = {
        name: defaultdict(set) for name in ("cat", "mod", "reg", "inc", "exc")
    }
    for link in all_of(OfferCategory):
        links["cat"][link.offer_id].add(link.category_id)
    for link in all_of(OfferModality):
        links["mod"][link.offer_id].add(link.modality_id)
    for link in all_of(OfferRegion):
        links["reg"][link.offer_id].add(link.region_id)
    for link in all_of(OfferCountry):
        links["exc" if link.excluded else "inc"][link.offer_id].add(link.country_id)
    return Portfolio(
        needs=all_of(Need),
        offers=all_of(Offer),
        proposals=all_of(Proposal),
        runs=all_of(MatchRun),
        events=all_of(Event),
        messages=all_of(Message),
        users=by_id(User),
        organisations=by_id(Organisation),
        countries=by_id(Country),
        categories=by_id(Category),
        modalities=by_id(Modality),
        regions=by_id(Region),
        offer_categories=links["cat"],
        offer_modalities=links["mod"],
        offer_regions=links["reg"],
        offer_countries=links["inc"],
        offer_excluded=links["exc"],
        notifications=all_of(Notification),
        mails=all_of(OutboxMail),
    )


def compatible(p: Portfolio, need: Need, offer: Offer) -> list[str]:
    """Why the pair is not compatible (empty: it is), checked independently of the build."""
    problems = []
    topic = p.categories[need.topic_id]
    covered = p.offer_categories[offer.id]
    if topic.id not in covered and topic.parent_id not in covered:
        problems.append("topic not covered")
    if need.modality_id not in p.offer_modalities[offer.id]:
        problems.append("modality not offered")
    country = p.countries[need.country_id]
    places = {country.region_id, country.subregion_id, country.intermediate_region_id}
    regions, included = p.offer_regions[offer.id], p.offer_countries[offer.id]
    worldwide = not regions and not included
    if not (worldwide or places & regions or country.id in included):
        problems.append("country not eligible")
    if country.id in p.offer_excluded[offer.id]:
        problems.append("country excluded")
    if offer.ldc_only and not country.is_ldc:
        problems.append("offer for LDCs only")
    if offer.sids_only and not country.is_sids:
        problems.append("offer for SIDS only")
    if offer.available_from and need.deadline and offer.available_from > need.deadline:
        problems.append("offer starts after the deadline")
    if offer.available_until and need.start_date and offer.available_until < need.start_date:
        problems.append("offer ends before the need starts")
    return problems


def canonical(p: Portfolio) -> dict:
    """The portfolio without database ids or references (they differ between databases)."""

    def org(organisation_id):
        return p.organisations[organisation_id].slug

    def user(user_id):
        return p.users[user_id].email if user_id else None

    def need_key(need):
        return (p.countries[need.country_id].iso3, need.title, need.created_at.isoformat())

    def offer_key(offer):
        return (org(offer.organisation_id), offer.title)

    needs, offers = p.need_by_id, p.offer_by_id
    return {
        "users": sorted(
            (u.email, u.name, u.role, u.status, org(u.organisation_id), u.language)
            for u in p.users.values()
        ),
        "needs": sorted(
            (
                *need_key(n),
                p.categories[n.topic_id].code,
                p.modalities[n.modality_id].code,
                n.quantity,
                n.unit,
                n.estimated_cost,
                n.currency,
                n.cost_usd,
                n.agreed_usd,
                n.delivered_usd,
                n.priority,
                n.start_date,
                n.deadline,
                n.languages,
                n.status,
                n.visibility,
                n.description,
                n.goal,
                n.commitment,
                user(n.created_by_id),
            )
            for n in p.needs
        ),  # fmt: skip
        "offers": sorted(
            (
                *offer_key(o),
                o.budget,
                o.currency,
                o.budget_usd,
                o.committed_usd,
                o.quantity,
                o.languages,
                o.status,
                o.available_from,
                o.available_until,
                o.ldc_only,
                o.sids_only,
                o.conditions,
                sorted(p.categories[c].code for c in p.offer_categories[o.id]),
                sorted(p.modalities[m].code for m in p.offer_modalities[o.id]),
                sorted(p.regions[r].m49 for r in p.offer_regions[o.id]),
                sorted(p.countries[c].iso3 for c in p.offer_countries[o.id]),
                sorted(p.countries[c].iso3 for c in p.offer_excluded[o.id]),
            )
            for o in p.offers
        ),  # fmt: skip
        "proposals": sorted(
            (
                need_key(needs[x.need_id]),
                offer_key(offers[x.offer_id]),
                x.origin,
                x.amount_usd,
                x.score,
                sorted(x.breakdown.items()),
                x.state,
                x.created_at.isoformat(),
                user(x.created_by_id),
                user(x.requester_accepted_by_id),
                user(x.donor_accepted_by_id),
                x.declined_by_side,
                x.decline_reason,
            )
            for x in p.proposals
        ),  # fmt: skip
        "runs": sorted(
            (r.n_needs, r.n_offers, r.n_arcs, r.n_proposals, r.objective) for r in p.runs
        ),  # fmt: skip
        "events": sorted(
            (
                e.entity,
                e.action,
                user(e.actor_id),
                e.created_at.isoformat(),
                re.sub(r"(#|Proposal )\d+", r"\1N", e.note),  # ids differ
                without_ids(e.before, user),
                without_ids(e.after, user),
            )
            for e in p.events
        ),  # fmt: skip
        "messages": sorted(
            (user(m.author_id), m.body, m.created_at.isoformat()) for m in p.messages
        ),  # fmt: skip
        "notifications": sorted(
            (user(n.user_id), n.kind, n.params.get("need_title", ""), n.delivery,
             n.created_at.isoformat(), n.read_at.isoformat() if n.read_at else "",
             n.mailed_at.isoformat() if n.mailed_at else "")
            for n in p.notifications
        ),  # fmt: skip
        "mails": sorted((m.recipient, m.subject, m.created_at.isoformat(), m.sent_at.isoformat())
                        for m in p.mails),  # fmt: skip
    }


def without_ids(values: dict, user) -> list:
    """An event's values with user ids as emails and other record ids left out (ids differ
    from one database to the next; the records they point at are compared on their own)."""
    return sorted(
        (key, user(value) if key.endswith("_by_id") else value)
        for key, value in values.items()
        if key.endswith("_by_id") or not key.endswith("_id")
    )
