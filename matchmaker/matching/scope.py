"""Which part of the portfolio a run considers: everything, a region, or a category.

A scope narrows the *needs* of a run (offers are whatever is eligible for them): a region
(M49 region, sub-region or intermediate region) keeps the needs of its States, a category
(an area or one topic) keeps the needs on its topics, and ``country_ids`` keeps only the
States a coordinator covers. The three combine: a coordinator's topic run is the topic's
needs in the coordinator's States.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlmodel import Session

from matchmaker.i18n import _, get_language
from matchmaker.models import Category, CategoryLevel, Country, MatchRun, Region, RunScope
from matchmaker.reference.names import category_name, region_name


@dataclass(frozen=True)
class Scope:
    """The needs a run considers; None everywhere means the whole portfolio."""

    kind: str = RunScope.GLOBAL
    region_id: int | None = None
    category_id: int | None = None
    country_ids: frozenset[int] | None = None  # a coordinator's States, when limited to them
    coverage_label: str = ""  # e.g. "UNREC", naming the States of country_ids

    @classmethod
    def of_run(cls, run: MatchRun) -> Scope:
        parameters = run.parameters or {}
        countries = parameters.get("country_ids")
        return cls(
            kind=run.scope,
            region_id=run.scope_region_id,
            category_id=run.scope_category_id,
            country_ids=frozenset(countries) if countries is not None else None,
            coverage_label=parameters.get("coverage_label", ""),
        )

    def need_country_ids(self, session: Session) -> frozenset[int] | None:
        """States whose needs are in scope (None: every State)."""
        if self.region_id is None:
            return self.country_ids
        in_region = region_country_ids(session, self.region_id)
        return in_region if self.country_ids is None else in_region & self.country_ids

    def topic_ids(self, session: Session) -> frozenset[int] | None:
        """Topics whose needs are in scope (None: every topic)."""
        if self.category_id is None:
            return None
        category = session.get(Category, self.category_id)
        if category is None or category.level != CategoryLevel.AREA:
            return frozenset({self.category_id})
        return frozenset(
            session.scalars(select(Category.id).where(Category.parent_id == category.id))
        )

    def describe(self, session: Session) -> str:
        """The scope in words: "Global", "Africa", "Marking machines in Africa"."""
        place = ""
        if self.region_id is not None:
            region = session.get(Region, self.region_id)
            place = region_name(region, get_language()) if region else "?"
        elif self.country_ids is not None:
            place = _("States covered by %(who)s", who=self.coverage_label or _("my region"))
        if self.category_id is not None:
            category = session.get(Category, self.category_id)
            name = category_name(category, _) if category else "?"
            return _("%(topic)s in %(place)s", topic=name, place=place) if place else name
        return place or _("Global")


def region_country_ids(session: Session, region_id: int) -> frozenset[int]:
    """States of an M49 region, sub-region or intermediate region."""
    return frozenset(
        session.scalars(
            select(Country.id).where(
                or_(
                    Country.region_id == region_id,
                    Country.subregion_id == region_id,
                    Country.intermediate_region_id == region_id,
                )
            )
        )
    )
