"""What the latest solver run says to the parties themselves, on their need or offer page.

A requester reads why its need is not covered yet and what would help; a donor reads what its
remaining budget would buy (the run's shadow price) and which compatible needs are still open.
The run stores facts (:mod:`matchmaker.matching.explain`); the words come from
:mod:`matchmaker.runs.explain_words`, so the run page and these pages say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import defer
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer, can_edit_offer, in_region, needs_visible
from matchmaker.i18n import _
from matchmaker.matching.scope import Scope
from matchmaker.models import OPEN_NEED_STATUSES, MatchRun, Need, Offer, OfferStatus, RunState
from matchmaker.needs import services as need_services
from matchmaker.needs.fundable import fundable_need_ids
from matchmaker.needs.services import NeedRow
from matchmaker.needs.views import NeedItem
from matchmaker.portfolio.coverage import ProposalTotals, need_totals
from matchmaker.reference.names import category_name, country_name
from matchmaker.runs.explain_words import SHADOW_STEP, NeedNames, _Sentences, shadow_sentence
from matchmaker.web.templating import money

RECENT_RUNS = 20  # how far back to look for the run that considered a need or an offer
LISTED_NEEDS = 10  # uncovered compatible needs named on an offer's page; the rest are linked


def _runs_since(db: Session, since: datetime | None) -> list[MatchRun]:
    """Finished runs, latest first, that ended after ``since`` (their results not yet read:
    a run's result can be large and only the chosen one is needed)."""
    query = (select(MatchRun).options(defer(MatchRun.result))
             .where(MatchRun.state == RunState.DONE, MatchRun.finished_at.is_not(None)))
    if since is not None:
        query = query.where(MatchRun.finished_at >= since)
    return list(db.scalars(query.order_by(MatchRun.finished_at.desc(), MatchRun.id.desc())
                           .limit(RECENT_RUNS)))


def _scope_includes(db: Session, run: MatchRun, need: Need) -> bool:
    scope = Scope.of_run(run)
    countries, topics = scope.need_country_ids(db), scope.topic_ids(db)
    return ((countries is None or need.country_id in countries)
            and (topics is None or need.topic_id in topics))


def latest_run_for_need(db: Session, need: Need) -> MatchRun | None:
    """The latest finished run whose scope included ``need`` since it was published."""
    since = need.published_at or need.created_at
    return next((run for run in _runs_since(db, since) if _scope_includes(db, run, need)), None)


def latest_offer_fact(db: Session, offer: Offer) -> tuple[MatchRun | None, dict | None]:
    """The latest finished run that weighed ``offer`` (it is among the run's shadow prices),
    with the offer's facts in it."""
    for run in _runs_since(db, offer.published_at or offer.created_at):
        fact = next((f for f in (run.result or {}).get("shadow_prices", [])
                     if f.get("offer_id") == offer.id), None)
        if fact is not None:
            return run, fact
    return None, None


# --- a requester's need -------------------------------------------------------------------

@dataclass(frozen=True)
class NeedExplanation:
    """Why a need is not covered yet, from the latest run; no run yet when ``run_id`` is None."""

    run_id: int | None = None
    run_day: date | None = None
    reason: str = ""  # code of the run's reason, for styling and tests
    sentence: str = ""  # why, in the reader's language
    advice: str = ""  # what would help
    shortfall: int = 0
    run_link: bool = False  # the reader may open the run page

    @property
    def pending(self) -> bool:
        return self.run_id is None


def may_read_need_explanation(viewer: Viewer, need: Need) -> bool:
    """The need's own State, the coordinators of its region and admins."""
    own_state = viewer.is_requester and (need.organisation_id == viewer.organisation_id
                                         or need.country_id == viewer.country_id)
    return own_state or in_region(viewer, need.country_id)


def need_explanation(db: Session, viewer: Viewer, row: NeedRow, language: str
                     ) -> NeedExplanation | None:
    """What the latest run found for an open need, for those who may read it; None when the
    run covered the need (its proposals tell the rest) or the need is not open."""
    need = row.need
    if need.status not in OPEN_NEED_STATUSES or not may_read_need_explanation(viewer, need):
        return None
    run = latest_run_for_need(db, need)
    if run is None:
        return NeedExplanation()
    fact = next((f for f in (run.result or {}).get("unmet", []) if f["need_id"] == need.id),
                None)
    if fact is None:
        return None
    names = NeedNames(db, viewer, language, set(fact.get("takers") or ()))
    return NeedExplanation(
        run_id=run.id, run_day=run.finished_at.date(), reason=fact["reason"],
        sentence=_Sentences(db, language, [fact], names).unmet(fact),
        advice=_advice(fact, row, language), shortfall=int(fact.get("shortfall", 0)),
        run_link=viewer.can_run_solver)


def _advice(fact: dict, row: NeedRow, language: str) -> str:
    """What would help, following the run's reason."""
    words = {"topic": category_name(row.topic, _),
             "modality": category_name(row.modality, _).lower(),
             "country": country_name(row.country, language)}
    reason, cause = fact["reason"], fact.get("cause", "no_topic")
    if reason == "partly_covered":
        return _("What would help: another offer for the remaining %(amount)s.",
                 amount=money(fact["shortfall"]))
    if reason == "outbid":
        return _("What would help: more budget in the offers open to it, or a new offer of "
                 "%(modality)s for %(topic)s open to %(country)s.", **words)
    if reason == "too_large":
        return _("What would help: splitting the need into phases that one offer can fund, or "
                 "a run that lets several offers co-fund it.")
    if reason == "not_worthwhile":
        return _("What would help: a coordinator running the matching again with other "
                 "weights.")
    if cause == "no_modality":
        return _("What would help: an offer giving %(modality)s for %(topic)s, or asking for "
                 "a modality that the offers for this topic give.", **words)
    if cause == "not_eligible":
        return _("What would help: a donor opening its offer of %(modality)s for %(topic)s to "
                 "%(country)s; a message to the donor can ask for it.", **words)
    if cause == "window":
        return _("What would help: a wanted start and deadline that overlap when the offers "
                 "are available, or a donor extending its offer.")
    if cause == "declined":
        return _("What would help: a new offer for %(topic)s, or a conversation with the donors "
                 "who declined.", **words)
    if cause == "proposed":
        return _("What would help: answering the proposals already made for this need.")
    if cause in ("spent", "taken"):
        return _("What would help: a donor adding budget to its offer, or a new offer of "
                 "%(modality)s for %(topic)s open to %(country)s.", **words)
    return _("What would help: a donor publishing an offer of %(modality)s for %(topic)s open "
             "to %(country)s.", **words)


# --- a donor's offer ----------------------------------------------------------------------

@dataclass(frozen=True)
class UncoveredNeed:
    item: NeedItem
    lacking_usd: int  # neither agreed nor proposed yet


@dataclass(frozen=True)
class OfferExplanation:
    """What an offer's remaining budget would buy, and the compatible needs still uncovered."""

    run_id: int | None = None
    run_day: date | None = None
    budget_sentence: str = ""  # from the latest run's shadow price; "" before any run
    spent: bool = False  # nothing left (committed or held) and no run weighed what is left
    needs: tuple[UncoveredNeed, ...] = ()
    more_needs: int = 0
    fundable_link: bool = False  # the reader has the "needs I could fund" page
    run_link: bool = False
    step: int = SHADOW_STEP

    @property
    def pending(self) -> bool:
        return self.run_id is None


def may_read_offer_explanation(viewer: Viewer, offer: Offer) -> bool:
    """The offer's own organisation, coordinators and admins."""
    return can_edit_offer(viewer, offer) or viewer.is_coordinator or viewer.is_admin


def offer_explanation(db: Session, viewer: Viewer, offer: Offer, free_usd: int, language: str
                      ) -> OfferExplanation | None:
    """For a published offer and those who may read it; ``free_usd`` is what is neither
    committed nor held by open proposals."""
    if offer.status != OfferStatus.PUBLISHED or not may_read_offer_explanation(viewer, offer):
        return None
    run, fact = latest_offer_fact(db, offer)
    sentence = ""
    if fact is not None:
        names = NeedNames(db, viewer, language, set(fact.get("beneficiaries") or ()))
        sentence = shadow_sentence(fact, run.objective or 0.0, names)
    needs = _uncovered_needs(db, viewer, offer, language)
    return OfferExplanation(
        run_id=run.id if run else None, run_day=run.finished_at.date() if run else None,
        budget_sentence=sentence, spent=fact is None and free_usd <= 0,
        needs=tuple(needs[:LISTED_NEEDS]), more_needs=max(0, len(needs) - LISTED_NEEDS),
        fundable_link=viewer.is_donor and can_edit_offer(viewer, offer),
        run_link=viewer.can_run_solver)


def _uncovered_needs(db: Session, viewer: Viewer, offer: Offer, language: str
                     ) -> list[UncoveredNeed]:
    """Needs the offer could fund that agreed and open proposals do not cover yet (a run's
    open proposals do not hold an offer, so the encoder alone would list them), nearest
    deadline first, among those ``viewer`` may see."""
    ids = fundable_need_ids(db, offer.organisation_id, date.today(), offer_id=offer.id)
    rows = need_services.needs_by_ids(db, ids, needs_visible(viewer)) if ids else []
    totals = need_totals(db, [row.need.id for row in rows])
    needs = []
    for row in rows:
        proposed = totals.get(row.need.id, ProposalTotals()).open_usd
        lacking = row.need.cost_usd - row.need.agreed_usd - proposed
        if lacking > 0:
            needs.append(UncoveredNeed(NeedItem.from_row(row, language), lacking))
    return needs
