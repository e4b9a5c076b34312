"""Every event that asks someone to act tells the right people, once, in the change's
transaction: new proposals (solver and by hand), answers, thread messages, delivery steps,
closure feedback and sign-ups to approve; and the mail reads well in English and French."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.accounts.authz import viewer_for
from matchmaker.errors import Conflict
from matchmaker.models import Notification, OutboxMail, ProposalState, UserStatus
from matchmaker.notifications import mailing
from matchmaker.proposals import decisions
from matchmaker.runs import execute
from matchmaker.runs.worker import claim_next_run
from tests import factories
from tests.accounts.conftest import mails_to, make_person, organisation
from tests.accounts.test_signup import post_signup, signup_form
from tests.matching.test_runs import queue
from tests.proposals.conftest import (  # noqa: F401 - the proposal tests' people and records
    browser_for,
    cast,
    deal,
    make_proposal,
)


def told(session, kind: str) -> dict[int, Notification]:
    """The notifications of ``kind``, by the person told (each person at most once)."""
    session.expire_all()
    found = session.scalars(select(Notification).where(Notification.kind == kind)
                            .order_by(Notification.id)).all()
    by_user = {notification.user_id: notification for notification in found}
    assert len(by_user) == len(found), "someone was told of one event twice"
    return by_user


def ids(*users) -> set[int]:
    return {user.id for user in users}


def test_a_solver_run_tells_both_sides_of_each_new_proposal_with_what_how_much_and_why(
    session, engine, settings, cast
):
    need = factories.make_need(session, "GHA", title="Marking machines for Ghana",
                               cost_usd=80_000)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 title="German marking fund", budget_usd=100_000)
    run = queue(session, cast.admin)
    claim_next_run(engine, "test-worker")
    execute.execute_run(engine, run.id)

    news = told(session, "proposal_new")
    assert set(news) == ids(cast.requester, cast.donor)
    [link] = session.scalars(select(Notification.link).distinct()
                                    .where(Notification.kind == "proposal_new")).all()
    params = news[cast.requester.id].params
    assert (params["need_ref"], params["offer_ref"], params["amount_usd"]) == (
        need.reference, offer.reference, 80_000)
    assert params["donor"] == "Germany" and params["state"] == "Ghana"
    assert params["criteria"][0] == "topic"  # the weightiest criterion of the default weights

    assert mailing.compose_immediate(engine, settings) == 2
    [mail] = mails_to(session, cast.requester.email)
    assert mail.subject == f"New proposal: {need.reference} with {offer.reference}"
    assert ("Matchmaker proposes to fund “Marking machines for Ghana” "
            f"({need.reference}, Ghana) with $80,000 from “German marking fund” "
            f"({offer.reference}, Germany).") in mail.body
    assert "Why this match: topic match" in mail.body
    assert f"Answer the proposal: {settings.base_url}{link}" in mail.body


def test_a_proposal_by_hand_tells_the_side_that_must_answer(session, cast, browser_for):
    need = factories.make_need(session, "GHA", cost_usd=50_000)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"))
    session.commit()
    response = browser_for(cast.donor).form(
        "/proposals/new", {"need": need.reference, "offer": offer.reference})
    assert response.status_code == 303
    assert set(told(session, "proposal_new")) == ids(cast.requester)  # the donor already said yes
    [mail] = mails_to(session, cast.requester.email)  # mailed once the answer went out
    assert mail.subject.startswith("New proposal:") and need.reference in mail.subject
    assert mails_to(session, cast.donor.email) == []


def test_answers_tell_the_side_still_to_answer_then_everyone_of_the_agreement(
    session, cast, deal, browser_for
):
    browser_for(cast.donor).form(f"/proposals/{deal.proposal.id}/accept")
    accepted = told(session, "proposal_accepted")
    assert set(accepted) == ids(cast.requester)
    assert accepted[cast.requester.id].event_key == f"proposal:{deal.proposal.id}:accepted:donor"
    assert accepted[cast.requester.id].params["who"] == "Dieter Braun (Germany)"

    browser_for(cast.requester).form(f"/proposals/{deal.proposal.id}/accept")
    assert set(told(session, "proposal_agreed")) == ids(cast.requester, cast.donor,
                                                       cast.coordinator)
    assert set(told(session, "proposal_accepted")) == ids(cast.requester)  # no second one


def test_a_decline_tells_the_others_with_its_reason(session, cast, deal, browser_for):
    browser_for(cast.requester).form(f"/proposals/{deal.proposal.id}/decline",
                                     {"reason": "Funded by our own budget"})
    declined = told(session, "proposal_declined")
    assert set(declined) == ids(cast.donor, cast.coordinator)
    assert declined[cast.donor.id].params["reason"] == "Funded by our own budget"
    assert "Reason given: Funded by our own budget" in mails_to(session, cast.donor.email)[0].body


def test_a_refused_answer_tells_nobody(session, cast, deal):
    deal.offer.committed_usd = deal.offer.budget_usd  # nothing left: accepting would over-commit
    session.commit()
    with pytest.raises(Conflict):
        decisions.accept(session, viewer_for(session, cast.donor), deal.proposal.id)
    assert reload_state(session, deal.proposal) == ProposalState.PROPOSED
    assert session.scalars(select(Notification)).all() == []


def reload_state(session, proposal) -> str:
    session.expire_all()
    return session.get(type(proposal), proposal.id).state


def test_a_message_tells_everyone_in_the_thread_but_its_author(session, cast, deal, browser_for):
    url = f"/proposals/{deal.proposal.id}/messages"
    browser_for(cast.coordinator).form(url, {"body": "Can delivery start in March?"})
    first = told(session, "message_new")
    assert set(first) == ids(cast.requester, cast.donor)
    assert first[cast.donor.id].params["excerpt"] == "Can delivery start in March?"
    assert first[cast.donor.id].link == f"/proposals/{deal.proposal.id}#messages"

    browser_for(cast.requester).form(url, {"body": "Yes, from 1 March."})
    session.expire_all()
    reply = session.scalars(select(Notification.user_id).where(
        Notification.kind == "message_new",
        Notification.event_key != first[cast.donor.id].event_key)).all()
    assert set(reply) == ids(cast.donor, cast.coordinator)  # the coordinator wrote in it


def test_each_delivery_step_is_told_and_delivery_asks_both_sides_for_feedback(
    session, cast, browser_for
):
    need = factories.make_need(session, "GHA", cost_usd=40_000)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"))
    proposal = make_proposal(session, need, offer, state=ProposalState.AGREED)
    session.commit()
    donor = browser_for(cast.donor)
    donor.form(f"/proposals/{proposal.id}/delivery")
    steps = told(session, "delivery_step")
    assert set(steps) == ids(cast.requester, cast.coordinator)
    assert steps[cast.requester.id].event_key == f"proposal:{proposal.id}:delivery:in_delivery"

    donor.form(f"/proposals/{proposal.id}/delivered", {"note": "12 machines handed over"})
    session.expire_all()
    delivered = session.scalars(select(Notification).where(
        Notification.event_key == f"proposal:{proposal.id}:delivery:delivered")).all()
    assert {n.user_id for n in delivered} == ids(cast.requester, cast.coordinator)
    assert set(told(session, "feedback_requested")) == ids(cast.requester, cast.donor)
    [mail] = [m for m in mails_to(session, cast.requester.email)
              if "the assistance is delivered" in m.subject]
    assert "12 machines handed over" in mail.body


def test_a_sign_up_tells_the_admins_and_the_coordinators_of_its_state(client, session, cast):
    post_signup(client, signup_form(session))
    to_approve = told(session, "signup_to_approve")
    assert set(to_approve) == ids(cast.admin, cast.coordinator)  # not UNLIREC's coordinator
    assert to_approve[cast.admin.id].params["organisation"] == "Ghana"
    assert to_approve[cast.admin.id].link == "/admin"
    [mail] = mails_to(session, cast.coordinator.email)
    assert "Yaw Boateng <yaw.boateng@mfa.gov.gh> asked for an account for Ghana." in mail.body

    post_signup(client, signup_form(session, email="ngo@example.org",
                                    organisation_id=str(organisation(session, "ecowas").id),
                                    role="donor"))
    assert len(told_all(session, cast.coordinator)) == 1  # only admins approve non-State ones


def told_all(session, user) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_the_agreement_mail_reads_well_in_english_and_in_french(
    session, engine, settings, cast, deal, browser_for
):
    cast.donor.language = "fr"
    make_person(session, "deu", "donor", status=UserStatus.DISABLED)  # never told
    session.commit()
    browser_for(cast.requester).form(f"/proposals/{deal.proposal.id}/accept")
    browser_for(cast.donor).form(f"/proposals/{deal.proposal.id}/accept")
    mailing.compose_immediate(engine, settings)
    session.expire_all()
    agreed = {m.recipient: m for m in session.scalars(select(OutboxMail))
              if m.subject.startswith(("Agreed", "Accord"))}
    ref, offer_ref = deal.need.reference, deal.offer.reference

    english = agreed[cast.requester.email]
    assert english.subject == f"Agreed: {ref} funded by {offer_ref}"
    assert english.body.startswith("Dear Ama Mensah,")
    assert (f"Both sides have accepted the proposal to fund “Marking machines for Ghana” ({ref}) "
            f"with $100,000 from “German marking fund” ({offer_ref}).") in english.body
    assert f"{settings.base_url}/proposals/{deal.proposal.id}" in english.body

    french = agreed[cast.donor.email]
    assert french.subject == f"Accord : {ref} financé par {offer_ref}"
    assert french.body.startswith("Bonjour Dieter Braun,")
    assert "Les deux parties ont accepté la proposition" in french.body
    assert "100\u202f000\xa0$US" in french.body
    assert 'lang="fr"' in french.html_body and "Marking machines for Ghana" in french.html_body
