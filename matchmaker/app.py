"""Application factory: ``create_app(settings)`` builds the Litestar app; nothing runs at import."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from litestar import Litestar, Router
from litestar.concurrency import set_asyncio_executor
from litestar.datastructures import State
from litestar.di import Provide
from litestar.static_files import create_static_files_router
from sqlmodel import Session

from matchmaker import db
from matchmaker.accounts import logfilter
from matchmaker.accounts.account_controllers import AccountController, PasswordResetController
from matchmaker.accounts.controllers import AuthController, SignupController
from matchmaker.admin.controllers import (
    AccountAdminController,
    ApprovalController,
    EventController,
    OrganisationAdminController,
)
from matchmaker.admin.schedule import ScheduleController
from matchmaker.bulletin.controllers import BulletinController
from matchmaker.conversations.controllers import ConversationController
from matchmaker.conversations.links import record_links
from matchmaker.needs.api import NeedApiController
from matchmaker.needs.controllers import NeedController
from matchmaker.notifications.controllers import NotificationController, PreferencesController
from matchmaker.notifications.subscription_controllers import SubscriptionController
from matchmaker.notifications.unsubscribe import UnsubscribeController
from matchmaker.offers.api import OfferApiController
from matchmaker.offers.controllers import OfferController
from matchmaker.proposals.api import ProposalApiController
from matchmaker.proposals.ask_controllers import AskOfferController
from matchmaker.proposals.controllers import ManualProposalController, ProposalController
from matchmaker.public.controllers import PublicController
from matchmaker.runs.controllers import RunApiController, RunController
from matchmaker.runs.worker import RunWorker
from matchmaker.settings import Settings, load_settings
from matchmaker.web.errors import EXCEPTION_HANDLERS
from matchmaker.web.events import NoEventEmitter
from matchmaker.web.headers import add_security_headers
from matchmaker.web.idempotency import IdempotencyMiddleware
from matchmaker.web.middleware import SessionMiddleware
from matchmaker.web.openapi import openapi_config
from matchmaker.web.templating import STATIC_DIR, make_environment


async def provide_db_session(state: State) -> AsyncIterator[Session]:
    """A session per request; services commit their own transaction, the rest is rolled back.

    The cleanup is async on purpose: Litestar runs a sync generator's cleanup in a worker
    thread, so under load finished requests kept their connections while waiting for a thread
    that was itself waiting for a connection, and the server stopped answering. Closing here,
    on the event loop, returns the connection at once (a rollback at most).
    """
    session = Session(state.engine, expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()


def configure_threads(settings: Settings) -> None:
    """Run sync handlers in a pool of ``settings.threads`` threads, matched by the database
    pool (db.make_engine); call before the server's event loop starts."""
    set_asyncio_executor(
        ThreadPoolExecutor(max_workers=settings.threads, thread_name_prefix="matchmaker-web")
    )


def start_run_worker(app) -> None:
    """Carry out queued solver runs in a background thread of this process (if enabled)."""
    if app.state.settings.run_worker:
        app.state.run_worker = RunWorker(app.state.engine, settings=app.state.settings)
        app.state.run_worker.start()


def stop_run_worker(app) -> None:
    worker = getattr(app.state, "run_worker", None)
    if worker is not None:
        worker.stop()
        app.state.run_worker = None


def configure_logging(settings: Settings) -> None:
    """Plain stderr logging, set once per process (basicConfig is a no-op when already set).

    Litestar's own logging config is turned off below: it starts a queue-listener thread per
    application, and unhandled errors are logged by our exception handler anyway.
    """
    logging.basicConfig(level=logging.DEBUG if settings.debug else logging.INFO)
    logfilter.install()  # reset tokens travel in paths: keep them out of access logs


def create_app(settings: Settings | None = None, *, engine=None) -> Litestar:
    """Build the web application for ``settings`` (default: from the environment)."""
    settings = settings or load_settings()
    engine = engine or db.make_engine(settings.database_url, settings.threads)
    configure_logging(settings)
    templates = make_environment(settings.debug)
    templates.globals["record_links"] = record_links  # brokering links of need / offer pages
    state = State({"settings": settings, "engine": engine, "templates": templates})
    return Litestar(
        route_handlers=[
            PublicController,
            AuthController,
            SignupController,
            AccountController,
            PasswordResetController,
            ApprovalController,
            AccountAdminController,
            OrganisationAdminController,
            EventController,
            ScheduleController,
            NeedController,
            OfferController,
            ProposalController,
            ManualProposalController,
            AskOfferController,
            ConversationController,
            RunController,
            SubscriptionController,
            BulletinController,
            NotificationController,
            PreferencesController,
            UnsubscribeController,
            Router(  # the JSON API is what the OpenAPI document describes; pages are not
                path="/",
                route_handlers=[
                    NeedApiController,
                    OfferApiController,
                    ProposalApiController,
                    RunApiController,
                ],
                include_in_schema=True,
            ),
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], cache_control=None,
                include_in_schema=False,
            ),
        ],
        dependencies={"db": Provide(provide_db_session)},
        middleware=[SessionMiddleware(), IdempotencyMiddleware()],
        before_send=[add_security_headers],  # every response, routed or not
        exception_handlers=EXCEPTION_HANDLERS,
        logging_config=None,
        event_emitter_backend=NoEventEmitter,  # no listeners; safe when lifespans overlap
        include_in_schema=False,
        openapi_config=openapi_config(),
        state=state,
        on_startup=[start_run_worker],
        on_shutdown=[stop_run_worker],
        debug=False,
    )
