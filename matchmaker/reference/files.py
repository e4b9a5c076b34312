"""The reference data files in ``seeds/``, read and checked against each other.

Every problem raises :class:`SeedError` naming the file and the line, so a bad edit to a data
file is found before anything is written to the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from matchmaker.models import OrganisationKind, RegionLevel, UNStatus
from matchmaker.reference.sourcefile import CsvRow, JsonItem, SeedError, read_csv, read_json_items

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SOURCES_DIR = SEEDS_DIR / "sources"

M49 = r"\d{3}"
PARENT_LEVEL = {
    RegionLevel.REGION: None,
    RegionLevel.SUBREGION: RegionLevel.REGION,
    RegionLevel.INTERMEDIATE: RegionLevel.SUBREGION,
}
ORGANISATION_KEYS = (
    "slug", "name", "acronym", "kind", "regional_centre", "website", "regions", "members", "note",
)  # fmt: skip
FILE_KINDS = tuple(kind.value for kind in OrganisationKind if kind != OrganisationKind.STATE)

__all__ = ["SEEDS_DIR", "SOURCES_DIR", "ReferenceData", "SeedError", "load_reference_data"]


@dataclass(frozen=True)
class RegionRow:
    m49: str
    name: str
    level: str
    parent_m49: str


@dataclass(frozen=True)
class CentreRow:
    code: str
    name: str
    city: str
    host_country_iso3: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class CountryRow:
    iso3: str
    iso2: str
    m49: str
    name: str
    un_status: str
    region_m49: str
    subregion_m49: str
    intermediate_m49: str
    is_ldc: bool
    is_sids: bool
    is_lldc: bool
    regional_centre: str


@dataclass(frozen=True)
class Source:
    document: str
    file: str
    paragraph: str
    quote: str


@dataclass(frozen=True)
class CategoryRow:
    code: str
    level: str
    parent_code: str
    name: str
    description: str
    source: Source
    sort_order: int
    line: int


@dataclass(frozen=True)
class ModalityRow:
    code: str
    name: str
    description: str
    sort_order: int


@dataclass(frozen=True)
class OrganisationRow:
    slug: str
    name: str
    acronym: str
    kind: str
    website: str
    members: tuple[str, ...]
    regions: tuple[str, ...]
    regional_centre: str


@dataclass(frozen=True)
class ReferenceData:
    regions: list[RegionRow]
    centres: list[CentreRow]
    countries: list[CountryRow]
    categories: list[CategoryRow]
    modalities: list[ModalityRow]
    organisations: list[OrganisationRow]

    def centre_members(self, code: str) -> tuple[str, ...]:
        """The States a regional centre covers, as given by the countries file."""
        return tuple(c.iso3 for c in self.countries if code and c.regional_centre == code)


def load_reference_data(seeds_dir: Path | None = None) -> ReferenceData:
    """Read every reference file of ``seeds_dir`` (default: the project's ``seeds/``)."""
    seeds = Path(seeds_dir) if seeds_dir else SEEDS_DIR
    regions = read_regions(seeds / "regions.csv")
    centres = read_centres(seeds / "regional_centres.csv")
    countries = read_countries(seeds / "countries.csv", regions, centres)
    _check_centre_hosts(seeds / "regional_centres.csv", centres, countries)
    return ReferenceData(
        regions=regions,
        centres=centres,
        countries=countries,
        categories=read_categories(seeds / "categories.json"),
        modalities=read_modalities(seeds / "modalities.csv"),
        organisations=read_organisations(
            seeds / "organisations.json", regions, centres, countries
        ),
    )


def _unique(row: CsvRow, seen: dict[str, int], column: str, value: str) -> None:
    if value in seen:
        raise row.error(f"{column} {value!r} already given on line {seen[value]}")
    seen[value] = row.line


def read_regions(path: Path) -> list[RegionRow]:
    rows = read_csv(path, ("m49", "name", "level", "parent_m49"))
    levels = tuple(level.value for level in RegionLevel)
    regions: dict[str, RegionRow] = {}
    seen: dict[str, int] = {}
    for row in rows:
        m49 = row.matching("m49", M49, "a three-digit M49 code")
        _unique(row, seen, "m49", m49)
        regions[m49] = RegionRow(
            m49=m49,
            name=row.text("name", max_length=80),
            level=row.choice("level", levels),
            parent_m49=row.matching("parent_m49", M49, "a three-digit M49 code", required=False),
        )
    for row in rows:
        region = regions[row.values["m49"]]
        wanted = PARENT_LEVEL[RegionLevel(region.level)]
        parent = regions.get(region.parent_m49)
        if wanted is None and region.parent_m49:
            raise row.error(f"a {region.level} has no parent, got {region.parent_m49!r}")
        if wanted is not None and (parent is None or parent.level != wanted):
            raise row.error(f"parent_m49 of a {region.level} must be a {wanted} of this file")
    return list(regions.values())


def read_centres(path: Path) -> list[CentreRow]:
    centres = []
    seen: dict[str, int] = {}
    for row in read_csv(path, ("code", "name", "city", "host_country_iso3")):
        code = row.matching("code", r"[A-Z]{2,16}", "capital letters (2 to 16)")
        _unique(row, seen, "code", code)
        centres.append(
            CentreRow(
                code=code,
                name=row.text("name", max_length=160),
                city=row.text("city", max_length=80),
                host_country_iso3=row.matching(
                    "host_country_iso3", r"[A-Z]{3}", "an ISO alpha-3 code"
                ),
                line=row.line,
            )
        )
    return centres


COUNTRY_COLUMNS = (
    "iso3", "iso2", "m49", "name", "un_status", "region_m49", "subregion_m49",
    "intermediate_m49", "is_ldc", "is_sids", "is_lldc", "regional_centre",
)  # fmt: skip


def read_countries(
    path: Path, regions: list[RegionRow], centres: list[CentreRow]
) -> list[CountryRow]:
    by_m49 = {region.m49: region for region in regions}
    centre_codes = {centre.code for centre in centres}
    seen: dict[str, dict[str, int]] = {"iso3": {}, "iso2": {}, "m49": {}}
    countries = []
    for row in read_csv(path, COUNTRY_COLUMNS):
        country = CountryRow(
            iso3=row.matching("iso3", r"[A-Z]{3}", "an ISO alpha-3 code"),
            iso2=row.matching("iso2", r"[A-Z]{2}", "an ISO alpha-2 code"),
            m49=row.matching("m49", M49, "a three-digit M49 code"),
            name=row.text("name", max_length=120),
            un_status=row.choice("un_status", tuple(status.value for status in UNStatus)),
            region_m49=row.matching("region_m49", M49, "a three-digit M49 code"),
            subregion_m49=row.matching("subregion_m49", M49, "a three-digit M49 code"),
            intermediate_m49=row.matching(
                "intermediate_m49", M49, "a three-digit M49 code", required=False
            ),
            is_ldc=row.flag("is_ldc"),
            is_sids=row.flag("is_sids"),
            is_lldc=row.flag("is_lldc"),
            regional_centre=row.text("regional_centre", required=False),
        )
        for column in seen:
            _unique(row, seen[column], column, getattr(country, column))
        _check_country_regions(row, country, by_m49)
        if country.regional_centre and country.regional_centre not in centre_codes:
            raise row.error(f"regional_centre {country.regional_centre!r} is not in the centres file")
        countries.append(country)
    return countries


def _check_country_regions(row: CsvRow, country: CountryRow, by_m49: dict[str, RegionRow]) -> None:
    region = by_m49.get(country.region_m49)
    subregion = by_m49.get(country.subregion_m49)
    if region is None or region.level != RegionLevel.REGION:
        raise row.error(f"region_m49 {country.region_m49!r} is not a region of regions.csv")
    if subregion is None or subregion.parent_m49 != region.m49:
        raise row.error(
            f"subregion_m49 {country.subregion_m49!r} is not a sub-region of {region.name}"
        )
    if country.intermediate_m49:
        intermediate = by_m49.get(country.intermediate_m49)
        if intermediate is None or intermediate.parent_m49 != subregion.m49:
            raise row.error(
                f"intermediate_m49 {country.intermediate_m49!r} is not an intermediate region "
                f"of {subregion.name}"
            )


def _check_centre_hosts(path: Path, centres: list[CentreRow], countries: list[CountryRow]) -> None:
    known = {country.iso3 for country in countries}
    for centre in centres:
        if centre.host_country_iso3 not in known:
            raise SeedError(
                path,
                centre.line,
                f"host_country_iso3 {centre.host_country_iso3!r} is not a State of countries.csv",
            )


def read_modalities(path: Path) -> list[ModalityRow]:
    modalities = []
    seen: dict[str, int] = {}
    for order, row in enumerate(read_csv(path, ("code", "name", "description")), start=1):
        code = row.matching("code", r"[a-z][a-z0-9_]{0,31}", "a lowercase code")
        _unique(row, seen, "code", code)
        modalities.append(
            ModalityRow(code, row.text("name", max_length=80), row.text("description"), order)
        )
    return modalities


def read_categories(path: Path) -> list[CategoryRow]:
    """Areas and their topics, in file order; sort_order keeps each area's topics after it."""
    documents = {}
    for item in read_json_items(path, "documents"):
        item.only("document", "file", "title")
        documents[item.string("file")] = item.string("document")
    categories: list[CategoryRow] = []
    seen: dict[str, int] = {}
    for area_number, area in enumerate(read_json_items(path, "areas"), start=1):
        area_row = _category(area, "area", "", area_number * 100, documents)
        _check_new_code(area, area_row.code, seen)
        categories.append(area_row)
        topics = area.items("topics")
        if not topics:
            raise area.error(f"area {area_row.code!r} has no topics", "topics")
        for topic_number, topic in enumerate(topics, start=1):
            row = _category(topic, "topic", area_row.code, area_number * 100 + topic_number, documents)
            if not row.code.startswith(area_row.code + "."):
                raise topic.error(f"a topic code must start with {area_row.code + '.'!r}", "code")
            _check_new_code(topic, row.code, seen)
            categories.append(row)
    return categories


def _check_new_code(item: JsonItem, code: str, seen: dict[str, int]) -> None:
    if code in seen:
        raise item.error(f"code {code!r} already given on line {seen[code]}", "code")
    seen[code] = item.line_of("code")


def _category(
    item: JsonItem, level: str, parent: str, sort_order: int, documents: dict[str, str]
) -> CategoryRow:
    item.only("code", "name", "description", "source", *(("topics",) if level == "area" else ()))
    code = item.string("code", max_length=64)
    pattern = r"[a-z][a-z0-9_]*" if level == "area" else r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*"
    if not re.fullmatch(pattern, code):
        raise item.error(f"{code!r} is not a valid {level} code", "code")
    source = _source(item, documents)
    return CategoryRow(
        code=code,
        level=level,
        parent_code=parent,
        name=item.string("name", max_length=160),
        description=item.string("description"),
        source=source,
        sort_order=sort_order,
        line=item.line,
    )


def _source(item: JsonItem, documents: dict[str, str]) -> Source:
    item.field("source", dict)
    raw = item.value["source"]
    missing = [key for key in ("document", "file", "paragraph", "quote") if not str(raw.get(key, "")).strip()]
    if missing:
        raise item.error(f"source needs {', '.join(missing)}", "source")
    source = Source(*(str(raw[key]).strip() for key in ("document", "file", "paragraph", "quote")))
    if documents.get(source.file) != source.document:
        raise item.error(
            f"source file {source.file!r} with document {source.document!r} is not in the documents list",
            "source",
        )
    for key, limit in (("document", 80), ("paragraph", 40), ("quote", 300)):
        if len(getattr(source, key)) > limit:
            raise item.error(f"source {key} is longer than {limit} characters", "source")
    return source


def read_organisations(
    path: Path, regions: list[RegionRow], centres: list[CentreRow], countries: list[CountryRow]
) -> list[OrganisationRow]:
    region_codes = {region.m49 for region in regions}
    centre_codes = {centre.code for centre in centres}
    iso3s = {country.iso3 for country in countries}
    organisations = []
    seen: dict[str, int] = {}
    for item in read_json_items(path, "organisations"):
        item.only(*ORGANISATION_KEYS)
        slug = item.string("slug", max_length=64)
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
            raise item.error(f"slug {slug!r} must be lowercase letters, digits and hyphens", "slug")
        if slug.upper() in iso3s:
            raise item.error(f"slug {slug!r} is reserved for the State {slug.upper()}", "slug")
        if slug in seen:
            raise item.error(f"slug {slug!r} already given on line {seen[slug]}", "slug")
        seen[slug] = item.line_of("slug")
        kind = item.string("kind")
        if kind not in FILE_KINDS:
            raise item.error(f"kind must be one of {', '.join(FILE_KINDS)}, got {kind!r}", "kind")
        members = item.strings("members")
        unknown = [iso3 for iso3 in members if iso3 not in iso3s]
        if unknown:
            raise item.error(f"members not in countries.csv: {', '.join(unknown)}", "members")
        covered = item.strings("regions")
        unknown = [m49 for m49 in covered if m49 not in region_codes]
        if unknown:
            raise item.error(f"regions not in regions.csv: {', '.join(unknown)}", "regions")
        centre = item.string("regional_centre", required=False)
        if (kind == OrganisationKind.REGIONAL_CENTRE) != bool(centre):
            raise item.error("regional_centre is given for, and only for, kind regional_centre")
        if centre and centre not in centre_codes:
            raise item.error(f"regional_centre {centre!r} is not in the centres file", "regional_centre")
        website = item.string("website", required=False, max_length=200)
        if website and not website.startswith(("https://", "http://")):
            raise item.error("website must start with https://", "website")
        organisations.append(
            OrganisationRow(
                slug=slug,
                name=item.string("name", max_length=200),
                acronym=item.string("acronym", required=False, max_length=32),
                kind=kind,
                website=website,
                members=members,
                regions=covered,
                regional_centre=centre,
            )
        )
    return organisations


def quote_problems(categories: list[CategoryRow], sources_dir: Path | None = None) -> list[str]:
    """Categories whose quote is not found, whitespace-normalised, in the cited reference file."""
    folder = Path(sources_dir) if sources_dir else SOURCES_DIR
    texts: dict[str, str] = {}
    problems = []
    for category in categories:
        name = category.source.file
        if name not in texts:
            path = folder / name
            texts[name] = _normalise(path.read_text(encoding="utf-8")) if path.exists() else ""
        if not texts[name]:
            problems.append(f"{category.code}: reference file {name} not found in {folder}")
        elif _normalise(category.source.quote) not in texts[name]:
            problems.append(f"{category.code}: quote not found in {name}")
    return problems


def _normalise(text: str) -> str:
    return " ".join(text.split())
