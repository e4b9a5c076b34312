"""A malformed seed file is refused with a SeedError naming the file and the line."""

from __future__ import annotations

import shutil

import pytest

from matchmaker.reference.files import SEEDS_DIR, SeedError, load_reference_data


@pytest.fixture
def seeds(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, folder, ignore=shutil.ignore_patterns("demo", "sources"))
    return folder


def edit_line(path, number: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[number - 1], lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def line_containing(path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def refused(seeds) -> SeedError:
    with pytest.raises(SeedError) as caught:
        load_reference_data(seeds)
    return caught.value


def test_the_project_files_load():
    data = load_reference_data()
    assert len(data.countries) == 195
    assert len(data.regions) == 29
    assert [m.code for m in data.modalities] == [
        "funding", "equipment", "technical_expertise", "training", "technology_transfer"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("iso3", "old", "new", "problem"),
    [
        ("GHA", "GHA,GH,", "GHA,G1,", "iso2 must be an ISO alpha-2 code, got 'G1'"),
        ("GHA", ",288,", ",28,", "m49 must be a three-digit M49 code, got '28'"),
        ("GHA", ",member,", ",friend,", "un_status must be one of member, observer"),
        ("GHA", ",0,0,0,", ",0,yes,0,", "is_sids must be 1 or 0, got 'yes'"),
        ("GHA", ",002,202,011,", ",002,202,029,", "intermediate_m49 '029' is not an intermediate"),
        ("GHA", ",002,202,", ",142,202,", "subregion_m49 '202' is not a sub-region of Asia"),
        ("GHA", ",002,", ",999,", "region_m49 '999' is not a region"),
        ("GHA", ",UNREC", ",UNXYZ", "regional_centre 'UNXYZ' is not in the centres file"),
        ("GHA", "GHA,", "FRA,", "iso3 'FRA' already given on line"),
        ("GHA", ",Ghana,", ",Ghana,extra,", "expected 12 fields, got 13"),
        ("GHA", ",Ghana,", ",,", "name is empty"),
    ],
)
def test_bad_country_rows(seeds, iso3, old, new, problem):
    path = seeds / "countries.csv"
    number = line_containing(path, f"{iso3},")
    edit_line(path, number, old, new)
    error = refused(seeds)
    assert error.path == path
    assert error.line == number
    assert problem in str(error)
    assert str(error).startswith(f"{path}, line {number}: ")


def test_a_wrong_header_is_reported_on_line_1(seeds):
    path = seeds / "modalities.csv"
    edit_line(path, 1, "description", "summary")
    error = refused(seeds)
    assert (error.path, error.line) == (path, 1)
    assert "header must be code,name,description" in str(error)


def test_a_region_under_the_wrong_parent(seeds):
    path = seeds / "regions.csv"
    number = line_containing(path, "029,Caribbean")
    edit_line(path, number, ",419", ",019")
    error = refused(seeds)
    assert error.line == number
    assert "parent_m49 of a intermediate must be a subregion" in str(error)


def test_a_missing_file(seeds):
    (seeds / "regional_centres.csv").unlink()
    error = refused(seeds)
    assert error.path == seeds / "regional_centres.csv"
    assert "file not found" in str(error)


def test_a_file_that_is_not_utf8(seeds):
    path = seeds / "regional_centres.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    error = refused(seeds)
    assert (error.path, error.line) == (path, 2)  # Lomé
    assert "not valid UTF-8" in str(error)


def test_unknown_member_of_an_organisation_names_the_members_line(seeds):
    path = seeds / "organisations.json"
    number = line_containing(path, '"members": ["BEN"')
    edit_line(path, number, '"BEN"', '"XXX"')
    error = refused(seeds)
    assert error.path == path
    assert error.line == number
    assert "members not in countries.csv: XXX" in str(error)


def test_an_organisation_slug_may_not_take_a_states_slug(seeds):
    path = seeds / "organisations.json"
    number = line_containing(path, '"slug": "eac"')
    edit_line(path, number, '"eac"', '"ken"')
    error = refused(seeds)
    assert error.line == number
    assert "reserved for the State KEN" in str(error)


def test_invalid_json_gives_the_parser_line(seeds):
    path = seeds / "categories.json"
    number = line_containing(path, '"code": "marking.machines"')
    edit_line(path, number, '",', '"')
    error = refused(seeds)
    assert error.path == path
    assert error.line == number + 1
    assert "not valid JSON" in str(error)


def test_a_topic_outside_its_area_is_refused(seeds):
    path = seeds / "categories.json"
    number = line_containing(path, '"code": "stockpile.inventory"')
    edit_line(path, number, "stockpile.inventory", "marking.inventory")
    error = refused(seeds)
    assert error.line == number
    assert "a topic code must start with 'stockpile.'" in str(error)


def test_a_topic_without_a_quote_is_refused(seeds):
    path = seeds / "categories.json"
    number = line_containing(path, '"code": "ddr.collection"')
    quote_line = number + 7
    edit_line(path, quote_line, '"quote": "', '"quote_": "')
    error = refused(seeds)
    assert error.line == number + 3  # the "source" key of that topic
    assert "source needs quote" in str(error)


def test_a_citation_of_an_unlisted_document_is_refused(seeds):
    path = seeds / "categories.json"
    number = line_containing(path, '"code": "ddr.collection"')
    edit_line(path, number + 5, "003_9cb7a07490043202.txt", "999_unknown.txt")
    error = refused(seeds)
    assert error.line == number + 3
    assert "'999_unknown.txt'" in str(error)


def test_a_misspelt_key_is_refused(seeds):
    path = seeds / "organisations.json"
    number = line_containing(path, '"members": ["AGO"')
    edit_line(path, number, '"members"', '"member"')
    error = refused(seeds)
    assert error.line == number
    assert "unknown key 'member'" in str(error)
