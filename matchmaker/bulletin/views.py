"""Page contexts of the bulletin archive and of one bulletin: names in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.bulletin.services import summary_params
from matchmaker.i18n import _
from matchmaker.models import Bulletin, Category, Country, Region
from matchmaker.notifications.summaries import bulletin_lines, month_name
from matchmaker.reference.names import category_name, country_name, region_name


@dataclass(frozen=True)
class Figure:
    name: str
    count: int
    usd: int


@dataclass(frozen=True)
class Listed:
    """A need or an offer of the month."""

    reference: str
    title: str
    url: str
    where: str  # the State and topic of a need, the donor of an offer
    usd: int


@dataclass(frozen=True)
class Pair:
    """An agreement or a delivery of the month."""

    need: Listed
    offer: Listed
    usd: int


@dataclass(frozen=True)
class CoverageRow:
    name: str
    before: float
    after: float
    requested_usd: int
    agreed_usd: int


@dataclass(frozen=True)
class ArchiveEntry:
    period: str
    month: str
    summary: str


@dataclass(frozen=True)
class ArchivePage:
    entries: list[ArchiveEntry]

    @classmethod
    def build(cls, bulletins: list[Bulletin]) -> ArchivePage:
        return cls([ArchiveEntry(b.period, month_name(b.period),
                                 bulletin_lines(summary_params(b))[0]) for b in bulletins])


class Names:
    """Names of the codes a bulletin keeps, in the current language."""

    def __init__(self, db: Session) -> None:
        language = i18n.get_language()
        self.regions = {r.m49: region_name(r, language) for r in db.scalars(select(Region))}
        self.countries = {c.iso3: country_name(c, language) for c in db.scalars(select(Country))}
        self.topics = {c.code: category_name(c, _) for c in db.scalars(select(Category))}


def _share(figures: dict) -> float:
    return figures["agreed"] / figures["requested"] if figures.get("requested") else 0.0


def _need(item: dict, names: Names, reference="reference", title="title") -> Listed:
    where = names.countries.get(item["country"], item["country"])
    if "topic" in item:
        where = f"{where} · {names.topics.get(item['topic'], item['topic'])}"
    return Listed(item[reference], item[title], f"/needs/{item[reference]}", where,
                  item["usd"])


@dataclass(frozen=True)
class BulletinPage:
    period: str
    month: str
    summary: list[str]
    needs_count: int
    needs_by_region: list[Figure]
    needs_by_topic: list[Figure]
    needs: list[Listed]
    offers: list[Listed]
    agreements: list[Pair]
    deliveries: list[Pair]
    coverage: list[CoverageRow]
    more_than_listed: bool

    @classmethod
    def build(cls, db: Session, bulletin: Bulletin) -> BulletinPage:
        names, content = Names(db), bulletin.content

        def pairs(section: str) -> list[Pair]:
            return [Pair(_need(item, names, "need_ref", "need_title"),
                         Listed(item["offer_ref"], item["offer_title"],
                                f"/offers/{item['offer_ref']}", item["donor"], item["usd"]),
                         item["usd"]) for item in content[section]["items"]]

        before, after = content["coverage"]["before"], content["coverage"]["after"]
        coverage = [CoverageRow(names.regions.get(m49, m49), _share(before.get(m49, {})),
                                _share(figures), figures["requested"], figures["agreed"])
                    for m49, figures in after.items() if m49 != "all"]
        coverage.sort(key=lambda row: -row.requested_usd)
        coverage.append(CoverageRow(_("All regions"), _share(before["all"]),
                                    _share(after["all"]), after["all"]["requested"],
                                    after["all"]["agreed"]))
        listed = ("needs", "offers", "agreements", "deliveries")
        return cls(
            period=bulletin.period,
            month=month_name(bulletin.period),
            summary=bulletin_lines(summary_params(bulletin)),
            needs_count=content["needs"]["count"],
            needs_by_region=[Figure(names.regions.get(r["m49"], r["m49"]), r["count"], r["usd"])
                             for r in content["needs"]["by_region"]],
            needs_by_topic=[Figure(names.topics.get(t["code"], t["code"]), t["count"], t["usd"])
                            for t in content["needs"]["by_topic"]],
            needs=[_need(item, names) for item in content["needs"]["items"]],
            offers=[Listed(o["reference"], o["title"], f"/offers/{o['reference']}", o["donor"],
                           o["usd"]) for o in content["offers"]["items"]],
            agreements=pairs("agreements"),
            deliveries=pairs("deliveries"),
            coverage=coverage,
            more_than_listed=any(content[s]["count"] > len(content[s]["items"]) for s in listed),
        )
