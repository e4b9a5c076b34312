"""Needs I could fund: the open needs a donor's published offers are compatible with and that
the offers could still take, by the matching encoder's own rules (topic, modality, the State's
eligibility, availability, pairs declined or already proposed), as the solver would see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from matchmaker.accounts.authz import Viewer, needs_visible
from matchmaker.matching.encode import encode
from matchmaker.matching.load import load_portfolio
from matchmaker.matching.scope import Scope
from matchmaker.needs import services
from matchmaker.needs.views import NeedItem


def fundable_need_ids(db: Session, organisation_id: int, today: date,
                      offer_id: int | None = None) -> set[int]:
    """Open, not fully covered needs some offer of ``organisation_id`` (only ``offer_id``, when
    given) is compatible with."""
    portfolio = load_portfolio(db, Scope(), today)
    portfolio.offers = [o for o in portfolio.offers if o.organisation_id == organisation_id
                        and offer_id in (None, o.id)]
    if not portfolio.offers or not portfolio.needs:
        return set()
    encoded = encode(portfolio, today)
    return {encoded.needs[n].id for n in set(encoded.arcs.need_index.tolist())}


@dataclass(frozen=True)
class FundablePage:
    items: list[NeedItem]

    @classmethod
    def build(cls, db: Session, viewer: Viewer, language: str) -> FundablePage:
        ids = fundable_need_ids(db, viewer.organisation_id, date.today())
        rows = services.needs_by_ids(db, ids, needs_visible(viewer)) if ids else []
        return cls(items=[NeedItem.from_row(row, language) for row in rows])



