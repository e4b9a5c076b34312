"""Factories for test records; each looks up reference data by natural key."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.passwords import hash_password
from matchmaker.models import (
    Category,
    CategoryLevel,
    Country,
    Modality,
    Need,
    NeedStatus,
    Offer,
    OfferCategory,
    OfferModality,
    OfferStatus,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    User,
    UserStatus,
    utcnow,
)
from matchmaker.references import add_with_reference

PASSWORD = "correct horse battery staple"
_sequence = count(1)


def country(session: Session, iso3: str) -> Country:
    return session.scalars(select(Country).where(Country.iso3 == iso3)).one()


def state_org(session: Session, iso3: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.slug == iso3.lower())).one()


def topic(session: Session, code: str | None = None) -> Category:
    query = select(Category).where(Category.level == CategoryLevel.TOPIC)
    if code:
        query = query.where(Category.code == code)
    return session.scalars(query.order_by(Category.sort_order, Category.id)).first()


def modality(session: Session, code: str = "equipment") -> Modality:
    return session.scalars(select(Modality).where(Modality.code == code)).one()


def make_organisation(session: Session, name: str | None = None, **fields) -> Organisation:
    n = next(_sequence)
    organisation = Organisation(
        slug=fields.pop("slug", f"test-org-{n}"),
        name=name or f"Test organisation {n}",
        kind=fields.pop("kind", OrganisationKind.NGO),
        status=fields.pop("status", OrganisationStatus.APPROVED),
        **fields,
    )
    session.add(organisation)
    session.flush()
    return organisation


def make_user(session: Session, organisation: Organisation, role: str, **fields) -> User:
    n = next(_sequence)
    user = User(
        email=fields.pop("email", f"user{n}@example.org"),
        name=fields.pop("name", f"Test user {n}"),
        password_hash=fields.pop("password_hash", None) or hash_password(PASSWORD),
        organisation_id=organisation.id,
        role=role,
        status=fields.pop("status", UserStatus.ACTIVE),
        **fields,
    )
    session.add(user)
    session.flush()
    return user


def make_need(session: Session, iso3: str = "GHA", **fields) -> Need:
    state = country(session, iso3)
    organisation = state_org(session, iso3)
    chosen_topic = fields.pop("topic", None) or topic(session)
    chosen_modality = fields.pop("modality", None) or modality(session)
    status = fields.pop("status", NeedStatus.PUBLISHED)
    cost = fields.pop("cost_usd", 50_000)
    need = Need(
        organisation_id=organisation.id,
        country_id=state.id,
        title=fields.pop("title", f"Test need {next(_sequence)}"),
        description=fields.pop("description", "A test need."),
        goal=fields.pop("goal", "Goal of the test need."),
        topic_id=chosen_topic.id,
        modality_id=chosen_modality.id,
        estimated_cost=fields.pop("estimated_cost", cost),
        cost_usd=cost,
        status=status,
        start_date=fields.pop("start_date", date.today() + timedelta(days=30)),
        deadline=fields.pop("deadline", date.today() + timedelta(days=180)),
        published_at=utcnow() if status != NeedStatus.DRAFT else None,
        **fields,
    )
    add_with_reference(session, need)
    return need


def make_offer(
    session: Session, organisation: Organisation, topics: list[Category] | None = None,
    modalities: list[Modality] | None = None, **fields,
) -> Offer:
    budget = fields.pop("budget_usd", 200_000)
    offer = Offer(
        organisation_id=organisation.id,
        title=fields.pop("title", f"Test offer {next(_sequence)}"),
        budget=fields.pop("budget", budget),
        budget_usd=budget,
        status=fields.pop("status", OfferStatus.PUBLISHED),
        published_at=utcnow(),
        **fields,
    )
    add_with_reference(session, offer)
    for category in topics or [topic(session)]:
        session.add(OfferCategory(offer_id=offer.id, category_id=category.id))
    for chosen in modalities or [modality(session)]:
        session.add(OfferModality(offer_id=offer.id, modality_id=chosen.id))
    session.flush()
    return offer
