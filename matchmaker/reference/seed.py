"""Load the reference data files into the database, idempotently.

Rows are upserted by their natural key (region m49, centre code, country iso3, category code,
modality code, organisation slug); the member and region links of reference organisations are
replaced to match the files. Nothing is deleted except those links: a category or organisation
removed from a file stays in the database, since needs and offers may point at it.

The caller owns the transaction: ``seed_reference`` flushes but never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, SQLModel, select

from matchmaker.models import (
    Category,
    CategoryLevel,
    Country,
    Modality,
    Organisation,
    OrganisationCountry,
    OrganisationKind,
    OrganisationRegion,
    OrganisationStatus,
    Region,
    RegionalCentre,
    RegionLevel,
)
from matchmaker.reference.files import ReferenceData, load_reference_data


@dataclass
class TableCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        text = f"{self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f", {self.deleted} deleted" if self.deleted else "")


@dataclass
class SeedReport:
    """What one run of :func:`seed_reference` did, table by table."""

    tables: dict[str, TableCounts] = field(default_factory=dict)

    def table(self, name: str) -> TableCounts:
        return self.tables.setdefault(name, TableCounts())

    @property
    def inserted(self) -> int:
        return sum(counts.inserted for counts in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(counts.updated for counts in self.tables.values())

    @property
    def deleted(self) -> int:
        return sum(counts.deleted for counts in self.tables.values())

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)

    def __str__(self) -> str:
        return "\n".join(f"{name}: {counts}" for name, counts in self.tables.items())


def seed_reference(session: Session, seeds_dir: Path | None = None) -> SeedReport:
    """Upsert the reference data of ``seeds_dir`` (default ``seeds/``); flush, do not commit.

    Raises :class:`~matchmaker.reference.files.SeedError` before writing anything if a file is
    malformed.
    """
    data = load_reference_data(seeds_dir)
    report = SeedReport()
    regions = _seed_regions(session, data, report.table("region"))
    centres = _upsert(
        session,
        RegionalCentre,
        "code",
        (
            dict(code=c.code, name=c.name, city=c.city, host_country_iso3=c.host_country_iso3)
            for c in data.centres
        ),
        report.table("regionalcentre"),
    )
    countries = _seed_countries(session, data, regions, centres, report.table("country"))
    _seed_categories(session, data, report.table("category"))
    _upsert(
        session,
        Modality,
        "code",
        (
            dict(code=m.code, name=m.name, description=m.description, sort_order=m.sort_order)
            for m in data.modalities
        ),
        report.table("modality"),
    )
    organisations = _seed_organisations(session, data, countries, centres, report.table("organisation"))
    _seed_links(session, data, organisations, countries, regions, report)
    return report


def _upsert(
    session: Session,
    model: type[SQLModel],
    key: str,
    rows: Iterable[dict[str, Any]],
    counts: TableCounts,
) -> dict[str, Any]:
    """Insert or update ``rows`` of ``model`` by the natural ``key``; return every row by key."""
    existing = {getattr(row, key): row for row in session.exec(select(model)).all()}
    for values in rows:
        record = existing.get(values[key])
        if record is None:
            record = model(**values)
            session.add(record)
            existing[values[key]] = record
            counts.inserted += 1
            continue
        changed = False
        for name, value in values.items():
            if getattr(record, name) != value:
                setattr(record, name, value)
                changed = True
        if changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
    session.flush()
    return existing


def _seed_regions(session: Session, data: ReferenceData, counts: TableCounts) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    # Parents first, so that each level can point at the ids of the one above.
    for level in (RegionLevel.REGION, RegionLevel.SUBREGION, RegionLevel.INTERMEDIATE):
        rows = [
            dict(
                m49=r.m49,
                name=r.name,
                level=r.level,
                parent_id=regions[r.parent_m49].id if r.parent_m49 else None,
            )
            for r in data.regions
            if r.level == level
        ]
        regions = _upsert(session, Region, "m49", rows, counts)
    return regions


def _seed_countries(
    session: Session,
    data: ReferenceData,
    regions: dict[str, Region],
    centres: dict[str, RegionalCentre],
    counts: TableCounts,
) -> dict[str, Country]:
    rows = (
        dict(
            iso3=c.iso3,
            iso2=c.iso2,
            m49=c.m49,
            name=c.name,
            un_status=c.un_status,
            region_id=regions[c.region_m49].id,
            subregion_id=regions[c.subregion_m49].id,
            intermediate_region_id=regions[c.intermediate_m49].id if c.intermediate_m49 else None,
            is_ldc=c.is_ldc,
            is_sids=c.is_sids,
            is_lldc=c.is_lldc,
            regional_centre_id=centres[c.regional_centre].id if c.regional_centre else None,
        )
        for c in data.countries
    )
    return _upsert(session, Country, "iso3", rows, counts)


def _seed_categories(session: Session, data: ReferenceData, counts: TableCounts) -> None:
    def values(row, parent_id: int | None) -> dict[str, Any]:
        return dict(
            code=row.code,
            level=row.level,
            parent_id=parent_id,
            name=row.name,
            description=row.description,
            source_document=row.source.document,
            source_paragraph=row.source.paragraph,
            source_quote=row.source.quote,
            sort_order=row.sort_order,
        )

    areas = _upsert(
        session,
        Category,
        "code",
        (values(row, None) for row in data.categories if row.level == CategoryLevel.AREA),
        counts,
    )
    _upsert(
        session,
        Category,
        "code",
        (
            values(row, areas[row.parent_code].id)
            for row in data.categories
            if row.level == CategoryLevel.TOPIC
        ),
        counts,
    )


def _seed_organisations(
    session: Session,
    data: ReferenceData,
    countries: dict[str, Country],
    centres: dict[str, RegionalCentre],
    counts: TableCounts,
) -> dict[str, Organisation]:
    common = dict(status=OrganisationStatus.APPROVED.value, is_reference=True)
    # One organisation per State, so that each State can post needs through it.
    states = (
        dict(
            slug=c.iso3.lower(),
            name=c.name,
            acronym="",
            kind=OrganisationKind.STATE.value,
            country_id=countries[c.iso3].id,
            regional_centre_id=None,
            website="",
            **common,
        )
        for c in data.countries
    )
    others = (
        dict(
            slug=o.slug,
            name=o.name,
            acronym=o.acronym,
            kind=o.kind,
            country_id=None,
            regional_centre_id=centres[o.regional_centre].id if o.regional_centre else None,
            website=o.website,
            **common,
        )
        for o in data.organisations
    )
    return _upsert(session, Organisation, "slug", [*states, *others], counts)


def _seed_links(
    session: Session,
    data: ReferenceData,
    organisations: dict[str, Organisation],
    countries: dict[str, Country],
    regions: dict[str, Region],
    report: SeedReport,
) -> None:
    """Make the member and region links of the file organisations exactly those of the files."""
    members: set[tuple[int, int]] = set()
    covered: set[tuple[int, int]] = set()
    for o in data.organisations:
        org_id = organisations[o.slug].id
        # A regional centre's members are the States the countries file assigns to it.
        iso3s = o.members or data.centre_members(o.regional_centre)
        members.update((org_id, countries[iso3].id) for iso3 in iso3s)
        covered.update((org_id, regions[m49].id) for m49 in o.regions)
    org_ids = {organisations[o.slug].id for o in data.organisations}
    _replace_links(
        session, OrganisationCountry, "country_id", org_ids, members, report.table("organisationcountry")
    )
    _replace_links(
        session, OrganisationRegion, "region_id", org_ids, covered, report.table("organisationregion")
    )


def _replace_links(
    session: Session,
    model: type[SQLModel],
    target: str,
    org_ids: set[int],
    wanted: set[tuple[int, int]],
    counts: TableCounts,
) -> None:
    existing = {
        (link.organisation_id, getattr(link, target)): link
        for link in session.exec(select(model)).all()
        if link.organisation_id in org_ids
    }
    for pair, link in existing.items():
        if pair in wanted:
            counts.unchanged += 1
        else:
            session.delete(link)
            counts.deleted += 1
    for org_id, target_id in sorted(wanted - existing.keys()):
        session.add(model(organisation_id=org_id, **{target: target_id}))
        counts.inserted += 1
    session.flush()
