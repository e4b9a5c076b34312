"""Queries on offers: the searchable list, one offer with what it covers, a donor's offers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from matchmaker.errors import InputError, NotFound
from matchmaker.i18n import _
from matchmaker.models import (
    Category,
    CategoryLevel,
    Country,
    Modality,
    Offer,
    OfferCategory,
    OfferCountry,
    OfferModality,
    OfferRegion,
    Organisation,
    Region,
)
from matchmaker.offers.schemas import LISTED_STATUSES, OfferFilters
from matchmaker.portfolio.search import contains_text, is_reference
from matchmaker.web.pagination import page_offset


@dataclass(frozen=True)
class OfferRow:
    offer: Offer
    donor: Organisation
    donor_country: Country | None = None  # a State donor speaks by its name (CLDR)


@dataclass(frozen=True)
class OfferSearchResult:
    rows: list[OfferRow]
    total: int


@dataclass(frozen=True)
class OfferCoverage:
    """What an offer covers and who may receive it."""

    categories: list[Category]
    modalities: list[Modality]
    regions: list[Region]
    countries: list[Country]
    excluded: list[Country]


def listed_clause(visible: ColumnElement[bool]) -> ColumnElement[bool]:
    """Offers a list shows: those ``visible`` that are published or exhausted."""
    return visible & Offer.status.in_(LISTED_STATUSES)


def _lookup(session: Session, model, column, value: str, field: str, label: str):
    record = session.scalars(select(model).where(column == value)).first()
    if record is None:
        raise InputError(_("Unknown %(what)s “%(value)s”.", what=label, value=value[:40]),
                         field=field)
    return record


def _topic_clause(session: Session, code: str) -> ColumnElement[bool]:
    category = _lookup(session, Category, Category.code, code, "topic", _("topic"))
    if category.level == CategoryLevel.AREA:
        ids = select(Category.id).where(Category.parent_id == category.id)
        wanted = or_(OfferCategory.category_id == category.id, OfferCategory.category_id.in_(ids))
    else:
        wanted = OfferCategory.category_id.in_([category.id, category.parent_id])
    return exists().where(OfferCategory.offer_id == Offer.id, wanted)


def _region_clause(session: Session, m49: str) -> ColumnElement[bool]:
    """Offers that may serve States of a region: worldwide ones and those naming it."""
    region = _lookup(session, Region, Region.m49, m49, "region", _("region"))
    children = select(Region.id).where(Region.parent_id == region.id)
    grandchildren = select(Region.id).where(Region.parent_id.in_(children))
    related = or_(OfferRegion.region_id == region.id, OfferRegion.region_id.in_(children),
                  OfferRegion.region_id.in_(grandchildren))
    if region.parent_id is not None:
        related = related | (OfferRegion.region_id == region.parent_id)
    states = select(Country.id).where(or_(
        Country.region_id == region.id, Country.subregion_id == region.id,
        Country.intermediate_region_id == region.id))
    eligible_country = (OfferCountry.offer_id == Offer.id) & ~OfferCountry.excluded
    worldwide = ~exists().where(OfferRegion.offer_id == Offer.id) & ~exists().where(
        eligible_country)
    return or_(
        worldwide,
        exists().where(OfferRegion.offer_id == Offer.id, related),
        exists().where(eligible_country, OfferCountry.country_id.in_(states)),
    )


def _modality_clause(session: Session, code: str) -> ColumnElement[bool]:
    modality = _lookup(session, Modality, Modality.code, code, "modality", _("modality"))
    return exists().where(OfferModality.offer_id == Offer.id,
                          OfferModality.modality_id == modality.id)


def _donor_clause(session: Session, slug: str) -> ColumnElement[bool]:
    donor = _lookup(session, Organisation, Organisation.slug, slug, "donor", _("donor"))
    return Offer.organisation_id == donor.id


ORDERINGS = {
    "newest": (Offer.published_at.desc(), Offer.id.desc()),
    "remaining_desc": ((Offer.budget_usd - Offer.committed_usd).desc(), Offer.id.asc()),
    "budget_desc": (Offer.budget_usd.desc(), Offer.id.asc()),
    "budget_asc": (Offer.budget_usd.asc(), Offer.id.asc()),
    "until": (Offer.available_until.is_(None), Offer.available_until.asc(), Offer.id.asc()),
    "title": (func.lower(Offer.title), Offer.id.asc()),
}


DonorCountry = aliased(Country, name="donor_country")  # aliased: filters query Country too


def _rows_query():
    return (select(Offer, Organisation, DonorCountry)
            .join(Organisation, Organisation.id == Offer.organisation_id)
            .outerjoin(DonorCountry, DonorCountry.id == Organisation.country_id))


def search_offers(session: Session, filters: OfferFilters,
                  visible: ColumnElement[bool]) -> OfferSearchResult:
    """Offers matching ``filters`` among those ``visible``."""
    conditions = [visible]
    if filters.q:
        conditions.append(contains_text(filters.q, Offer.title, Offer.description,
                                        Offer.reference, Organisation.name,
                                        Organisation.acronym))
    for value, clause in ((filters.topic, _topic_clause), (filters.region, _region_clause),
                          (filters.modality, _modality_clause), (filters.donor, _donor_clause)):
        if value:
            conditions.append(clause(session, value))
    if filters.status:
        conditions.append(Offer.status == filters.status)
    base = _rows_query().where(*conditions)
    total = session.execute(
        select(func.count()).select_from(base.with_only_columns(Offer.id).subquery())
    ).scalar_one()
    rows = session.execute(
        base.order_by(*ORDERINGS[filters.sort]).limit(filters.per_page)
        .offset(page_offset(filters.page, filters.per_page, total))
    ).all()
    return OfferSearchResult([OfferRow(*row) for row in rows], total)


def get_offer_by_reference(session: Session, reference: str,
                           visible: ColumnElement[bool]) -> OfferRow:
    """The offer ``reference`` if the viewer may see it; NotFound otherwise (no leak)."""
    row = None if not is_reference(reference) else session.execute(
        _rows_query().where(Offer.reference == reference, visible)).first()
    if row is None:
        raise NotFound(_("No offer with reference “%(ref)s”.", ref=reference[:24]))
    return OfferRow(*row)


def list_organisation_offers(session: Session, organisation_id: int) -> list[OfferRow]:
    """Every offer of one organisation, drafts included, newest changes first."""
    rows = session.execute(
        _rows_query().where(Offer.organisation_id == organisation_id)
        .order_by(Offer.updated_at.desc(), Offer.id.desc())
    ).all()
    return [OfferRow(*row) for row in rows]


def offer_coverage(session: Session, offer_ids: list[int]) -> dict[int, OfferCoverage]:
    """What each offer covers: categories, modalities, eligible regions and States, exclusions."""
    found: dict[int, dict[str, list]] = {
        offer_id: {"categories": [], "modalities": [], "regions": [], "countries": [],
                   "excluded": []} for offer_id in offer_ids}
    if not offer_ids:
        return {}
    links = (
        ("categories", Category, OfferCategory.category_id, OfferCategory,
         (Category.sort_order, Category.code)),
        ("modalities", Modality, OfferModality.modality_id, OfferModality, (Modality.sort_order,)),
        ("regions", Region, OfferRegion.region_id, OfferRegion, (Region.name,)),
    )
    for key, model, column, link, order in links:
        query = (select(link.offer_id, model).join(model, model.id == column)
                 .where(link.offer_id.in_(offer_ids)).order_by(*order))
        for offer_id, record in session.execute(query):
            found[offer_id][key].append(record)
    query = (select(OfferCountry.offer_id, OfferCountry.excluded, Country)
             .join(Country, Country.id == OfferCountry.country_id)
             .where(OfferCountry.offer_id.in_(offer_ids)).order_by(Country.name))
    for offer_id, excluded, country in session.execute(query):
        found[offer_id]["excluded" if excluded else "countries"].append(country)
    return {offer_id: OfferCoverage(**lists) for offer_id, lists in found.items()}
