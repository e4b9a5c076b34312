"""The translation catalogues: complete enough to ship, and safe to format.

A translation that drops or renames a ``%(name)s`` placeholder raises at render time, and one
that adds markup could inject it: both are checked here for every translated message.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from matchmaker import i18n

LOCALE_DIR = Path(i18n.__file__).resolve().parent / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")
LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]


def catalogue(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def translated(message) -> list[str]:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return [s for s in strings if s]


def sources(message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple | list) else [message.id]


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_and_markup_of_the_source(language):
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        expected = set().union(*(set(PLACEHOLDER.findall(s)) for s in sources(message)))
        tags = sorted(TAG.findall(sources(message)[0]))
        for text in translated(message):
            found = set(PLACEHOLDER.findall(text))
            # a plural form may leave out the count (e.g. "one proposal"), never add a name
            if not found <= expected or (expected - found) - {"num", "count", "n"}:
                problems.append(f"{message.id!r}: placeholders {sorted(found)} != {sorted(expected)}")
            if sorted(TAG.findall(text)) != tags:
                problems.append(f"{message.id!r}: markup differs")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_compiles_and_translates_the_interface(language):
    i18n.translations.cache_clear()
    messages = [m for m in catalogue(language) if m.id]
    done = [m for m in messages if translated(m)]
    assert len(done) >= 0.95 * len(messages), (
        f"{language}: {len(done)} of {len(messages)} messages translated"
    )
    i18n.set_language(language)
    try:
        assert i18n._("Needs") != "Needs"
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
