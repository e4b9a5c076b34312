"""Who sees which proposal: the queue (page and API) and the detail apply one rule, per role.

For every caller, the proposals listed in ``/proposals`` and ``/api/proposals`` are exactly those
whose detail opens (page and API), and exactly those of the sides the role answers for. The
callers include a donor account of a State organisation and a requester account of a donor
State: the role decides, not the organisation alone.
"""

from __future__ import annotations

import re

import pytest

from matchmaker.models import Role
from tests import factories
from tests.accounts.conftest import make_person
from tests.proposals.conftest import make_proposal


@pytest.fixture
def callers(session, cast) -> dict[str, object]:
    return {
        "ghana requester": cast.requester,
        "ghana donor": make_person(session, "gha", Role.DONOR, name="Kwame Donor"),
        "germany donor": cast.donor,
        "germany requester": make_person(session, "deu", Role.REQUESTER, name="Greta Bedarf"),
        "netherlands donor": cast.other_donor,
        "peru requester": cast.other_requester,
        "africa coordinator": cast.coordinator,
        "latin america coordinator": cast.far_coordinator,
        "admin": cast.admin,
    }


@pytest.fixture
def proposals(session, cast) -> dict[str, int]:
    """One proposal per (need's State, offer's organisation) pair named in its key."""
    offers = {iso: factories.make_offer(session, factories.state_org(session, iso),
                                        title=f"{iso} fund", budget_usd=1_000_000)
              for iso in ("DEU", "NLD", "GHA", "JPN")}
    made = {}
    for need_iso, offer_iso in [("GHA", "DEU"), ("GHA", "NLD"), ("PER", "DEU"), ("PER", "GHA"),
                                ("DEU", "NLD"), ("FJI", "JPN")]:
        need = factories.make_need(session, need_iso, cost_usd=10_000)
        made[f"{need_iso}-{offer_iso}"] = make_proposal(session, need, offers[offer_iso], 10_000).id
    session.commit()
    return made


EXPECTED = {
    "ghana requester": {"GHA-DEU", "GHA-NLD"},
    "ghana donor": {"PER-GHA"},  # its offer only, not the proposals on Ghana's needs
    "germany donor": {"GHA-DEU", "PER-DEU"},
    "germany requester": {"DEU-NLD"},
    "netherlands donor": {"GHA-NLD", "DEU-NLD"},
    "peru requester": {"PER-DEU", "PER-GHA"},
    "africa coordinator": {"GHA-DEU", "GHA-NLD"},
    "latin america coordinator": {"PER-DEU", "PER-GHA"},
    "admin": {"GHA-DEU", "GHA-NLD", "PER-DEU", "PER-GHA", "DEU-NLD", "FJI-JPN"},
}


def test_expected_covers_every_caller(callers):
    assert EXPECTED.keys() == callers.keys()


@pytest.mark.parametrize("caller", sorted(EXPECTED))
def test_the_queue_lists_exactly_the_proposals_whose_detail_opens(
    browser_for, callers, proposals, caller
):
    browser = browser_for(callers[caller])
    api_listed = {item["id"] for item in browser.api("GET", "/api/proposals").json()["items"]}
    page = browser.get("/proposals")
    assert page.status_code == 200
    page_listed = {int(i) for i in re.findall(r'href="/proposals/(\d+)" class="need-title"',
                                              page.text)}
    page_opens = {i for i in proposals.values() if browser.get(f"/proposals/{i}").status_code == 200}
    api_opens = {i for i in proposals.values()
                 if browser.api("GET", f"/api/proposals/{i}").status_code == 200}
    expected = {proposals[key] for key in EXPECTED[caller]}
    assert api_listed == page_listed == page_opens == api_opens == expected
