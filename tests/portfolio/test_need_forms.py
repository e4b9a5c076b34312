"""The need form: create, edit, publish; each error next to its field, the form kept as typed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from matchmaker.models import Need, NeedStatus
from tests import factories
from tests.portfolio.conftest import (
    created_reference,
    events,
    field_error,
    in_days,
    need_form,
)
from tests.portfolio.conftest import stored as stored_record


def stored(session, reference: str) -> Need:
    return stored_record(session, Need, reference)


def test_a_requester_saves_a_draft_that_only_its_state_sees(client, session, people, sign_in):
    ama = sign_in(people.requester)
    page = ama.get("/needs/new")
    assert page.status_code == 200
    assert 'name="title"' in page.text and "Save draft" in page.text
    reference = created_reference(ama.post("/needs/new", {**need_form(), "intent": "draft"}))
    need = stored(session, reference)
    assert need.status == NeedStatus.DRAFT
    assert need.country_id == factories.country(session, "GHA").id
    assert need.created_by_id == people.requester.id
    assert need.languages == "en,fr" and need.quantity == 3 and need.priority == "high"
    assert "Marking machines for the national police" in ama.get(f"/needs/{reference}").text
    assert "Marking machines for the national police" in ama.get("/needs/mine").text
    assert "Marking machines for the national police" not in ama.get("/needs").text
    assert client.get(f"/needs/{reference}").status_code == 404
    other = sign_in(people.other_requester)
    assert other.get(f"/needs/{reference}").status_code == 404


def test_publishing_from_the_form_makes_the_need_public(client, session, people, sign_in):
    ama = sign_in(people.requester)
    reference = created_reference(ama.post("/needs/new", {**need_form(), "intent": "publish"}))
    need = stored(session, reference)
    assert need.status == NeedStatus.PUBLISHED and need.published_at is not None
    assert "Marking machines for the national police" in client.get("/needs").text
    assert client.get(f"/needs/{reference}").status_code == 200
    assert [e.action for e in events(session, "need", need.id)] == ["created", "published"]


def test_cost_is_converted_to_us_dollars(session, people, sign_in):
    ama = sign_in(people.requester)
    reference = created_reference(ama.post("/needs/new", {
        **need_form(estimated_cost="100 000", currency="EUR"), "intent": "draft"}))
    need = stored(session, reference)
    assert (need.estimated_cost, need.currency, need.cost_usd) == (100_000, "EUR", 103_500)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Give the need a short title."),
        ("title", "x" * 201, "under 200 characters"),
        ("description", "", "Describe the project before publishing it."),
        ("goal", "", "State a measurable goal"),
        ("topic", "", "Choose the topic of the need."),
        ("topic", "no.such.topic", "Choose one of the options offered."),
        ("modality", "", "Choose how the assistance should be given."),
        ("quantity", "twelve", "Enter a whole number"),
        ("quantity", "0", "Enter at least 1."),
        ("unit", "", "Say what the quantity counts"),
        ("estimated_cost", "12.5", "Enter a whole number"),
        ("estimated_cost", "", "Give an estimated cost before publishing."),
        ("estimated_cost", "0", "Give an estimated cost before publishing."),
        ("estimated_cost", "5000000000", "Enter at most"),
        ("currency", "XXX", "Choose one of the options offered."),
        ("priority", "urgent", "Choose one of the options offered."),
        ("start_date", "31/12/2027", "Enter a date as YYYY-MM-DD"),
        ("deadline", "", "Give a deadline before publishing."),
        ("deadline", in_days(-1), "The deadline must be in the future."),
        ("deadline", in_days(20), "The deadline must come after the wanted start."),
        ("languages", [], "Tick at least one language."),
        ("languages", ["en", "tlh"], "Unknown choice: tlh."),
        ("commitment", "c" * 201, "under 200 characters"),
        ("visibility", "secret", "Choose one of the options offered."),
    ],
)
def test_each_invalid_field_gets_its_error_next_to_it(session, people, sign_in, field, value,
                                                       message):
    ama = sign_in(people.requester)
    data = {**need_form(**{"title": "Typed title 123", field: value}), "intent": "publish"}
    response = ama.post("/needs/new", data)
    assert response.status_code == 422
    assert message in (field_error(response.text, field) or "")
    assert "Please correct the highlighted fields" in response.text
    for other in ("title", "goal", "estimated_cost", "deadline"):
        if other != field:
            assert field_error(response.text, other) is None, other
    if field != "title":
        assert 'value="Typed title 123"' in response.text
    assert session.scalars(select(Need)).first() is None


def test_the_form_keeps_every_typed_value_on_error(people, sign_in):
    ama = sign_in(people.requester)
    data = {**need_form(title="", unit="trainees", quantity="40", estimated_cost="75,000",
                        currency="GBP", priority="low", visibility="restricted",
                        languages=["es", "pt"], description="Keep <this> text"),
            "intent": "publish"}
    html = ama.post("/needs/new", data).text
    assert 'value="trainees"' in html and 'value="40"' in html and 'value="75,000"' in html
    assert '<option value="GBP" selected>' in html
    assert '<option value="low" selected>' in html
    assert '<option value="marking.machines" selected>' in html
    assert 'value="restricted" checked' in html
    assert 'value="es" checked' in html and 'value="pt" checked' in html
    assert 'value="en" checked' not in html
    assert "Keep &lt;this&gt; text</textarea>" in html


def test_a_draft_needs_only_a_title_topic_and_modality(session, people, sign_in):
    ama = sign_in(people.requester)
    data = {"title": "Idea: armoury doors", "topic": "stockpile.physical_security",
            "modality": "equipment", "languages": ["en"], "intent": "draft"}
    reference = created_reference(ama.post("/needs/new", data))
    need = stored(session, reference)
    assert (need.description, need.estimated_cost, need.deadline) == ("", 0, None)
    # ... but it cannot be published as it is.
    response = ama.post(f"/needs/{reference}/publish", htmx=True)
    assert response.status_code == 422
    assert "Describe the project before publishing it." in response.text
    assert stored(session, reference).status == NeedStatus.DRAFT


def test_htmx_submission_swaps_the_form_or_redirects(session, people, sign_in):
    ama = sign_in(people.requester)
    bad = ama.post("/needs/new", need_form(title=""), htmx=True)
    assert bad.status_code == 422
    assert "<html" not in bad.text and 'id="need-form"' in bad.text
    assert 'hx-swap-oob="true"' in bad.text  # the completeness and duplicates panels
    good = ama.post("/needs/new", {**need_form(), "intent": "publish"}, htmx=True)
    assert good.status_code == 200
    assert good.headers["hx-redirect"].startswith("/needs/N-")


def test_editing_a_need_records_before_and_after(session, people, sign_in):
    need = factories.make_need(session, "GHA", title="Old title", status=NeedStatus.DRAFT)
    session.commit()
    ama = sign_in(people.requester)
    form = ama.get(f"/needs/{need.reference}/edit")
    assert form.status_code == 200 and 'value="Old title"' in form.text
    response = ama.post(f"/needs/{need.reference}/edit",
                        {**need_form(title="New title", estimated_cost="90000"),
                         "intent": "draft"})
    assert response.status_code == 303
    updated = events(session, "need", need.id)[-1]
    assert updated.action == "updated" and updated.actor_id == people.requester.id
    assert updated.before["title"] == "Old title" and updated.after["title"] == "New title"
    assert updated.after["cost_usd"] == 90_000
    assert stored(session, need.reference).status == NeedStatus.DRAFT


def test_a_published_need_must_stay_publishable(session, people, sign_in):
    need = factories.make_need(session, "GHA")
    session.commit()
    ama = sign_in(people.requester)
    page = ama.get(f"/needs/{need.reference}/edit").text
    assert "Save changes" in page and "Save draft" not in page
    response = ama.post(f"/needs/{need.reference}/edit", need_form(deadline=""))
    assert response.status_code == 422
    assert field_error(response.text, "deadline") == "Give a deadline before publishing."


@pytest.mark.parametrize("htmx", [False, True])
def test_another_states_requester_cannot_edit(session, people, sign_in, htmx):
    published = factories.make_need(session, "GHA", title="Ghana's need")
    draft = factories.make_need(session, "GHA", status=NeedStatus.DRAFT)
    session.commit()
    rosa = sign_in(people.other_requester)
    assert rosa.get(f"/needs/{published.reference}/edit").status_code == 403
    assert rosa.post(f"/needs/{published.reference}/edit", need_form(title="Hijacked"),
                     htmx=htmx).status_code == 403
    assert rosa.post(f"/needs/{published.reference}/withdraw", htmx=htmx).status_code == 403
    assert rosa.post(f"/needs/{draft.reference}/edit", need_form(),
                     htmx=htmx).status_code == 404
    assert rosa.post(f"/needs/{draft.reference}/publish", htmx=htmx).status_code == 404
    assert stored(session, published.reference).title == "Ghana's need"
    assert stored(session, draft.reference).status == NeedStatus.DRAFT


def test_donors_and_visitors_cannot_post_needs(client, people, sign_in):
    donor = sign_in(people.donor)
    assert donor.get("/needs/new").status_code == 403
    assert donor.post("/needs/new", need_form()).status_code == 403
    response = client.get("/needs/new", follow_redirects=False)
    assert response.status_code in (302, 303) and response.headers["location"].startswith(
        "/login")


def test_an_admin_posts_for_a_chosen_state(session, people, sign_in):
    admin = sign_in(people.admin)
    page = admin.get("/needs/new").text
    assert 'name="country"' in page
    missing = admin.post("/needs/new", need_form())
    assert field_error(missing.text, "country") == "Choose the requesting State."
    reference = created_reference(admin.post("/needs/new", {**need_form(country="FJI"),
                                                            "intent": "publish"}))
    need = stored(session, reference)
    assert need.country_id == factories.country(session, "FJI").id
    assert need.organisation_id == factories.state_org(session, "FJI").id


def test_live_check_shows_the_changed_fields_error_score_and_duplicates(session, people,
                                                                       sign_in):
    factories.make_need(session, "GHA", title="Marking machines for the customs service")
    session.commit()
    ama = sign_in(people.requester)
    response = ama.post("/needs/check", {**need_form(deadline=in_days(-2), goal="",
                                                     title=""), "_field": "deadline"},
                        htmx=True)
    assert response.status_code == 200
    assert field_error(response.text, "deadline") == "The deadline must be in the future."
    assert field_error(response.text, "title") is None  # not the field just changed
    assert 'id="completeness" class="card completeness" aria-live="polite" hx-swap-oob="true"' \
        in response.text
    assert 'data-completeness="80"' in response.text  # the goal is missing
    duplicates = ama.post("/needs/check", {**need_form(), "_field": "title"}, htmx=True).text
    assert "Possible duplicates" in duplicates
    assert "Marking machines for the customs service" in duplicates


def test_the_forms_speak_the_language_of_the_page(people, sign_in):
    need_page = sign_in(people.requester).get("/needs/new?lang=fr").text
    assert '<option value="EUR" >EUR — euro</option>' in need_page
    offer_page = sign_in(people.donor).get("/offers/new?lang=fr").text
    assert 'value="011" > — Afrique occidentale' in offer_page
    assert 'value="KEN" > Kenya</label>' in offer_page
