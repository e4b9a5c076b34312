"""The ``matchmaker`` command: run, demo, seed, db upgrade."""

from __future__ import annotations

import sys

import click

from matchmaker.settings import Settings, SettingsError, load_settings


def _settings(demo: bool = False) -> Settings:
    try:
        return load_settings(demo=demo or None)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from exc


def _prepare_database(settings: Settings) -> None:
    from matchmaker import db
    from matchmaker.reference.seed import seed_reference

    db.upgrade(settings.database_url)
    engine = db.make_engine(settings.database_url)
    with db.session_scope(engine) as session:
        report = seed_reference(session)
    engine.dispose()
    click.echo(f"Reference data: {report}")


def _serve(settings: Settings) -> None:
    import uvicorn

    from matchmaker.app import configure_threads, create_app

    configure_threads(settings)
    click.echo(f"Matchmaker is running on http://{settings.host}:{settings.port}/ (Ctrl+C stops)")
    if not settings.run_worker:
        click.echo("Solver runs are carried out by `matchmaker worker` processes.")
    # X-Forwarded-For is believed only from the proxies named in MATCHMAKER_TRUSTED_PROXIES:
    # from anyone else it would let a client pick the address that login throttling counts.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="info", proxy_headers=bool(settings.trusted_proxies),
                forwarded_allow_ips=",".join(settings.trusted_proxies) or "",
                timeout_graceful_shutdown=15)


@click.group()
def main() -> None:
    """Matchmaker: the clearing-house that matches small arms assistance needs with resources."""


@main.command()
def run() -> None:
    """Serve the web application (production settings from MATCHMAKER_* variables)."""
    settings = _settings()
    _serve(settings)


@main.command()
@click.option("--seed", "random_seed", default=2026, show_default=True,
              help="Seed of the demo portfolio: the same seed gives the same portfolio.")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Start the web application once the demo data is in place.")
def demo(random_seed: int, serve: bool) -> None:
    """Set up the database with the demo portfolio and accounts, then serve the app."""
    from matchmaker import db
    from matchmaker.demo import DemoError, build_demo

    settings = _settings(demo=True)
    _prepare_database(settings)
    engine = db.make_engine(settings.database_url)
    try:
        with db.session_scope(engine) as session:
            report = build_demo(session, seed=random_seed, settings=settings)
        click.echo(f"Demo portfolio: {report}")
    except DemoError as exc:
        click.echo(f"Keeping the portfolio already in the database ({exc}).")
    engine.dispose()
    if serve:
        _serve(settings)


@main.command()
def seed() -> None:
    """Load or update the reference data (idempotent: a second run changes nothing)."""
    _prepare_database(_settings(demo=True))


@main.group(name="db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command()
@click.option("--revision", default="head", show_default=True)
def upgrade(revision: str) -> None:
    """Apply the migrations up to REVISION."""
    from matchmaker import db

    settings = _settings(demo=True)
    db.upgrade(settings.database_url, revision)
    click.echo(f"Database at {revision}.")


# --- solver runs ----------------------------------------------------------------------------

_SCOPE_OPTION = click.option(
    "--scope", default="global", show_default=True,
    help="global, region:M49 (e.g. region:002), category:CODE, or category:CODE,region:M49.",
)
_MODE_OPTION = click.option(
    "--mode", type=click.Choice(["split", "whole"]), default="split", show_default=True,
    help="split: needs may be co-funded; whole: each need goes to one offer.",
)
_TIME_OPTION = click.option("--time-limit", type=float, default=10, show_default=True,
                            help="Seconds the solver may take (1 to 60).")


def _run_input(scope: str, mode: str, time_limit: float):
    from matchmaker.errors import MatchmakerError
    from matchmaker.runs.commands import run_input

    try:
        return run_input(scope, mode, time_limit)
    except MatchmakerError as exc:
        raise click.UsageError(str(exc)) from exc


def _engine():
    from matchmaker import db

    return db.make_engine(_settings(demo=True).database_url)


@main.command()
def worker() -> None:
    """Claim and carry out queued solver runs, and run the scheduled housekeeping, until
    Ctrl+C (run as many as you like)."""
    from matchmaker.runs.commands import run_worker

    run_worker(_engine(), click.echo, _settings(demo=True))


@main.command()
@_SCOPE_OPTION
@_MODE_OPTION
@_TIME_OPTION
@click.option("--dry-run", is_flag=True, help="Solve and report, but write no proposals.")
def solve(scope: str, mode: str, time_limit: float, dry_run: bool) -> None:
    """Run the solver now (global by default), write its proposals and print the figures."""
    from matchmaker.errors import MatchmakerError
    from matchmaker.runs.commands import solve_now

    request = _run_input(scope, mode, time_limit)
    try:
        report = solve_now(_engine(), request, dry_run=dry_run)
    except MatchmakerError as exc:
        raise click.UsageError(str(exc)) from exc
    for line in report.lines:
        click.echo(line)
    if report.run is not None and report.run.state != "done":
        sys.exit(1)


@main.command(name="export-problem")
@_SCOPE_OPTION
@_MODE_OPTION
@_TIME_OPTION
@click.argument("output", type=click.Path(dir_okay=False, writable=True))
def export_problem(scope: str, mode: str, time_limit: float, output: str) -> None:
    """Write the solver problem of a scope as JSON (replay: python -m solver solve OUTPUT)."""
    from pathlib import Path

    from matchmaker.errors import MatchmakerError
    from matchmaker.runs.commands import export_problem as export

    request = _run_input(scope, mode, time_limit)
    try:
        data = export(_engine(), request, Path(output))
    except MatchmakerError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"{output}: {len(data['needs'])} needs, {len(data['offers'])} offers, "
               f"{len(data['arcs'])} compatible pairs ({data['about']['scope']}).")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
