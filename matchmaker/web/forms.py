"""Form state for templates: the values as typed and an error per field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict


async def provide_form(request: Request) -> FormMultiDict:
    """The submitted form (url-encoded or multipart), for sync handlers to read."""
    return await request.form()


@dataclass
class FormState:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_submission(cls, data: Mapping[str, Any], errors: dict[str, str] | None = None,
                        multi: tuple[str, ...] = ()) -> FormState:
        values: dict[str, Any] = {}
        for key in data:
            if key == "_csrf":
                continue
            if key in multi and isinstance(data, FormMultiDict):
                values[key] = data.getall(key)
            else:
                values[key] = data.get(key)
        return cls(values=values, errors=errors or {})

    @property
    def is_valid(self) -> bool:
        return not self.errors
