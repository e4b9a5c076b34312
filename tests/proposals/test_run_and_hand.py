"""A run and a proposal by hand on the same pair: the run, which read the portfolio before the
proposal existed, skips the pair when it writes instead of failing on the pair's index."""

from __future__ import annotations

from sqlmodel import Session

from matchmaker.models import Proposal, ProposalOrigin, ProposalState
from matchmaker.runs import execute
from matchmaker.runs.worker import claim_next_run
from tests.accounts.conftest import people  # noqa: F401 - fixture
from tests.matching.conftest import donor_org  # noqa: F401 - fixture
from tests.matching.test_runs import proposals_of, queue, small_portfolio  # noqa: F401


def test_a_pair_proposed_by_hand_while_the_run_solved_is_left_to_it(
    session, engine, people, small_portfolio, monkeypatch  # noqa: F811
):
    (ghana, nigeria), offer = small_portfolio
    real_solve = execute.solve

    def solve_while_a_donor_proposes_the_same_pair(problem):
        solution = real_solve(problem)
        with Session(engine) as other:
            other.add(Proposal(need_id=ghana.id, offer_id=offer.id, amount_usd=1_000,
                               origin=ProposalOrigin.MANUAL,
                               state=ProposalState.ACCEPTED_BY_DONOR))
            other.commit()
        return solution

    monkeypatch.setattr(execute, "solve", solve_while_a_donor_proposes_the_same_pair)
    run = queue(session, people.admin)
    claim_next_run(engine, "w")
    done = execute.execute_run(engine, run.id)
    assert done.state == "done", done.error
    assert [p.need_id for p in proposals_of(session, run.id)] == [nigeria.id]
    assert done.result["trimmed"] >= 1
