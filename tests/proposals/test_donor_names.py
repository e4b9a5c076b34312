"""A State that gives speaks by its name in the reader's language, in the queue and on the
proposal page (not by the English name it was registered with)."""

from __future__ import annotations

from tests.proposals.conftest import cast, deal  # noqa: F401 - fixtures


def test_a_state_donor_is_named_in_the_readers_language(deal, cast, browser_for):
    ama = browser_for(cast.requester)
    queue = ama.client.get("/proposals?lang=fr").text
    page = ama.client.get(f"/proposals/{deal.proposal.id}?lang=fr").text
    assert "Allemagne" in queue and "Allemagne" in page
    english = ama.client.get("/api/proposals").json()
    assert english["items"][0]["donor"] == "Germany"


def test_a_state_donor_is_named_in_the_readers_language_on_offers(deal, cast, browser_for):
    ama = browser_for(cast.requester)
    listing = ama.client.get("/offers?lang=fr").text
    page = ama.client.get(f"/offers/{deal.offer.reference}?lang=fr").text
    assert "Allemagne" in listing and "Allemagne" in page
