"""Reading seed files with errors that name the file and the line: CSV rows and JSON items."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SeedError(ValueError):
    """A seed file is missing or malformed; the message names the file and, if known, the line."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}, line {line}" if line else str(self.path)
        super().__init__(f"{where}: {problem}")


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SeedError(path, None, "file not found") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise SeedError(path, line, "not valid UTF-8") from None


@dataclass(frozen=True)
class CsvRow:
    """One data row of a CSV file, with its line number for error messages."""

    path: Path
    line: int
    values: dict[str, str]

    def error(self, problem: str) -> SeedError:
        return SeedError(self.path, self.line, problem)

    def text(self, column: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = self.values[column]
        if required and not value:
            raise self.error(f"{column} is empty")
        if max_length is not None and len(value) > max_length:
            raise self.error(f"{column} is longer than {max_length} characters")
        return value

    def matching(self, column: str, pattern: str, meaning: str, *, required: bool = True) -> str:
        value = self.text(column, required=required)
        if value and not re.fullmatch(pattern, value):
            raise self.error(f"{column} must be {meaning}, got {value!r}")
        return value

    def choice(self, column: str, allowed: tuple[str, ...]) -> str:
        value = self.text(column)
        if value not in allowed:
            raise self.error(f"{column} must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def flag(self, column: str) -> bool:
        value = self.values[column]
        if value not in ("0", "1"):
            raise self.error(f"{column} must be 1 or 0, got {value!r}")
        return value == "1"


def read_csv(path: Path, columns: tuple[str, ...]) -> list[CsvRow]:
    """The rows of a UTF-8 CSV file whose header is exactly ``columns`` (in any order)."""
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise SeedError(path, 1, "the file is empty; a header row is expected") from None
    header = [name.strip().lstrip("\ufeff") for name in header]
    missing = [name for name in columns if name not in header]
    unknown = [name for name in header if name not in columns]
    if missing or unknown or len(set(header)) != len(header):
        raise SeedError(
            path, 1, f"header must be {','.join(columns)}, got {','.join(header)}"
        )
    rows = []
    try:
        for fields in reader:
            line = reader.line_num
            if not any(field.strip() for field in fields):
                continue
            if len(fields) != len(header):
                raise SeedError(path, line, f"expected {len(header)} fields, got {len(fields)}")
            values = {name: field.strip() for name, field in zip(header, fields, strict=True)}
            rows.append(CsvRow(path, line, values))
    except csv.Error as exc:
        raise SeedError(path, reader.line_num, f"not valid CSV: {exc}") from None
    return rows


@dataclass(frozen=True)
class JsonItem:
    """One object of a JSON array, with where it sits in the file for error messages."""

    path: Path
    text: str
    start: int
    end: int
    value: Any

    @property
    def line(self) -> int:
        return self.text.count("\n", 0, self.start) + 1

    def line_of(self, key: str) -> int:
        """The line of ``key`` inside this item (the item's first line if it is absent)."""
        match = re.compile(rf'"{re.escape(key)}"\s*:').search(self.text, self.start, self.end)
        return self.text.count("\n", 0, match.start()) + 1 if match else self.line

    def error(self, problem: str, key: str | None = None) -> SeedError:
        return SeedError(self.path, self.line_of(key) if key else self.line, problem)

    def only(self, *keys: str) -> None:
        """Refuse keys other than ``keys`` (a misspelt key would otherwise be ignored)."""
        if not isinstance(self.value, dict):
            raise self.error("each item must be a JSON object")
        for key in self.value:
            if key not in keys:
                raise self.error(f"unknown key {key!r}; expected {', '.join(keys)}", key)

    def field(self, key: str, kind: type, *, required: bool = True, default: Any = None) -> Any:
        if not isinstance(self.value, dict):
            raise self.error("each item must be a JSON object")
        if key not in self.value:
            if required:
                raise self.error(f"{key!r} is missing")
            return default
        value = self.value[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.error(f"{key!r} must be a {kind.__name__}", key)
        if required and kind is str and not value.strip():
            raise self.error(f"{key!r} is empty", key)
        return value

    def string(self, key: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = self.field(key, str, required=required, default="").strip()
        if max_length is not None and len(value) > max_length:
            raise self.error(f"{key!r} is longer than {max_length} characters", key)
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.field(key, list, required=False, default=[])
        if not all(isinstance(value, str) for value in values):
            raise self.error(f"{key!r} must be a list of strings", key)
        if len(set(values)) != len(values):
            raise self.error(f"{key!r} lists a value twice", key)
        return tuple(values)

    def items(self, key: str) -> list[JsonItem]:
        """The items of the array under ``key`` of this object."""
        self.field(key, list)
        match = re.compile(rf'"{re.escape(key)}"\s*:\s*\[').search(self.text, self.start, self.end)
        if match is None:  # pragma: no cover - the key was found by the parser
            raise self.error(f"{key!r} must be a list", key)
        return list(_array_items(self.path, self.text, match.end() - 1))


def read_json_items(path: Path, key: str) -> list[JsonItem]:
    """The items of the array under ``key`` of the top-level object of a JSON file."""
    text = read_text(path)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    root = JsonItem(path, text, 0, len(text), document)
    if not isinstance(document, dict):
        raise root.error("the file must hold a JSON object")
    return root.items(key)


def _array_items(path: Path, text: str, start: int) -> Iterator[JsonItem]:
    """Walk the JSON array that opens at ``text[start]``, yielding each element with its span."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, start + 1)
    if text[position] == "]":
        return
    while True:
        value, end = decoder.raw_decode(text, position)
        yield JsonItem(path, text, position, end, value)
        position = _skip_space(text, end)
        if text[position] == "]":
            return
        position = _skip_space(text, position + 1)  # past the comma


def _skip_space(text: str, position: int) -> int:
    while text[position] in " \t\r\n":
        position += 1
    return position
