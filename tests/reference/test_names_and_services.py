"""Localised names from Babel's CLDR data, and the query helpers other features use."""

from __future__ import annotations

import pytest
from babel import Locale
from sqlmodel import select

from matchmaker.models import Country, Region
from matchmaker.reference import services
from matchmaker.reference.names import category_name, country_name, region_name, sort_key


@pytest.fixture
def countries(session):
    return {c.iso3: c for c in session.exec(select(Country)).all()}


@pytest.mark.parametrize(
    ("iso3", "locale", "name"),
    [
        ("FRA", "fr", "France"),
        ("DEU", "fr", "Allemagne"),
        ("CIV", "fr", "Côte d’Ivoire"),
        ("EGY", "ar", "مصر"),
        ("CHN", "zh", "中国"),
        ("RUS", "ru", "Россия"),
        ("ESP", "es", "España"),
        ("BOL", "en", "Bolivia (Plurinational State of)"),  # English keeps the M49 name
        ("BOL", "xx", "Bolivia (Plurinational State of)"),  # unknown locale: M49 name
    ],
)
def test_country_names(countries, iso3, locale, name):
    assert country_name(countries[iso3], locale) == name


@pytest.mark.parametrize("locale", ["fr", "ar", "zh", "es", "ru"])
def test_every_state_has_its_cldr_name(countries, locale):
    territories = Locale.parse(locale).territories
    for country in countries.values():
        assert country_name(country, locale) == territories[country.iso2]


def test_region_names(session):
    regions = {r.m49: r for r in session.exec(select(Region)).all()}
    assert region_name(regions["002"], "fr") == "Afrique"
    assert region_name(regions["419"], "es") == Locale.parse("es").territories["419"]
    assert region_name(regions["419"], "en") == "Latin America and the Caribbean"
    for region in regions.values():
        assert region_name(region, "zh") == Locale.parse("zh").territories[region.m49]


def test_category_name_goes_through_gettext(session):
    topic = services.get_category_by_code(session, "marking.machines")
    assert category_name(topic) == "Marking machines"
    assert category_name(topic, {"Marking machines": "Machines de marquage"}.get) == (
        "Machines de marquage"
    )


def test_sort_key_ignores_accents():
    names = ["Équateur", "Espagne", "Egypte", "Zambie"]
    assert sorted(names, key=sort_key) == ["Egypte", "Équateur", "Espagne", "Zambie"]


def test_list_regions(session):
    top = services.list_regions(session, "region")
    assert [r.name for r in top] == ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    everything = services.list_regions(session)
    assert len(everything) == 29
    assert [r.level for r in everything[:5]] == ["region"] * 5
    assert everything[-1].level == "intermediate"


def test_list_topics_groups_topics_under_their_area_in_order(session):
    groups = services.list_topics(session)
    assert groups[0].area.code == "marking"
    assert groups[0].topics[0].code == "marking.machines"
    assert len(groups) == 15
    for group in groups:
        assert all(topic.parent_id == group.area.id for topic in group.topics)
        assert [t.sort_order for t in group.topics] == sorted(t.sort_order for t in group.topics)


def test_list_modalities(session):
    assert [m.code for m in services.list_modalities(session)] == [
        "funding", "equipment", "technical_expertise", "training", "technology_transfer"
    ]  # fmt: skip


def test_countries_by_region(session):
    groups = services.countries_by_region(session)
    assert [g.region.name for g in groups] == ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    assert sum(len(g.countries) for g in groups) == 195
    africa = groups[0].countries
    assert len(africa) == 54
    # Accents do not push Côte d’Ivoire after Czechia-like names.
    names = [c.name for c in africa]
    assert names.index("Côte d’Ivoire") < names.index("Democratic Republic of the Congo")
    by_subregion = services.countries_by_region(session, "subregion")
    assert len(by_subregion) == 17
    with pytest.raises(ValueError):
        services.countries_by_region(session, "intermediate")


def test_lookups_by_natural_key(session):
    assert services.get_country_by_iso3(session, "gha").name == "Ghana"
    assert services.get_country_by_iso3(session, "XXX") is None
    assert services.get_modality_by_code(session, "training").name == "Training"
    assert services.get_category_by_code(session, "nope") is None
