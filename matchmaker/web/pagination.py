"""Page numbers and links for paginated lists."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode


def last_page(per_page: int, total: int) -> int:
    return max(1, -(-total // per_page))


def page_offset(page: int, per_page: int, total: int) -> int:
    """The offset of ``page``, a page past the end read as the last one (a stale or edited
    link to page 999 shows the last rows and says so, not "19,961–264 of 264")."""
    return (min(page, last_page(per_page, total)) - 1) * per_page


@dataclass(frozen=True)
class Pagination:
    """The page shown; one asked past the end is the last page (as ``page_offset`` reads it)."""

    page: int
    per_page: int
    total: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "page", min(self.page, last_page(self.per_page, self.total)))

    @property
    def pages(self) -> int:
        return last_page(self.per_page, self.total)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def first_item(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        return min(self.total, self.offset + self.per_page)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers around the current one, with ``None`` for the gaps."""
        shown = {1, self.pages, *range(self.page - size, self.page + size + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        result: list[int | None] = []
        for n in numbers:
            if result and n - (result[-1] or 0) > 1:
                result.append(None)
            result.append(n)
        return result


def query_string(params: dict[str, object], **changes: object) -> str:
    """The query string of ``params`` with ``changes`` applied and empty values dropped."""
    merged = {**params, **changes}
    return urlencode({k: v for k, v in merged.items() if v not in (None, "", 0)})
