"""A Babel extractor for the names of the reference data (taxonomy areas and topics, modalities).

The seeds keep these names in English; ``python3 dev.py i18n`` extracts them with this method
(see babel.cfg) so that the catalogues translate them like any other interface string, and
:func:`matchmaker.reference.names.category_name` shows them in the reader's language.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO

Message = tuple[int, str, str, list[str]]


def _json_names(text: str) -> Iterator[tuple[str, str]]:
    for area in json.loads(text).get("areas", []):
        yield area["name"], f"taxonomy area {area['code']}"
        for topic in area.get("topics", []):
            yield topic["name"], f"taxonomy topic {topic['code']}"


def _csv_names(text: str) -> Iterator[tuple[str, str]]:
    for row in csv.DictReader(io.StringIO(text)):
        yield row["name"], f"modality {row['code']}"


def extract_seed_names(
    fileobj: IO[bytes], keywords, comment_tags, options
) -> Iterator[Message]:
    """Yield (line, function, message, comments) for each name in a seeds JSON or CSV file."""
    text = fileobj.read().decode("utf-8")
    names = _json_names(text) if text.lstrip().startswith("{") else _csv_names(text)
    for name, where in names:
        yield 0, "_", name, [where]
