"""A proposal's history and the audit trail read as sentences in the reader's language."""

from __future__ import annotations

import re

from matchmaker.models import Event, ProposalOrigin
from tests import factories
from tests.proposals.conftest import make_proposal


def _history(page: str) -> str:
    return page.split('id="history-title"')[1].split("</section>")[0]


def test_history_says_who_accepted_and_when_in_words(session, cast, deal, browser_for):
    requester = browser_for(cast.requester)
    requester.form(f"/proposals/{deal.proposal.id}/accept", {"side": "requester"})
    browser_for(cast.donor).form(f"/proposals/{deal.proposal.id}/accept", {"side": "donor"})

    history = _history(requester.get(f"/proposals/{deal.proposal.id}").text)
    assert re.search(r"Ghana accepted on <time[^>]*>\w{3} \d{1,2}, \d{4}, \d\d:\d\d UTC</time>",
                     history)
    assert "Germany accepted: both sides agree on" in history
    assert "accepted_by_requester" not in history and "requester_accepted_at" not in history

    french = _history(requester.get(f"/proposals/{deal.proposal.id}?lang=fr").text)
    assert "Allemagne" in french and "Germany" not in french  # the State's name from CLDR
    assert re.search(r"\d{1,2} [a-zéû]+\.? \d{4}, \d\d:\d\d TU", french)


def test_why_this_match_names_every_criterion_in_the_readers_language(
    session, cast, deal, browser_for
):
    deal.proposal.breakdown = {"topic": 3.0, "region": 1.0, "language": 1.0, "priority": 1.0,
                               "urgency": 0.5, "cost_fit": 1.0, "past_cooperation": 0.5,
                               "ldc": 0.5}
    session.add(deal.proposal)
    session.commit()
    donor = browser_for(cast.donor)
    english = donor.get(f"/proposals/{deal.proposal.id}").text
    for label in ("Topic match", "Proximity", "Shared language", "Urgency", "Cost fit",
                  "Past cooperation", "Least-developed country"):
        assert label in english
    assert "Topic match (exact topic 1" not in english  # the solver's own notes stay out
    french = donor.get(f"/proposals/{deal.proposal.id}?lang=fr").text
    assert "Correspondance thématique" in french and "Topic match" not in french


def test_a_delivered_need_update_reads_as_a_sentence_on_the_audit_trail(
    session, cast, deal, browser_for
):
    session.add(Event(actor_id=cast.requester.id, organisation_id=cast.requester.organisation_id,
                      entity="need", entity_id=deal.need.id, action="updated",
                      before={"deadline": "2027-01-31", "status": "published"},
                      after={"deadline": "2027-03-31", "status": "published"}))
    session.commit()
    admin = browser_for(cast.admin)
    trail = admin.get("/admin/events?entity=need").text
    assert "Ghana changed deadline" in trail
    assert "deadline: Jan 31, 2027 → Mar 31, 2027" in trail
    assert "2027-01-31" not in trail
    french = admin.get("/admin/events?entity=need&lang=fr").text
    assert "31 janv. 2027" in french and "31 mars 2027" in french


def test_a_proposal_by_hand_says_so_instead_of_a_zero_score(session, cast, browser_for):
    need = factories.make_need(session, "GHA", title="Hand-made need", cost_usd=50_000)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"), budget_usd=90_000)
    proposal = make_proposal(session, need, offer, score=0.0, breakdown={},
                             origin=ProposalOrigin.MANUAL)
    session.commit()
    requester = browser_for(cast.requester)
    page = requester.get(f"/proposals/{proposal.id}").text
    header = page.split('class="record-meta"')[1].split("</p>")[0]
    assert "made by hand" in header and "score" not in header
    row = requester.get("/proposals").text.split(f'id="proposal-{proposal.id}"')[1].split("</tr>")[0]
    assert "made by hand" in row and "0.00" not in row
