"""What every step of the demo build shares: the reference data, the clock and the error type."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from matchmaker.models import (
    Category,
    CategoryLevel,
    Country,
    Modality,
    Organisation,
    OrganisationRegion,
    Region,
)
from matchmaker.reference.money import get_currency


class DemoError(RuntimeError):
    """The demo portfolio cannot be built here (reference data missing, portfolio not empty)."""


@dataclass(frozen=True)
class Clock:
    """Every date of the demo is relative to ``today``, so a build is reproducible."""

    today: date

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def moment(self, offset_days: int, rng: random.Random | None = None) -> datetime:
        """A UTC time on day ``today + offset_days``: office hours when ``rng`` is given."""
        minutes = rng.randint(8 * 60, 18 * 60) if rng else 9 * 60
        start = datetime.combine(self.day(offset_days), time(), tzinfo=UTC)
        return start + timedelta(minutes=minutes)


@dataclass
class Reference:
    """The reference data the demo builds on, keyed by natural keys (never by database id)."""

    countries: dict[str, Country]
    regions: dict[str, Region]
    topics: dict[str, Category]
    areas: dict[str, Category]
    modalities: dict[str, Modality]
    organisations: dict[str, Organisation]
    organisation_regions: dict[int, list[Region]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.country_by_id = {country.id: country for country in self.countries.values()}
        self.region_by_id = {region.id: region for region in self.regions.values()}
        self.area_by_id = {area.id: area for area in self.areas.values()}
        self.topic_area = {topic.id: topic.parent_id for topic in self.topics.values()}
        self.topics_of_area: dict[int, list[Category]] = {}
        for topic in self.topics.values():
            self.topics_of_area.setdefault(topic.parent_id, []).append(topic)

    def area_of(self, topic: Category) -> Category:
        return self.area_by_id[topic.parent_id]

    def need_topic(self, code: str) -> Category | None:
        """The topic ``code``; if the taxonomy lacks it, the first topic of its area."""
        if code in self.topics:
            return self.topics[code]
        area = self.areas.get(code.split(".")[0])
        if area is None:
            return None
        return self.topics_of_area[area.id][0]

    def offer_category(self, code: str) -> Category | None:
        """A topic or an area by code; a missing topic falls back to its whole area."""
        return self.topics.get(code) or self.areas.get(code) or self.areas.get(code.split(".")[0])

    def country_regions(self, country: Country) -> set[int]:
        ids = {country.region_id, country.subregion_id, country.intermediate_region_id}
        return {region_id for region_id in ids if region_id is not None}


def load_reference(session: Session) -> Reference:
    """Read the reference data, in a fixed order, or raise DemoError if it is not loaded."""
    countries = session.exec(select(Country).order_by(Country.iso3)).all()
    categories = session.exec(select(Category).order_by(Category.sort_order, Category.code)).all()
    modalities = session.exec(select(Modality).order_by(Modality.sort_order, Modality.code)).all()
    if not countries or not categories or not modalities:
        raise DemoError("load the reference data first (`matchmaker seed`)")
    organisations = session.exec(
        select(Organisation)
        .where(Organisation.is_reference == True)  # noqa: E712
        .order_by(Organisation.slug)
    ).all()
    regions = session.exec(select(Region).order_by(Region.m49)).all()
    by_id = {region.id: region for region in regions}
    covered: dict[int, list[Region]] = {}
    links = session.exec(select(OrganisationRegion)).all()
    for link in sorted(links, key=lambda link: (link.organisation_id, by_id[link.region_id].m49)):
        covered.setdefault(link.organisation_id, []).append(by_id[link.region_id])
    return Reference(
        countries={country.iso3: country for country in countries},
        regions={region.m49: region for region in regions},
        topics={c.code: c for c in categories if c.level == CategoryLevel.TOPIC},
        areas={c.code: c for c in categories if c.level == CategoryLevel.AREA},
        modalities={modality.code: modality for modality in modalities},
        organisations={organisation.slug: organisation for organisation in organisations},
        organisation_regions=covered,
    )


def stream(seed: int, name: str) -> random.Random:
    """An independent random stream per build step, so that changing one step's draws does
    not reshuffle every other step (string seeds are hashed the same way on every run)."""
    return random.Random(f"{seed}:{name}")


# Money columns are 32-bit integers on PostgreSQL: an amount in a currency with small units
# (Colombian pesos, won) above this is costed in US dollars instead.
MAX_AMOUNT = 2**31 - 1


def in_currency(amount_usd: float, currency: str) -> tuple[int, str]:
    """``amount_usd`` rounded in ``currency``, or in USD when it would not fit a column."""
    amount = nice_round(amount_usd / float(get_currency(currency).usd_per_unit))
    if amount > MAX_AMOUNT:
        return nice_round(amount_usd), "USD"
    return amount, currency


def nice_round(value: float) -> int:
    """Round to three significant digits (budgets and costs are estimates): 143,712 -> 144,000."""
    if value <= 0:
        return 0
    magnitude = 10 ** max(len(str(int(value))) - 3, 0)
    return max(int(round(value / magnitude)) * magnitude, 1)
