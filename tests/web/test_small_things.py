"""The small things of the lists and the landing page: paging past the end, plurals,
accent-blind search, the figures' definitions, names in the reader's language."""

from __future__ import annotations

import re

from matchmaker.models import NeedStatus
from tests import factories


def _results(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_a_page_past_the_end_shows_the_last_page_and_says_so(client, session):
    for number in range(3):
        factories.make_need(session, "GHA", title=f"Radio kit {number}")
    session.commit()
    html = _results(client.get("/needs?page=999").text)
    assert "Showing 1–3 of 3 needs" in html
    assert html.count("Radio kit") == 3
    assert "19,961" not in html


def test_one_result_is_counted_in_the_singular(client, session):
    factories.make_need(session, "GHA", title="Only one")
    session.commit()
    assert re.search(r"Showing 1–1 of 1 need\s*<", client.get("/needs").text)
    french = client.get("/needs?lang=fr").text
    assert "1 needs" not in french and "1 besoins" not in french


def test_search_ignores_accents_and_apostrophes(client, session):
    factories.make_need(session, "CIV", title="Marquage des armes à Abidjan")
    factories.make_need(session, "EGY", title="Stockpile security")
    factories.make_need(session, "PER", title="Training for customs")
    session.commit()
    found = client.get("/needs", params={"q": "Cote d'Ivoire"}).text
    assert "Marquage des armes" in found and "Training for customs" not in found
    assert "Marquage des armes" in client.get("/needs", params={"q": "a ABIDJAN"}).text
    assert "Marquage des armes" in client.get("/needs", params={"q": "armes a abidjan"}).text
    # a French reader finds Egypt by its French name, "Égypte", typed without the accent
    french = client.get("/needs", params={"q": "egypte", "lang": "fr"}).text
    assert "Stockpile security" in french and "Training for customs" not in french
    assert "Stockpile security" not in client.get("/needs", params={"q": "egypte"}).text


def test_landing_counts_open_and_matched_needs_and_names_regions_in_the_readers_language(
    client, session
):
    for status in (NeedStatus.PUBLISHED, NeedStatus.PARTLY_MATCHED, NeedStatus.MATCHED,
                   NeedStatus.IN_DELIVERY, NeedStatus.COMPLETED):
        factories.make_need(session, "GHA", status=status)
    session.commit()
    html = client.get("/").text
    assert re.search(r'data-figure="needs">\s*3\s*<', html)  # not the delivered or completed
    assert ">Africa</a>" in html
    french = client.get("/?lang=fr").text
    assert ">Afrique</a>" in french and ">Africa</a>" not in french


def test_a_states_need_names_the_state_once(client, session):
    need = factories.make_need(session, "ARM", title="Armenian registry")
    session.commit()
    html = client.get(f"/needs/{need.reference}").text
    meta = html.split('class="record-meta"')[1].split("</p>")[0]
    assert meta.count("Armenia") == 1
    french = client.get(f"/needs/{need.reference}?lang=fr").text
    assert "Arménie" in french.split('class="record-meta"')[1].split("</p>")[0]
