"""The JSON API under schemathesis: requests generated from the OpenAPI document, anonymous and
signed in, get no server error, only documented status codes, and bodies that match the document.

Bounded to stay a few minutes at most: a fixed seed, a few examples per operation, no shrinking.
Runs on PostgreSQL too when ``MATCHMAKER_DATABASE_URL`` points at one.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from matchmaker.accounts import sessions
from matchmaker.models import NeedStatus
from tests import factories
from tests.accounts.conftest import people  # noqa: F401 - the fixture
from tests.proposals.conftest import make_proposal

SEED = 20261202
EXAMPLES_PER_OPERATION = 8
ROLES = ("anonymous", "requester", "donor", "coordinator")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def portfolio(session, people) -> None:
    """Records for the signed-in roles to see in lists: the requester's need, published and a
    draft; the donor's offer; a proposal between them."""
    need = factories.make_need(session, "GHA", cost_usd=80_000)
    factories.make_need(session, "GHA", status=NeedStatus.DRAFT)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"))
    make_proposal(session, need, offer)
    session.commit()


@pytest.fixture(params=ROLES)
def caller(request, session, people) -> dict:
    """The cookie and CSRF header of the role under test (none for an anonymous caller)."""
    portfolio(session, people)
    if request.param == "anonymous":
        return {}
    key, record = sessions.start_session(session, getattr(people, request.param))
    session.commit()
    return {"cookies": {sessions.SESSION_COOKIE: key},
            "headers": {"X-CSRF-Token": record.csrf_token}}


def cases(operation, caller: dict):
    """Valid and invalid requests of ``operation``, sent by ``caller``."""
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    return st.one_of(*(operation.as_strategy(mode, **caller) for mode in modes))


def test_api_answers_as_documented(app, caller):
    # schemathesis's pytest loader (from_fixture) does not run under pytest 9, so each
    # operation gets its own bounded Hypothesis run here, and every failure is reported.
    schema = schemathesis.openapi.from_asgi("/api/schema/openapi.json", app)
    # The caller's session is fixed; generated cookie and token values would replace it.
    schema.config.generation.update(with_security_parameters=False)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.seed(SEED)
        @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                             phases=[hypothesis.Phase.generate],
                             suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(case=cases(operation, caller))
        def answers_as_documented(case):
            case.call_and_validate(checks=CHECKS)

        try:
            answers_as_documented()
        except Exception as failure:  # noqa: BLE001 - each operation's failure is collected
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_options_lists_every_method_of_the_path(client):
    # Litestar's own OPTIONS answer listed only the first handler's method ("GET, OPTIONS").
    response = client.options("/api/needs/N-2026-0001")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, OPTIONS, PATCH, PUT"
    assert client.options("/api/needs").headers["allow"] == "GET, OPTIONS, POST"


def test_document_describes_sign_in_parameters_and_bodies(client):
    document = client.get("/api/schema/openapi.json").json()
    assert set(document["components"]["securitySchemes"]) == {"session", "csrfHeader"}
    paths = document["paths"]
    accept = paths["/api/proposals/{proposal_id}/accept"]["post"]
    assert accept["requestBody"]["required"] is False  # the endpoint takes no body
    assert accept["security"] == [{"session": [], "csrfHeader": []}]
    assert {"401", "403", "404", "409", "422"} <= set(accept["responses"])
    assert paths["/api/needs"]["get"]["security"] == [{}, {"session": []}]
    listed = {p["name"] for p in paths["/api/needs"]["get"]["parameters"]}
    assert {"q", "region", "deadline_before", "sort", "page", "per_page"} <= listed
    decline = paths["/api/proposals/{proposal_id}/decline"]["post"]["requestBody"]
    assert decline["content"]["application/json"]["schema"]["required"] == ["reason"]
