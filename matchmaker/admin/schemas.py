"""Filters of the admin lists and the organisation form, parsed from the request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import ClassVar

from matchmaker.accounts.schemas import text_problem
from matchmaker.errors import InputError
from matchmaker.i18n import _
from matchmaker.models import OrganisationKind, OrganisationStatus, Role, UserStatus
from matchmaker.web.params import choice_param, int_param, text_param

ACCOUNT_STATUSES = (*(s.value for s in UserStatus), "locked")
PER_PAGE = 50


@dataclass(frozen=True)
class ListFilters:
    """Filters of an admin list: a search text, the choice filters of ``CHOICES``, a page."""

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {}
    q: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]):
        """Read the query parameters; a bad one raises InputError naming it."""
        values = {name: choice_param(params, name, choices) for name, choices in cls.CHOICES.items()}
        return cls(q=text_param(params, "q"), page=int_param(params, "page", 1, 1, 100_000),
                   **values)

    def as_params(self) -> dict[str, object]:
        params = asdict(self)
        if params.get("page") == 1:
            params["page"] = ""
        return params


@dataclass(frozen=True)
class AccountFilters(ListFilters):
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "role": tuple(r.value for r in Role), "status": ACCOUNT_STATUSES,
    }
    role: str = ""
    status: str = ""


@dataclass(frozen=True)
class OrganisationFilters(ListFilters):
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "kind": tuple(k.value for k in OrganisationKind),
        "status": tuple(s.value for s in OrganisationStatus),
    }
    kind: str = ""
    status: str = ""


@dataclass(frozen=True)
class EventFilters(ListFilters):
    entity: str = ""

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> EventFilters:
        entity = text_param(params, "entity", 32)
        if entity and not entity.replace("_", "").isalpha():
            raise InputError(_("“entity” must be the name of a kind of record."), field="entity")
        return cls(entity=entity, page=int_param(params, "page", 1, 1, 100_000))


@dataclass(frozen=True)
class OrganisationUpdate:
    name: str
    acronym: str
    kind: str

    @classmethod
    def parse(cls, form: Mapping[str, str]) -> OrganisationUpdate:
        return cls(
            name=(form.get("name") or "").strip(),
            acronym=(form.get("acronym") or "").strip(),
            kind=(form.get("kind") or "").strip(),
        )

    def problems(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        text_problem(errors, "name", self.name, 200, _("Enter the name of the organisation."))
        text_problem(errors, "acronym", self.acronym, 32)
        if self.kind not in {k.value for k in OrganisationKind}:
            errors["kind"] = _("Choose a kind of organisation.")
        return errors
