"""The JSON API of needs and offers: the same rules as the forms, errors naming the field,
403 / 404 for other organisations' records, and nothing written when a request fails."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from matchmaker.models import (
    Event,
    Need,
    NeedStatus,
    Offer,
    OfferCategory,
    OfferStatus,
    ProposalState,
)
from tests import factories
from tests.portfolio.conftest import events, in_days, proposal, stored


def need_body(**changes) -> dict:
    body = {
        "title": "Marking machines for the national police",
        "description": "The police hold 12,000 unmarked service weapons.",
        "goal": "All 12,000 service weapons marked by the deadline",
        "topic": "marking.machines", "modality": "equipment", "quantity": 3,
        "unit": "marking machines", "estimated_cost": 120_000, "currency": "USD",
        "priority": "high", "start_date": in_days(30), "deadline": in_days(200),
        "languages": ["en", "fr"], "commitment": "ITI para. 8", "visibility": "public",
    }
    body.update(changes)
    return body


def offer_body(**changes) -> dict:
    body = {
        "title": "Marking equipment for West Africa",
        "description": "Dot-peen marking machines with training of operators.",
        "categories": ["marking"], "modalities": ["equipment", "training"],
        "budget": 500_000, "currency": "USD", "languages": ["en", "fr"],
        "available_from": in_days(0), "available_until": in_days(365),
        "regions": ["011"], "countries": [], "excluded_countries": ["MLI"],
    }
    body.update(changes)
    return body


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


# --- needs --------------------------------------------------------------------------------


def test_a_requester_creates_patches_publishes_and_withdraws_a_need(session, people, sign_in):
    ama = sign_in(people.requester)
    created = ama.api("POST", "/api/needs", need_body(languages="en,fr"))
    assert created.status_code == 201
    need = created.json()
    assert (need["status"], need["state"], need["cost_usd"]) == ("draft", "GHA", 120_000)
    assert need["languages"] == ["en", "fr"] and need["completeness"] == 100
    reference = need["reference"]
    assert need["url"] == f"/needs/{reference}"

    patched = ama.api("PATCH", f"/api/needs/{reference}",
                      {"estimated_cost": "100 000", "currency": "EUR", "priority": "low"})
    assert patched.status_code == 200
    assert (patched.json()["cost_usd"], patched.json()["priority"]) == (103_500, "low")
    assert patched.json()["title"] == "Marking machines for the national police"

    published = ama.api("POST", f"/api/needs/{reference}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    withdrawn = ama.api("POST", f"/api/needs/{reference}/withdraw",
                        {"reason": "Funded nationally."})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    redrafted = ama.api("POST", f"/api/needs/{reference}/draft")
    assert redrafted.status_code == 200 and redrafted.json()["status"] == "draft"
    history = events(session, "need", stored(session, Need, reference).id)
    assert [e.action for e in history] == [
        "created", "updated", "published", "withdrawn", "returned_to_draft"]
    assert history[3].note == "Funded nationally."


def test_publishing_on_creation(people, sign_in, client):
    created = sign_in(people.requester).api("POST", "/api/needs",
                                            {**need_body(), "publish": True})
    assert created.status_code == 201 and created.json()["status"] == "published"
    assert client.get(f"/api/needs/{created.json()['reference']}").status_code == 200


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Give the need a short title."),
    ({"title": None}, "title", "Give the need a short title."),
    ({"topic": "marking"}, "topic", "Choose one of the options offered."),  # an area
    ({"modality": 3}, "modality", "Choose one of the options offered."),
    ({"quantity": 2.5}, "quantity", "Enter a whole number"),
    ({"quantity": -1}, "quantity", "Enter at least 1."),
    ({"estimated_cost": "a lot"}, "estimated_cost", "Enter a whole number"),
    ({"deadline": "2027-13-01"}, "deadline", "Enter a date as YYYY-MM-DD"),
    ({"deadline": in_days(-3)}, "deadline", "The deadline must be in the future."),
    ({"languages": []}, "languages", "Tick at least one language."),
    ({"languages": ["en", "xx"]}, "languages", "Unknown choice: xx."),
    ({"visibility": "hidden"}, "visibility", "Choose one of the options offered."),
    ({"title": "Bad\x00title"}, "title", "Remove the invisible control characters"),
])
def test_a_bad_need_is_refused_naming_the_field_and_nothing_is_written(session, people,
                                                                      sign_in, changes,
                                                                      field, message):
    response = sign_in(people.requester).api("POST", "/api/needs",
                                              {**need_body(**changes), "publish": True})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and message in body["errors"][field]
    assert set(body["errors"]) == {field}
    assert count(session, Need) == 0 and count(session, Event) == 0


@pytest.mark.parametrize("kind", ["needs", "offers"])
def test_publish_must_be_true_or_false(session, people, sign_in, kind):
    who = sign_in(people.requester if kind == "needs" else people.donor)
    body = need_body() if kind == "needs" else offer_body()
    response = who.api("POST", f"/api/{kind}", {**body, "publish": "yes"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"publish": "Give true or false."}
    assert count(session, Need) == count(session, Offer) == count(session, Event) == 0


def test_a_body_that_is_not_an_object_is_a_400(people, sign_in):
    ama = sign_in(people.requester)
    response = ama.client.post("/api/needs", content=b"[1, 2]",
                               headers={"X-CSRF-Token": ama.token,
                                        "Content-Type": "application/json"})
    assert response.status_code == 400 and "detail" in response.json()
    broken = ama.client.post("/api/needs", content=b"{not json",
                             headers={"X-CSRF-Token": ama.token,
                                      "Content-Type": "application/json"})
    assert broken.status_code == 400


def test_a_failed_patch_leaves_the_need_as_it_was(session, people, sign_in):
    need = factories.make_need(session, "GHA", title="Kept title", cost_usd=50_000)
    session.commit()
    ama = sign_in(people.requester)
    response = ama.api("PATCH", f"/api/needs/{need.reference}",
                       {"title": "Changed title", "deadline": None})
    assert response.status_code == 422
    assert response.json()["errors"] == {"deadline": "Give a deadline before publishing."}
    kept = stored(session, Need, need.reference)
    assert (kept.title, kept.deadline is not None) == ("Kept title", True)
    assert events(session, "need", need.id) == []


def test_fields_the_api_does_not_take_are_ignored(session, people, sign_in):
    """Status, figures and the requesting State follow from the rules, never from a body."""
    ama = sign_in(people.requester)
    created = ama.api("POST", "/api/needs", need_body(
        country="PER", status="matched", agreed_usd=999_999, organisation_id=1))
    assert created.status_code == 201
    need = stored(session, Need, created.json()["reference"])
    assert need.country_id == factories.country(session, "GHA").id
    assert (need.status, need.agreed_usd) == (NeedStatus.DRAFT, 0)
    patched = ama.api("PATCH", f"/api/needs/{need.reference}",
                      {"status": "completed", "agreed_usd": 5, "reference": "N-99999"})
    assert patched.status_code == 200
    assert (patched.json()["status"], patched.json()["agreed_usd"]) == ("draft", 0)
    assert patched.json()["reference"] == need.reference


def test_put_replaces_every_field(session, people, sign_in):
    need = factories.make_need(session, "GHA", status=NeedStatus.DRAFT, commitment="ITI 8")
    session.commit()
    response = sign_in(people.requester).api("PUT", f"/api/needs/{need.reference}", {
        "title": "Only a title", "topic": "marking.records", "modality": "training",
        "languages": ["es"]})
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["topic"], body["commitment"], body["deadline"]) == (
        "Only a title", "marking.records", "", None)


def test_others_needs_are_forbidden_or_not_found(session, people, sign_in, client):
    published = factories.make_need(session, "GHA", title="Ghana's need")
    draft = factories.make_need(session, "GHA", status=NeedStatus.DRAFT)
    session.commit()
    rosa = sign_in(people.other_requester)
    refused = rosa.api("PATCH", f"/api/needs/{published.reference}", {"title": "Hijacked"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the requesting State may change this need."
    for method, path in (("PATCH", ""), ("PUT", ""), ("POST", "/publish"),
                         ("POST", "/withdraw"), ("POST", "/draft")):
        assert rosa.api(method, f"/api/needs/{published.reference}{path}",
                        need_body()).status_code == 403, (method, path)
        assert rosa.api(method, f"/api/needs/{draft.reference}{path}",
                        need_body()).status_code == 404, (method, path)
    assert rosa.api("GET", f"/api/needs/{draft.reference}").status_code == 404
    assert sign_in(people.donor).api("POST", "/api/needs", need_body()).status_code == 403
    anonymous = client.post("/api/needs", json=need_body())
    assert anonymous.status_code in (401, 403) and "detail" in anonymous.json()
    assert stored(session, Need, published.reference).title == "Ghana's need"
    assert stored(session, Need, draft.reference).status == NeedStatus.DRAFT


def test_a_refused_status_change_is_a_409_with_the_reason(session, people, sign_in):
    need = factories.make_need(session, "GHA", cost_usd=100_000)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"))
    proposal(session, need, offer, ProposalState.AGREED, 30_000)
    session.commit()
    ama = sign_in(people.requester)
    for path, words in (("/withdraw", "it has agreed proposals"),
                        ("/draft", "without agreed proposals can go back to draft"),
                        ("/publish", "Only a draft can be published")):
        response = ama.api("POST", f"/api/needs/{need.reference}{path}")
        assert response.status_code == 409 and words in response.json()["detail"]
    assert ama.api("PATCH", f"/api/needs/{need.reference}",
                   {"title": "x"}).status_code == 409


def test_publishing_an_incomplete_draft_lists_what_it_lacks(session, people, sign_in):
    ama = sign_in(people.requester)
    created = ama.api("POST", "/api/needs", {"title": "Idea", "topic": "marking.machines",
                                             "modality": "equipment", "languages": ["en"]})
    assert created.status_code == 201
    response = ama.api("POST", f"/api/needs/{created.json()['reference']}/publish")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"description", "goal", "estimated_cost",
                                              "deadline"}


def test_the_list_pages_and_shows_donors_restricted_needs(session, people, sign_in, client):
    for n in range(3):
        factories.make_need(session, "GHA", title=f"Public {n}")
    factories.make_need(session, "PER", title="Restricted", visibility="restricted")
    factories.make_need(session, "PER", title="Draft", status=NeedStatus.DRAFT)
    session.commit()
    public = client.get("/api/needs?per_page=20&sort=title").json()
    assert [n["title"] for n in public["items"]] == ["Public 0", "Public 1", "Public 2"]
    assert (public["total"], public["page"], public["per_page"]) == (3, 1, 20)
    donors = sign_in(people.donor).get("/api/needs?sort=title").json()
    assert [n["title"] for n in donors["items"]][-1] == "Restricted"


# --- offers -------------------------------------------------------------------------------


def test_a_donor_creates_patches_and_withdraws_an_offer(session, people, sign_in):
    dieter = sign_in(people.donor)
    created = dieter.api("POST", "/api/offers", {**offer_body(), "publish": True})
    assert created.status_code == 201
    offer = created.json()
    assert (offer["status"], offer["donor"], offer["budget_usd"]) == ("published", "deu",
                                                                      500_000)
    assert (offer["regions"], offer["excluded_countries"]) == (["011"], ["MLI"])
    reference = offer["reference"]
    patched = dieter.api("PATCH", f"/api/offers/{reference}",
                         {"budget": 100_000, "currency": "GBP", "categories": ["border"]})
    assert patched.status_code == 200
    assert (patched.json()["budget_usd"], patched.json()["categories"]) == (125_200, ["border"])
    assert patched.json()["modalities"] == ["equipment", "training"]  # kept
    withdrawn = dieter.api("POST", f"/api/offers/{reference}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert events(session, "offer", stored(session, Offer, reference).id)[-1].note == (
        "The donor withdrew the offer.")


@pytest.mark.parametrize(("changes", "field"), [
    ({"categories": []}, "categories"),
    ({"categories": "marking,nothing"}, "categories"),
    ({"modalities": ["telepathy"]}, "modalities"),
    ({"budget": -1}, "budget"),
    ({"budget": 10**12}, "budget"),
    ({"currency": "BTC"}, "currency"),
    ({"available_until": in_days(-10), "available_from": ""}, "available_until"),
    ({"countries": ["KEN"], "excluded_countries": ["KEN"]}, "excluded_countries"),
    ({"regions": ["Africa"]}, "regions"),
])
def test_a_bad_offer_is_refused_naming_the_field_and_nothing_is_written(session, people,
                                                                       sign_in, changes,
                                                                       field):
    response = sign_in(people.donor).api("POST", "/api/offers",
                                         {**offer_body(**changes), "publish": True})
    assert response.status_code == 422
    assert response.json()["field"] == field and set(response.json()["errors"]) == {field}
    assert count(session, Offer) == 0 and count(session, OfferCategory) == 0
    assert count(session, Event) == 0


def test_an_offer_cannot_be_posted_for_another_donor(session, people, sign_in):
    created = sign_in(people.donor).api("POST", "/api/offers",
                                        offer_body(organisation="jpn"))
    assert created.status_code == 201 and created.json()["donor"] == "deu"


def test_a_budget_patch_below_the_commitments_changes_nothing(session, people, sign_in):
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 budget_usd=100_000, description="Money.", languages="en")
    need = factories.make_need(session, "GHA", cost_usd=60_000)
    proposal(session, need, offer, ProposalState.AGREED, 60_000)
    session.commit()
    dieter = sign_in(people.donor)
    response = dieter.api("PATCH", f"/api/offers/{offer.reference}",
                          {"budget": 50_000, "title": "Renamed", "categories": ["border"]})
    assert response.status_code == 422 and response.json()["field"] == "budget"
    kept = dieter.get(f"/api/offers/{offer.reference}").json()
    assert (kept["budget_usd"], kept["committed_usd"], kept["title"]) == (
        100_000, 60_000, offer.title)
    assert kept["categories"] == [factories.topic(session).code]
    assert dieter.api("POST", f"/api/offers/{offer.reference}/withdraw").status_code == 409


def test_others_offers_are_forbidden_or_not_found(session, people, sign_in):
    germany = factories.state_org(session, "DEU")
    published = factories.make_offer(session, germany, title="German fund")
    draft = factories.make_offer(session, germany, status=OfferStatus.DRAFT)
    session.commit()
    yuki = sign_in(people.other_donor)
    refused = yuki.api("PATCH", f"/api/offers/{published.reference}", {"title": "Hijacked"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the donor may change this offer."
    assert yuki.api("POST", f"/api/offers/{published.reference}/withdraw").status_code == 403
    assert yuki.api("GET", f"/api/offers/{draft.reference}").status_code == 404
    assert yuki.api("PATCH", f"/api/offers/{draft.reference}", {}).status_code == 404
    assert sign_in(people.requester).api("POST", "/api/offers",
                                         offer_body()).status_code == 403
    assert stored(session, Offer, published.reference).title == "German fund"
