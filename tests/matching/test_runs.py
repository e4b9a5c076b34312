"""Runs end to end through the worker functions: queue, claim, execute, proposals written."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from matchmaker.accounts.authz import viewer_for
from matchmaker.errors import PermissionDenied
from matchmaker.matching.scope import Scope
from matchmaker.models import (
    OPEN_PROPOSAL_STATES,
    Event,
    MatchRun,
    Proposal,
    ProposalOrigin,
    ProposalState,
    RunState,
    utcnow,
)
from matchmaker.runs import execute, services
from matchmaker.runs.schemas import RunInput
from matchmaker.runs.worker import (
    RunWorker,
    beat,
    claim_next_run,
    fail_stale_runs,
    work_loop,
    work_once,
)
from solver import ProblemError
from tests import factories
from tests.matching.conftest import category, plan


def queue(session, user, **fields) -> MatchRun:
    data = {"scope": "global", "mode": "split", "time_limit": 5} | fields
    return services.start_run(session, viewer_for(session, user), RunInput.from_json(data))


def proposals_of(session, run_id: int) -> list[Proposal]:
    session.expire_all()
    return session.scalars(select(Proposal).where(Proposal.run_id == run_id)).all()


@pytest.fixture
def small_portfolio(session, donor_org):
    machines = category(session, "marking.machines")
    needs = [
        factories.make_need(session, "GHA", topic=machines, cost_usd=80_000, priority="high"),
        factories.make_need(session, "NGA", topic=machines, cost_usd=120_000),
    ]
    offer = factories.make_offer(session, donor_org, topics=[machines], budget_usd=100_000)
    session.commit()
    return needs, offer


def test_a_run_goes_from_queued_to_done_with_proposals_and_figures(
    session, engine, people, small_portfolio
):
    (ghana, nigeria), offer = small_portfolio
    run = queue(session, people.admin)
    assert (run.state, run.progress_message) == (RunState.QUEUED, "queued")
    assert claim_next_run(engine, "test-worker") == run.id
    finished = execute.execute_run(engine, run.id)
    assert finished.state == RunState.DONE and finished.progress == 100
    assert (finished.n_needs, finished.n_offers, finished.n_arcs) == (2, 1, 2)
    assert finished.objective > 0 and finished.bound >= finished.objective - 1e-9
    assert finished.solver_status == "optimal" and finished.seconds > 0
    written = proposals_of(session, run.id)
    assert finished.n_proposals == len(written) == 2
    by_need = {p.need_id: p for p in written}
    assert by_need[ghana.id].amount_usd == 80_000  # high priority, more score per dollar
    assert by_need[nigeria.id].amount_usd == 20_000  # the rest of the offer
    for proposal in written:
        assert proposal.origin == ProposalOrigin.SOLVER
        assert proposal.state == ProposalState.PROPOSED
        assert proposal.expires_at > utcnow() + timedelta(days=29)
        assert sum(proposal.breakdown.values()) == pytest.approx(proposal.score, abs=1e-3)
    assert by_need[nigeria.id].share == pytest.approx(20_000 / 120_000, abs=1e-4)
    [short] = finished.result["unmet"]
    assert (short["reference"], short["reason"], short["shortfall"]) == (
        nigeria.reference, "partly_covered", 100_000)
    assert finished.result["proposed_usd"] == 100_000
    assert finished.result["requested_usd"] == 200_000
    actions = session.scalars(select(Event.action).where(
        Event.entity == "matchrun", Event.entity_id == run.id).order_by(Event.id)).all()
    assert actions == ["queued", "claimed", "done"]
    assert session.scalars(select(Event).where(
        Event.entity == "proposal", Event.action == "proposed")).all()


def test_a_new_run_supersedes_open_solver_proposals_but_keeps_manual_and_answered_ones(
    session, engine, people, small_portfolio, donor_org
):
    (ghana, nigeria), offer = small_portfolio
    first = queue(session, people.admin)
    claim_next_run(engine, "w")
    execute.execute_run(engine, first.id)
    old = {p.need_id: p for p in proposals_of(session, first.id)}
    # The donor accepted the Ghana proposal: it is held, not superseded.
    old[ghana.id].state = ProposalState.ACCEPTED_BY_DONOR
    manual_offer = factories.make_offer(session, donor_org, budget_usd=500_000,
                                        topics=[category(session, "marking.machines")])
    manual = Proposal(need_id=nigeria.id, offer_id=manual_offer.id, amount_usd=15_000,
                      origin=ProposalOrigin.MANUAL, state=ProposalState.PROPOSED)
    session.add(manual)
    session.commit()

    second = queue(session, people.admin)
    claim_next_run(engine, "w")
    done = execute.execute_run(engine, second.id)
    session.expire_all()
    assert session.get(Proposal, old[nigeria.id].id).state == ProposalState.SUPERSEDED
    assert session.get(Proposal, old[ghana.id].id).state == ProposalState.ACCEPTED_BY_DONOR
    assert session.get(Proposal, manual.id).state == ProposalState.PROPOSED
    assert done.result["superseded"] == 1 and done.result["held_count"] == 2
    new = proposals_of(session, second.id)
    # Ghana is fully held by the accepted proposal; Nigeria (120k less 15k held by hand) gets
    # what the offer has left after the held 80k, never from the manual pair's offer.
    assert [(p.need_id, p.offer_id, p.amount_usd) for p in new] == [
        (nigeria.id, offer.id, 20_000)]
    event = session.scalars(select(Event).where(
        Event.entity == "proposal", Event.entity_id == old[nigeria.id].id,
        Event.action == "superseded")).one()
    assert event.after["run_id"] == second.id


def test_agreed_proposals_are_respected_and_never_proposed_again(
    session, engine, people, donor_org
):
    machines = category(session, "marking.machines")
    need = factories.make_need(session, "GHA", topic=machines, cost_usd=100_000,
                               agreed_usd=30_000, status="partly_matched")
    agreed_offer = factories.make_offer(session, donor_org, topics=[machines],
                                        budget_usd=50_000, committed_usd=30_000)
    other = factories.make_offer(session, donor_org, topics=[machines], budget_usd=500_000)
    session.add(Proposal(need_id=need.id, offer_id=agreed_offer.id, amount_usd=30_000,
                         state=ProposalState.AGREED))
    session.commit()
    run = queue(session, people.admin)
    claim_next_run(engine, "w")
    done = execute.execute_run(engine, run.id)
    [proposal] = proposals_of(session, run.id)
    assert (proposal.offer_id, proposal.amount_usd) == (other.id, 70_000)
    assert proposal.share == pytest.approx(0.7)
    assert done.result["requested_usd"] == 70_000


def _raise(error: Exception):
    def solve(problem):
        raise error

    return solve


@pytest.mark.parametrize(("error", "message"), [
    (ProblemError("need 'N-00001': must be covered but no offer is compatible"),
     "need 'N-00001': must be covered but no offer is compatible"),
    (ZeroDivisionError("division by zero"),
     "The run stopped on an unexpected error (ZeroDivisionError); the details are in the "
     "server log."),
])
def test_a_failing_run_stores_a_sentence_and_writes_nothing(
    session, engine, people, small_portfolio, monkeypatch, error, message
):
    monkeypatch.setattr(execute, "solve", _raise(error))
    run = queue(session, people.admin)
    claim_next_run(engine, "w")
    failed = execute.execute_run(engine, run.id)
    assert (failed.state, failed.error) == (RunState.FAILED, message)
    assert proposals_of(session, run.id) == []


def test_claiming_takes_the_oldest_queued_run_once(session, engine, people):
    first, second = queue(session, people.admin), queue(session, people.admin)
    assert claim_next_run(engine, "a") == first.id
    assert claim_next_run(engine, "b") == second.id
    assert claim_next_run(engine, "c") is None
    session.expire_all()
    assert session.get(MatchRun, first.id).claimed_by == "a"
    assert session.get(MatchRun, first.id).state == RunState.RUNNING


def test_concurrent_claimers_get_each_run_exactly_once(session, engine, people):
    runs = [queue(session, people.admin).id for _ in range(3)]
    barrier = threading.Barrier(6)
    claims: list[int | None] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        barrier.wait()
        got = claim_next_run(engine, name)
        with lock:
            claims.append(got)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    won = [c for c in claims if c is not None]
    assert sorted(won) == sorted(runs)  # every run claimed, none twice
    assert claims.count(None) == 3


@pytest.mark.postgres
def test_postgres_claimers_skip_a_run_locked_by_another(session, engine, people, is_postgres):
    if not is_postgres:
        pytest.skip("row locks need PostgreSQL")
    first, second = queue(session, people.admin), queue(session, people.admin)
    holder = engine.connect()
    transaction = holder.begin()
    holder.execute(text("SELECT id FROM matchrun WHERE id = :id FOR UPDATE"), {"id": first.id})
    try:
        started = time.perf_counter()
        assert claim_next_run(engine, "other") == second.id  # skipped the locked row
        assert time.perf_counter() - started < 5  # and did not wait for it
    finally:
        transaction.rollback()
        holder.close()
    assert claim_next_run(engine, "other") == first.id


def test_a_run_whose_heartbeat_stopped_is_failed(session, engine, people):
    run = queue(session, people.admin)
    claim_next_run(engine, "other-host:1:abc")
    assert fail_stale_runs(engine) == []  # it just beat
    assert beat(engine, run.id, "other-host:1:abc")
    session.expire_all()
    stale = session.get(MatchRun, run.id)
    stale.heartbeat_at = utcnow() - timedelta(seconds=31)
    session.commit()
    assert fail_stale_runs(engine) == [run.id]
    session.expire_all()
    assert session.get(MatchRun, run.id).state == RunState.FAILED
    assert "start the run again" in session.get(MatchRun, run.id).error
    assert not beat(engine, run.id, "other-host:1:abc")  # the late worker learns it lost it


def test_a_run_whose_worker_was_killed_is_failed_at_once(session, engine, people, database_url):
    """A worker process claims the run and is killed -9 mid-run: the next check fails it,
    without waiting for the heartbeat to age, and the run page says why."""
    run = queue(session, people.admin)
    claimer = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from matchmaker import db\n"
         "from matchmaker.runs.worker import claim_next_run, new_worker_id\n"
         "engine = db.make_engine(sys.argv[1])\n"
         "print(claim_next_run(engine, new_worker_id()), flush=True)\n"
         "time.sleep(120)\n",
         database_url],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert claimer.stdout.readline().strip() == str(run.id)
        assert fail_stale_runs(engine) == []  # alive and beating: left alone
    finally:
        claimer.send_signal(signal.SIGKILL)
        claimer.wait()
    started = time.monotonic()
    assert fail_stale_runs(engine) == [run.id]
    assert time.monotonic() - started < 30
    session.expire_all()
    assert session.get(MatchRun, run.id).state == RunState.FAILED


def test_a_run_taken_from_its_worker_writes_nothing(session, engine, people, small_portfolio):
    run = queue(session, people.admin)
    claim_next_run(engine, "slow-host:1:abc")
    fail_stale_runs(engine, older_than=timedelta(seconds=-1))  # declared stale meanwhile
    finished = execute.execute_run(engine, run.id, worker_id="slow-host:1:abc")
    assert finished.state == RunState.FAILED
    assert session.scalars(select(Proposal).where(Proposal.run_id == run.id)).all() == []


def test_the_worker_backs_off_while_the_database_is_down(caplog):
    from sqlalchemy import create_engine

    unreachable = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    stop = threading.Event()
    timer = threading.Timer(3.0, stop.set)
    timer.start()
    with caplog.at_level("INFO", logger="matchmaker.runs"):
        work_loop(unreachable, stop, "w", poll_seconds=0.05)
    lines = [record for record in caplog.records if record.name == "matchmaker.runs"]
    # one line when it went down, then quiet back-off (0.1, 0.2, 0.4, 0.8, 1.6 s ...)
    assert len(lines) == 1 and "unreachable" in lines[0].getMessage()
    assert lines[0].exc_info is None


def test_work_once_and_the_background_worker(session, engine, people, small_portfolio):
    assert work_once(engine, "w") is None
    run = queue(session, people.admin)
    worker = RunWorker(engine, poll_seconds=0.05)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            session.expire_all()
            if session.get(MatchRun, run.id).state in (RunState.DONE, RunState.FAILED):
                break
            time.sleep(0.05)
    finally:
        worker.stop()
    assert not worker.is_running
    assert session.get(MatchRun, run.id).state == RunState.DONE


def test_the_app_starts_and_stops_its_worker(settings, engine):
    from dataclasses import replace

    from litestar.testing import TestClient

    from matchmaker.app import create_app

    app = create_app(replace(settings, run_worker=True), engine=engine)
    with TestClient(app=app):
        worker = app.state.run_worker
        assert worker.is_running
    assert not worker.is_running
    disabled = create_app(settings, engine=engine)
    with TestClient(app=disabled):
        assert getattr(disabled.state, "run_worker", None) is None


def test_what_a_run_keeps_never_exceeds_what_its_needs_ask(session, small_portfolio, donor_org):
    (ghana, nigeria), offer = small_portfolio
    other = factories.make_offer(session, donor_org, budget_usd=500_000,
                                 topics=[category(session, "marking.machines")])
    for open_offer, amount in ((offer, 60_000), (other, 70_000)):  # 130k overlapping Ghana's 80k
        session.add(Proposal(need_id=ghana.id, offer_id=open_offer.id, amount_usd=amount,
                             origin=ProposalOrigin.MANUAL, state=ProposalState.PROPOSED))
    session.commit()

    ghana_only = plan(session, scope=Scope(country_ids=frozenset({ghana.country_id})))
    result = ghana_only.decoded.result
    assert (result["held_count"], result["held_usd"], result["requested_usd"]) == (2, 80_000, 0)
    nigeria_only = plan(session, scope=Scope(country_ids=frozenset({nigeria.country_id})))
    result = nigeria_only.decoded.result  # Ghana's proposals are not this scope's to keep
    assert (result["held_count"], result["held_usd"], result["requested_usd"]) == (
        0, 0, 120_000)


def test_coordinator_scopes(session, people):
    coordinator = viewer_for(session, people.coordinator)
    run = services.start_run(session, coordinator, RunInput.from_json(
        {"scope": "region", "region": "011"}))  # Western Africa: all UNREC States
    assert run.parameters["country_ids"] == sorted(coordinator.region_country_ids)
    assert "scope_label" not in run.parameters  # codes are stored; words come when shown
    assert Scope.of_run(run).describe(session) == "Western Africa"
    topic = services.start_run(session, coordinator, RunInput.from_json(
        {"scope": "category", "category": "marking"}))
    assert Scope.of_run(topic).describe(session).endswith(" in States covered by UNREC")
    for request in ({"scope": "global"}, {"scope": "region", "region": "150"},
                    {"scope": "category", "category": "marking", "region": "142"}):
        with pytest.raises(PermissionDenied):
            services.start_run(session, coordinator, RunInput.from_json(request))
    for user in (people.requester, people.donor):
        with pytest.raises(PermissionDenied):
            services.start_run(session, viewer_for(session, user), RunInput.from_json({}))


def open_total(session, offer_id: int) -> int:
    session.expire_all()
    return sum(p.amount_usd for p in session.scalars(select(Proposal).where(
        Proposal.offer_id == offer_id, Proposal.state.in_(OPEN_PROPOSAL_STATES))))


def test_what_changed_while_solving_is_respected_when_writing(
    session, engine, people, small_portfolio, donor_org, monkeypatch
):
    (ghana, nigeria), offer = small_portfolio
    real_solve = execute.solve

    def solve_while_someone_proposes_by_hand(problem):
        solution = real_solve(problem)
        with Session(engine) as other:  # a donor proposes 70k of the offer meanwhile
            other.add(Proposal(need_id=nigeria.id, offer_id=offer.id, amount_usd=70_000,
                               origin=ProposalOrigin.MANUAL))
            other.commit()
        return solution

    monkeypatch.setattr(execute, "solve", solve_while_someone_proposes_by_hand)
    run = queue(session, people.admin)
    claim_next_run(engine, "w")
    done = execute.execute_run(engine, run.id)
    [proposal] = proposals_of(session, run.id)  # Ghana's, trimmed; Nigeria's no longer fits
    assert (proposal.need_id, proposal.amount_usd) == (ghana.id, 30_000)
    assert proposal.share == pytest.approx(30_000 / 80_000)
    assert done.result["trimmed"] == 2 and done.result["proposed_usd"] == 30_000
    assert open_total(session, offer.id) == 100_000


def test_concurrent_overlapping_runs_never_propose_more_than_an_offer_has(
    session, engine, people, small_portfolio
):
    (ghana, nigeria), offer = small_portfolio
    runs = [queue(session, people.admin).id,
            queue(session, people.admin, scope="region", region="002").id,
            queue(session, people.admin, mode="whole").id]
    for run_id in runs:
        assert claim_next_run(engine, f"w{run_id}") == run_id
    barrier = threading.Barrier(len(runs))
    finished = {}

    def carry_out(run_id: int) -> None:
        barrier.wait()
        finished[run_id] = execute.execute_run(engine, run_id)

    threads = [threading.Thread(target=carry_out, args=(run_id,)) for run_id in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert {run.state for run in finished.values()} == {RunState.DONE}, [
        run.error for run in finished.values()]
    assert open_total(session, offer.id) <= offer.budget_usd
    for need in (ghana, nigeria):
        on_need = [p for p in session.scalars(select(Proposal).where(
            Proposal.need_id == need.id, Proposal.state.in_(OPEN_PROPOSAL_STATES)))]
        assert sum(p.amount_usd for p in on_need) <= need.cost_usd
        assert len({p.run_id for p in on_need}) <= 1  # the last run to write replaced the rest
