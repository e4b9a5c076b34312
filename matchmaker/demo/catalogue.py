"""The demo data files of ``seeds/demo/``: project templates, requesting States and donors.

They describe *what* a plausible portfolio holds (a marking machine costs tens of thousands of
dollars, a training course has trainees and days); :mod:`matchmaker.demo.needs` and
:mod:`matchmaker.demo.offers` draw the actual records from them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from matchmaker.reference.files import SEEDS_DIR

DEMO_SEEDS_DIR = SEEDS_DIR / "demo"


@dataclass(frozen=True)
class ProjectTemplate:
    """A kind of project a State asks for, with plausible ranges for its size and cost."""

    topic: str
    title: str
    description: str
    goal: str
    unit: str
    quantity: tuple[int, int]
    unit_cost_usd: tuple[float, float]
    modality: str
    weight: float = 1.0
    step: int = 1
    days: tuple[int, int] | None = None
    fixed_cost_usd: tuple[int, int] | None = None
    alt_modality: str = ""
    places: str = ""
    commitment: str = ""


@dataclass(frozen=True)
class Requester:
    """A State that posts needs in the demo: its delivery languages, weight and currency."""

    iso3: str
    languages: str
    weight: int
    currency: str = ""
    showcase: tuple[str, ...] = ()  # topics of its first needs (States of demo accounts)


@dataclass(frozen=True)
class OfferSpec:
    """One offer of a donor, its programme's fields already merged with its overrides."""

    programme: str
    title: str
    description: str
    topics: tuple[str, ...]
    modalities: tuple[str, ...]
    conditions: str
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    languages: str = ""
    size: float = 1.0
    ldc_only: bool = False
    sids_only: bool = False
    status: str = "published"
    unit: str = ""
    unit_cost_usd: int = 0


@dataclass(frozen=True)
class Donor:
    slug: str
    currency: str
    offers: tuple[OfferSpec, ...]


@dataclass(frozen=True)
class Catalogue:
    projects: tuple[ProjectTemplate, ...]
    places: dict[str, tuple[str, ...]]
    requesters: tuple[Requester, ...]
    donors: tuple[Donor, ...]
    region_languages: dict[str, str] = field(default_factory=dict)
    worldwide_languages: str = "en"


def _read(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _pair(value) -> tuple | None:
    return None if value is None else (value[0], value[1])


def _project(item: dict) -> ProjectTemplate:
    return ProjectTemplate(
        topic=item["topic"],
        title=item["title"],
        description=item["description"],
        goal=item["goal"],
        unit=item["unit"],
        quantity=_pair(item["quantity"]),
        unit_cost_usd=_pair(item["unit_cost_usd"]),
        modality=item["modality"],
        weight=float(item.get("weight", 1)),
        step=int(item.get("step", 1)),
        days=_pair(item.get("days")),
        fixed_cost_usd=_pair(item.get("fixed_cost_usd")),
        alt_modality=item.get("alt_modality", ""),
        places=item.get("places", ""),
        commitment=item.get("commitment", ""),
    )


def _offer(item: dict, programmes: dict[str, dict]) -> OfferSpec:
    merged = {**programmes[item["programme"]], **item}
    conditions = merged.get("conditions", "")
    if merged.get("exclusion_note"):
        conditions = f"{conditions} {merged['exclusion_note']}".strip()
    return OfferSpec(
        programme=item["programme"],
        title=merged["title"],
        description=merged["description"],
        topics=tuple(merged["topics"]),
        modalities=tuple(merged["modalities"]),
        conditions=conditions,
        regions=tuple(merged.get("regions", ())),
        countries=tuple(merged.get("countries", ())),
        exclude=tuple(merged.get("exclude", ())),
        languages=merged.get("languages", ""),
        size=float(merged.get("size", 1)),
        ldc_only=bool(merged.get("ldc_only", False)),
        sids_only=bool(merged.get("sids_only", False)),
        status=merged.get("status", "published"),
        unit=merged.get("unit", ""),
        unit_cost_usd=int(merged.get("unit_cost_usd", 0)),
    )


@cache
def load_catalogue(folder: Path = DEMO_SEEDS_DIR) -> Catalogue:
    """Read the demo files once; a broken file fails loudly here rather than mid-build."""
    projects = _read(folder / "projects.json")
    requesters = _read(folder / "requesters.json")
    donors = _read(folder / "donors.json")
    programmes = donors["programmes"]
    return Catalogue(
        projects=tuple(_project(item) for item in projects["projects"]),
        places={key: tuple(values) for key, values in projects["places"].items()},
        requesters=tuple(
            Requester(**{**item, "showcase": tuple(item.get("showcase", ()))})
            for item in requesters["requesters"]
        ),
        donors=tuple(
            Donor(
                slug=item["slug"],
                currency=item["currency"],
                offers=tuple(_offer(offer, programmes) for offer in item["offers"]),
            )
            for item in donors["donors"]
        ),
        region_languages=dict(donors.get("region_languages", {})),
        worldwide_languages=donors.get("worldwide_languages", "en"),
    )
