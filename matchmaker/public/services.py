"""Live figures of the portfolio for the landing page and the public dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlmodel import Session

from matchmaker.models import (
    PUBLIC_NEED_STATUSES,
    Country,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    Proposal,
    ProposalState,
    Region,
    Visibility,
)


@dataclass(frozen=True)
class RegionFigures:
    m49: str
    name: str
    needs: int
    states: int
    requested_usd: int
    agreed_usd: int

    @property
    def coverage(self) -> float:
        return self.agreed_usd / self.requested_usd if self.requested_usd else 0.0


@dataclass(frozen=True)
class PortfolioFigures:
    needs: int  # open and matched ones (OPEN_AND_MATCHED)
    requesting_states: int
    offers: int
    donors: int
    requested_usd: int
    offered_usd: int
    agreed_usd: int
    open_proposals: int
    by_region: list[RegionFigures]

    @property
    def coverage(self) -> float:
        return self.agreed_usd / self.requested_usd if self.requested_usd else 0.0


# "Open and matched needs": still asking or agreed, not yet in delivery or completed
OPEN_AND_MATCHED = (NeedStatus.PUBLISHED, NeedStatus.PARTLY_MATCHED, NeedStatus.MATCHED)


def _public_needs():
    return (Need.status.in_(PUBLIC_NEED_STATUSES)) & (Need.visibility == Visibility.PUBLIC)


def portfolio_figures(session: Session) -> PortfolioFigures:
    """Totals over published, public needs and published offers, and the same by region."""
    needs, states, requested, agreed = session.execute(
        select(
            func.coalesce(func.sum(case((Need.status.in_(OPEN_AND_MATCHED), 1), else_=0)), 0),
            func.count(func.distinct(Need.country_id)),
            func.coalesce(func.sum(Need.cost_usd), 0),
            func.coalesce(func.sum(Need.agreed_usd), 0),
        ).where(_public_needs())
    ).one()
    offers, donors, offered = session.execute(
        select(
            func.count(Offer.id),
            func.count(func.distinct(Offer.organisation_id)),
            func.coalesce(func.sum(Offer.budget_usd), 0),
        ).where(Offer.status.in_((OfferStatus.PUBLISHED, OfferStatus.EXHAUSTED)))
    ).one()
    open_proposals = session.execute(
        select(func.count(Proposal.id)).where(
            Proposal.state.in_(
                (ProposalState.PROPOSED, ProposalState.ACCEPTED_BY_DONOR,
                 ProposalState.ACCEPTED_BY_REQUESTER)
            )
        )
    ).scalar_one()
    rows = session.execute(
        select(
            Region.m49,
            Region.name,
            func.count(Need.id),
            func.count(func.distinct(Need.country_id)),
            func.coalesce(func.sum(Need.cost_usd), 0),
            func.coalesce(func.sum(Need.agreed_usd), 0),
        )
        .join(Country, Country.region_id == Region.id)
        .join(Need, Need.country_id == Country.id)
        .where(_public_needs())
        .group_by(Region.m49, Region.name)
        .order_by(func.sum(Need.cost_usd).desc())
    ).all()
    return PortfolioFigures(
        needs=int(needs),
        requesting_states=states,
        offers=offers,
        donors=donors,
        requested_usd=int(requested),
        offered_usd=int(offered),
        agreed_usd=int(agreed),
        open_proposals=open_proposals,
        by_region=[RegionFigures(r[0], r[1], r[2], r[3], int(r[4]), int(r[5])) for r in rows],
    )


def database_is_reachable(session: Session) -> bool:
    try:
        session.execute(select(1)).scalar_one()
        return True
    except Exception:  # noqa: BLE001 - the health check reports any failure as "down"
        return False
