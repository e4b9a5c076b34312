"""The solver pages and the runs API: who may use them, errors at the field, live progress."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from matchmaker.models import MatchRun, RunState
from matchmaker.runs import execute
from matchmaker.runs.worker import claim_next_run
from solver.score import DEFAULT_WEIGHTS
from tests import factories
from tests.accounts.conftest import sign_in
from tests.matching.conftest import category

FORM = {"scope": "global", "region": "", "category": "", "mode": "split", "time_limit": "5"} | {
    f"weight_{name}": str(value) for name, value in DEFAULT_WEIGHTS.items()
}


def post_form(client, token, **changes):
    return client.post("/runs", data=FORM | {"_csrf": token} | changes, follow_redirects=False)


def last_run(session) -> MatchRun:
    session.expire_all()
    return session.scalars(select(MatchRun).order_by(MatchRun.id.desc())).first()


@pytest.mark.parametrize("role", ["requester", "donor"])
def test_requesters_and_donors_cannot_use_the_solver(client, session, people, role):
    token = sign_in(client, session, getattr(people, role))
    assert client.get("/runs").status_code == 403
    assert post_form(client, token).status_code == 403
    assert client.post("/api/runs", json={}, headers={"X-CSRF-Token": token}).status_code == 403
    assert client.get("/api/runs").status_code == 403
    assert session.scalars(select(MatchRun)).all() == []


def test_visitors_are_sent_to_sign_in(client):
    response = client.get("/runs", follow_redirects=False)
    assert response.status_code in (302, 303) and "/login" in response.headers["location"]
    assert client.get("/api/runs").status_code == 401


def test_admin_sees_the_form_with_every_criterion_and_starts_a_global_run(
    client, session, people
):
    token = sign_in(client, session, people.admin)
    html = client.get("/runs").text
    for label in ("Topic match", "Proximity", "Shared language", "Priority", "Urgency",
                  "Cost fit", "Past cooperation", "Least-developed country"):
        assert label in html
    assert 'name="weight_topic"' in html and 'value="3"' in html
    assert '<option value="global"' in html
    response = post_form(client, token)
    run = last_run(session)
    assert response.status_code == 303 and response.headers["location"] == f"/runs/{run.id}"
    assert (run.scope, run.state, run.parameters["weights"]["topic"]) == ("global", "queued", 3.0)
    # With htmx, the browser is sent to the run's page as a whole page.
    response = client.post("/runs", data=FORM | {"_csrf": token}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/runs/{last_run(session).id}"


def test_coordinator_runs_only_its_region(client, session, people):
    token = sign_in(client, session, people.coordinator)
    html = client.get("/runs").text
    assert '<option value="global"' not in html
    assert 'value="coverage"' in html and "UNREC" in html
    assert '<option value="011"' in html  # Western Africa: all covered by UNREC
    assert '<option value="150"' not in html  # Europe is not
    assert post_form(client, token, scope="global").status_code == 403
    refused = post_form(client, token, scope="region", region="150")
    assert refused.status_code == 403 and "outside your region" in refused.text
    assert session.scalars(select(MatchRun)).all() == []
    assert post_form(client, token, scope="region", region="coverage").status_code == 303
    run = last_run(session)
    assert "States covered by UNREC" in client.get(f"/runs/{run.id}").text
    # started in English, read in French: the scope is stored as codes and put into words
    assert "États couverts par UNREC" in client.get(f"/runs/{run.id}?lang=fr").text


def test_bad_input_is_shown_next_to_each_field(client, session, people):
    token = sign_in(client, session, people.admin)
    response = post_form(client, token, weight_topic="11", weight_ldc="abc", time_limit="0",
                         mode="fastest", scope="region", region="")
    assert response.status_code == 422
    html = response.text
    assert "<html" in html  # without JavaScript: the whole page, the form as typed
    assert re.search(r'id="error-weight_topic"[^>]*>Enter a number between 0 and 10', html)
    assert 'id="error-weight_ldc"' in html and 'value="abc"' in html
    assert re.search(r'id="error-time_limit"[^>]*>Enter a number of seconds between 1 and 60', html)
    assert 'id="error-mode"' in html and 'id="error-region"' in html
    fragment = client.post("/runs", data=FORM | {"_csrf": token, "weight_topic": "-1"},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    assert "<html" not in fragment.text and 'id="run-form"' in fragment.text
    assert 'id="error-weight_topic"' in fragment.text
    assert session.scalars(select(MatchRun)).all() == []


def test_all_weights_zero_and_unknown_codes_are_refused(client, session, people):
    token = sign_in(client, session, people.admin)
    zeros = {f"weight_{name}": "0" for name in DEFAULT_WEIGHTS}
    response = post_form(client, token, **zeros)
    assert response.status_code == 422 and "At least one criterion" in response.text
    response = post_form(client, token, scope="category", category="nonsense")
    assert response.status_code == 422 and "Unknown area or topic" in response.text


def test_api_starts_lists_and_validates(client, session, people):
    token = sign_in(client, session, people.admin)
    headers = {"X-CSRF-Token": token}
    created = client.post("/api/runs", json={"scope": "region", "region": "002",
                                             "mode": "whole", "weights": {"urgency": 5}},
                          headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["state"], body["scope"], body["mode"]) == ("queued", "Africa", "whole")
    assert last_run(session).parameters["weights"]["urgency"] == 5
    listed = client.get("/api/runs").json()["runs"]
    assert [r["id"] for r in listed] == [body["id"]]
    bad = client.post("/api/runs", json={"weights": {"topic": 99, "speed": 1},
                                         "time_limit": 600}, headers=headers)
    assert bad.status_code == 422
    assert "speed" in bad.json()["errors"]["weights"]
    bad = client.post("/api/runs", json={"weights": {"topic": 99}, "time_limit": 600},
                      headers=headers)
    assert set(bad.json()["errors"]) == {"weights.topic", "time_limit"}
    assert client.post("/api/runs", json=[1, 2], headers=headers).status_code == 400


def test_run_page_polls_while_active_then_shows_the_result(client, session, engine, people,
                                                          donor_org):
    machines = category(session, "marking.machines")
    factories.make_need(session, "GHA", topic=machines, cost_usd=80_000,
                        title="Marking machines for the Ghana police")
    factories.make_need(session, "GHA", topic=category(session, "legislation.drafting"),
                        title="Drafting a firearms law")
    factories.make_offer(session, donor_org, topics=[machines], budget_usd=60_000,
                         title="German marking kits")
    session.commit()
    token = sign_in(client, session, people.admin)
    post_form(client, token)
    run = last_run(session)

    page = client.get(f"/runs/{run.id}")
    assert "<html" in page.text and 'hx-trigger="every 1s"' in page.text
    assert "Waiting for a worker" in page.text
    fragment = client.get(f"/runs/{run.id}", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'hx-trigger="every 1s"' in fragment.text
    assert fragment.headers["vary"] == "HX-Request"

    claim_next_run(engine, "w")
    execute.execute_run(engine, run.id)
    done = client.get(f"/runs/{run.id}", headers={"HX-Request": "true"})
    assert "<html" not in done.text and 'hx-trigger="every 1s"' not in done.text  # polling stops
    html = client.get(f"/runs/{run.id}").text
    proposal_link = re.search(r'href="/proposals/(\d+)"', html)
    assert proposal_link and "Marking machines for the Ghana police" in html
    assert "Topic match" in html and '<span class="crit-topic" style="width: ' in html
    assert re.search(r"No offer covers [^<]+ for Ghana\.", html)  # unmet, in words
    assert "Partly covered: short by $20,000" in html
    assert re.search(r"Another \$10,000 in this offer would add about [\d.]+ to the "
                     r"portfolio&#39;s score \(\+[\d.]+%\) and would go to cover "
                     r"Marking machines for the Ghana police \(Ghana\)\.", html)  # in words
    detail = client.get(f"/api/runs/{run.id}").json()
    assert detail["state"] == "done" and detail["progress"] == 100
    [proposal] = detail["proposals"]
    assert proposal["amount_usd"] == 60_000 and set(proposal["breakdown"]) == set(DEFAULT_WEIGHTS)
    assert {u["reason"] for u in detail["unmet"]} == {"no_compatible_offer", "partly_covered"}
    assert detail["shadow_prices"][0]["explanation"].startswith("Another $10,000")


def test_a_failed_run_shows_its_error_in_words(client, session, engine, people, monkeypatch):
    from solver import ProblemError

    def infeasible(problem):
        raise ProblemError("offer 'O-00001': capacity must be >= 0, got -5")

    monkeypatch.setattr(execute, "solve", infeasible)
    token = sign_in(client, session, people.admin)
    post_form(client, token)
    run = last_run(session)
    claim_next_run(engine, "w")
    execute.execute_run(engine, run.id)
    html = client.get(f"/runs/{run.id}").text
    assert "The run failed" in html and "capacity must be &gt;= 0" in html
    assert "Traceback" not in html and 'hx-trigger="every 1s"' not in html


def test_coordinators_see_only_their_organisations_runs(client, session, people):
    admin_token = sign_in(client, session, people.admin)
    post_form(client, admin_token)
    admin_run = last_run(session)
    client.cookies.clear()
    sign_in(client, session, people.coordinator)
    assert client.get(f"/runs/{admin_run.id}").status_code == 404
    assert client.get(f"/api/runs/{admin_run.id}").status_code == 404
    assert f"/runs/{admin_run.id}" not in client.get("/runs").text
    assert client.get("/runs/999999").status_code == 404
    assert last_run(session).state == RunState.QUEUED


@pytest.mark.parametrize(("fact", "sentence"), [
    ({"value": 0.0002, "left": 0, "usable": 250_000, "beneficiaries": ["N-00042", "N-00007"],
      "more_beneficiaries": 2},
     "Another $10,000 in this offer would add about 2.00 to the portfolio's score (+10.0%) and "
     "would go to cover N-00042, N-00007 and 2 more."),
    ({"value": 0.0002, "left": 0, "usable": 4_000, "beneficiaries": ["N-00042"]},
     "Another $4,000 in this offer, all that its compatible needs still lack, would add about "
     "0.80 to the portfolio's score (+4.0%) and would go to cover N-00042."),
    ({"value": 0.0002, "left": 0, "usable": 0, "beneficiaries": []},
     "All of this offer is proposed and its compatible needs are covered: more of it would not "
     "add to the score."),
    ({"value": 0.0, "left": 12_000, "usable": 0, "beneficiaries": []},
     "$12,000 of this offer is still unused: its compatible needs are covered, so more would not "
     "change the proposals."),
])
def test_shadow_prices_in_words(fact, sentence):
    from matchmaker.runs.explain_words import shadow_sentence

    assert shadow_sentence(fact, objective=20.0) == sentence


def test_the_apps_own_worker_carries_out_a_run_started_on_the_page(
    settings, engine, session, people, donor_org
):
    from dataclasses import replace

    from litestar.testing import TestClient

    from matchmaker.app import create_app

    machines = category(session, "marking.machines")
    factories.make_need(session, "GHA", topic=machines, cost_usd=80_000)
    factories.make_offer(session, donor_org, topics=[machines], budget_usd=60_000)
    session.commit()
    app = create_app(replace(settings, run_worker=True), engine=engine)
    with TestClient(app=app, base_url="https://testserver.local") as client:
        token = sign_in(client, session, people.admin)
        started = post_form(client, token).headers["location"]
        html = ""
        for _ in range(100):  # the page polls every second; a test may look more often
            html = client.get(started, headers={"HX-Request": "true"}).text
            if 'data-state="done"' in html:
                break
            time.sleep(0.05)
    assert 'data-state="done"' in html and 'hx-trigger="every 1s"' not in html
    assert "Proposals made" in html
