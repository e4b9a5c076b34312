"""Status changes of needs and offers: which are allowed, which are refused and why, and the
events each leaves behind."""

from __future__ import annotations

import pytest

from matchmaker.models import Need, NeedStatus, Offer, OfferStatus, ProposalState
from tests import factories
from tests.portfolio.conftest import events, field_error, need_form, offer_form, proposal, stored


@pytest.fixture
def germany(session):
    return factories.state_org(session, "DEU")


def test_publishing_a_draft_in_place_with_htmx(session, people, sign_in):
    need = factories.make_need(session, "GHA", status=NeedStatus.DRAFT)
    session.commit()
    response = sign_in(people.requester).post(f"/needs/{need.reference}/publish", htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    assert "Published: donors and coordinators can now see this need." in response.text
    assert 'id="need-status" hx-swap-oob="true"' in response.text and ">Open</span>" in response.text
    published = events(session, "need", need.id)[-1]
    assert published.action == "published" and published.actor_id == people.requester.id
    assert (published.before["status"], published.after["status"]) == ("draft", "published")
    assert stored(session, Need, need.reference).published_at is not None


def test_without_javascript_an_action_returns_to_the_record(session, people, sign_in):
    need = factories.make_need(session, "GHA", status=NeedStatus.DRAFT)
    session.commit()
    response = sign_in(people.requester).post(f"/needs/{need.reference}/publish")
    assert response.status_code == 303
    assert response.headers["location"] == f"/needs/{need.reference}"


@pytest.mark.parametrize(("status", "action", "message"), [
    (NeedStatus.PUBLISHED, "publish",
     "Only a draft can be published; this need is already open."),
    (NeedStatus.WITHDRAWN, "publish",
     "Only a draft can be published; this need is already withdrawn."),
    (NeedStatus.DRAFT, "draft",
     "Only a published, withdrawn or expired need without agreed proposals can go back to "
     "draft."),
    (NeedStatus.WITHDRAWN, "withdraw", "This need is withdrawn; it cannot be withdrawn."),
    (NeedStatus.COMPLETED, "withdraw", "This need is completed; it cannot be withdrawn."),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_refused_need_actions_say_why_and_change_nothing(session, people, sign_in, status,
                                                         action, message, htmx):
    need = factories.make_need(session, "GHA", status=status)
    session.commit()
    response = sign_in(people.requester).post(f"/needs/{need.reference}/{action}", htmx=htmx)
    assert response.status_code == 409
    assert message in response.text
    if htmx:
        assert 'id="need-actions"' in response.text and "This could not be done:" in response.text
    else:
        assert "<html" in response.text and "Conflict" in response.text
    assert stored(session, Need, need.reference).status == status
    assert events(session, "need", need.id) == []


def test_back_to_draft_hides_the_need_and_supersedes_its_open_proposals(client, session,
                                                                        people, sign_in,
                                                                        germany):
    need = factories.make_need(session, "GHA", title="Marking machines for Ghana")
    waiting = proposal(session, need, factories.make_offer(session, germany))
    declined = proposal(session, need, factories.make_offer(session, germany),
                        ProposalState.DECLINED)
    session.commit()
    response = sign_in(people.requester).post(f"/needs/{need.reference}/draft", htmx=True)
    assert response.status_code == 200
    assert "Back to draft: only your State can see it until you publish it again." in (
        response.text)
    assert client.get(f"/needs/{need.reference}").status_code == 404
    assert "Marking machines for Ghana" not in client.get("/needs").text
    session.refresh(waiting)
    session.refresh(declined)
    assert waiting.state == ProposalState.SUPERSEDED and declined.state == ProposalState.DECLINED
    [superseded] = events(session, "proposal", waiting.id)
    assert superseded.action == "superseded" and superseded.after["state"] == "superseded"
    assert superseded.note == "The need went back to draft for changes."
    redrafted = events(session, "need", need.id)[-1]
    assert redrafted.action == "returned_to_draft"
    assert (redrafted.before["status"], redrafted.after["status"]) == ("published", "draft")


def test_a_withdrawn_need_is_edited_again_after_going_back_to_draft(session, people,
                                                                    sign_in):
    need = factories.make_need(session, "GHA", status=NeedStatus.WITHDRAWN, title="Old")
    session.commit()
    ama = sign_in(people.requester)
    blocked = ama.get(f"/needs/{need.reference}/edit")
    assert blocked.status_code == 409
    assert "This need is withdrawn. Return it to draft to edit it again." in blocked.text
    refused = ama.post(f"/needs/{need.reference}/edit", need_form(title="New"))
    assert refused.status_code == 409
    assert stored(session, Need, need.reference).title == "Old"
    assert ama.post(f"/needs/{need.reference}/draft").status_code == 303
    assert ama.get(f"/needs/{need.reference}/edit").status_code == 200
    assert ama.post(f"/needs/{need.reference}/edit",
                    {**need_form(title="New"), "intent": "publish"}).status_code == 303
    again = stored(session, Need, need.reference)
    assert (again.title, again.status) == ("New", NeedStatus.PUBLISHED)
    assert [e.action for e in events(session, "need", need.id)] == [
        "returned_to_draft", "updated", "published"]


def test_an_expired_need_can_be_withdrawn_or_redrafted(session, people, sign_in):
    first = factories.make_need(session, "GHA", status=NeedStatus.EXPIRED)
    second = factories.make_need(session, "GHA", status=NeedStatus.EXPIRED)
    session.commit()
    ama = sign_in(people.requester)
    assert ama.post(f"/needs/{first.reference}/withdraw").status_code == 303
    assert ama.post(f"/needs/{second.reference}/draft").status_code == 303
    assert stored(session, Need, first.reference).status == NeedStatus.WITHDRAWN
    assert stored(session, Need, second.reference).status == NeedStatus.DRAFT


def test_withdrawing_a_need_declines_its_open_proposals_with_the_reason(session, people,
                                                                        sign_in, germany):
    need = factories.make_need(session, "GHA")
    waiting = proposal(session, need, factories.make_offer(session, germany),
                       ProposalState.ACCEPTED_BY_DONOR)
    session.commit()
    ama = sign_in(people.requester)
    page = ama.get(f"/needs/{need.reference}/withdraw").text
    assert "Donors whose proposals are declined will read it." in page
    response = ama.post(f"/needs/{need.reference}/withdraw",
                        {"reason": "The police bought machines with national funds."})
    assert response.status_code == 303
    session.refresh(waiting)
    assert waiting.state == ProposalState.DECLINED and waiting.declined_by_side == "requester"
    assert waiting.decline_reason == "The police bought machines with national funds."
    withdrawn = events(session, "need", need.id)[-1]
    assert withdrawn.action == "withdrawn"
    assert withdrawn.note == "The police bought machines with national funds."
    assert (withdrawn.before["status"], withdrawn.after["status"]) == ("published", "withdrawn")


# --- a need with agreed proposals is a commitment ----------------------------------------


@pytest.fixture
def committed_need(session, germany):
    """A Ghanaian need of $100,000 of which $40,000 is agreed with a German offer."""
    need = factories.make_need(session, "GHA", title="Marking machines for Ghana",
                               cost_usd=100_000)
    offer = factories.make_offer(session, germany, budget_usd=40_000)
    proposal(session, need, offer, ProposalState.AGREED, 40_000)
    session.commit()
    return need


def test_a_need_with_agreed_funding_cannot_be_edited(session, people, sign_in, committed_need):
    ama = sign_in(people.requester)
    reference = committed_need.reference
    assert stored(session, Need, reference).status == NeedStatus.PARTLY_MATCHED
    page = ama.get(f"/needs/{reference}").text
    assert f'href="/needs/{reference}/edit"' not in page
    assert "it is a commitment and can no longer be edited" in page
    assert "Withdrawing is not possible: this need has agreed proposals" in page
    blocked = ama.get(f"/needs/{reference}/edit")
    assert blocked.status_code == 409 and "This cannot be edited now" in blocked.text
    for response in (
        ama.post(f"/needs/{reference}/edit", need_form(estimated_cost="10000")),
        ama.api("PATCH", f"/api/needs/{reference}", {"estimated_cost": 10_000}),
        ama.post(f"/needs/{reference}/draft"),
    ):
        assert response.status_code == 409
    withdraw = ama.post(f"/needs/{reference}/withdraw", {"reason": "Changed our minds"})
    assert withdraw.status_code == 409
    assert "it has agreed proposals, which are commitments with donors" in withdraw.text
    need = stored(session, Need, reference)
    assert (need.cost_usd, need.agreed_usd, need.status) == (
        100_000, 40_000, NeedStatus.PARTLY_MATCHED)
    assert events(session, "need", need.id) == []


def test_a_published_need_with_an_agreed_proposal_is_locked_too(session, people, sign_in,
                                                                germany):
    """Even before its status follows (a run's agreement just recorded), agreed money locks it."""
    need = factories.make_need(session, "GHA", cost_usd=100_000)
    offer = factories.make_offer(session, germany)
    factories_proposal = proposal(session, need, offer, ProposalState.AGREED, 10_000)
    need.status = NeedStatus.PUBLISHED
    session.commit()
    assert factories_proposal.state == ProposalState.AGREED
    response = sign_in(people.requester).post(f"/needs/{need.reference}/edit", need_form())
    assert response.status_code == 409
    assert "This need has agreed proposals, so it can no longer be edited." in response.text


# --- offers -----------------------------------------------------------------------------


def test_an_offer_goes_back_to_draft_and_is_published_again(client, session, people, sign_in,
                                                            germany):
    offer = factories.make_offer(session, germany, title="German fund", description="Money.",
                                 languages="en")
    need = factories.make_need(session, "GHA")
    waiting = proposal(session, need, offer)
    session.commit()
    dieter = sign_in(people.donor)
    redraft = dieter.post(f"/offers/{offer.reference}/draft", htmx=True)
    assert "Back to draft: only your organisation can see it" in redraft.text
    assert client.get(f"/offers/{offer.reference}").status_code == 404
    session.refresh(waiting)
    assert waiting.state == ProposalState.SUPERSEDED
    again = dieter.post(f"/offers/{offer.reference}/draft", htmx=True)
    assert again.status_code == 409
    assert "Only a published or withdrawn offer without agreed proposals" in again.text
    published = dieter.post(f"/offers/{offer.reference}/publish", htmx=True)
    assert "Published: requesters and coordinators can now see this offer." in published.text
    assert client.get(f"/offers/{offer.reference}").status_code == 200
    twice = dieter.post(f"/offers/{offer.reference}/publish", htmx=True)
    assert twice.status_code == 409 and "Only a draft can be published." in twice.text
    assert [e.action for e in events(session, "offer", offer.id)] == [
        "returned_to_draft", "published"]


def test_a_withdrawn_offer_is_not_edited_until_redrafted(session, people, sign_in, germany):
    offer = factories.make_offer(session, germany, status=OfferStatus.WITHDRAWN)
    session.commit()
    dieter = sign_in(people.donor)
    blocked = dieter.get(f"/offers/{offer.reference}/edit")
    assert blocked.status_code == 409
    assert "This offer is withdrawn. Return it to draft to edit it again." in blocked.text
    assert dieter.post(f"/offers/{offer.reference}/edit", offer_form()).status_code == 409
    twice = dieter.post(f"/offers/{offer.reference}/withdraw")
    assert twice.status_code == 409 and "This offer is already withdrawn." in twice.text
    assert dieter.post(f"/offers/{offer.reference}/draft").status_code == 303
    assert dieter.get(f"/offers/{offer.reference}/edit").status_code == 200


@pytest.fixture
def committed_offer(session, germany):
    """A German offer of $100,000 of which $40,000 is agreed with a Ghanaian need."""
    offer = factories.make_offer(session, germany, title="German fund", budget_usd=100_000)
    need = factories.make_need(session, "GHA", cost_usd=40_000)
    proposal(session, need, offer, ProposalState.AGREED, 40_000)
    session.commit()
    return offer


def test_an_offer_with_commitments_stays_editable_above_them(session, people, sign_in,
                                                              committed_offer):
    dieter = sign_in(people.donor)
    reference = committed_offer.reference
    form = dieter.get(f"/offers/{reference}/edit")
    assert form.status_code == 200 and "At least $40,000 is already committed." in form.text
    too_low = dieter.post(f"/offers/{reference}/edit", offer_form(budget="30000"))
    assert too_low.status_code == 422
    assert field_error(too_low.text, "budget") == (
        "Agreed proposals already hold $40,000 of this offer; the budget cannot be lower than "
        "that.")
    in_euros = dieter.post(f"/offers/{reference}/edit", offer_form(budget="38000",
                                                                    currency="EUR"))
    assert in_euros.status_code == 422  # €38,000 is $39,330: still below what is held
    assert dieter.post(f"/offers/{reference}/edit",
                       offer_form(budget="40000")).status_code == 303
    offer = stored(session, Offer, reference)
    assert (offer.budget_usd, offer.committed_usd, offer.status) == (
        40_000, 40_000, OfferStatus.EXHAUSTED)
    assert "Fully committed" in dieter.get("/offers/mine").text
    assert dieter.post(f"/offers/{reference}/edit",
                       offer_form(budget="90000")).status_code == 303
    assert stored(session, Offer, reference).status == OfferStatus.PUBLISHED
    statuses = [(e.before["status"], e.after["status"])
                for e in events(session, "offer", offer.id)]
    assert statuses == [("published", "exhausted"), ("exhausted", "published")]


def test_an_offer_with_commitments_cannot_leave_the_market(session, people, sign_in,
                                                           committed_offer):
    dieter = sign_in(people.donor)
    reference = committed_offer.reference
    page = dieter.get(f"/offers/{reference}").text
    assert "Withdrawing is not possible: agreed proposals hold part of this offer" in page
    confirm = dieter.get(f"/offers/{reference}/withdraw").text
    assert 'name="reason"' not in confirm and "agreed proposals hold part" in confirm
    withdraw = dieter.post(f"/offers/{reference}/withdraw", htmx=True)
    assert withdraw.status_code == 409
    assert "agreed proposals hold part of its budget" in withdraw.text
    assert dieter.post(f"/offers/{reference}/draft").status_code == 409
    assert stored(session, Offer, reference).status == OfferStatus.PUBLISHED
