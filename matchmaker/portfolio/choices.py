"""The reference choices the need and offer forms offer, loaded once per request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.i18n import _
from matchmaker.models import (
    Country,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Region,
    RegionLevel,
)
from matchmaker.reference.names import category_name, country_name, region_name, sort_key
from matchmaker.reference.services import list_modalities, list_topics


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    group: str = ""
    record_id: int | None = None


@dataclass(frozen=True)
class ChoiceGroup:
    label: str
    choices: list[Choice]
    value: str = ""  # an area's own code, when the whole group may be chosen


@dataclass(frozen=True)
class PortfolioChoices:
    """Topics (grouped by area), modalities, States and regions, with their ids by code."""

    topic_groups: list[ChoiceGroup]
    modalities: list[Choice]
    country_groups: list[ChoiceGroup]
    region_groups: list[ChoiceGroup]
    topic_ids: dict[str, int]
    area_ids: dict[str, int]
    modality_ids: dict[str, int]
    country_ids: dict[str, int]
    region_ids: dict[str, int]

    @classmethod
    def load(cls, session: Session, language: str) -> PortfolioChoices:
        topic_groups, topic_ids, area_ids = [], {}, {}
        for group in list_topics(session):
            area_ids[group.area.code] = group.area.id
            topic_ids.update({t.code: t.id for t in group.topics})
            area = category_name(group.area, _)
            topic_groups.append(ChoiceGroup(
                area, [Choice(t.code, category_name(t, _), area, t.id) for t in group.topics],
                group.area.code))
        modalities = [Choice(m.code, category_name(m, _), record_id=m.id)
                      for m in list_modalities(session)]
        regions = session.scalars(select(Region)).all()
        countries = session.scalars(select(Country)).all()
        top = _by_name([r for r in regions if r.level == RegionLevel.REGION], language)
        country_groups = [
            ChoiceGroup(region_name(region, language), sorted(
                (Choice(c.iso3, country_name(c, language), record_id=c.id)
                 for c in countries if c.region_id == region.id),
                key=lambda choice: sort_key(choice.label)), region.m49)
            for region in top
        ]
        region_groups = [ChoiceGroup(region_name(region, language),
                                     _region_tree(regions, region, language), region.m49)
                         for region in top]
        return cls(
            topic_groups=topic_groups,
            modalities=modalities,
            country_groups=country_groups,
            region_groups=region_groups,
            topic_ids=topic_ids,
            area_ids=area_ids,
            modality_ids={m.value: m.record_id for m in modalities},
            country_ids={c.iso3: c.id for c in countries},
            region_ids={r.m49: r.id for r in regions},
        )

    @property
    def category_ids(self) -> dict[str, int]:
        """Topics and whole areas by code (an offer may cover either)."""
        return {**self.area_ids, **self.topic_ids}

    def country_names(self, codes: list[str]) -> list[str]:
        """The names of the States with these ISO alpha-3 codes, in the page's language, by
        name (a code the choices do not hold stands for itself)."""
        labels = {c.value: c.label for group in self.country_groups for c in group.choices}
        return sorted((labels.get(code, code) for code in codes), key=sort_key)


def _by_name(regions: list[Region], language: str) -> list[Region]:
    return sorted(regions, key=lambda r: sort_key(region_name(r, language)))


def _region_tree(regions: list[Region], parent: Region, language: str,
                 prefix: str = "") -> list[Choice]:
    """The regions under ``parent`` by name, each followed by its own (sub-regions, then the
    intermediate regions such as Western Africa), marked with a dash per level."""
    found = []
    for region in _by_name([r for r in regions if r.parent_id == parent.id], language):
        found.append(Choice(region.m49, prefix + region_name(region, language),
                            record_id=region.id))
        found.extend(_region_tree(regions, region, language, prefix + "— "))
    return found


def region_options(session: Session, language: str) -> list[Choice]:
    """Every M49 region for a filter: each region, then what lies under it, by name."""
    regions = session.scalars(select(Region)).all()
    options = []
    for region in _by_name([r for r in regions if r.level == RegionLevel.REGION], language):
        options.append(Choice(region.m49, region_name(region, language), record_id=region.id))
        options.extend(_region_tree(regions, region, language, "— "))
    return options


def donor_organisations(session: Session) -> list[Choice]:
    """Approved organisations an admin may post an offer for, by name."""
    rows = session.scalars(
        select(Organisation)
        .where(Organisation.status == OrganisationStatus.APPROVED,
               Organisation.kind != OrganisationKind.REGIONAL_CENTRE)
        .order_by(Organisation.name)
    ).all()
    return [Choice(o.slug, o.name, record_id=o.id) for o in rows]
