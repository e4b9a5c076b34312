"""Donors browse needs (and everyone offers): filters, search, sorting, pages, htmx fragments,
and bad query parameters answered with 400 and a message.

The public basics (region, priority, status, cost sorting, paging, the 400s of the needs list)
are in tests/web/test_public_pages.py; these are the rest of what the issue names.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from matchmaker.models import NeedStatus, OfferCountry, OfferRegion, OfferStatus, Visibility
from tests import factories
from tests.portfolio.conftest import in_days


def titles(html: str) -> list[str]:
    """The titles of the listed needs or offers, in the order shown."""
    return re.findall(r'class="need-title">([^<]+)</a>', html)


@pytest.fixture
def shelf(session):
    """Published needs that differ in one property each, and one draft."""
    def need(iso3, title, topic, modality="equipment", **fields):
        return factories.make_need(session, iso3, title=title,
                                   topic=factories.topic(session, topic),
                                   modality=factories.modality(session, modality), **fields)

    today = date.today()
    needs = [
        need("GHA", "Marking machines", "marking.machines", priority="high",
             deadline=today + timedelta(days=40), description="Dot-peen machines."),
        need("SEN", "Tracing training", "marking.tracing", "training", priority="medium",
             deadline=today + timedelta(days=90)),
        need("PER", "Armoury doors", "stockpile.physical_security", priority="low",
             deadline=today + timedelta(days=20)),
        need("FJI", "Border scanners", "border.equipment", "funding", priority="medium",
             deadline=None),
        need("KEN", "Gun-free schools campaign", "awareness.campaigns", "technical_expertise",
             priority="high", deadline=today + timedelta(days=300),
             visibility=Visibility.RESTRICTED, description="In 500 schools."),
        need("GHA", "Unpublished idea", "marking.machines", status=NeedStatus.DRAFT),
    ]
    session.commit()
    return needs


@pytest.fixture
def dieter(people, sign_in):
    return sign_in(people.donor)


@pytest.mark.parametrize(("query", "expected"), [
    ("topic=marking.machines", ["Marking machines"]),
    ("topic=marking", ["Marking machines", "Tracing training"]),  # a whole area
    ("modality=training", ["Tracing training"]),
    ("modality=technical_expertise", ["Gun-free schools campaign"]),
    (f"deadline_before={in_days(40)}", ["Marking machines", "Armoury doors"]),
    (f"deadline_before={in_days(39)}", ["Armoury doors"]),
    ("region=011", ["Marking machines", "Tracing training"]),  # Western Africa
    ("region=014", ["Gun-free schools campaign"]),  # Eastern Africa
    ("q=dot-peen", ["Marking machines"]),  # in the description
    ("q=PERU", ["Armoury doors"]),  # the State, any case
    ("q={doors}", ["Armoury doors"]),  # the reference
    ("q=5%25", []),  # a literal percent sign, not a wildcard (“500 schools”)
    ("q=_", []),  # a literal underscore
    ("topic=marking&modality=equipment&priority=high", ["Marking machines"]),
    ("q=idea", []),  # drafts are never listed
])
def test_a_donor_filters_the_needs(dieter, shelf, query, expected):
    query = query.format(doors=shelf[2].reference)
    response = dieter.get(f"/needs?sort=title&{query}")
    assert response.status_code == 200
    assert titles(response.text) == sorted(expected)
    if not expected:
        assert "No needs match these filters." in response.text


def test_donors_see_restricted_needs_the_public_does_not(client, dieter, shelf):
    assert "Gun-free schools campaign" in titles(dieter.get("/needs").text)
    assert "Gun-free schools campaign" not in titles(client.get("/needs").text)


@pytest.mark.parametrize(("sort", "order"), [
    ("deadline", ["Armoury doors", "Marking machines", "Tracing training",
                  "Gun-free schools campaign", "Border scanners"]),  # no deadline last
    ("priority", ["Marking machines", "Gun-free schools campaign", "Tracing training",
                  "Border scanners", "Armoury doors"]),  # then by deadline
    ("title", ["Armoury doors", "Border scanners", "Gun-free schools campaign",
               "Marking machines", "Tracing training"]),
])
def test_the_needs_are_sorted(dieter, shelf, sort, order):
    assert titles(dieter.get(f"/needs?sort={sort}").text) == order


def test_the_newest_needs_come_first_by_default(session, dieter):
    older = factories.make_need(session, "GHA", title="Older need")
    older.published_at = older.published_at - timedelta(days=3)
    factories.make_need(session, "GHA", title="Newer need")
    session.commit()
    assert titles(dieter.get("/needs").text) == ["Newer need", "Older need"]


def test_the_filter_form_keeps_what_was_chosen(dieter, shelf):
    html = dieter.get(f"/needs?topic=marking&region=011&modality=training&priority=medium"
                      f"&deadline_before={in_days(90)}&sort=deadline&q=tracing").text
    assert '<option value="marking" selected>' in html
    assert '<option value="011" selected>— — Western Africa</option>' in html
    assert '<option value="training" selected>' in html
    assert '<option value="medium" selected>' in html
    assert '<option value="deadline" selected>' in html
    assert f'name="deadline_before" value="{in_days(90)}"' in html
    assert 'name="q" value="tracing"' in html
    assert titles(html) == ["Tracing training"]
    assert 'href="/needs" class="button button-secondary">Clear</a>' in html


def test_pages_keep_the_filters(session, dieter):
    machines = factories.topic(session, "marking.machines")
    for n in range(23):
        factories.make_need(session, "GHA", title=f"Machines {n:02d}", topic=machines)
    factories.make_need(session, "GHA", title="Other topic",
                        topic=factories.topic(session, "border.equipment"))
    session.commit()
    first = dieter.get("/needs?topic=marking.machines&sort=title").text
    assert "Showing 1–20 of 23 needs" in first
    assert 'href="/needs?topic=marking.machines&amp;sort=title&amp;page=2"' in first
    second = dieter.get("/needs?topic=marking.machines&sort=title&page=2").text
    assert titles(second) == ["Machines 20", "Machines 21", "Machines 22"]
    fifty = dieter.get("/needs?topic=marking.machines&per_page=50").text
    assert "Showing 1–23 of 23 needs" in fifty and 'rel="next"' not in fifty
    beyond = dieter.get("/needs?topic=marking.machines&sort=title&page=9")  # past the end
    assert beyond.status_code == 200
    assert titles(beyond.text) == ["Machines 20", "Machines 21", "Machines 22"]
    assert "Showing 21–23 of 23 needs" in beyond.text


def test_instant_search_answers_htmx_with_the_results_only(dieter, shelf):
    response = dieter.get("/needs?q=scanners", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["vary"] == "HX-Request"
    assert "<html" not in response.text and "<form" not in response.text
    assert titles(response.text) == ["Border scanners"]
    assert re.search(r"Showing 1–1 of 1 need\s*<", response.text)  # not "1 needs"
    full = dieter.get("/needs?q=scanners").text
    assert 'hx-get="/needs"' in full and 'hx-target="#results"' in full
    assert 'delay:300ms from:input[name=q]' in full


@pytest.mark.parametrize(("query", "field", "message"), [
    ("deadline_before=next-week", "deadline_before",
     "“deadline_before” must be a date as YYYY-MM-DD"),
    ("deadline_before=2027-02-30", "deadline_before",
     "“deadline_before” must be a date as YYYY-MM-DD"),
    ("region=0021", "region", "“region” is too long"),
    ("region=abc", "region", "Unknown region “abc”."),
    ("topic=marking.nothing", "topic", "Unknown topic “marking.nothing”."),
    ("per_page=1000", "per_page", "“1000” is not a valid per_page"),
    ("page=-1", "page", "“page” must be between 1 and 100000."),
    ("page=1e3", "page", "“page” must be a whole number."),
    ("q=marking%00", "q", "“q” contains control characters."),  # PostgreSQL cannot hold NUL
])
def test_bad_query_parameters_get_400_with_a_message(dieter, query, field, message):
    for url in (f"/needs?{query}", f"/api/needs?{query}"):
        response = dieter.get(url)
        assert response.status_code == 400, url
        assert message in response.text
    fragment = dieter.get(f"/needs?{query}", headers={"HX-Request": "true"})
    assert fragment.status_code == 400 and fragment.headers["hx-retarget"] == "#alerts"
    assert dieter.get(f"/api/needs?{query}").json()["field"] == field


def test_a_donor_is_offered_to_fund_open_needs(session, client, people, sign_in, dieter):
    open_need = factories.make_need(session, "GHA")
    matched = factories.make_need(session, "GHA", status=NeedStatus.MATCHED)
    session.commit()
    page = dieter.get(f"/needs/{open_need.reference}").text
    assert "Propose to fund this need" in page
    assert f'href="/proposals/new?need={open_need.reference}"' in page
    assert dieter.get(f"/proposals/new?need={open_need.reference}").status_code == 200
    assert "Propose to fund this need" not in dieter.get(f"/needs/{matched.reference}").text
    assert "Propose to fund this need" in sign_in(people.admin).get(
        f"/needs/{open_need.reference}").text
    for other in (client, sign_in(people.requester), sign_in(people.coordinator)):
        assert "Propose to fund this need" not in other.get(
            f"/needs/{open_need.reference}").text


# --- the offers list --------------------------------------------------------------------


@pytest.fixture
def offers(session):
    """Published offers of two donors that differ in topic, modality and eligibility."""
    germany = factories.state_org(session, "DEU")
    japan = factories.state_org(session, "JPN")
    marking = factories.topic(session, "marking.machines")
    area = factories.topic(session, "marking.records")
    made = {
        "worldwide": factories.make_offer(session, germany, [marking],
                                          title="Worldwide marking fund", budget_usd=500_000),
        "west_africa": factories.make_offer(session, germany, [marking],
                                            [factories.modality(session, "training")],
                                            title="West African training",
                                            budget_usd=100_000),
        "pacific": factories.make_offer(session, japan, [area], title="Pacific records",
                                        budget_usd=300_000),
        "draft": factories.make_offer(session, germany, title="Draft offer",
                                      status=OfferStatus.DRAFT),
        "exhausted": factories.make_offer(session, japan, [marking], title="Spent fund",
                                          status=OfferStatus.EXHAUSTED, committed_usd=200_000),
    }
    session.add(OfferRegion(offer_id=made["west_africa"].id,
                            region_id=factories.country(session, "GHA").intermediate_region_id))
    session.add(OfferCountry(offer_id=made["pacific"].id,
                             country_id=factories.country(session, "FJI").id))
    session.commit()
    return made


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["Pacific records", "Spent fund", "West African training", "Worldwide marking fund"]),
    ("topic=marking.machines", ["Spent fund", "West African training",
                                "Worldwide marking fund"]),
    ("modality=training", ["West African training"]),
    ("region=011", ["Spent fund", "West African training", "Worldwide marking fund"]),
    ("region=002", ["Spent fund", "West African training", "Worldwide marking fund"]),
    ("region=009", ["Pacific records", "Spent fund", "Worldwide marking fund"]),
    ("donor=jpn", ["Pacific records", "Spent fund"]),
    ("status=exhausted", ["Spent fund"]),
    ("q=pacific", ["Pacific records"]),
    ("q=japan", ["Pacific records", "Spent fund"]),  # the donor's name
])
def test_the_offers_list_filters(client, offers, query, expected):
    response = client.get(f"/offers?sort=title&{query}")
    assert response.status_code == 200
    assert titles(response.text) == expected


def test_the_offers_list_sorts_by_what_remains(client, offers):
    assert titles(client.get("/offers?sort=remaining_desc").text) == [
        "Worldwide marking fund", "Pacific records", "West African training", "Spent fund"]


def test_the_offers_list_answers_htmx_with_the_results_only(client, offers):
    response = client.get("/offers?donor=jpn", headers={"HX-Request": "true"})
    assert "<html" not in response.text and "<form" not in response.text
    assert titles(response.text) == ["Spent fund", "Pacific records"] or titles(
        response.text) == ["Pacific records", "Spent fund"]
    assert "Showing 1–2 of 2 offers" in response.text


@pytest.mark.parametrize(("query", "field"), [
    ("donor=nobody", "donor"), ("status=draft", "status"), ("sort=random", "sort"),
    ("region=999", "region"), ("modality=magic", "modality"), ("topic=x.y", "topic"),
    ("page=0", "page"), ("q=%00", "q"),
])
def test_bad_offer_filters_get_400_naming_the_parameter(client, query, field):
    page = client.get(f"/offers?{query}")
    assert page.status_code == 400 and "Bad request" in page.text
    api = client.get(f"/api/offers?{query}")
    assert api.status_code == 400 and api.json()["field"] == field


@pytest.mark.parametrize("path", ["/needs/N-00001%00", "/offers/%00", "/api/needs/N%00",
                                  "/api/offers/O-1%00", "/needs/" + "x" * 300,
                                  "/needs/N-00001%00/edit", "/offers/O%00/withdraw"])
def test_a_mangled_reference_is_not_found(people, sign_in, path):
    """Not a database error: PostgreSQL refuses NUL characters in a query."""
    response = sign_in(people.admin).get(path)
    assert response.status_code == 404
    assert "No need with reference" in response.text or "No offer with reference" in (
        response.text)


def test_topics_and_modalities_are_named_in_the_readers_language(client, session):
    need = factories.make_need(session, "GHA", topic=factories.topic(session, "marking.machines"),
                               modality=factories.modality(session, "equipment"))
    factories.make_offer(session, factories.state_org(session, "DEU"),
                         [factories.topic(session, "marking.machines")])
    session.commit()
    for path in ("/needs?lang=fr", f"/needs/{need.reference}?lang=fr", "/offers?lang=fr"):
        html = client.get(path).text
        assert "Machines de marquage" in html and "Équipement" in html, path
        assert ">Marking machines<" not in html, path
