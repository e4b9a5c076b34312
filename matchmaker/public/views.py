"""Page contexts of the public pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from matchmaker.i18n import get_language
from matchmaker.public.services import PortfolioFigures, portfolio_figures
from matchmaker.reference.names import region_name


@dataclass(frozen=True)
class RegionBar:
    name: str
    m49: str
    needs: int
    states: int
    requested_usd: int
    agreed_usd: int
    coverage: float
    width: int  # percent of the largest region's requested value, for the bar chart


@dataclass(frozen=True)
class LandingPage:
    figures: PortfolioFigures
    regions: list[RegionBar]

    @classmethod
    def build(cls, session: Session) -> LandingPage:
        figures = portfolio_figures(session)
        largest = max((r.requested_usd for r in figures.by_region), default=0) or 1
        language = get_language()
        regions = [
            RegionBar(region_name(r, language), r.m49, r.needs, r.states, r.requested_usd, r.agreed_usd,
                      r.coverage, round(100 * r.requested_usd / largest))
            for r in figures.by_region
        ]
        return cls(figures=figures, regions=regions)
