"""Seeding is idempotent, updates rows from the files and keeps organisation links in step."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from matchmaker import db
from matchmaker.models import (
    Category,
    Country,
    Modality,
    Organisation,
    OrganisationCountry,
    OrganisationKind,
    OrganisationRegion,
    OrganisationStatus,
    Region,
    RegionalCentre,
)
from matchmaker.reference.files import SEEDS_DIR, SeedError, load_reference_data
from matchmaker.reference.seed import seed_reference

TABLES = (
    Region, RegionalCentre, Country, Category, Modality, Organisation, OrganisationCountry,
    OrganisationRegion,
)  # fmt: skip


def table_counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.exec(select(func.count()).select_from(model)).one()
        for model in TABLES
    }


@pytest.fixture
def fresh_session(tmp_path) -> Iterator[Session]:
    """A migrated, empty SQLite database of its own, for tests that change reference rows."""
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def seeds_copy(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, folder, ignore=shutil.ignore_patterns("demo", "sources"))
    return folder


def organisation(session: Session, slug: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.slug == slug)).one()


def member_iso3s(session: Session, slug: str) -> set[str]:
    query = (
        select(Country.iso3)
        .join(OrganisationCountry, OrganisationCountry.country_id == Country.id)
        .where(OrganisationCountry.organisation_id == organisation(session, slug).id)
    )
    return set(session.exec(query).all())


def test_seeding_twice_changes_nothing(session):
    before = table_counts(session)
    report = seed_reference(session)
    assert (report.inserted, report.updated, report.deleted) == (0, 0, 0)
    assert not report.changed
    assert report.table("country").unchanged == 195
    assert table_counts(session) == before


def test_first_seed_inserts_everything_and_the_second_nothing(fresh_session):
    first = seed_reference(fresh_session)
    fresh_session.commit()
    assert first.table("region").inserted == 29
    assert first.table("regionalcentre").inserted == 3
    assert first.table("country").inserted == 195
    assert first.table("modality").inserted == 5
    # One organisation per State, plus those of organisations.json.
    assert first.table("organisation").inserted > 195
    counts = table_counts(fresh_session)

    second = seed_reference(fresh_session)
    fresh_session.commit()
    assert (second.inserted, second.updated, second.deleted) == (0, 0, 0)
    assert table_counts(fresh_session) == counts
    assert "country: 0 inserted, 0 updated, 195 unchanged" in str(second)


def test_every_state_gets_an_approved_reference_organisation(session):
    states = session.exec(
        select(Organisation).where(Organisation.kind == OrganisationKind.STATE)
    ).all()
    countries = {c.id: c for c in session.exec(select(Country)).all()}
    assert len(states) == 195
    for state in states:
        country = countries[state.country_id]
        assert state.slug == country.iso3.lower()
        assert state.name == country.name
        assert state.is_reference
        assert state.status == OrganisationStatus.APPROVED


def test_reference_organisations_and_their_members(session):
    assert len(member_iso3s(session, "au")) == 54
    assert "MAR" in member_iso3s(session, "au")
    assert len(member_iso3s(session, "osce")) == 57
    assert len(member_iso3s(session, "eu")) == 27
    assert member_iso3s(session, "ecowas").isdisjoint({"BFA", "MLI", "NER"})
    assert "MSR" not in member_iso3s(session, "caricom")
    # A regional centre covers the States assigned to it.
    assert len(member_iso3s(session, "unrec")) == 54
    assert len(member_iso3s(session, "unlirec")) == 33
    unrec = organisation(session, "unrec")
    centre = session.get(RegionalCentre, unrec.regional_centre_id)
    assert (unrec.kind, centre.code) == (OrganisationKind.REGIONAL_CENTRE, "UNREC")
    for slug in ("unoda", "undp", "unodc", "unidir", "interpol", "small-arms-survey"):
        assert organisation(session, slug).is_reference


def test_every_organisation_has_exactly_the_members_of_the_file(session):
    data = load_reference_data()
    for row in data.organisations:
        wanted = set(row.members or data.centre_members(row.regional_centre))
        assert member_iso3s(session, row.slug) == wanted, row.slug
    counts = {row.slug: len(member_iso3s(session, row.slug)) for row in data.organisations}
    assert counts == {
        "ecowas": 12, "sadc": 16, "eac": 8, "recsa": 15, "eccas": 11, "igad": 8, "sica": 8,
        "caricom": 14, "oas": 33, "osce": 57, "eu": 27, "au": 54, "las": 22, "asean": 11,
        "pif": 14, "unoda": 0, "undp": 0, "unodc": 0, "unidir": 0, "interpol": 0,
        "small-arms-survey": 0, "unrec": 54, "unlirec": 33, "unrcpd": 44,
    }  # fmt: skip


def test_an_edited_row_is_updated_and_a_stray_link_removed(fresh_session):
    seed_reference(fresh_session)
    fresh_session.commit()
    ghana = fresh_session.exec(select(Country).where(Country.iso3 == "GHA")).one()
    ghana.name, ghana.is_ldc = "Gold Coast", True
    ecowas = organisation(fresh_session, "ecowas")
    france = fresh_session.exec(select(Country).where(Country.iso3 == "FRA")).one()
    fresh_session.add(OrganisationCountry(organisation_id=ecowas.id, country_id=france.id))
    fresh_session.commit()

    report = seed_reference(fresh_session)
    fresh_session.commit()

    assert report.table("country").updated == 1
    assert report.table("organisationcountry").deleted == 1
    assert report.inserted == 0
    fresh_session.refresh(ghana)
    assert (ghana.name, ghana.is_ldc) == ("Ghana", False)
    assert "FRA" not in member_iso3s(fresh_session, "ecowas")


def test_links_of_other_organisations_are_left_alone(fresh_session):
    seed_reference(fresh_session)
    ngo = Organisation(slug="local-ngo", name="A local NGO", kind=OrganisationKind.NGO)
    fresh_session.add(ngo)
    fresh_session.flush()
    kenya = fresh_session.exec(select(Country).where(Country.iso3 == "KEN")).one()
    fresh_session.add(OrganisationCountry(organisation_id=ngo.id, country_id=kenya.id))
    fresh_session.commit()

    report = seed_reference(fresh_session)

    assert not report.changed
    assert member_iso3s(fresh_session, "local-ngo") == {"KEN"}


def test_a_changed_file_updates_the_database(fresh_session, seeds_copy):
    seed_reference(fresh_session)
    modalities = seeds_copy / "modalities.csv"
    modalities.write_text(
        modalities.read_text(encoding="utf-8").replace("Training,", "Training courses,"),
        encoding="utf-8",
    )
    report = seed_reference(fresh_session, seeds_copy)
    assert report.table("modality").updated == 1
    training = fresh_session.exec(select(Modality).where(Modality.code == "training")).one()
    assert training.name == "Training courses"


def test_a_bad_file_is_refused_before_anything_is_written(fresh_session, seeds_copy):
    countries = seeds_copy / "countries.csv"
    lines = countries.read_text(encoding="utf-8").splitlines()
    lines[-1] = lines[-1].replace(",UNREC", ",UNXYZ")
    countries.write_text("\n".join(lines) + "\n", encoding="utf-8")

    with pytest.raises(SeedError, match=rf"countries\.csv, line {len(lines)}: regional_centre"):
        seed_reference(fresh_session, seeds_copy)
    assert table_counts(fresh_session)["country"] == 0
