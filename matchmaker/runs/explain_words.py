"""A run's result in words a coordinator or a donor can act on, in the reader's language.

The run stores facts (reason codes, amounts, references: :mod:`matchmaker.matching.explain`);
the sentences are made here, when shown, so they follow the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.authz import Viewer, needs_visible
from matchmaker.i18n import _, lazy_gettext, ngettext
from matchmaker.matching.scope import Scope
from matchmaker.models import Category, Country, MatchRun, Modality, Need, Offer
from matchmaker.proposals.labels import STATE_LABELS
from matchmaker.reference.names import category_name, country_name
from matchmaker.runs import services
from matchmaker.runs.schemas import CRITERION_LABELS
from matchmaker.runs.summary import run_summary_sentence
from matchmaker.web.templating import money, number
from solver.score import DEFAULT_WEIGHTS

SHADOW_STEP = 10_000  # dollars: "another $10,000 in this offer would ..."


def progress_text(run: MatchRun) -> str:
    """What the run is doing now, in a sentence."""
    stage = run.progress_message
    limit = (run.parameters or {}).get("time_limit_s", 10)
    if run.state == "failed":
        return _("The run failed: %(error)s", error=run.error)
    if run.state == "done":
        return _("Done in %(seconds)s s.", seconds=number(run.seconds or 0, 1))
    if stage == "loading":
        return _("Loading the open needs and offers…")
    if stage == "scoring":
        return _("Finding compatible pairs and scoring them…")
    if stage == "solving":
        return _(
            "Solving for %(needs)s needs and %(offers)s offers (%(arcs)s compatible pairs); "
            "at most %(limit)s s…",
            needs=number(run.n_needs), offers=number(run.n_offers), arcs=number(run.n_arcs),
            limit=number(limit))
    if stage == "writing":
        return _("Writing the proposals…")
    return _("Waiting for a worker to pick the run up…")


@dataclass(frozen=True)
class Bar:
    criterion: str
    label: str
    value: float
    width: float  # percent of the highest score possible: the bars stack up to the score


@dataclass(frozen=True)
class ProposalItem:
    id: int
    need_reference: str
    need_title: str
    country: str
    offer_reference: str
    offer_title: str
    donor: str
    amount_usd: int
    share: float
    score: float
    state: str
    state_label: str
    bars: list[Bar]  # every criterion, largest first

    @property
    def summary(self) -> str:
        """The criteria that earned the score, largest first: "Topic match 3.00 · ..."."""
        return " · ".join(f"{bar.label} {number(bar.value, 2)}" for bar in self.bars
                          if bar.value > 0)


def breakdown_bars(breakdown: dict, weights: dict) -> list[Bar]:
    """The weighted value of each criterion, on the scale of the highest possible score."""
    full = sum(w for w in weights.values() if w > 0) or 1.0
    bars = [Bar(name, str(CRITERION_LABELS[name]), float(value), 100 * max(float(value), 0) / full)
            for name, value in breakdown.items() if name in CRITERION_LABELS]
    return sorted(bars, key=lambda bar: -bar.value)


@dataclass(frozen=True)
class UnmetItem:
    need_id: int
    reference: str
    title: str
    country: str
    reason: str
    shortfall: int
    sentence: str


@dataclass(frozen=True)
class ShadowItem:
    reference: str
    title: str
    value: float
    left: int
    sentence: str


def _names(db: Session, model, ids: set[int]) -> dict[int, object]:
    if not ids:
        return {}
    return {r.id: r for r in db.scalars(select(model).where(model.id.in_(sorted(ids))))}


def _refs(refs: list[str], more: int = 0, names: NeedNames | None = None) -> str:
    """Needs by title and State (those the reader may see; the others are counted)."""
    named = names.of(refs) if names else refs
    more += len(refs) - len(named)
    text = ", ".join(named)
    if not named:
        return ngettext("%(num)d other need", "%(num)d other needs", more)
    return _("%(refs)s and %(more)s more", refs=text, more=more) if more else text


class NeedNames:
    """Needs named "Title (State)" in the reader's language, for the needs the reader may see."""

    def __init__(self, db: Session, viewer: Viewer, language: str, references: set[str]):
        rows = db.execute(select(Need.reference, Need.title, Need.country_id).where(
            Need.reference.in_(sorted(references)), needs_visible(viewer))).all() \
            if references else []
        countries = _names(db, Country, {row.country_id for row in rows})
        self.names = {row.reference: _("%(title)s (%(state)s)", title=row.title,
                                       state=country_name(countries[row.country_id], language))
                      for row in rows}

    def of(self, references: list[str]) -> list[str]:
        return [self.names[ref] for ref in references if ref in self.names]


class _Sentences:
    """Turns the stored facts into sentences, with names in the reader's language."""

    def __init__(self, db: Session, language: str, unmet: list[dict],
                 names: NeedNames | None = None) -> None:
        self.language = language
        self.names = names
        self.offers = _names(db, Offer, {u["best_offer_id"] for u in unmet
                                         if u.get("best_offer_id")})
        self.countries = _names(db, Country, {u["country_id"] for u in unmet})
        self.topics = _names(db, Category, {u["topic_id"] for u in unmet})
        self.modalities = _names(db, Modality, {u["modality_id"] for u in unmet})

    def unmet(self, fact: dict) -> str:
        country = self.countries.get(fact["country_id"])
        place = country_name(country, self.language) if country else "?"
        topic_record = self.topics.get(fact["topic_id"])
        modality_record = self.modalities.get(fact["modality_id"])
        topic = category_name(topic_record, _) if topic_record else "?"
        modality = category_name(modality_record, _).lower() if modality_record else "?"
        reason = fact["reason"]
        if reason == "partly_covered":
            return _("Partly covered: short by %(amount)s; compatible offers have nothing left.",
                     amount=money(fact["shortfall"]))
        if reason == "outbid":
            takers = fact.get("takers") or []
            offer = self.offers.get(fact.get("best_offer_id"))
            if takers:
                return _(
                    "Compatible offers were used by higher-scoring needs: its best match, "
                    "%(offer)s, went to %(needs)s.",
                    offer=offer.title if offer else fact.get("best_offer", "?"),
                    needs=_refs(takers, names=self.names))
            return _("Compatible offers were used by higher-scoring needs or are already "
                     "held by open proposals.")
        if reason == "too_large":
            return _(
                "No compatible offer has %(amount)s left to take the whole need (the largest "
                "has %(left)s); a split run could co-fund it.",
                amount=money(fact["remaining"]), left=money(fact.get("best_offer_left", 0)))
        if reason == "not_worthwhile":
            return _("Its compatible offers score nothing with these weights.")
        cause = fact.get("cause", "no_topic")
        if cause == "no_modality":
            return _("Offers cover %(topic)s, but none gives %(modality)s.",
                     topic=topic, modality=modality)
        if cause == "not_eligible":
            return _("Offers give %(modality)s for %(topic)s, but none is open to %(country)s.",
                     modality=modality, topic=topic, country=place)
        if cause == "window":
            return _("Compatible offers are not available between the need's start and its "
                     "deadline.")
        if cause == "declined":
            return _("Every compatible offer was declined for this need before.")
        if cause == "proposed":
            return _("Its compatible offers already have a proposal for it, agreed or awaiting "
                     "an answer; the rest of the need is open to other donors.")
        if cause == "spent":
            return _("Offers give %(modality)s for %(topic)s to %(country)s, but their budget "
                     "is committed or held by open proposals.",
                     modality=modality, topic=topic, country=place)
        if cause == "taken":
            return _("Each offer open to it already has a proposal for it or has its budget "
                     "committed or held by open proposals.")
        return _("No offer covers %(topic)s for %(country)s.", topic=topic, country=place)


def shadow_sentence(fact: dict, objective: float, names: NeedNames | None = None) -> str:
    """What more of an offer would do, from its shadow price (the LP dual of its capacity),
    always stated for the same step of ``SHADOW_STEP`` dollars."""
    # The dual holds for small changes; never claim more than the needs can still use.
    step = min(SHADOW_STEP, fact.get("usable", SHADOW_STEP))
    gain = fact["value"] * step
    if gain > 1e-9:
        share = f" (+{gain / objective:.1%})" if objective > 0 else ""
        needs = _refs(fact.get("beneficiaries") or [], fact.get("more_beneficiaries", 0), names)
        if step < SHADOW_STEP:
            return _(
                "Another %(step)s in this offer, all that its compatible needs still lack, "
                "would add about %(gain)s to the portfolio's score%(share)s and would go to "
                "cover %(needs)s.", step=money(step), gain=number(gain, 2), share=share,
                needs=needs)
        return _(
            "Another %(step)s in this offer would add about %(gain)s to the portfolio's "
            "score%(share)s and would go to cover %(needs)s.", step=money(step),
            gain=number(gain, 2), share=share, needs=needs)
    if fact["left"] > 0:
        return _("%(left)s of this offer is still unused: its compatible needs are covered, "
                 "so more would not change the proposals.", left=money(fact["left"]))
    return _("All of this offer is proposed and its compatible needs are covered: more of "
             "it would not add to the score.")


UNMET_GROUPS = {
    "no_compatible_offer": lazy_gettext("No compatible offer"),
    "outbid": lazy_gettext("Outbid by higher-scoring needs"),
    "too_large": lazy_gettext("Too large for any single compatible offer"),
    "partly_covered": lazy_gettext("Partly covered"),
    "not_worthwhile": lazy_gettext("Scoring nothing with these weights"),
}


@dataclass(frozen=True)
class UnmetGroup:
    reason: str
    label: str
    items: list[UnmetItem]
    shortfall: int


def group_unmet(items: list[UnmetItem]) -> list[UnmetGroup]:
    """Unmet needs by reason (in the order of UNMET_GROUPS), largest shortfall first."""
    groups = []
    for reason, label in UNMET_GROUPS.items():
        members = sorted((i for i in items if i.reason == reason), key=lambda i: -i.shortfall)
        if members:
            groups.append(UnmetGroup(reason, str(label), members,
                                     sum(i.shortfall for i in members)))
    return groups


@dataclass(frozen=True)
class ResultWords:
    """The result of a finished run, ready to show."""

    summary: str  # the whole run in one plain sentence
    proposals: list[ProposalItem]
    proposals_total: int
    legend: list[tuple[str, str]]  # criterion, label
    unmet: list[UnmetItem]
    unmet_groups: list[UnmetGroup]
    shadow_prices: list[ShadowItem]
    requested_usd: int
    proposed_usd: int
    coverage: float
    superseded: int
    held_count: int
    held_usd: int
    solve_seconds: float
    method: str
    shadow_step: int = SHADOW_STEP  # the one unit every shadow price is stated in

    @property
    def is_demo_history(self) -> bool:
        """A run the demo generator wrote (greedy, no bound), not one the solver carried out."""
        return self.method.startswith("demo")

    @classmethod
    def build(cls, db: Session, viewer: Viewer, run: MatchRun) -> ResultWords:
        result = run.result or {}
        language = i18n.get_language()  # the page's language, which a lang cookie may set
        rows, total = services.run_proposals(db, viewer, run)
        weights = (run.parameters or {}).get("weights") or DEFAULT_WEIGHTS
        country_ids = {row.need.country_id for row in rows}
        countries = _names(db, Country, country_ids)
        proposals = [
            ProposalItem(
                id=row.proposal.id,
                need_reference=row.need.reference,
                need_title=row.need.title,
                country=country_name(countries[row.need.country_id], language),
                offer_reference=row.offer.reference,
                offer_title=row.offer.title,
                donor=row.donor,
                amount_usd=row.proposal.amount_usd,
                share=row.proposal.share,
                score=row.proposal.score,
                state=row.proposal.state,
                state_label=str(STATE_LABELS.get(row.proposal.state, row.proposal.state)),
                bars=breakdown_bars(row.proposal.breakdown, weights),
            )
            for row in rows
        ]
        unmet_facts = _visible_unmet(db, viewer, result.get("unmet", []))
        shadow_facts = result.get("shadow_prices", [])
        names = NeedNames(db, viewer, language, {
            ref for f in (*unmet_facts, *shadow_facts)
            for ref in (*f.get("takers", ()), *f.get("beneficiaries", ()))})
        sentences = _Sentences(db, language, unmet_facts, names)
        objective = run.objective or 0.0
        requested = int(result.get("requested_usd", 0))
        proposed = int(result.get("proposed_usd", 0))
        unmet = [
            UnmetItem(f["need_id"], f["reference"], f["title"], _country(sentences, f), f["reason"],
                      int(f["shortfall"]), sentences.unmet(f))
            for f in unmet_facts
        ]
        return cls(
            summary=run_summary_sentence(
                run.n_proposals, proposed, run.n_needs, _scope_words(db, run),
                result.get("unmet", [])),
            proposals=proposals,
            proposals_total=total,
            legend=[(name, str(label)) for name, label in CRITERION_LABELS.items()],
            unmet=unmet,
            unmet_groups=group_unmet(unmet),
            shadow_prices=[
                ShadowItem(f["reference"], f["title"], f["value"], int(f["left"]),
                           shadow_sentence(f, objective, names))
                for f in shadow_facts
            ],
            requested_usd=requested,
            proposed_usd=proposed,
            coverage=proposed / requested if requested else 0.0,
            superseded=int(result.get("superseded", 0)),
            held_count=int(result.get("held_count", 0)),
            held_usd=int(result.get("held_usd", 0)),
            solve_seconds=float(result.get("solve_seconds", 0.0)),
            method=str(result.get("method", "")),
        )


def _scope_words(db: Session, run: MatchRun) -> str:
    """Where the run looked, to end "would cover 19 of the 57 needs in ..."."""
    if run.scope == "global" and not (run.parameters or {}).get("country_ids"):
        return _("the whole portfolio")
    return Scope.of_run(run).describe(db)


def _country(sentences: _Sentences, fact: dict) -> str:
    country = sentences.countries.get(fact["country_id"])
    return country_name(country, sentences.language) if country else ""


def _visible_unmet(db: Session, viewer: Viewer, facts: list[dict]) -> list[dict]:
    """Only the unmet needs ``viewer`` may read (a need may have been withdrawn since)."""
    ids = [f["need_id"] for f in facts]
    if not ids:
        return []
    visible = set(db.scalars(select(Need.id).where(Need.id.in_(ids), needs_visible(viewer))))
    return [f for f in facts if f["need_id"] in visible]
