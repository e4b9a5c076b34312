"""The assistance taxonomy: every area and topic cites a paragraph that really says it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from matchmaker.models import Category, CategoryLevel
from matchmaker.reference.files import SEEDS_DIR, SOURCES_DIR, load_reference_data, quote_problems

SHARED_REFERENCE = SEEDS_DIR.parent.parent / "shared" / "reference"
REQUIRED_AREAS = {
    "marking", "stockpile", "destruction", "legislation", "border", "law_enforcement",
    "transfers", "ddr", "coordination", "reporting", "data", "awareness", "gender",
    "ammunition", "technology",
}  # fmt: skip

CATEGORIES = load_reference_data().categories


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _paragraph_spans(text: str, number: int) -> list[str]:
    """Every stretch of ``text`` from a paragraph numbered ``number`` to the next numbered one."""
    start = re.compile(rf"(?m)^[\s*-]*{number}\.\s")
    following = re.compile(r"(?m)^[\s*-]*\d+\.\s")
    spans = []
    for match in start.finditer(text):
        end = following.search(text, match.end())
        spans.append(text[match.start() : end.start() if end else len(text)])
    return spans


def test_the_taxonomy_has_the_areas_of_the_design_with_two_to_five_topics_each():
    areas = [c for c in CATEGORIES if c.level == "area"]
    assert {a.code for a in areas} >= REQUIRED_AREAS
    for area in areas:
        topics = [c for c in CATEGORIES if c.parent_code == area.code]
        assert 2 <= len(topics) <= 5, area.code


@pytest.mark.parametrize("category", CATEGORIES, ids=lambda c: c.code)
def test_each_category_quotes_its_cited_paragraph(category):
    source = category.source
    text = (SOURCES_DIR / source.file).read_text(encoding="utf-8")
    number, letter = re.search(r"(\d+)(?:\s*\(([a-z])\))?$", source.paragraph).groups()
    quote = _normalise(source.quote)
    spans = [s for s in _paragraph_spans(text, int(number)) if quote in _normalise(s)]
    assert spans, f"quote not in any paragraph {number} of {source.file}"
    if letter:
        # The OCR of one source renders the letter l as the digit 1: "(1)".
        marker = rf"(?<![a-z(])\(?{letter}\)" if letter != "l" else r"\((?:l|1)\)"
        before_quote = [_normalise(s)[: _normalise(s).index(quote)] for s in spans]
        assert any(re.search(marker, part) for part in before_quote), source.paragraph


def test_quotes_are_found_by_the_checker_in_the_cited_files():
    assert quote_problems(CATEGORIES) == []


def test_the_checker_reports_a_quote_that_is_not_in_the_file(tmp_path):
    (tmp_path / CATEGORIES[0].source.file).write_text("Something else entirely.")
    problems = quote_problems(CATEGORIES[:1], tmp_path)
    assert problems == [f"{CATEGORIES[0].code}: quote not found in {CATEGORIES[0].source.file}"]


@pytest.mark.skipif(not SHARED_REFERENCE.exists(), reason="shared/reference not beside the repo")
def test_the_source_copies_match_the_shared_reference_documents():
    for source in {c.source.file for c in CATEGORIES}:
        shared = (SHARED_REFERENCE / source).read_bytes()
        assert (SOURCES_DIR / source).read_bytes() == shared, source


def test_seeded_topics_carry_their_citation_under_their_area(session):
    categories = session.exec(select(Category)).all()
    by_id = {c.id: c for c in categories}
    topics = [c for c in categories if c.level == CategoryLevel.TOPIC]
    assert len(topics) == sum(1 for c in CATEGORIES if c.level == "topic")
    for topic in topics:
        area = by_id[topic.parent_id]
        assert area.level == CategoryLevel.AREA
        assert topic.code.startswith(area.code + ".")
        assert topic.source_document and topic.source_paragraph and topic.source_quote
        assert topic.sort_order > area.sort_order


def test_marking_machines_cites_the_iti_plan(session):
    topic = session.exec(select(Category).where(Category.code == "marking.machines")).one()
    assert topic.source_document == "A/CONF.192/2012/RC/4"
    assert topic.source_paragraph == "ITI 3 (c)"
    assert "marking machines" in topic.source_quote


def test_sources_dir_is_inside_the_repository():
    assert Path(SOURCES_DIR).is_dir()
