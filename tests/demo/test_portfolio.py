"""The demo portfolio is plausible (costs, units, dates) and coherent (amounts, states, pairs)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matchmaker.demo import build_demo
from matchmaker.demo.context import MAX_AMOUNT, in_currency
from matchmaker.matching.explain import NO_ARC_CAUSES
from matchmaker.models import (
    COMMITTED_PROPOSAL_STATES,
    OPEN_NEED_STATUSES,
    OPEN_PROPOSAL_STATES,
    NeedStatus,
    OfferStatus,
    ProposalOrigin,
    ProposalState,
    RunScope,
)
from matchmaker.reference.money import to_usd
from solver.explain import REASONS
from solver.score import CRITERIA
from tests.conftest import empty_portfolio
from tests.demo.portfolio import TODAY, Portfolio, compatible, load

UN_LANGUAGES = {"ar", "en", "es", "fr", "ru", "zh"}


@pytest.fixture(scope="module")
def portfolio(migrated_engine: Engine) -> Iterator[Portfolio]:
    """One build for the whole module (the tests only read it), emptied afterwards."""
    with Session(migrated_engine, expire_on_commit=False) as session:
        build_demo(session, today=TODAY)
        session.commit()
    with Session(migrated_engine) as session:
        yield load(session)
    empty_portfolio(migrated_engine)


def test_costs_quantities_and_units_are_plausible_for_the_topic(portfolio: Portfolio):
    p = portfolio
    code = {need.id: p.categories[need.topic_id].code for need in p.needs}
    machines = [n for n in p.needs if code[n.id] == "marking.machines" and n.unit == "machines"]
    assert machines
    for need in machines:  # a marking machine costs tens of thousands of dollars
        assert 10_000 <= need.cost_usd / need.quantity <= 100_000, need.title
    training = [n for n in p.needs if code[n.id] == "stockpile.standards_training"]
    assert training
    for need in training:  # a course has trainees and days
        assert need.unit == "trainees" and 10 <= need.quantity <= 100
        assert " days)" in need.title
    for need in p.needs:
        assert need.cost_usd > 0 and need.quantity and need.quantity > 0 and need.unit
        assert need.cost_usd == to_usd(need.estimated_cost, need.currency)
        assert need.start_date < need.deadline, need.title
        assert set(need.languages.split(",")) <= UN_LANGUAGES
        assert "{" not in need.title + need.description + need.goal
        assert len(need.title) <= 200 and need.commitment
    assert {n.currency for n in p.needs} >= {"USD", "EUR", "XOF"}
    assert sum(n.currency == "USD" for n in p.needs) > len(p.needs) / 2
    assert all(n.estimated_cost <= MAX_AMOUNT for n in p.needs)
    for offer in p.offers:
        assert offer.budget_usd == to_usd(offer.budget, offer.currency) > 0
        assert offer.budget <= MAX_AMOUNT
        assert offer.available_from < offer.available_until
        assert p.offer_categories[offer.id] and p.offer_modalities[offer.id]
        assert set(offer.languages.split(",")) <= UN_LANGUAGES


def test_amounts_in_small_currency_units_fall_back_to_dollars_when_too_large():
    assert in_currency(400_000, "COP") == (1_760_000_000, "COP")
    assert in_currency(600_000, "COP") == (600_000, "USD")  # 2.6 billion pesos: too large
    assert in_currency(1_234_567, "EUR") == (1_190_000, "EUR")


def test_statuses_and_eligibility_rules_are_varied(portfolio: Portfolio):
    p = portfolio
    needs = {status: sum(n.status == status for n in p.needs) for status in NeedStatus}
    assert needs[NeedStatus.PUBLISHED] > len(p.needs) / 2
    for status in (NeedStatus.DRAFT, NeedStatus.WITHDRAWN, NeedStatus.PARTLY_MATCHED,
                   NeedStatus.MATCHED, NeedStatus.IN_DELIVERY, NeedStatus.COMPLETED):  # fmt: skip
        assert needs[status] >= 1, status
    assert sum(n.visibility == "public" for n in p.needs) > 0.8 * len(p.needs)
    offers = {status: sum(o.status == status for o in p.offers) for status in OfferStatus}
    assert offers[OfferStatus.PUBLISHED] > 0.8 * len(p.offers) and offers[OfferStatus.DRAFT]
    assert any(o.ldc_only for o in p.offers) and any(o.sids_only for o in p.offers)
    assert any(p.offer_regions[o.id] for o in p.offers)
    assert any(
        p.regions[r].level == "intermediate" for o in p.offers for r in p.offer_regions[o.id]
    )
    assert any(p.offer_excluded[o.id] for o in p.offers)
    assert any(not p.offer_regions[o.id] and not p.offer_countries[o.id] for o in p.offers)


def test_agreed_amounts_add_up_and_no_offer_is_over_committed(portfolio: Portfolio):
    p = portfolio
    committed = {state.value for state in COMMITTED_PROPOSAL_STATES}
    agreed, delivered, agreed_offer = defaultdict(int), defaultdict(int), defaultdict(int)
    delivering = set()
    for x in p.proposals:
        if x.state in committed:
            agreed[x.need_id] += x.amount_usd
            agreed_offer[x.offer_id] += x.amount_usd
        if x.state in (ProposalState.IN_DELIVERY, ProposalState.DELIVERED):
            delivering.add(x.need_id)
        if x.state == ProposalState.DELIVERED:
            delivered[x.need_id] += x.amount_usd

    for need in p.needs:
        assert need.agreed_usd == agreed[need.id] <= need.cost_usd
        assert need.delivered_usd == delivered[need.id] <= need.agreed_usd
        status, amount, cost = need.status, need.agreed_usd, need.cost_usd
        if status in (NeedStatus.DRAFT, NeedStatus.WITHDRAWN, NeedStatus.PUBLISHED):
            assert amount == 0, need.title
        elif status == NeedStatus.PARTLY_MATCHED:
            assert 0 < amount < cost
        elif status == NeedStatus.MATCHED:
            assert amount >= cost
        elif status == NeedStatus.IN_DELIVERY:
            assert amount >= cost and need.id in delivering
        else:
            assert status == NeedStatus.COMPLETED and need.delivered_usd >= cost
    for offer in p.offers:
        assert offer.committed_usd == agreed_offer[offer.id] <= offer.budget_usd
        exhausted = offer.committed_usd >= offer.budget_usd
        assert (offer.status == OfferStatus.EXHAUSTED) == exhausted


def test_every_open_proposal_can_still_be_accepted(portfolio: Portfolio):
    p = portfolio
    open_ = [x for x in p.proposals if x.state in {s.value for s in OPEN_PROPOSAL_STATES}]
    assert len(open_) >= 30
    for x in open_:
        need, offer = p.need_by_id[x.need_id], p.offer_by_id[x.offer_id]
        assert need.status in OPEN_NEED_STATUSES and offer.status == OfferStatus.PUBLISHED
        assert x.amount_usd <= need.cost_usd - need.agreed_usd
        assert x.amount_usd <= offer.budget_usd - offer.committed_usd
        assert x.expires_at.date() > TODAY


def test_every_proposal_pairs_a_compatible_need_and_offer(portfolio: Portfolio):
    p = portfolio
    needs, offers = p.need_by_id, p.offer_by_id
    for x in p.proposals:
        need, offer = needs[x.need_id], offers[x.offer_id]
        assert compatible(p, need, offer) == [], (need.title, offer.title)
        assert need.status not in (NeedStatus.DRAFT, NeedStatus.WITHDRAWN)
        assert offer.status != OfferStatus.DRAFT
        assert 0 < x.amount_usd <= need.cost_usd
        assert x.share == pytest.approx(x.amount_usd / need.cost_usd, abs=1e-4)
        assert set(x.breakdown) == set(CRITERIA)
        assert sum(x.breakdown.values()) == pytest.approx(x.score, abs=1e-3) and x.score > 0


def test_each_proposal_state_carries_its_decisions(portfolio: Portfolio):
    p = portfolio
    runs = {run.id: run for run in p.runs}
    committed = {state.value for state in COMMITTED_PROPOSAL_STATES}
    for x in p.proposals:
        if x.origin == ProposalOrigin.SOLVER:
            assert x.created_by_id == runs[x.run_id].started_by_id
        else:
            assert x.run_id is None and x.created_by_id in p.users
        if x.state in committed:
            assert x.agreed_at and x.requester_accepted_at and x.donor_accepted_at
            assert x.requester_accepted_by_id and x.donor_accepted_by_id
            assert x.agreed_at == max(x.requester_accepted_at, x.donor_accepted_at)
        if x.requester_accepted_by_id:
            _from(p, x.requester_accepted_by_id, p.need_by_id[x.need_id].organisation_id)
            assert p.users[x.requester_accepted_by_id].role == "requester"
        if x.donor_accepted_by_id:
            _from(p, x.donor_accepted_by_id, p.offer_by_id[x.offer_id].organisation_id)
            assert p.users[x.donor_accepted_by_id].role == "donor"
        if x.state == ProposalState.DELIVERED:
            assert x.delivered_at > x.agreed_at
        if x.state == ProposalState.ACCEPTED_BY_REQUESTER:
            assert x.requester_accepted_at and not x.donor_accepted_at
        if x.state == ProposalState.ACCEPTED_BY_DONOR:
            assert x.donor_accepted_at and not x.requester_accepted_at
        if x.state == ProposalState.DECLINED:
            assert x.declined_by_side in ("requester", "donor") and x.decline_reason
            assert p.users[x.declined_by_id].role == x.declined_by_side
        else:
            assert not x.declined_by_side and not x.decline_reason
    # A declined pair is never proposed again.
    declined = {(x.need_id, x.offer_id): x.created_at for x in p.proposals
                if x.state == ProposalState.DECLINED}  # fmt: skip
    for x in p.proposals:
        pair = (x.need_id, x.offer_id)
        assert pair not in declined or x.created_at <= declined[pair]


def _from(p: Portfolio, user_id: int, organisation_id: int) -> None:
    assert p.users[user_id].organisation_id == organisation_id


def test_every_change_leaves_an_event_in_the_applications_vocabulary(portfolio: Portfolio):
    p = portfolio
    records = {"proposal": {x.id for x in p.proposals}, "need": {n.id for n in p.needs},
               "offer": {o.id for o in p.offers}, "matchrun": {r.id for r in p.runs}}  # fmt: skip
    by_action: dict[tuple[str, str], list] = defaultdict(list)
    for event in p.events:
        assert event.entity_id in records[event.entity], event
        by_action[(event.entity, event.action)].append(event)
        if event.actor_id:
            assert event.organisation_id == p.users[event.actor_id].organisation_id
    for action in ("proposed", "accepted", "agreed", "declined", "in_delivery", "delivered",
                   "feedback", "expired", "superseded", "message"):  # fmt: skip
        assert by_action[("proposal", action)], action
    proposed = Counter(e.entity_id for e in by_action[("proposal", "proposed")])
    assert proposed == Counter(x.id for x in p.proposals)  # one each
    committed = {
        x.id for x in p.proposals if x.state in {s.value for s in COMMITTED_PROPOSAL_STATES}
    }
    assert {e.entity_id for e in by_action[("proposal", "agreed")]} == committed
    assert len(by_action[("need", "proposal_agreed")]) == len(committed)
    assert len(by_action[("offer", "proposal_agreed")]) == len(committed)
    assert Counter(e.entity_id for e in by_action[("need", "created")]) == Counter(records["need"])
    published = {n.id for n in p.needs if n.published_at}
    assert {e.entity_id for e in by_action[("need", "published")]} == published
    assert len(by_action[("proposal", "message")]) == len(p.messages)
    for event in by_action[("proposal", "superseded")]:
        later = next(r for r in p.runs if r.id == event.after["run_id"])
        proposal = next(x for x in p.proposals if x.id == event.entity_id)
        assert proposal.origin == ProposalOrigin.SOLVER and proposal.run_id != later.id
        assert proposal.created_at < later.finished_at
    events = sorted(p.events, key=lambda e: e.id)
    assert [e.created_at for e in events] == sorted(e.created_at for e in events)


def test_runs_cover_the_world_and_a_coordinators_region(portfolio: Portfolio):
    p = portfolio
    assert sum(run.scope == RunScope.GLOBAL for run in p.runs) >= 2
    regional = [run for run in p.runs if run.scope == RunScope.REGION]
    assert regional
    for run in regional:
        assert p.users[run.started_by_id].role == "coordinator"
        for x in p.proposals:
            if x.run_id == run.id:
                country = p.countries[p.need_by_id[x.need_id].country_id]
                assert run.scope_region_id in {country.region_id, country.subregion_id}
    for run in p.runs:
        assert run.state == "done" and run.n_proposals == sum(
            x.run_id == run.id for x in p.proposals
        )
        assert run.result["proposed_usd"] == sum(
            x.amount_usd for x in p.proposals if x.run_id == run.id
        )
        for fact in run.result["unmet"]:
            assert fact["need_id"] in p.need_by_id and fact["shortfall"] > 0
            assert fact["reason"] in REASONS
            if fact["reason"] == "no_compatible_offer":
                assert fact["cause"] in NO_ARC_CAUSES


def test_message_threads_are_between_the_parties(portfolio: Portfolio):
    p = portfolio
    proposals = {x.id: x for x in p.proposals}
    threads = defaultdict(list)
    for message in p.messages:
        threads[message.proposal_id].append(message)
    assert len(threads) >= 10
    for proposal_id, messages in threads.items():
        proposal = proposals[proposal_id]
        need = p.need_by_id[proposal.need_id]
        offer = p.offer_by_id[proposal.offer_id]
        parties = {need.organisation_id, offer.organisation_id}
        for message in messages:
            author = p.users[message.author_id]
            assert author.organisation_id in parties or author.role in ("coordinator", "admin")
            assert message.created_at >= proposal.created_at and message.body
