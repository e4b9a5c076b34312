"""Queries on reference data that the features share: regions, topics, modalities, countries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from matchmaker.models import Category, CategoryLevel, Country, Modality, Region, RegionLevel
from matchmaker.reference.names import sort_key

LEVEL_ORDER = {RegionLevel.REGION: 0, RegionLevel.SUBREGION: 1, RegionLevel.INTERMEDIATE: 2}


@dataclass(frozen=True)
class TopicGroup:
    """An area of the taxonomy and its topics, in the order of the taxonomy."""

    area: Category
    topics: list[Category]


@dataclass(frozen=True)
class CountryGroup:
    """A region (or sub-region) and its States, by name."""

    region: Region
    countries: list[Country]


def list_regions(session: Session, level: str | None = None) -> list[Region]:
    """Regions of one ``level`` by name, or all: regions, then sub-regions, then intermediate."""
    query = select(Region)
    if level is not None:
        query = query.where(Region.level == RegionLevel(level))
    regions = session.exec(query).all()
    return sorted(regions, key=lambda r: (LEVEL_ORDER[RegionLevel(r.level)], r.name))


def list_topics(session: Session) -> list[TopicGroup]:
    """Every area with its topics, in taxonomy order."""
    categories = session.exec(select(Category).order_by(Category.sort_order, Category.code)).all()
    topics_by_area: dict[int, list[Category]] = {}
    for category in categories:
        if category.level == CategoryLevel.TOPIC:
            topics_by_area.setdefault(category.parent_id, []).append(category)
    return [
        TopicGroup(area=category, topics=topics_by_area.get(category.id, []))
        for category in categories
        if category.level == CategoryLevel.AREA
    ]


def list_modalities(session: Session) -> list[Modality]:
    return list(session.exec(select(Modality).order_by(Modality.sort_order, Modality.code)).all())


def countries_by_region(
    session: Session, level: str = RegionLevel.REGION
) -> list[CountryGroup]:
    """States grouped by M49 region (or by sub-region with ``level="subregion"``), by name.

    Names are the English M49 names; localise and re-sort with ``names`` for other languages.
    """
    level = RegionLevel(level)
    if level == RegionLevel.INTERMEDIATE:
        raise ValueError("countries are grouped by region or subregion")
    column = Country.region_id if level == RegionLevel.REGION else Country.subregion_id
    regions = {r.id: r for r in session.exec(select(Region).where(Region.level == level)).all()}
    groups: dict[int, list[Country]] = {region_id: [] for region_id in regions}
    countries = sorted(session.exec(select(Country)).all(), key=lambda c: sort_key(c.name))
    for country in countries:
        groups[getattr(country, column.key)].append(country)
    return [
        CountryGroup(region=regions[region_id], countries=countries)
        for region_id, countries in sorted(groups.items(), key=lambda item: regions[item[0]].name)
        if countries
    ]


def get_country_by_iso3(session: Session, iso3: str) -> Country | None:
    return session.exec(select(Country).where(Country.iso3 == iso3.strip().upper())).first()


def get_category_by_code(session: Session, code: str) -> Category | None:
    return session.exec(select(Category).where(Category.code == code)).first()


def get_modality_by_code(session: Session, code: str) -> Modality | None:
    return session.exec(select(Modality).where(Modality.code == code)).first()
