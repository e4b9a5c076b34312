"""Solver runs: who may start one for which scope, and reading runs back.

Coordinators run the solver for their own region only: a region (or sub-region) all of whose
States they cover, every State they cover, or an area / topic limited to those States. Admins
(the secretariat) run any scope, global included. A run is queued here and executed by a
worker (:mod:`matchmaker.runs.execute`), outside the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer, proposals_visible, require
from matchmaker.errors import FormErrors, NotFound, PermissionDenied
from matchmaker.events import record_event, snapshot
from matchmaker.i18n import _
from matchmaker.matching.scope import Scope, region_country_ids
from matchmaker.models import (
    Category,
    Country,
    MatchRun,
    Need,
    Offer,
    Organisation,
    Proposal,
    Region,
    RegionalCentre,
    RunScope,
    RunState,
    User,
)
from matchmaker.runs.schemas import COVERAGE, RunInput

RUN_FIELDS = ("scope", "scope_region_id", "scope_category_id", "mode", "state", "parameters")


def coverage_label(db: Session, viewer: Viewer) -> str:
    """A short name for the States a coordinator covers: the centre's code, or the acronym."""
    organisation = db.get(Organisation, viewer.organisation_id) if viewer.organisation_id else None
    if organisation is None:
        return ""
    if organisation.regional_centre_id:
        centre = db.get(RegionalCentre, organisation.regional_centre_id)
        if centre is not None:
            return centre.code
    return organisation.acronym or organisation.name


def allowed_regions(db: Session, viewer: Viewer) -> list[Region]:
    """Regions ``viewer`` may run the solver for: all for admins; for coordinators the regions
    whose every State they cover."""
    regions = db.scalars(select(Region).order_by(Region.m49)).all()
    if viewer.is_admin:
        return list(regions)
    if not viewer.is_coordinator or not viewer.region_country_ids:
        return []
    members: dict[int, set[int]] = {}
    for country_id, *places in db.execute(
        select(Country.id, Country.region_id, Country.subregion_id, Country.intermediate_region_id)
    ):
        for region_id in places:
            if region_id is not None:
                members.setdefault(region_id, set()).add(country_id)
    return [r for r in regions if members.get(r.id) and members[r.id] <= viewer.region_country_ids]


def resolve_region(db: Session, viewer: Viewer, code: str) -> Region | None:
    if not code or code == COVERAGE:
        return None
    region = db.scalars(select(Region).where(Region.m49 == code)).first()
    if region is None:
        raise FormErrors({"region": _("Unknown region “%(code)s”.", code=code)})
    if viewer.is_coordinator and not (
        region_country_ids(db, region.id) <= viewer.region_country_ids
    ):
        raise PermissionDenied(_(
            "%(region)s is outside your region: coordinators run the solver for the States "
            "their organisation covers.", region=region.name))
    return region


def resolve_category(db: Session, code: str) -> Category | None:
    if not code:
        return None
    category = db.scalars(select(Category).where(Category.code == code)).first()
    if category is None:
        raise FormErrors({"category": _("Unknown area or topic “%(code)s”.", code=code)})
    return category


def start_run(db: Session, viewer: Viewer, request: RunInput) -> MatchRun:
    """Queue a run for ``request`` if ``viewer`` may run that scope; returns the queued run."""
    require(viewer.can_run_solver, _("Only coordinators and the secretariat run the solver."))
    if viewer.is_coordinator:
        if request.scope == RunScope.GLOBAL:
            raise PermissionDenied(_(
                "Coordinators run the solver for their own region; global runs are the "
                "secretariat's."))
        if not viewer.region_country_ids:
            raise PermissionDenied(_("Your organisation does not cover any State yet."))
    elif request.region == COVERAGE:
        raise FormErrors({"region": _("Choose a region.")})
    region = resolve_region(db, viewer, request.region)
    category = resolve_category(db, request.category)
    parameters: dict = {"weights": request.weights, "time_limit_s": request.time_limit}
    if viewer.is_coordinator:
        parameters["country_ids"] = sorted(viewer.region_country_ids)
        parameters["coverage_label"] = coverage_label(db, viewer)
    run = MatchRun(
        scope=request.scope,
        scope_region_id=region.id if region else None,
        scope_category_id=category.id if category else None,
        mode=request.mode,
        parameters=parameters,
        started_by_id=viewer.user_id,
        state=RunState.QUEUED,
        progress=0,
        progress_message="queued",
    )
    db.add(run)
    db.flush()
    record_event(db, viewer, "matchrun", run.id, "queued", after=snapshot(run, RUN_FIELDS))
    db.commit()
    return run


def _runs_visible(viewer: Viewer):
    """Admins see every run; a coordinator the runs of people of its own organisation."""
    if viewer.is_admin:
        return None
    return MatchRun.started_by_id.in_(
        select(User.id).where(User.organisation_id == viewer.organisation_id)
    )


@dataclass(frozen=True)
class RunRow:
    run: MatchRun
    started_by: str
    scope_label: str = ""  # the scope in the reader's words (runs store only its codes)


def list_runs(db: Session, viewer: Viewer, limit: int = 50) -> list[RunRow]:
    """The latest runs ``viewer`` may see, newest first."""
    require(viewer.can_run_solver)
    query = select(MatchRun, User.name).outerjoin(User, User.id == MatchRun.started_by_id)
    visible = _runs_visible(viewer)
    if visible is not None:
        query = query.where(visible)
    rows = db.execute(query.order_by(MatchRun.id.desc()).limit(limit)).all()
    return [RunRow(run=run, started_by=name or "", scope_label=Scope.of_run(run).describe(db))
            for run, name in rows]


def get_run(db: Session, viewer: Viewer, run_id: int) -> RunRow:
    """One run; NotFound when it does not exist or ``viewer`` may not see it (no leak)."""
    require(viewer.can_run_solver)
    query = (
        select(MatchRun, User.name)
        .outerjoin(User, User.id == MatchRun.started_by_id)
        .where(MatchRun.id == run_id)
    )
    visible = _runs_visible(viewer)
    if visible is not None:
        query = query.where(visible)
    row = db.execute(query).first()
    if row is None:
        raise NotFound(_("There is no solver run #%(id)s.", id=run_id))
    return RunRow(run=row[0], started_by=row[1] or "",
                  scope_label=Scope.of_run(row[0]).describe(db))


@dataclass(frozen=True)
class ProposalRow:
    proposal: Proposal
    need: Need
    offer: Offer
    donor: str


def run_proposals(db: Session, viewer: Viewer, run: MatchRun, limit: int = 200
                  ) -> tuple[list[ProposalRow], int]:
    """The run's proposals ``viewer`` may see, best score first, and how many there are."""
    conditions = (Proposal.run_id == run.id, proposals_visible(viewer))
    total = db.scalar(select(func.count()).select_from(Proposal).where(*conditions)) or 0
    rows = db.execute(
        select(Proposal, Need, Offer, Organisation.name)
        .join(Need, Need.id == Proposal.need_id)
        .join(Offer, Offer.id == Proposal.offer_id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(*conditions)
        .order_by(Proposal.score.desc(), Proposal.id)
        .limit(limit)
    ).all()
    return [ProposalRow(p, n, o, donor) for p, n, o, donor in rows], total
