"""Records to solver arrays on tiny portfolios: compatibility rules, amounts, breakdowns."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matchmaker.matching.scope import Scope
from matchmaker.models import (
    OfferCountry,
    OfferRegion,
    OfferStatus,
    Proposal,
    ProposalOrigin,
    ProposalState,
)
from solver.score import CRITERIA, DEFAULT_WEIGHTS
from tests import factories
from tests.matching.conftest import category, pairs, plan, region

TODAY = date.today()


def offer(session, donor_org, *topics, modalities=("equipment",), **fields):
    chosen = [category(session, code) for code in (topics or ("marking.machines",))]
    return factories.make_offer(
        session, donor_org, topics=chosen,
        modalities=[factories.modality(session, code) for code in modalities], **fields)


def need(session, iso3="GHA", topic="marking.machines", modality="equipment", **fields):
    return factories.make_need(session, iso3, topic=category(session, topic),
                               modality=factories.modality(session, modality), **fields)


def test_exact_topic_scores_full_and_area_half(session, donor_org):
    wanted = need(session)
    exact = offer(session, donor_org, "marking.machines")
    whole_area = offer(session, donor_org, "marking")
    offer(session, donor_org, "stockpile.physical_security")  # another area: no pair
    result = plan(session)
    assert pairs(result) == {(wanted.reference, exact.reference),
                             (wanted.reference, whole_area.reference)}
    arcs, problem = result.encoded.arcs, result.encoded.problem
    topic_value = {problem.offer_ids[o]: arcs.breakdown["topic"][i]
                   for i, o in enumerate(arcs.offer_index.tolist())}
    assert topic_value[exact.reference] == pytest.approx(DEFAULT_WEIGHTS["topic"])
    assert topic_value[whole_area.reference] == pytest.approx(DEFAULT_WEIGHTS["topic"] / 2)


def test_modality_must_be_offered(session, donor_org):
    wanted = need(session, modality="training")
    offer(session, donor_org, modalities=("equipment",))
    trainer = offer(session, donor_org, modalities=("equipment", "training"))
    assert pairs(plan(session)) == {(wanted.reference, trainer.reference)}


def test_eligibility_regions_intermediate_regions_and_exclusions(session, donor_org):
    ghana = need(session, "GHA")
    peru = need(session, "PER")
    americas = offer(session, donor_org)
    session.add(OfferRegion(offer_id=americas.id, region_id=region(session, "019").id))
    western_africa = offer(session, donor_org)  # an intermediate region: expanded to States
    session.add(OfferRegion(offer_id=western_africa.id, region_id=region(session, "011").id))
    worldwide_but_ghana = offer(session, donor_org)
    session.add(OfferCountry(offer_id=worldwide_but_ghana.id,
                             country_id=factories.country(session, "GHA").id, excluded=True))
    only_peru = offer(session, donor_org)
    session.add(OfferCountry(offer_id=only_peru.id,
                             country_id=factories.country(session, "PER").id))
    assert pairs(plan(session)) == {
        (ghana.reference, western_africa.reference),
        (peru.reference, americas.reference),
        (peru.reference, worldwide_but_ghana.reference),
        (peru.reference, only_peru.reference),
    }


def test_ldc_only_and_sids_only_offers(session, donor_org):
    ghana, mali, fiji = need(session, "GHA"), need(session, "MLI"), need(session, "FJI")
    for_ldcs = offer(session, donor_org, ldc_only=True)
    for_sids = offer(session, donor_org, sids_only=True)
    assert pairs(plan(session)) == {(mali.reference, for_ldcs.reference),
                                    (fiji.reference, for_sids.reference)}
    unmet = {u["reference"]: u for u in plan(session).decoded.result["unmet"]}
    assert unmet[ghana.reference]["reason"] == "no_compatible_offer"
    assert unmet[ghana.reference]["cause"] == "not_eligible"


def test_availability_windows(session, donor_org):
    later = need(session, start_date=TODAY + timedelta(days=200),
                 deadline=TODAY + timedelta(days=400))
    soon = need(session, start_date=TODAY + timedelta(days=10),
                deadline=TODAY + timedelta(days=60))
    ends_early = offer(session, donor_org, available_until=TODAY + timedelta(days=100))
    starts_late = offer(session, donor_org, available_from=TODAY + timedelta(days=90))
    offer(session, donor_org, available_until=TODAY - timedelta(days=1))  # over: not loaded
    offer(session, donor_org, status=OfferStatus.DRAFT)  # not published: not loaded
    result = plan(session)
    assert pairs(result) == {(soon.reference, ends_early.reference),
                             (later.reference, starts_late.reference)}
    assert len(result.encoded.all_offers) == 2


def test_declined_pair_is_never_proposed_again(session, donor_org):
    wanted = need(session)
    declined, other = offer(session, donor_org), offer(session, donor_org)
    session.add(Proposal(need_id=wanted.id, offer_id=declined.id, amount_usd=50_000,
                         state=ProposalState.DECLINED, decline_reason="Not our priority"))
    result = plan(session)
    assert pairs(result) == {(wanted.reference, other.reference)}
    assert {(d.need.id, d.offer.id) for d in result.decoded.drafts} == {(wanted.id, other.id)}


def test_only_declined_offers_left_is_explained(session, donor_org):
    wanted = need(session)
    declined = offer(session, donor_org)
    session.add(Proposal(need_id=wanted.id, offer_id=declined.id, amount_usd=50_000,
                         state=ProposalState.DECLINED))
    [unmet] = plan(session).decoded.result["unmet"]
    assert (unmet["reason"], unmet["cause"]) == ("no_compatible_offer", "declined")


def test_offers_already_proposed_for_the_need_are_explained(session, donor_org):
    wanted = need(session, cost_usd=100_000)
    by_hand = offer(session, donor_org)
    session.add(Proposal(need_id=wanted.id, offer_id=by_hand.id, amount_usd=40_000,
                         origin=ProposalOrigin.MANUAL, state=ProposalState.PROPOSED))
    [unmet] = plan(session).decoded.result["unmet"]
    assert (unmet["reason"], unmet["cause"], unmet["shortfall"]) == (
        "no_compatible_offer", "proposed", 60_000)


def test_remaining_amounts_subtract_agreed_and_held_proposals(session, donor_org):
    wanted = need(session, cost_usd=100_000, agreed_usd=40_000)
    budget = offer(session, donor_org, budget_usd=200_000, committed_usd=150_000)
    by_hand = offer(session, donor_org, budget_usd=300_000)
    session.add(Proposal(need_id=wanted.id, offer_id=by_hand.id, amount_usd=10_000,
                         origin=ProposalOrigin.MANUAL, state=ProposalState.PROPOSED))
    result = plan(session)
    problem = result.encoded.problem
    assert problem.need_amount.tolist() == [50_000]  # 100k - 40k agreed - 10k held by hand
    capacity = dict(zip(problem.offer_ids, problem.offer_capacity.tolist(), strict=True))
    assert capacity == {budget.reference: 50_000}  # the held pair is not proposed again
    [draft] = result.decoded.drafts
    assert (draft.offer.id, draft.amount_usd) == (budget.id, 50_000)
    assert draft.share == pytest.approx(0.5)  # of the need's whole cost


def test_breakdown_names_every_criterion_and_sums_to_the_score(session, donor_org):
    need(session, "MLI", priority="high", languages="fr",
         deadline=TODAY + timedelta(days=90))
    offer(session, donor_org, languages="fr,en", budget_usd=10_000)
    weights = dict(DEFAULT_WEIGHTS, urgency=4.0)
    [draft] = plan(session, weights=weights).decoded.drafts
    assert set(draft.breakdown) == set(CRITERIA)
    assert sum(draft.breakdown.values()) == pytest.approx(draft.score, abs=1e-3)
    assert draft.breakdown["priority"] == pytest.approx(weights["priority"])
    assert draft.breakdown["ldc"] == pytest.approx(weights["ldc"])
    assert draft.breakdown["language"] == pytest.approx(weights["language"])
    assert draft.breakdown["cost_fit"] == pytest.approx(weights["cost_fit"] * 10_000 / 50_000)
    assert draft.amount_usd == 10_000


def test_scope_keeps_the_needs_of_a_region_or_a_category(session, donor_org):
    ghana = need(session, "GHA")
    peru = need(session, "PER", topic="stockpile.physical_security")
    offer(session, donor_org, "marking", "stockpile")
    africa = plan(session, scope=Scope(kind="region", region_id=region(session, "002").id))
    assert africa.encoded.problem.need_ids == [ghana.reference]
    stockpile = plan(session, scope=Scope(kind="category",
                                          category_id=category(session, "stockpile").id))
    assert stockpile.encoded.problem.need_ids == [peru.reference]
    peru_only = frozenset({factories.country(session, "PER").id})
    covered = plan(session, scope=Scope(kind="region", country_ids=peru_only))
    assert covered.encoded.problem.need_ids == [peru.reference]


def test_unmet_reasons_no_topic_no_modality_and_shadow_prices(session, donor_org):
    nobody = need(session, topic="legislation.drafting")
    training = need(session, modality="training")
    # Per dollar, the small need scores most, then the big one, then the large low one.
    small = need(session, cost_usd=100_000, priority="low")
    big = need(session, cost_usd=300_000, priority="high")
    large = need(session, cost_usd=400_000, priority="low")
    donor_offer = offer(session, donor_org, budget_usd=150_000)
    result = plan(session).decoded.result
    unmet = {u["reference"]: u for u in result["unmet"]}
    assert unmet[nobody.reference]["cause"] == "no_topic"
    assert unmet[training.reference]["cause"] == "no_modality"
    assert small.reference not in unmet
    assert unmet[big.reference]["reason"] == "partly_covered"
    assert unmet[big.reference]["shortfall"] == 250_000
    assert unmet[large.reference]["reason"] == "outbid"
    assert unmet[large.reference]["takers"] == [small.reference, big.reference]
    [price] = result["shadow_prices"]
    assert price["reference"] == donor_offer.reference
    assert price["value"] > 0 and price["left"] == 0
    assert price["beneficiaries"] == [big.reference, large.reference]


def test_an_offer_held_by_open_proposals_still_explains_the_needs_it_is_open_to(
    session, donor_org
):
    # The demo's N-00186: the only offer open to Niger is held by open proposals, one of them
    # for Niger's need itself; the run once said "none is open to Niger".
    niger = need(session, "NER", cost_usd=100_000)
    ghana = need(session, "GHA", cost_usd=100_000)
    held = offer(session, donor_org, budget_usd=100_000)
    session.add(OfferRegion(offer_id=held.id, region_id=region(session, "002").id))
    for wanted, amount in ((niger, 30_000), (ghana, 70_000)):
        session.add(Proposal(need_id=wanted.id, offer_id=held.id, amount_usd=amount,
                             origin=ProposalOrigin.MANUAL, state=ProposalState.PROPOSED))
    unmet = {u["reference"]: u for u in plan(session).decoded.result["unmet"]}
    assert (unmet[niger.reference]["cause"], unmet[niger.reference]["closest_offer_ids"]) == (
        "proposed", [held.id])
    elsewhere = need(session, "SEN", cost_usd=50_000)
    unmet = {u["reference"]: u for u in plan(session).decoded.result["unmet"]}
    assert (unmet[elsewhere.reference]["cause"], unmet[elsewhere.reference]["shortfall"]) == (
        "spent", 50_000)


def test_an_exhausted_offer_explains_a_need_as_committed(session, donor_org):
    need(session)
    offer(session, donor_org, budget_usd=100_000, committed_usd=100_000,
          status=OfferStatus.EXHAUSTED)
    [unmet] = plan(session).decoded.result["unmet"]
    assert (unmet["reason"], unmet["cause"]) == ("no_compatible_offer", "spent")
