"""The offer form: drafts, publishing, each error next to its field, edits, withdrawal."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.models import Offer, OfferStatus, ProposalState
from tests import factories
from tests.portfolio.conftest import (
    created_reference,
    events,
    field_error,
    in_days,
    offer_form,
    proposal,
    stored,
)


def offer(session, reference: str) -> Offer:
    return stored(session, Offer, reference)


def test_a_donor_saves_a_draft_that_only_its_organisation_sees(client, session, people,
                                                                 sign_in):
    dieter = sign_in(people.donor)
    page = dieter.get("/offers/new")
    assert page.status_code == 200 and "Save draft" in page.text and 'name="budget"' in page.text
    reference = created_reference(dieter.post("/offers/new", {**offer_form(), "intent": "draft"}))
    saved = offer(session, reference)
    assert saved.status == OfferStatus.DRAFT and saved.published_at is None
    assert saved.organisation_id == factories.state_org(session, "DEU").id
    assert saved.created_by_id == people.donor.id
    as_json = dieter.get(f"/api/offers/{reference}").json()
    assert as_json["categories"] == ["marking", "stockpile.physical_security"]
    assert as_json["modalities"] == ["equipment", "training"]
    assert as_json["regions"] == ["011"]
    assert (as_json["countries"], as_json["excluded_countries"]) == (["KEN"], ["MLI"])
    assert as_json["languages"] == ["en", "fr"]

    assert "Marking equipment for West Africa" in dieter.get(f"/offers/{reference}").text
    assert "Marking equipment for West Africa" in dieter.get("/offers/mine").text
    assert "Marking equipment for West Africa" not in dieter.get("/offers").text
    assert client.get(f"/offers/{reference}").status_code == 404
    assert client.get(f"/api/offers/{reference}").status_code == 404
    for outsider in (people.other_donor, people.requester):
        assert sign_in(outsider).get(f"/offers/{reference}").status_code == 404
    assert [e.action for e in events(session, "offer", saved.id)] == ["created"]


def test_publishing_from_the_form_lists_the_offer_for_everyone(client, session, people,
                                                               sign_in):
    dieter = sign_in(people.donor)
    reference = created_reference(dieter.post("/offers/new",
                                              {**offer_form(), "intent": "publish"}))
    saved = offer(session, reference)
    assert saved.status == OfferStatus.PUBLISHED and saved.published_at is not None
    assert "Marking equipment for West Africa" in client.get("/offers").text
    page = client.get(f"/offers/{reference}").text
    assert "Open to States in Western Africa and Kenya." in page
    assert "Except Mali." in page
    assert [e.action for e in events(session, "offer", saved.id)] == ["created", "published"]


def test_the_budget_is_converted_to_us_dollars(session, people, sign_in):
    dieter = sign_in(people.donor)
    reference = created_reference(dieter.post("/offers/new", {
        **offer_form(budget="200 000", currency="EUR"), "intent": "publish"}))
    saved = offer(session, reference)
    assert (saved.budget, saved.currency, saved.budget_usd) == (200_000, "EUR", 207_000)
    page = dieter.get(f"/offers/{reference}").text
    assert "€200,000" in page and "≈ $207,000" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give the offer a short title."),
        ("title", "x" * 201, "under 200 characters"),
        ("description", "", "Describe what you offer before publishing it."),
        ("categories", [], "Tick the topics you can help with, or a whole area."),
        ("categories", ["marking", "no.such.topic"], "Unknown choice: no.such.topic."),
        ("modalities", [], "Tick at least one way of giving assistance."),
        ("modalities", ["telepathy"], "Unknown choice: telepathy."),
        ("budget", "", "Give the budget (or the value of what you offer) before publishing."),
        ("budget", "0", "Give the budget (or the value of what you offer) before publishing."),
        ("budget", "lots", "Enter a whole number"),
        ("budget", "-5", "Enter at least 0."),
        ("budget", "2000000000", "Enter at most 1,000,000,000."),
        ("currency", "XXX", "Choose one of the options offered."),
        ("quantity", "0", "Enter at least 1."),
        ("languages", [], "Tick at least one language."),
        ("available_from", "next week", "Enter a date as YYYY-MM-DD"),
        ("regions", ["999"], "Unknown choice: 999."),
        ("countries", ["XYZ"], "Unknown choice: XYZ."),
        ("excluded_countries", ["KEN"], "A State cannot be both eligible and excluded: Kenya."),
        ("conditions", "c" * 4001, "under 4000 characters"),
        ("conditions", "End-use\x00 assurances", "Remove the invisible control characters"),
    ],
)
def test_each_invalid_field_gets_its_error_next_to_it(session, people, sign_in, field, value,
                                                      message):
    dieter = sign_in(people.donor)
    data = {**offer_form(**{"title": "Typed offer 123", field: value}), "intent": "publish"}
    response = dieter.post("/offers/new", data)
    assert response.status_code == 422
    assert message in (field_error(response.text, field) or "")
    assert "Please correct the highlighted fields" in response.text
    for other in ("title", "description", "budget", "categories", "languages"):
        if other != field:
            assert field_error(response.text, other) is None, other
    if field != "title":
        assert 'value="Typed offer 123"' in response.text
    assert session.scalars(select(Offer)).first() is None


def test_a_state_both_eligible_and_excluded_is_named_in_the_readers_language(people,
                                                                              sign_in):
    dieter = sign_in(people.donor)
    data = {**offer_form(countries=["KEN", "TCD"], excluded_countries=["TCD", "KEN"]),
            "intent": "draft"}
    english = dieter.post("/offers/new", data)
    assert field_error(english.text, "excluded_countries") == (
        "A State cannot be both eligible and excluded: Chad, Kenya.")
    french = dieter.post("/offers/new?lang=fr", data)
    assert french.status_code == 422
    message = field_error(french.text, "excluded_countries") or ""
    assert "admissible et exclu" in message and message.endswith(" Kenya, Tchad.")


@pytest.mark.parametrize(("start", "end", "message"), [
    (60, 30, "The end of the window cannot come before its start."),
    (None, -1, "The window has already ended; give a date from today on."),
])
def test_the_availability_window_must_make_sense(people, sign_in, start, end, message):
    response = sign_in(people.donor).post("/offers/new", {
        **offer_form(available_from=in_days(start) if start is not None else "",
                     available_until=in_days(end)), "intent": "draft"})
    assert response.status_code == 422
    assert field_error(response.text, "available_until") == message
    assert field_error(response.text, "available_from") is None


def test_a_quantity_needs_its_unit_and_a_unit_its_quantity(people, sign_in):
    dieter = sign_in(people.donor)
    no_unit = dieter.post("/offers/new", {**offer_form(quantity="12", unit=""),
                                          "intent": "draft"})
    assert "Say what the quantity counts" in field_error(no_unit.text, "unit")
    no_quantity = dieter.post("/offers/new", {**offer_form(quantity="", unit="machines"),
                                              "intent": "draft"})
    assert field_error(no_quantity.text, "quantity") == "Give the number of machines."


def test_the_form_keeps_every_typed_value_on_error(people, sign_in):
    dieter = sign_in(people.donor)
    data = {**offer_form(title="", budget="75,000", currency="GBP", quantity="6",
                         unit="scanners", categories=["border", "marking.machines"],
                         modalities=["funding"], languages=["es", "pt"],
                         regions=["419"], countries=["FJI", "KEN"], excluded_countries=[],
                         ldc_only="on", conditions="Keep <this> text"),
            "intent": "publish"}
    html = dieter.post("/offers/new", data).text
    assert field_error(html, "title") == "Give the offer a short title."
    assert 'value="75,000"' in html and 'value="6"' in html and 'value="scanners"' in html
    assert '<option value="GBP" selected>' in html
    assert 'value="border" checked' in html and 'value="marking.machines" checked' in html
    assert 'value="marking" checked' not in html
    assert 'value="funding" checked' in html and 'value="equipment" checked' not in html
    assert 'value="es" checked' in html and 'value="en" checked' not in html
    assert 'value="419" checked' in html and 'value="011" checked' not in html
    assert 'name="countries" value="FJI" checked' in html
    assert 'name="countries" value="KEN" checked' in html
    assert 'name="ldc_only" value="on" checked' in html
    assert 'name="sids_only" value="on" checked' not in html
    assert "Keep &lt;this&gt; text</textarea>" in html


def test_a_draft_needs_only_a_title_topics_modalities_and_a_language(session, people,
                                                                     sign_in):
    dieter = sign_in(people.donor)
    reference = created_reference(dieter.post("/offers/new", {
        "title": "Idea: armoury doors", "categories": ["stockpile"],
        "modalities": ["equipment"], "languages": ["en"], "intent": "draft"}))
    saved = offer(session, reference)
    assert (saved.description, saved.budget, saved.budget_usd) == ("", 0, 0)
    response = dieter.post(f"/offers/{reference}/publish", htmx=True)
    assert response.status_code == 422
    assert "Describe what you offer before publishing it." in response.text
    assert offer(session, reference).status == OfferStatus.DRAFT


def test_htmx_submission_swaps_the_form_or_redirects(people, sign_in):
    dieter = sign_in(people.donor)
    bad = dieter.post("/offers/new", offer_form(budget="abc"), htmx=True)
    assert bad.status_code == 422
    assert "<html" not in bad.text and 'id="offer-form"' in bad.text
    assert "Enter a whole number" in field_error(bad.text, "budget")
    good = dieter.post("/offers/new", {**offer_form(), "intent": "publish"}, htmx=True)
    assert good.status_code == 200 and good.headers["hx-redirect"].startswith("/offers/O-")


def test_live_check_shows_only_the_error_of_the_field_just_changed(people, sign_in):
    dieter = sign_in(people.donor)
    response = dieter.post("/offers/check", {**offer_form(title="", budget="abc"),
                                             "_field": "budget"}, htmx=True)
    assert response.status_code == 200
    assert "Enter a whole number" in field_error(response.text, "budget")
    assert field_error(response.text, "title") is None


def test_editing_an_offer_records_before_and_after(session, people, sign_in):
    dieter = sign_in(people.donor)
    reference = created_reference(dieter.post("/offers/new",
                                              {**offer_form(), "intent": "publish"}))
    form = dieter.get(f"/offers/{reference}/edit")
    assert form.status_code == 200
    assert 'value="Marking equipment for West Africa"' in form.text
    assert 'value="500000"' in form.text and 'value="marking" checked' in form.text
    assert "Save changes" in form.text and "Save draft" not in form.text
    response = dieter.post(f"/offers/{reference}/edit", offer_form(
        title="Marking and records for West Africa", budget="600000",
        categories=["marking", "marking.records"]))
    assert response.status_code == 303 and response.headers["location"] == f"/offers/{reference}"
    saved = offer(session, reference)
    updated = events(session, "offer", saved.id)[-1]
    assert updated.action == "updated" and updated.actor_id == people.donor.id
    assert updated.before["title"] == "Marking equipment for West Africa"
    assert updated.after["title"] == "Marking and records for West Africa"
    assert (updated.before["budget_usd"], updated.after["budget_usd"]) == (500_000, 600_000)
    assert updated.after["categories"] == ["marking", "marking.records"]
    assert saved.status == OfferStatus.PUBLISHED


def test_saving_an_unchanged_offer_records_no_event(session, people, sign_in):
    dieter = sign_in(people.donor)
    reference = created_reference(dieter.post("/offers/new",
                                              {**offer_form(), "intent": "draft"}))
    assert dieter.post(f"/offers/{reference}/edit",
                       {**offer_form(), "intent": "draft"}).status_code == 303
    assert [e.action for e in events(session, "offer", offer(session, reference).id)] == [
        "created"]


def test_a_published_offer_must_stay_publishable(session, people, sign_in):
    published = factories.make_offer(session, factories.state_org(session, "DEU"),
                                     title="Published fund", description="Money.")
    session.commit()
    response = sign_in(people.donor).post(f"/offers/{published.reference}/edit",
                                          offer_form(description="", title="Published fund"))
    assert response.status_code == 422
    assert field_error(response.text, "description") == (
        "Describe what you offer before publishing it.")
    assert offer(session, published.reference).description == "Money."


def test_withdrawing_asks_for_a_reason_and_passes_it_on(session, people, sign_in):
    germany = factories.state_org(session, "DEU")
    fund = factories.make_offer(session, germany, title="Marking fund", description="Money.")
    need = factories.make_need(session, "GHA", title="Marking machines for Ghana")
    waiting = proposal(session, need, fund, ProposalState.PROPOSED)
    session.commit()
    dieter = sign_in(people.donor)
    confirm = dieter.get(f"/offers/{fund.reference}/withdraw")
    assert confirm.status_code == 200
    assert 'name="reason"' in confirm.text and "Withdraw “Marking fund”?" in confirm.text
    too_long = dieter.post(f"/offers/{fund.reference}/withdraw", {"reason": "r" * 1001})
    assert too_long.status_code == 422
    assert "under 1000 characters" in field_error(too_long.text, "reason")
    assert 'name="reason"' in too_long.text
    assert offer(session, fund.reference).status == OfferStatus.PUBLISHED

    done = dieter.post(f"/offers/{fund.reference}/withdraw",
                       {"reason": "Our budget year closed."})
    assert done.status_code == 303 and done.headers["location"] == f"/offers/{fund.reference}"
    withdrawn = offer(session, fund.reference)
    assert withdrawn.status == OfferStatus.WITHDRAWN
    event = events(session, "offer", withdrawn.id)[-1]
    assert (event.action, event.note) == ("withdrawn", "Our budget year closed.")
    assert (event.before["status"], event.after["status"]) == ("published", "withdrawn")
    session.refresh(waiting)
    assert waiting.state == ProposalState.DECLINED and waiting.declined_by_side == "donor"
    assert waiting.decline_reason == "Our budget year closed."
    page = dieter.get(f"/offers/{fund.reference}").text
    assert "Withdrawn" in page and "Marking fund" not in dieter.get("/offers").text


def test_withdrawing_without_a_reason_gives_the_standard_one(session, people, sign_in):
    fund = factories.make_offer(session, factories.state_org(session, "DEU"))
    need = factories.make_need(session, "GHA")
    waiting = proposal(session, need, fund, ProposalState.PROPOSED)
    session.commit()
    response = sign_in(people.donor).post(f"/offers/{fund.reference}/withdraw", {})
    assert response.status_code == 303
    session.refresh(waiting)
    assert waiting.decline_reason == "The donor withdrew the offer."


@pytest.mark.parametrize("htmx", [False, True])
def test_another_donor_cannot_change_the_offer(session, people, sign_in, htmx):
    germany = factories.state_org(session, "DEU")
    published = factories.make_offer(session, germany, title="German fund")
    draft = factories.make_offer(session, germany, status=OfferStatus.DRAFT)
    session.commit()
    yuki = sign_in(people.other_donor)
    assert yuki.get(f"/offers/{published.reference}/edit").status_code == 403
    assert yuki.post(f"/offers/{published.reference}/edit", offer_form(title="Hijacked"),
                     htmx=htmx).status_code == 403
    assert yuki.post(f"/offers/{published.reference}/withdraw", htmx=htmx).status_code == 403
    assert yuki.post(f"/offers/{draft.reference}/publish", htmx=htmx).status_code == 404
    assert yuki.post("/offers/check", {**offer_form(), "reference": draft.reference},
                     htmx=htmx).status_code == 404
    assert offer(session, published.reference).title == "German fund"
    assert offer(session, published.reference).status == OfferStatus.PUBLISHED
    assert offer(session, draft.reference).status == OfferStatus.DRAFT


def test_requesters_and_visitors_cannot_post_offers(client, people, sign_in):
    ama = sign_in(people.requester)
    assert ama.get("/offers/new").status_code == 403
    assert ama.post("/offers/new", offer_form()).status_code == 403
    response = client.get("/offers/new", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_admin_posts_for_a_chosen_donor(session, people, sign_in):
    admin = sign_in(people.admin)
    assert 'name="organisation"' in admin.get("/offers/new").text
    missing = admin.post("/offers/new", {**offer_form(), "intent": "draft"})
    assert field_error(missing.text, "organisation") == "Choose the donor organisation."
    unknown = admin.post("/offers/new", {**offer_form(organisation="nobody"), "intent": "draft"})
    assert field_error(unknown.text, "organisation") == "Choose one of the options offered."
    reference = created_reference(admin.post("/offers/new", {**offer_form(organisation="jpn"),
                                                             "intent": "publish"}))
    assert offer(session, reference).organisation_id == factories.state_org(session, "JPN").id


def test_text_typed_into_an_offer_is_shown_as_text(client, session, people, sign_in):
    script = "<script>alert(1)</script>"
    offer = factories.make_offer(session, factories.state_org(session, "DEU"), title=script,
                                 description=script, conditions=script, unit=script,
                                 quantity=2)
    session.commit()
    dieter = sign_in(people.donor)
    pages = {
        "list": client.get("/offers"),
        "search": client.get("/offers?q=script", headers={"HX-Request": "true"}),
        "detail": client.get(f"/offers/{offer.reference}"),
        "mine": dieter.get("/offers/mine"),
        "edit": dieter.get(f"/offers/{offer.reference}/edit"),
        "withdraw": dieter.get(f"/offers/{offer.reference}/withdraw"),
        "refused": dieter.post("/offers/new", offer_form(title=script, budget="x")),
    }
    for name, response in pages.items():
        assert script not in response.text, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text, name


def test_eligible_states_are_a_filterable_checkbox_list_that_keeps_the_choice(
    session, people, sign_in
):
    dieter = sign_in(people.donor)
    page = dieter.get("/offers/new?lang=fr").text
    states = page.split('id="field-countries"')[1].split("</fieldset>")[0]
    assert "<select" not in states and "Ctrl" not in page
    assert 'type="checkbox" name="countries" value="KEN"' in states
    assert 'data-picker-filter hidden' in states  # shown by static/js/picker.js
    assert "Côte d’Ivoire" in states and "Kenya" in states
    assert "js/picker.js" in page
    # a form sent back with an error keeps the States ticked
    refused = dieter.post("/offers/new", {**offer_form(title=""), "intent": "publish"}).text
    kept = refused.split('id="field-excluded_countries"')[1].split("</fieldset>")[0]
    assert 'value="MLI" checked' in kept
