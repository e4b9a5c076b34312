"""The run result for diplomats: a plain sentence first, the solver's figures under "Details",
the weights and time limit under "Advanced", shadow prices in one unit, needs by title."""

from __future__ import annotations

import re

from matchmaker.runs import execute
from matchmaker.runs.worker import claim_next_run
from tests import factories
from tests.accounts.conftest import sign_in
from tests.matching.conftest import category
from tests.matching.test_pages import last_run, post_form


def _finished_run(client, session, engine, people, donor_org):
    machines = category(session, "marking.machines")
    factories.make_need(session, "GHA", topic=machines, cost_usd=80_000, priority="high",
                        title="Marking machines for the Ghana police")
    factories.make_need(session, "GHA", topic=machines, cost_usd=60_000, priority="low",
                        title="Marking machines for Ghana customs")
    factories.make_need(session, "NER", topic=category(session, "legislation.drafting"),
                        title="Drafting a firearms law")
    factories.make_need(session, "SEN", topic=machines, title="Marking training in Senegal",
                        modality=factories.modality(session, "training"))
    factories.make_offer(session, donor_org, topics=[machines], budget_usd=100_000,
                         title="German marking kits")
    session.commit()
    token = sign_in(client, session, people.admin)
    post_form(client, token)
    run = last_run(session)
    claim_next_run(engine, "w")
    execute.execute_run(engine, run.id)
    return run


def test_the_result_leads_with_a_plain_sentence_and_folds_the_figures(
    client, session, engine, people, donor_org
):
    run = _finished_run(client, session, engine, people, donor_org)
    html = client.get(f"/runs/{run.id}").text
    summary = re.search(r'<p class="run-summary lead" data-summary>([^<]+)</p>', html)
    assert summary and summary.group(1) == (
        "2 proposals worth $100K would cover 1 of the 4 needs in the whole portfolio; "
        "3 stay open: 1 because no offer covers its topic, 1 because no offer gives what it "
        "asks for, and 1 only partly covered.")
    french = client.get(f"/runs/{run.id}?lang=fr").text
    assert re.search(r"data-summary>[^<]*, 1 [^<]* et 1 ", french)  # the language's own list
    details = html[html.index('<details class="run-details">'):]
    details = details[:details.index("</details>")]
    assert "<summary>Details</summary>" in details
    for figure in ("Portfolio score", "bound", "compatible pair", "Time"):
        assert figure in details and figure not in html[:html.index("run-details")]
    # One unit for shadow prices, in the heading and in the sentences.
    assert "one more dollar" not in html
    assert "what another $10,000 in each offer would add" in html
    # Needs by title and State, not bare references.
    assert "would go to cover Marking machines for Ghana customs (Ghana)" in html
    assert re.search(r'<a href="/needs/N-\d+"><strong>Drafting a firearms law</strong></a>', html)


def test_the_weights_and_time_limit_are_under_advanced_and_open_on_an_error(
    client, session, people
):
    token = sign_in(client, session, people.admin)
    html = client.get("/runs").text
    advanced = html[html.index('<details class="advanced">'):]
    assert 'name="time_limit"' in advanced and 'name="weight_topic"' in advanced
    assert 'name="mode"' not in advanced
    wrong = post_form(client, token, weight_topic="99")
    assert wrong.status_code == 422 and '<details class="advanced" open>' in wrong.text
