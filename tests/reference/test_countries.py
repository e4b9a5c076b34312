"""The States, their regions, flags and regional centres, as seeded into the database."""

from __future__ import annotations

import pytest
from babel import Locale
from sqlmodel import select

from matchmaker.models import Country, Region, RegionalCentre, UNStatus


def codes(text: str) -> set[str]:
    return set(text.split())


# The UN lists the flags were checked against (see seeds/README.md), written out here so that a
# slip in countries.csv cannot hide behind a count.
LDC_2025 = codes(
    "AGO BEN BFA BDI CAF TCD COM COD DJI ERI ETH GMB GIN GNB LSO LBR MDG MWI MLI MRT MOZ NER "
    "RWA SEN SLE SOM SSD SDN TGO UGA TZA ZMB AFG BGD KHM LAO MMR NPL TLS YEM HTI KIR SLB TUV"
)
SIDS_M49 = codes(
    "ATG BHS BRB BLZ CPV COM CUB DMA DOM FJI GRD GNB GUY HTI JAM KIR MDV MHL MUS FSM NRU PLW "
    "PNG WSM STP SYC SGP SLB KNA LCA VCT SUR TLS TON TTO TUV VUT"
)
LLDC = codes(
    "AFG ARM AZE BTN BOL BWA BFA BDI CAF TCD SWZ ETH KAZ KGZ LAO LSO MWI MLI MNG NPL NER MKD "
    "PRY MDA RWA SSD TJK TKM UGA UZB ZMB ZWE"
)
UNRCPD_STATES = codes(
    "AFG AUS BGD BTN BRN KHM CHN PRK FJI IND IDN IRN JPN KAZ KIR KGZ LAO MYS MDV MHL FSM MNG "
    "MMR NRU NPL NZL PAK PLW PNG PHL KOR WSM SGP SLB LKA TJK THA TLS TON TKM TUV UZB VUT VNM"
)


@pytest.fixture
def countries(session) -> dict[str, Country]:
    return {c.iso3: c for c in session.exec(select(Country)).all()}


@pytest.fixture
def regions(session) -> dict[int, Region]:
    return {r.id: r for r in session.exec(select(Region)).all()}


@pytest.fixture
def centres(session) -> dict[int, str]:
    return {c.id: c.code for c in session.exec(select(RegionalCentre)).all()}


def test_193_members_and_2_observers(countries):
    members = [c for c in countries.values() if c.un_status == UNStatus.MEMBER]
    observers = {c.iso3 for c in countries.values() if c.un_status == UNStatus.OBSERVER}
    assert len(countries) == 195
    assert len(members) == 193
    assert observers == {"VAT", "PSE"}
    # Not States of the UN, although they have ISO codes or take part in regional bodies.
    assert not {"TWN", "XKX", "COK", "NIU", "ESH", "HKG", "PRI", "GRL"} & countries.keys()


@pytest.mark.parametrize(
    ("iso3", "iso2", "m49", "name"),
    [
        ("FRA", "FR", "250", "France"),
        ("IND", "IN", "356", "India"),
        ("NOR", "NO", "578", "Norway"),
        ("USA", "US", "840", "United States of America"),
        ("SSD", "SS", "728", "South Sudan"),
        ("SDN", "SD", "729", "Sudan"),
        ("PSE", "PS", "275", "State of Palestine"),
        ("VAT", "VA", "336", "Holy See"),
        ("MKD", "MK", "807", "North Macedonia"),
        ("SRB", "RS", "688", "Serbia"),
        ("BOL", "BO", "068", "Bolivia (Plurinational State of)"),
        ("TUR", "TR", "792", "Türkiye"),
        ("CIV", "CI", "384", "Côte d’Ivoire"),
        ("NLD", "NL", "528", "Netherlands (Kingdom of the)"),
        ("GBR", "GB", "826", "United Kingdom of Great Britain and Northern Ireland"),
        ("PRK", "KP", "408", "Democratic People's Republic of Korea"),
        ("VNM", "VN", "704", "Viet Nam"),
        ("SWZ", "SZ", "748", "Eswatini"),
        ("AFG", "AF", "004", "Afghanistan"),
    ],
)
def test_known_codes_and_m49_names(countries, iso3, iso2, m49, name):
    country = countries[iso3]
    assert (country.iso2, country.m49, country.name) == (iso2, m49, name)


@pytest.mark.parametrize(
    ("iso3", "region", "subregion", "intermediate"),
    [
        ("MEX", "019", "419", "013"),
        ("BRA", "019", "419", "005"),
        ("JAM", "019", "419", "029"),
        ("CAN", "019", "021", None),
        ("EGY", "002", "015", None),
        ("SDN", "002", "015", None),
        ("NGA", "002", "202", "011"),
        ("COD", "002", "202", "017"),
        ("KEN", "002", "202", "014"),
        ("ZAF", "002", "202", "018"),
        ("CYP", "142", "145", None),
        ("KAZ", "142", "143", None),
        ("IRN", "142", "034", None),
        ("RUS", "150", "151", None),
        ("VAT", "150", "039", None),
        ("AUS", "009", "053", None),
        ("FJI", "009", "054", None),
        ("PLW", "009", "057", None),
        ("TON", "009", "061", None),
    ],
)
def test_m49_regions(countries, regions, iso3, region, subregion, intermediate):
    country = countries[iso3]
    assert regions[country.region_id].m49 == region
    assert regions[country.subregion_id].m49 == subregion
    got = regions[country.intermediate_region_id].m49 if country.intermediate_region_id else None
    assert got == intermediate


def test_every_state_has_a_region_and_a_consistent_subregion(countries, regions):
    for country in countries.values():
        region = regions[country.region_id]
        subregion = regions[country.subregion_id]
        assert (region.level, subregion.level) == ("region", "subregion"), country.iso3
        assert subregion.parent_id == region.id, country.iso3
        if country.intermediate_region_id:
            assert regions[country.intermediate_region_id].parent_id == subregion.id


def test_region_tree(session):
    regions = {r.m49: r for r in session.exec(select(Region)).all()}
    by_id = {r.id: r for r in regions.values()}
    top = {m49 for m49, r in regions.items() if r.level == "region"}
    assert top == {"002", "019", "142", "150", "009"}
    assert regions["419"].name == "Latin America and the Caribbean"
    assert by_id[regions["419"].parent_id].m49 == "019"
    assert by_id[regions["029"].parent_id].m49 == "419"
    assert by_id[regions["202"].parent_id].m49 == "002"
    assert {m for m, r in regions.items() if r.level == "intermediate"} == {
        "011", "014", "017", "018", "005", "013", "029"
    }  # fmt: skip


def test_ldc_sids_and_lldc_flags_follow_the_un_lists(countries):
    assert {iso3 for iso3, c in countries.items() if c.is_ldc} == LDC_2025
    assert {iso3 for iso3, c in countries.items() if c.is_sids} == SIDS_M49
    assert {iso3 for iso3, c in countries.items() if c.is_lldc} == LLDC
    assert (len(LDC_2025), len(SIDS_M49), len(LLDC)) == (44, 37, 32)
    # Recent graduations from the LDC category.
    assert not countries["BTN"].is_ldc
    assert not countries["STP"].is_ldc
    assert not countries["VUT"].is_ldc


def test_regional_centres_cover_their_regions_and_no_one_else(countries, regions, centres):
    def covered(code):
        return {iso3 for iso3, c in countries.items() if centres.get(c.regional_centre_id) == code}

    africa = {iso3 for iso3, c in countries.items() if regions[c.region_id].m49 == "002"}
    latin_america = {
        iso3 for iso3, c in countries.items() if regions[c.subregion_id].m49 == "419"
    }
    assert len(africa) == 54
    assert covered("UNREC") == africa
    assert len(latin_america) == 33
    assert covered("UNLIREC") == latin_america
    assert covered("UNRCPD") == UNRCPD_STATES
    assert len(UNRCPD_STATES) == 44
    for iso3, country in countries.items():
        if regions[country.region_id].m49 == "150" or regions[country.subregion_id].m49 in (
            "021",
            "145",
        ):
            assert country.regional_centre_id is None, iso3


def test_regional_centres(session):
    centres = {c.code: c for c in session.exec(select(RegionalCentre)).all()}
    assert {code: (c.city, c.host_country_iso3) for code, c in centres.items()} == {
        "UNREC": ("Lomé", "TGO"),
        "UNLIREC": ("Lima", "PER"),
        "UNRCPD": ("Kathmandu", "NPL"),
    }


def test_every_iso2_is_a_babel_territory(countries):
    territories = Locale.parse("en").territories
    missing = [c.iso2 for c in countries.values() if c.iso2 not in territories]
    assert missing == []
