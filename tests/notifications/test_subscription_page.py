"""The subscriptions page: donors and requesters choose what their feed follows."""

from __future__ import annotations

from matchmaker.models import utcnow
from matchmaker.notifications.feeds import run_subscription_feeds
from tests import factories
from tests.notifications.test_feeds import marking_offer, notified  # noqa: F401 - fixture
from tests.proposals.conftest import browser_for, cast  # noqa: F401 - fixtures


def test_subscriptions_chosen_on_the_page_narrow_the_feed(
        session, engine, settings, cast, marking_offer, browser_for):
    donor = browser_for(cast.donor)
    assert 'href="/account/subscriptions"' in donor.get("/account").text
    page = donor.get("/account/subscriptions")
    assert page.status_code == 200 and "You follow the default feed." in page.text
    saved = donor.form("/account/subscriptions",
                       {"topics": ["stockpile"], "regions": ["002"]})  # Africa
    assert saved.status_code == 303
    page = donor.get(saved.headers["location"])
    assert "Your subscriptions have been saved." in page.text
    assert "You follow 1 topics, 1 regions and 0 modalities." in page.text
    assert 'value="stockpile" checked' in page.text
    stockpile = factories.topic(session, "stockpile.physical_security")
    wanted = factories.make_need(session, "GHA", topic=stockpile)
    factories.make_need(session, "PER", topic=stockpile)  # not in Africa
    factories.make_need(session, "GHA", topic=factories.topic(session, "marking.machines"))
    session.commit()
    run_subscription_feeds(engine, settings, utcnow())
    assert [n.event_key for n in notified(session, cast.donor, "needs_you_could_fund")] == [
        f"need:{wanted.id}:published"]


def test_the_subscription_page_refuses_unknown_codes_and_other_roles(
        session, cast, browser_for):
    requester = browser_for(cast.requester)
    page = requester.get("/account/subscriptions")
    assert "New offers open to your State" in page.text
    assert 'name="regions"' not in page.text  # offers open to its State already
    refused = requester.form("/account/subscriptions", {"topics": ["no-such-topic"]})
    assert refused.status_code == 422 and "Please choose from the list." in refused.text
    assert browser_for(cast.coordinator).get("/account/subscriptions").status_code == 403


