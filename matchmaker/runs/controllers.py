"""The solver pages (/runs) and the runs JSON API (/api/runs), for coordinators and admins."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker.accounts.guards import roles_required
from matchmaker.errors import FormErrors
from matchmaker.models import Role, RunMode, RunScope
from matchmaker.runs import services
from matchmaker.runs.schemas import RunInput
from matchmaker.runs.views import RunItem, RunPage, RunsPage, run_detail, run_summary
from matchmaker.web import openapi as doc
from matchmaker.web.api import ApiController
from matchmaker.web.bounds import RecordId
from matchmaker.web.forms import FormState, provide_form
from matchmaker.web.render import is_fragment_request, render

SOLVER_ROLES = roles_required(Role.COORDINATOR, Role.ADMIN)
NEW_RUN = doc.documented(body=doc.json_object({
    "scope": doc.choice(RunScope, "Default: global."),
    "region": doc.Schema(type=doc.OpenAPIType.STRING, description="M49 code, with scope region."),
    "category": doc.Schema(type=doc.OpenAPIType.STRING,
                           description="Area or topic code, with scope category."),
    "mode": doc.choice(RunMode, "Default: split."),
    "weights": doc.Schema(type=doc.OpenAPIType.OBJECT, additional_properties=doc.NUMBER,
                          description="Criterion -> weight; criteria left out keep defaults."),
    "time_limit": doc.NUMBER,
}))


def wake_worker(request: Request) -> None:
    """Let this process's worker pick the new run up at once (any worker may take it)."""
    worker = getattr(request.app.state, "run_worker", None)
    if worker is not None:
        worker.wake()


class RunController(Controller):
    path = "/runs"
    guards = [SOLVER_ROLES]
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="runs:index", sync_to_thread=True)
    def index(self, request: Request, db: Session) -> Response:
        page = RunsPage.build(db, request.state.viewer)
        return render(request, "runs/index.html", None, page)

    @post("/", name="runs:start", sync_to_thread=True)
    def start(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        viewer = request.state.viewer
        try:
            run = services.start_run(db, viewer, RunInput.from_form(form))
        except FormErrors as exc:
            state = FormState.from_submission(form, exc.errors)
            page = RunsPage.build(db, viewer, state)
            return render(request, "runs/index.html", "runs/_form.html", page, status_code=422)
        wake_worker(request)
        location = f"/runs/{run.id}"
        if is_fragment_request(request):
            return Response(content="", status_code=200, headers={"HX-Redirect": location})
        return Redirect(path=location, status_code=303)

    @get("/{run_id:int}", name="runs:detail", sync_to_thread=True)
    def detail(self, request: Request, db: Session, run_id: RecordId) -> Response:
        page = RunPage.build(db, request.state.viewer, run_id)
        return render(request, "runs/detail.html", "runs/_progress.html", page)


class RunApiController(ApiController):
    path = "/api/runs"
    guards = [SOLVER_ROLES]
    tags = ["runs"]

    @post("/", name="api:runs:start", sync_to_thread=True, status_code=201,
          security=doc.SIGNED_IN_UNSAFE, responses=doc.CREATE, operation_class=NEW_RUN)
    def start(self, request: Request, db: Session, data: dict[str, Any]) -> dict:
        """Queue a solver run: scope, region, category, mode, weights, time_limit."""
        viewer = request.state.viewer
        run = services.start_run(db, viewer, RunInput.from_json(data))
        wake_worker(request)
        return run_summary(RunItem.of(services.get_run(db, viewer, run.id)))

    @get("/", name="api:runs:list", sync_to_thread=True, security=doc.SIGNED_IN,
         responses=doc.error_responses(401, 403))
    def list_runs(self, request: Request, db: Session) -> dict:
        """The latest runs the signed-in coordinator or admin may see."""
        rows = services.list_runs(db, request.state.viewer)
        return {"runs": [run_summary(RunItem.of(row)) for row in rows]}

    @get("/{run_id:int}", name="api:runs:detail", sync_to_thread=True, security=doc.SIGNED_IN,
         responses=doc.SIGNED_IN_READ)
    def detail(self, request: Request, db: Session, run_id: RecordId) -> dict:
        """A run's state, progress, figures, proposals, unmet needs and shadow prices."""
        page = RunPage.build(db, request.state.viewer, run_id)
        return run_detail(page)
