"""Page contexts of the solver pages: the run form and list, and a run's progress and result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.authz import Viewer
from matchmaker.i18n import lazy_gettext
from matchmaker.models import Category, CategoryLevel, MatchRun, RunState
from matchmaker.reference.names import category_name, region_name
from matchmaker.runs import services
from matchmaker.runs.explain_words import ResultWords, progress_text
from matchmaker.runs.schemas import (
    COVERAGE,
    CRITERION_HINTS,
    CRITERION_LABELS,
    DEFAULT_TIME_LIMIT,
    MAX_TIME_LIMIT,
    MAX_WEIGHT,
    MIN_TIME_LIMIT,
    MODE_LABELS,
    SCOPE_LABELS,
    WEIGHT_PREFIX,
)
from matchmaker.web.forms import FormState
from solver.score import CRITERIA, DEFAULT_WEIGHTS

RUN_STATE_LABELS = {
    RunState.QUEUED: lazy_gettext("Queued"),
    RunState.RUNNING: lazy_gettext("Running"),
    RunState.DONE: lazy_gettext("Done"),
    RunState.FAILED: lazy_gettext("Failed"),
}
ACTIVE_STATES = (RunState.QUEUED, RunState.RUNNING)
SCOPE_NAMES = {"global": lazy_gettext("Global"), "region": lazy_gettext("A region"),
               "category": lazy_gettext("An area or topic")}


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class WeightField:
    name: str  # form field name
    criterion: str
    label: str
    hint: str
    default: str


@dataclass(frozen=True)
class RunForm:
    """The start-a-run form: values as typed, errors per field, and the choices offered."""

    form: FormState
    scopes: list[Option]
    regions: list[Option]
    categories: list[Option]
    modes: list[Option]
    weights: list[WeightField]
    advanced_fields: tuple[str, ...] = ()  # fields folded under "Advanced"
    min_time: int = MIN_TIME_LIMIT
    max_time: int = MAX_TIME_LIMIT
    max_weight: float = MAX_WEIGHT

    @property
    def advanced_open(self) -> bool:
        """Whether "Advanced" starts open: one of its fields needs correcting."""
        return any(name in self.form.errors for name in self.advanced_fields)

    @classmethod
    def build(cls, db: Session, viewer: Viewer, form: FormState | None = None) -> RunForm:
        language = i18n.get_language()  # the page's language, which a lang cookie may set
        scopes = [Option(value, str(label)) for value, label in SCOPE_LABELS.items()
                  if viewer.is_admin or value != "global"]
        regions = [Option(r.m49, region_name(r, language))
                   for r in services.allowed_regions(db, viewer)]
        if viewer.is_coordinator:
            label = services.coverage_label(db, viewer)
            regions.insert(0, Option(COVERAGE, str(lazy_gettext("Every State we cover")) +
                                     (f" ({label})" if label else "")))
        if form is None:
            values = {WEIGHT_PREFIX + name: _plain(weight)
                      for name, weight in DEFAULT_WEIGHTS.items()}
            values.update(scope=scopes[0].value if viewer.is_coordinator else "global",
                          region=COVERAGE if viewer.is_coordinator else "",
                          mode="split", time_limit=DEFAULT_TIME_LIMIT)
            form = FormState(values=values)
        return cls(
            form=form,
            scopes=scopes,
            regions=regions,
            categories=_category_options(db),
            modes=[Option(value, str(label)) for value, label in MODE_LABELS.items()],
            advanced_fields=("time_limit", "weights",
                             *(WEIGHT_PREFIX + name for name in CRITERIA)),
            weights=[
                WeightField(WEIGHT_PREFIX + name, name, str(CRITERION_LABELS[name]),
                            str(CRITERION_HINTS[name]), _plain(DEFAULT_WEIGHTS[name]))
                for name in CRITERIA
            ],
        )


def _plain(value: float) -> str:
    return f"{value:g}"


def _category_options(db: Session) -> list[Option]:
    categories = db.scalars(select(Category).order_by(Category.sort_order, Category.name)).all()
    options: list[Option] = []
    for area in (c for c in categories if c.level == CategoryLevel.AREA):
        options.append(Option(area.code, category_name(area, i18n._)))
        options.extend(Option(c.code, f"— {category_name(c, i18n._)}")
                       for c in categories if c.parent_id == area.id)
    return options


@dataclass(frozen=True)
class RunItem:
    """One run as the list and the run page's header show it."""

    id: int
    state: str
    state_label: str
    scope_label: str
    mode: str
    mode_label: str
    started_by: str
    created_at: datetime
    finished_at: datetime | None
    n_needs: int
    n_offers: int
    n_arcs: int
    n_proposals: int
    objective: float | None
    seconds: float | None
    error: str

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @classmethod
    def of(cls, row: services.RunRow) -> RunItem:
        run: MatchRun = row.run
        return cls(
            id=run.id, state=run.state, state_label=str(RUN_STATE_LABELS.get(run.state, run.state)),
            scope_label=row.scope_label or str(SCOPE_NAMES.get(run.scope, run.scope)),
            mode=run.mode, mode_label=str(MODE_LABELS.get(run.mode, run.mode)).split(":")[0],
            started_by=row.started_by, created_at=run.created_at, finished_at=run.finished_at,
            n_needs=run.n_needs, n_offers=run.n_offers, n_arcs=run.n_arcs,
            n_proposals=run.n_proposals, objective=run.objective, seconds=run.seconds,
            error=run.error,
        )


@dataclass(frozen=True)
class RunsPage:
    run_form: RunForm
    runs: list[RunItem]

    @classmethod
    def build(cls, db: Session, viewer: Viewer, form: FormState | None = None) -> RunsPage:
        return cls(
            run_form=RunForm.build(db, viewer, form),
            runs=[RunItem.of(row) for row in services.list_runs(db, viewer)],
        )


@dataclass(frozen=True)
class RunPage:
    """A run: its progress while it works, then its figures, proposals and explanations."""

    item: RunItem
    progress: int
    progress_text: str
    weights: dict[str, float]
    time_limit: float
    bound: float | None = None
    gap: float | None = None
    solver_status: str = ""
    words: ResultWords | None = None

    @classmethod
    def build(cls, db: Session, viewer: Viewer, run_id: int) -> RunPage:
        row = services.get_run(db, viewer, run_id)
        run = row.run
        parameters = run.parameters or {}
        words = None
        if run.state == RunState.DONE:
            words = ResultWords.build(db, viewer, run)
        return cls(
            item=RunItem.of(row),
            progress=run.progress,
            progress_text=progress_text(run),
            weights=parameters.get("weights", {}),
            time_limit=float(parameters.get("time_limit_s", DEFAULT_TIME_LIMIT)),
            bound=run.bound,
            gap=run.gap,
            solver_status=run.solver_status,
            words=words,
        )


def run_summary(item: RunItem) -> dict:
    """A run's state and figures as the JSON API gives them."""
    return {
        "id": item.id,
        "state": item.state,
        "scope": item.scope_label,
        "mode": item.mode,
        "started_by": item.started_by,
        "created_at": item.created_at.isoformat(),
        "finished_at": item.finished_at.isoformat() if item.finished_at else None,
        "counts": {"needs": item.n_needs, "offers": item.n_offers, "pairs": item.n_arcs,
                   "proposals": item.n_proposals},
        "objective": item.objective,
        "seconds": item.seconds,
        "error": item.error or None,
        "url": f"/runs/{item.id}",
    }


def run_detail(page: RunPage) -> dict:
    """A run with its progress, figures, proposals, unmet needs and shadow prices (JSON)."""
    data = run_summary(page.item) | {
        "progress": page.progress,
        "progress_text": page.progress_text,
        "weights": page.weights,
        "time_limit_s": page.time_limit,
        "bound": page.bound,
        "gap": page.gap,
        "solver_status": page.solver_status or None,
    }
    words = page.words
    if words is None:
        return data
    data |= {
        "requested_usd": words.requested_usd,
        "proposed_usd": words.proposed_usd,
        "superseded": words.superseded,
        "held": {"count": words.held_count, "usd": words.held_usd},
        "proposals": [
            {"id": p.id, "need": p.need_reference, "offer": p.offer_reference,
             "amount_usd": p.amount_usd, "share": p.share, "score": p.score, "state": p.state,
             "breakdown": {bar.criterion: bar.value for bar in p.bars},
             "url": f"/proposals/{p.id}"}
            for p in words.proposals
        ],
        "unmet": [
            {"need": u.reference, "reason": u.reason, "shortfall_usd": u.shortfall,
             "explanation": u.sentence}
            for u in words.unmet
        ],
        "shadow_prices": [
            {"offer": s.reference, "value_per_usd": s.value, "unused_usd": s.left,
             "explanation": s.sentence}
            for s in words.shadow_prices
        ],
    }
    return data
