"""What the latest run tells the parties on their own pages: a requester reads why its need is
not covered yet and what would help, a donor what its remaining budget would buy and which
compatible needs are still uncovered; others read nothing of it."""

from __future__ import annotations

import re

import pytest

from matchmaker.reference.names import category_name
from tests import factories
from tests.accounts.conftest import sign_in
from tests.matching.conftest import category
from tests.matching.test_demo_run import run_now

WHY = "Why this need is not covered yet"
BUDGET = "What its remaining budget would buy"


def _paragraph(html: str, attribute: str) -> str:
    found = re.search(rf"<p {attribute}>([^<]*)</p>", html)
    assert found, f"no <p {attribute}> on the page"
    return found.group(1)


@pytest.fixture
def after_a_run(session, engine, people):
    """Ghana's police needs marking machines (covered), Ghana's law drafting finds no offer,
    Nigeria's machines are left short; the German kits are all proposed."""
    machines = category(session, "marking.machines")
    police = factories.make_need(session, "GHA", topic=machines, cost_usd=80_000,
                                 priority="high", title="Marking machines for the Ghana police")
    drafting = factories.make_need(session, "GHA", topic=category(session, "legislation.drafting"),
                                   title="Drafting a firearms law")
    factories.make_need(session, "NGA", topic=machines, cost_usd=120_000,
                        title="Marking machines for Nigeria")
    offer = factories.make_offer(session, factories.state_org(session, "DEU"), topics=[machines],
                                 budget_usd=100_000, title="German marking kits")
    session.commit()
    run_now(session, engine, people.admin, scope="global", mode="split")
    return police, drafting, offer


def test_the_requester_reads_why_its_need_is_not_covered_and_what_would_help(
    client, session, people, after_a_run
):
    police, drafting, _offer = after_a_run
    topic = category_name(category(session, "legislation.drafting"), str)
    sign_in(client, session, people.requester)
    html = client.get(f"/needs/{drafting.reference}").text
    assert WHY in html
    assert _paragraph(html, "data-reason") == f"No offer covers {topic} for Ghana."
    assert _paragraph(html, "data-advice").startswith(
        "What would help: a donor publishing an offer of equipment for")
    assert "From the matching run of" in html and "/runs/" not in html  # the run page is not hers
    # The need the run covered says nothing more: its proposals tell the rest.
    assert WHY not in client.get(f"/needs/{police.reference}").text


def test_another_state_and_a_donor_do_not_read_the_explanation(
    client, session, people, after_a_run
):
    _police, drafting, _offer = after_a_run
    for outsider in (people.other_requester, people.donor):
        sign_in(client, session, outsider)
        page = client.get(f"/needs/{drafting.reference}")
        assert page.status_code == 200 and "Drafting a firearms law" in page.text
        assert WHY not in page.text and "data-reason" not in page.text
    sign_in(client, session, people.coordinator)  # UNREC covers Ghana
    assert "No offer covers" in client.get(f"/needs/{drafting.reference}").text


def test_the_donor_reads_what_its_budget_would_buy_and_the_needs_still_uncovered(
    client, session, people, after_a_run
):
    _police, _drafting, offer = after_a_run
    later = factories.make_need(session, "SEN", topic=category(session, "marking.machines"),
                                title="Marking machines for Senegal")  # after the run
    session.commit()
    sign_in(client, session, people.donor)
    html = client.get(f"/offers/{offer.reference}").text
    assert BUDGET in html
    assert _paragraph(html, "data-budget").startswith(
        "Another $10,000 in this offer would add about")
    assert "would go to cover Marking machines for Nigeria (Nigeria)" in html
    uncovered = html[html.index("<ul data-uncovered>"):]
    uncovered = uncovered[:uncovered.index("</ul>")]
    assert f'<a href="/needs/{later.reference}">Marking machines for Senegal</a>' in uncovered
    # Nigeria lacks what the run's proposal does not give; Ghana's police is proposed in full.
    assert "Marking machines for Nigeria</a>" in uncovered
    assert "$100,000 neither agreed nor proposed" in uncovered
    assert "Ghana police" not in uncovered
    assert '<a href="/needs/fundable">' in html  # in the nav and under the list
    nav = client.get("/needs/fundable").text
    assert '<a href="/needs/fundable" aria-current="page">Needs I could fund</a>' in nav
    assert '<a href="/needs" aria-current="page">' not in nav
    # The other donor reads the offer but not what its budget would buy.
    sign_in(client, session, people.other_donor)
    assert BUDGET not in client.get(f"/offers/{offer.reference}").text


def test_before_any_run_the_pages_say_the_next_run_will_tell(client, session, people):
    need = factories.make_need(session, "GHA", title="Stockpile fences for Ghana")
    offer = factories.make_offer(session, factories.state_org(session, "DEU"))
    session.commit()
    sign_in(client, session, people.requester)
    html = client.get(f"/needs/{need.reference}").text
    assert WHY in html and "The next run will tell whether an offer can cover it" in html
    assert 'href="/needs/fundable"' not in html  # requesters have no such page
    sign_in(client, session, people.donor)
    html = client.get(f"/offers/{offer.reference}").text
    assert "No matching run has weighed this offer yet. The next run will tell" in html
    assert f'<a href="/needs/{need.reference}">Stockpile fences for Ghana</a>' in html
