"""The public pages: landing figures, the needs list (full page and htmx fragment), health."""

from __future__ import annotations

import re

import pytest

from matchmaker.models import NeedStatus, Visibility
from tests import factories


@pytest.fixture
def portfolio(session):
    needs = [
        factories.make_need(session, "GHA", title="Marking machines for Ghana", cost_usd=120_000,
                            priority="high", agreed_usd=60_000,
                            status=NeedStatus.PARTLY_MATCHED),
        factories.make_need(session, "PER", title="Stockpile training in Peru", cost_usd=40_000,
                            priority="low"),
        factories.make_need(session, "FJI", title="Border scanners for Fiji", cost_usd=90_000),
        factories.make_need(session, "GHA", title="Secret draft", status=NeedStatus.DRAFT),
        factories.make_need(session, "PER", title="Restricted need",
                            visibility=Visibility.RESTRICTED),
    ]
    session.commit()
    return needs


def test_landing_page_shows_live_figures(client, portfolio):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert "<html" in html
    assert re.search(r'data-figure="needs">\s*3\s*<', html)
    assert re.search(r'data-figure="states">\s*3\s*<', html)
    assert "$250" in html  # 120k + 40k + 90k requested, compact
    assert "Africa" in html and "Americas" in html and "Oceania" in html


def test_landing_page_on_an_empty_portfolio(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "No needs have been published yet." in response.text


def test_needs_list_shows_only_public_published_needs(client, portfolio):
    html = client.get("/needs").text
    assert "Marking machines for Ghana" in html
    assert "Stockpile training in Peru" in html
    assert "Secret draft" not in html
    assert "Restricted need" not in html
    assert "Showing 1–3 of 3 needs" in html


def test_needs_list_is_a_fragment_for_htmx_and_varies(client, portfolio):
    full = client.get("/needs")
    fragment = client.get("/needs", headers={"HX-Request": "true"})
    boosted = client.get("/needs", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert full.headers["vary"] == "HX-Request"
    assert fragment.headers["vary"] == "HX-Request"
    assert "<html" in full.text and "<form" in full.text
    assert "<html" not in fragment.text and "<form" not in fragment.text
    assert "Marking machines for Ghana" in fragment.text
    assert "<html" in boosted.text


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("q=scanner", ["Border scanners for Fiji"], ["Marking machines for Ghana"]),
        ("q=ghana", ["Marking machines for Ghana"], ["Border scanners for Fiji"]),
        ("region=002", ["Marking machines for Ghana"], ["Stockpile training in Peru"]),
        ("region=419", ["Stockpile training in Peru"], ["Border scanners for Fiji"]),
        ("priority=high", ["Marking machines for Ghana"], ["Stockpile training in Peru"]),
        ("status=partly_matched", ["Marking machines for Ghana"], ["Border scanners for Fiji"]),
    ],
)
def test_needs_list_filters(client, portfolio, query, expected, absent):
    html = client.get(f"/needs?{query}").text
    for title in expected:
        assert title in html
    for title in absent:
        assert title not in html


def test_needs_list_sorts_by_cost(client, portfolio):
    html = client.get("/needs?sort=cost_desc").text
    assert html.index("Marking machines for Ghana") < html.index("Border scanners for Fiji")
    assert html.index("Border scanners for Fiji") < html.index("Stockpile training in Peru")
    html = client.get("/needs?sort=cost_asc").text
    assert html.index("Stockpile training in Peru") < html.index("Marking machines for Ghana")


def test_needs_list_paginates_without_javascript(client, session):
    for n in range(25):
        factories.make_need(session, "KEN", title=f"Paged need {n:02d}")
    session.commit()
    first = client.get("/needs?sort=title").text
    assert "Showing 1–20 of 25 needs" in first
    assert 'href="/needs?sort=title&amp;page=2"' in first
    second = client.get("/needs?sort=title&page=2").text
    assert "Showing 21–25 of 25 needs" in second
    assert "Paged need 24" in second and "Paged need 00" not in second


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("sort=sideways", "sort"),
        ("priority=urgent", "priority"),
        ("status=draft", "status"),
        ("region=999", "region"),
        ("topic=no.such.topic", "topic"),
        ("modality=telepathy", "modality"),
        ("per_page=7", "per_page"),
        ("q=" + "x" * 200, "q"),
    ],
)
def test_bad_query_parameters_get_a_400_with_a_message(client, query, field):
    page = client.get(f"/needs?{query}")
    assert page.status_code == 400
    assert f"“{field}”" in page.text or field in page.text
    assert "Bad request" in page.text
    api_style = client.get(f"/needs?{query}", headers={"Accept": "application/json"})
    assert api_style.status_code == 400
    assert api_style.json()["field"] == field


def test_need_page_and_hidden_needs_are_not_found(client, portfolio):
    visible, _, _, draft, restricted = portfolio
    page = client.get(f"/needs/{visible.reference}")
    assert page.status_code == 200
    assert "Marking machines for Ghana" in page.text
    assert "Ghana" in page.text
    for hidden in (draft, restricted):
        assert client.get(f"/needs/{hidden.reference}").status_code == 404
    assert client.get("/needs/N-99999").status_code == 404


def test_user_text_is_escaped(client, session):
    need = factories.make_need(session, "GHA", title="<script>alert(1)</script>")
    session.commit()
    for url in ("/needs", f"/needs/{need.reference}"):
        html = client.get(url).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_health_endpoint(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_language_switch_translates_country_names(client, portfolio):
    response = client.get("/language/fr?next=/needs", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/needs"
    html = client.get("/needs").text
    assert 'lang="fr"' in html
    assert "Pérou" in html


def test_language_switch_refuses_open_redirects(client):
    response = client.get("/language/fr?next=//evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_arabic_pages_are_right_to_left(client):
    html = client.get("/?lang=ar").text
    assert 'dir="rtl"' in html


def test_the_api_document_describes_the_json_api_only(client):
    response = client.get("/api/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/needs", "/api/offers", "/api/proposals", "/api/runs"} <= set(paths)
    assert all(path.startswith("/api/") for path in paths), sorted(paths)
