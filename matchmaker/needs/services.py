"""Queries and rules for needs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from matchmaker.errors import InputError, NotFound
from matchmaker.i18n import _, get_language
from matchmaker.models import (
    PUBLIC_NEED_STATUSES,
    Category,
    CategoryLevel,
    Country,
    Modality,
    Need,
    Organisation,
    Region,
    Visibility,
)
from matchmaker.needs.schemas import NeedFilters
from matchmaker.portfolio.search import contains_text, countries_named, is_reference
from matchmaker.web.pagination import page_offset


@dataclass(frozen=True)
class NeedRow:
    need: Need
    country: Country
    topic: Category
    area_name: str
    area_code: str
    modality: Modality


@dataclass(frozen=True)
class NeedSearchResult:
    rows: list[NeedRow]
    total: int


def public_clause() -> ColumnElement[bool]:
    """Needs anyone may read: published (or further along) and public."""
    return Need.status.in_(PUBLIC_NEED_STATUSES) & (Need.visibility == Visibility.PUBLIC)


def listed_clause(visible: ColumnElement[bool]) -> ColumnElement[bool]:
    """Needs a list shows: those ``visible`` that are published or further along.

    Drafts and withdrawn needs stay out of lists even for those who may open them; their
    owners find them under "My needs".
    """
    return visible & Need.status.in_(PUBLIC_NEED_STATUSES)


def _region_clause(session: Session, m49: str) -> ColumnElement[bool]:
    region = session.scalars(select(Region).where(Region.m49 == m49)).first()
    if region is None:
        raise InputError(_("Unknown region “%(value)s”.", value=m49), field="region")
    return or_(
        Country.region_id == region.id,
        Country.subregion_id == region.id,
        Country.intermediate_region_id == region.id,
    )


def _topic_clause(session: Session, code: str) -> ColumnElement[bool]:
    category = session.scalars(select(Category).where(Category.code == code)).first()
    if category is None:
        raise InputError(_("Unknown topic “%(value)s”.", value=code), field="topic")
    if category.level == CategoryLevel.AREA:
        topic_ids = select(Category.id).where(Category.parent_id == category.id)
        return Need.topic_id.in_(topic_ids)
    return Need.topic_id == category.id


def _modality_clause(session: Session, code: str) -> ColumnElement[bool]:
    modality = session.scalars(select(Modality).where(Modality.code == code)).first()
    if modality is None:
        raise InputError(_("Unknown modality “%(value)s”.", value=code), field="modality")
    return Need.modality_id == modality.id


# Needs without a deadline come last in both databases (SQLite sorts NULL first, PostgreSQL
# last), hence the ``is_(None)`` key before each deadline.
PRIORITY_RANK = case({"high": 0, "medium": 1, "low": 2}, value=Need.priority, else_=3)
ORDERINGS = {
    "newest": (Need.published_at.desc(), Need.id.desc()),
    "deadline": (Need.deadline.is_(None), Need.deadline.asc(), Need.id.asc()),
    "priority": (PRIORITY_RANK, Need.deadline.is_(None), Need.deadline.asc(), Need.id.asc()),
    "cost_desc": (Need.cost_usd.desc(), Need.id.asc()),
    "cost_asc": (Need.cost_usd.asc(), Need.id.asc()),
    "title": (func.lower(Need.title), Need.id.asc()),
}


AREA = Category.__table__.alias("area")


def _rows_query():
    """Needs with their country, topic, area and modality, ready for filtering."""
    return (
        select(Need, Country, Category, AREA.c.name.label("area_name"),
               AREA.c.code.label("area_code"), Modality)
        .join(Country, Country.id == Need.country_id)
        .join(Category, Category.id == Need.topic_id)
        .join(AREA, AREA.c.id == Category.parent_id)
        .join(Modality, Modality.id == Need.modality_id)
    )


def _to_row(row) -> NeedRow:
    return NeedRow(
        need=row[0], country=row[1], topic=row[2], area_name=row.area_name,
        area_code=row.area_code, modality=row[-1],
    )


def needs_by_ids(session: Session, ids: set[int], visible: ColumnElement[bool]) -> list[NeedRow]:
    """The needs of ``ids`` that are ``visible``, with their names, nearest deadline first."""
    query = _rows_query().where(Need.id.in_(sorted(ids)), visible)
    return [_to_row(row) for row in session.execute(
        query.order_by(Need.deadline.is_(None), Need.deadline, Need.id))]


def search_needs(
    session: Session, filters: NeedFilters, visible: ColumnElement[bool] | None = None
) -> NeedSearchResult:
    """Needs matching ``filters`` among those ``visible`` (default: the public ones)."""
    conditions = [public_clause() if visible is None else visible]
    if filters.q:
        conditions.append(contains_text(
            filters.q, Need.title, Need.description, Need.reference, Country.name,
            extra=Need.country_id.in_(countries_named(session, filters.q, get_language()))))
    if filters.region:
        conditions.append(_region_clause(session, filters.region))
    if filters.topic:
        conditions.append(_topic_clause(session, filters.topic))
    if filters.modality:
        conditions.append(_modality_clause(session, filters.modality))
    if filters.priority:
        conditions.append(Need.priority == filters.priority)
    if filters.status:
        conditions.append(Need.status == filters.status)
    if filters.deadline_before:
        conditions.append(Need.deadline <= filters.deadline_before)

    base = _rows_query().where(*conditions)
    total = session.execute(
        select(func.count()).select_from(base.with_only_columns(Need.id).subquery())
    ).scalar_one()
    rows = session.execute(
        base.order_by(*ORDERINGS[filters.sort])
        .limit(filters.per_page)
        .offset(page_offset(filters.page, filters.per_page, total))
    ).all()
    return NeedSearchResult(rows=[_to_row(row) for row in rows], total=total)


def get_need_by_reference(
    session: Session, reference: str, visible: ColumnElement[bool] | None = None
) -> NeedRow:
    """The need ``reference`` if the viewer may see it; NotFound otherwise (no leak)."""
    row = None if not is_reference(reference) else session.execute(
        _rows_query().where(Need.reference == reference, public_clause() if visible is None else visible)
    ).first()
    if row is None:
        raise NotFound(_("No need with reference “%(ref)s”.", ref=reference[:24]))
    return _to_row(row)


def requesting_organisation(session: Session, need: Need) -> Organisation:
    return session.get(Organisation, need.organisation_id)


def list_organisation_needs(session: Session, organisation_id: int, status: str = "") -> list[NeedRow]:
    """Every need of one organisation (drafts and withdrawn ones too), newest changes first."""
    query = _rows_query().where(Need.organisation_id == organisation_id)
    if status:
        query = query.where(Need.status == status)
    rows = session.execute(query.order_by(Need.updated_at.desc(), Need.id.desc())).all()
    return [_to_row(row) for row in rows]
