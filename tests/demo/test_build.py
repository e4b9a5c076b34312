"""The demo build: its size, its accounts, reproducibility, and that it never mixes with real data."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlmodel import Session, select

from matchmaker.accounts.passwords import verify_password
from matchmaker.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DemoError, build_demo
from matchmaker.models import (
    Need,
    Organisation,
    OrganisationKind,
    ProposalState,
    Role,
    RunMode,
    RunScope,
    RunState,
    User,
    UserStatus,
)
from tests.conftest import empty_portfolio
from tests.demo.portfolio import TODAY, canonical, load


def test_the_portfolio_is_large_and_varied_enough_to_demonstrate_matching(session: Session):
    report = build_demo(session, today=TODAY)
    p = load(session)

    requesting = {need.country_id for need in p.needs}
    donors = {offer.organisation_id for offer in p.offers}
    assert len(p.needs) >= 300 and len(requesting) >= 80
    assert len(p.offers) >= 60 and len(donors) >= 25
    kinds = {p.organisations[org].kind for org in donors}
    assert {OrganisationKind.STATE, OrganisationKind.NGO, OrganisationKind.INDUSTRY} <= kinds
    assert kinds & {OrganisationKind.INTERNATIONAL_ORG, OrganisationKind.REGIONAL_ORG}

    states = Counter(proposal.state for proposal in p.proposals)
    for state in (
        ProposalState.PROPOSED, ProposalState.ACCEPTED_BY_REQUESTER,
        ProposalState.ACCEPTED_BY_DONOR, ProposalState.AGREED, ProposalState.IN_DELIVERY,
        ProposalState.DELIVERED, ProposalState.DECLINED, ProposalState.SUPERSEDED,
    ):  # fmt: skip
        assert states[state] >= 1, state
    assert any(
        run.state == RunState.DONE and run.scope == RunScope.GLOBAL and run.mode == RunMode.SPLIT
        and run.n_proposals == sum(1 for x in p.proposals if x.run_id == run.id)
        and run.finished_at is not None and run.objective > 0
        for run in p.runs
    )  # fmt: skip

    # The report tells the truth about what was written.
    assert report.needs == len(p.needs)
    assert report.requesting_states == len(requesting)
    assert report.offers == len(p.offers) and report.donors == len(donors)
    assert report.proposals == {str(state): count for state, count in states.items()}
    assert report.events == len(p.events) and report.messages == len(p.messages)
    assert report.agreed_usd == sum(need.agreed_usd for need in p.needs) > 0
    assert 0.4 <= report.offered_usd / report.requested_usd <= 0.6


def test_every_role_has_a_documented_account_with_the_demo_password(session: Session):
    build_demo(session, today=TODAY)
    users = {user.email: user for user in session.exec(select(User)).all()}
    organisations = {o.id: o.slug for o in session.exec(select(Organisation)).all()}

    for account in DEMO_ACCOUNTS:
        user = users[account.email]
        assert (user.role, organisations[user.organisation_id], user.status) == (
            account.role, account.organisation, account.status,
        )  # fmt: skip
        assert user.is_demo and user.language == account.language
    # Verifying is slow (argon2); each distinct hash once is enough.
    for password_hash in {users[account.email].password_hash for account in DEMO_ACCOUNTS}:
        assert verify_password(password_hash, DEMO_PASSWORD)
        assert not verify_password(password_hash, "wrong-password")
    active_roles = {a.role for a in DEMO_ACCOUNTS if a.status == UserStatus.ACTIVE}
    assert active_roles == set(Role)
    pending = [a for a in DEMO_ACCOUNTS if a.status == UserStatus.PENDING]
    assert len(pending) == 1 and users[pending[0].email].approved_at is None

    # Everyone else who posted or decided in the demo is a demo account too.
    assert all(user.is_demo for user in users.values())
    needs = session.exec(select(Need)).all()
    assert all(users_by_id(users)[n.created_by_id].organisation_id == n.organisation_id
               for n in needs)  # fmt: skip


def users_by_id(users: dict[str, User]) -> dict[int, User]:
    return {user.id: user for user in users.values()}


def test_each_documented_requester_and_donor_has_a_proposal_awaiting_its_answer(
    session: Session,
):
    build_demo(session, today=TODAY)
    p = load(session)
    slug = {o.id: o.slug for o in p.organisations.values()}
    needs, offers = p.need_by_id, p.offer_by_id
    awaiting = set()
    for x in p.proposals:
        if x.state in (ProposalState.PROPOSED, ProposalState.ACCEPTED_BY_DONOR):
            awaiting.add((slug[needs[x.need_id].organisation_id], Role.REQUESTER))
        if x.state in (ProposalState.PROPOSED, ProposalState.ACCEPTED_BY_REQUESTER):
            awaiting.add((slug[offers[x.offer_id].organisation_id], Role.DONOR))
    for account in DEMO_ACCOUNTS:
        if account.status == UserStatus.ACTIVE and account.role in (Role.REQUESTER, Role.DONOR):
            assert (account.organisation, account.role) in awaiting, account.email


def test_same_seed_and_day_give_the_same_portfolio_and_another_seed_another(engine):
    def build(seed: int) -> dict:
        with Session(engine, expire_on_commit=False) as session:
            build_demo(session, seed=seed, today=TODAY)
            session.commit()
        with Session(engine) as session:
            dump = canonical(load(session))
        empty_portfolio(engine)
        return dump

    first = build(2026)
    assert build(2026) == first
    other = build(7)
    assert other != first
    assert other["needs"] != first["needs"] and other["proposals"] != first["proposals"]


def test_dates_follow_the_day_of_the_build(session: Session):
    build_demo(session)  # today by default
    p = load(session)
    today = date.today()
    assert all(today < need.start_date < need.deadline for need in p.needs)
    assert all(need.created_at.date() <= today for need in p.needs)
    assert all(run.finished_at.date() < today for run in p.runs)
    assert all(event.created_at.date() <= today for event in p.events)


def test_building_on_a_portfolio_that_is_not_empty_is_refused(session: Session):
    build_demo(session, today=TODAY)
    with pytest.raises(DemoError, match="already holds needs"):
        build_demo(session, today=TODAY)


def test_one_real_organisation_is_enough_to_refuse(session: Session):
    session.add(Organisation(slug="real-ngo", name="A real NGO", kind=OrganisationKind.NGO))
    session.flush()
    with pytest.raises(DemoError, match="organisations other than the reference ones"):
        build_demo(session, today=TODAY)
    assert session.exec(select(Need)).first() is None


def test_events_snapshot_the_same_fields_as_the_application():
    from matchmaker.demo import audit, proposals, runs
    from matchmaker.matching import write
    from matchmaker.needs import editing as need_editing
    from matchmaker.offers import editing as offer_editing
    from matchmaker.proposals import decisions
    from matchmaker.runs import services

    assert proposals.PROPOSED_FIELDS == write.PROPOSAL_FIELDS
    assert proposals.DECISION_FIELDS == decisions.PROPOSAL_FIELDS
    assert proposals.ANSWER_WITHIN == write.PROPOSAL_LIFETIME
    assert audit.NEED_FIELDS == need_editing.NEED_FIELDS
    assert audit.OFFER_FIELDS == offer_editing.OFFER_FIELDS
    assert audit.NEED_AMOUNT_FIELDS == decisions.NEED_FIELDS
    assert audit.OFFER_AMOUNT_FIELDS == decisions.OFFER_FIELDS
    assert runs.RUN_FIELDS == services.RUN_FIELDS
