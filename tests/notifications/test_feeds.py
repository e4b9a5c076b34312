"""Subscription feeds and the coordinators' weekly summary: who hears of what, and once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.models import (
    Notification,
    NotificationDelivery,
    OfferCountry,
    OfferRegion,
    ProposalState,
    Region,
    Role,
    utcnow,
)
from matchmaker.notifications import mailing, subscriptions
from matchmaker.notifications.feeds import run_subscription_feeds
from matchmaker.notifications.region_summary import run_region_summaries
from matchmaker.notifications.subscriptions import Followed
from tests import factories
from tests.accounts.conftest import mails_to
from tests.proposals.conftest import cast, make_proposal  # noqa: F401 - the cast fixture


def notified(session, user, kind: str) -> list[Notification]:
    session.expire_all()
    return list(session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind).order_by(Notification.id)))


def region(session, m49: str) -> Region:
    return session.scalars(select(Region).where(Region.m49 == m49)).one()


def weekly_digest_to(session, engine, settings, user) -> str:
    mailing.compose_digests(engine, settings, NotificationDelivery.WEEKLY)
    [mail] = mails_to(session, user.email)
    return mail.body


@pytest.fixture
def marking_offer(session, cast):
    """Germany offers marking machines (equipment) to every State."""
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 topics=[factories.topic(session, "marking.machines")],
                                 title="German marking fund")
    session.commit()
    return offer


def test_a_donor_hears_once_of_a_compatible_new_need_and_not_of_another(
        session, engine, settings, cast, marking_offer):
    fits = factories.make_need(session, "GHA", title="Marking machines for Accra",
                               topic=factories.topic(session, "marking.machines"))
    factories.make_need(session, "GHA", title="Stockpile fences",
                        topic=factories.topic(session, "stockpile.physical_security"))
    session.commit()
    now = utcnow()
    run_subscription_feeds(engine, settings, now)
    run_subscription_feeds(engine, settings, now + timedelta(hours=6))  # nothing new
    [notification] = notified(session, cast.donor, "needs_you_could_fund")
    assert notification.event_key == f"need:{fits.id}:published"
    assert notification.link == f"/needs/{fits.reference}"
    assert notified(session, cast.other_donor, "needs_you_could_fund") == []  # no offers
    body = weekly_digest_to(session, engine, settings, cast.donor)
    assert "Marking machines for Accra" in body and "Ghana" in body
    assert "Stockpile fences" not in body


def test_a_requester_hears_of_an_offer_open_to_its_state(session, engine, settings, cast):
    deu = factories.state_org(session, "DEU")
    africa = factories.make_offer(session, deu, title="Training for Africa")
    session.add(OfferRegion(offer_id=africa.id, region_id=region(session, "002").id))
    not_ghana = factories.make_offer(session, deu, title="Everywhere but Ghana")
    session.add(OfferCountry(offer_id=not_ghana.id, excluded=True,
                             country_id=factories.country(session, "GHA").id))
    session.commit()
    run_subscription_feeds(engine, settings, utcnow())
    [heard] = notified(session, cast.requester, "offers_open_to_you")
    assert heard.event_key == f"offer:{africa.id}:published"
    assert {n.event_key for n in notified(session, cast.other_requester,
                                          "offers_open_to_you")} == {
        f"offer:{not_ghana.id}:published"}  # Peru is not in Africa
    body = weekly_digest_to(session, engine, settings, cast.requester)
    assert "Training for Africa" in body and "Everywhere but Ghana" not in body


def test_subscriptions_narrow_the_feed(session, engine, settings, cast, marking_offer):
    subscriptions.save(session, cast.donor.id, Role.DONOR,
                       Followed(topics=("stockpile",), regions=("002",)))  # Africa
    stockpile = factories.topic(session, "stockpile.physical_security")
    wanted = factories.make_need(session, "GHA", topic=stockpile)
    factories.make_need(session, "PER", topic=stockpile)  # not in Africa
    factories.make_need(session, "GHA", topic=factories.topic(session, "marking.machines"))
    session.commit()
    run_subscription_feeds(engine, settings, utcnow())
    assert [n.event_key for n in notified(session, cast.donor, "needs_you_could_fund")] == [
        f"need:{wanted.id}:published"]


def test_the_weekly_region_summary_counts_the_regions_week(session, engine, settings, cast,
                                                          marking_offer):
    now = utcnow()
    week_old = now - timedelta(days=10)
    factories.make_need(session, "GHA", cost_usd=100_000)
    factories.make_need(session, "NGA", cost_usd=40_000)
    factories.make_need(session, "PER", cost_usd=70_000)  # another region
    old = factories.make_need(session, "GHA", cost_usd=60_000)
    old.published_at = week_old
    agreed = factories.make_need(session, "GHA", cost_usd=30_000)
    agreed.published_at = week_old
    make_proposal(session, agreed, marking_offer, state=ProposalState.AGREED, agreed_at=now,
                  amount=30_000)
    agreed.agreed_usd = 30_000
    delivered = factories.make_need(session, "GHA", cost_usd=20_000)
    delivered.published_at = week_old
    make_proposal(session, delivered, marking_offer, state=ProposalState.DELIVERED,
                  agreed_at=week_old, delivered_at=now, amount=20_000)
    delivered.agreed_usd = 20_000
    session.commit()
    run_region_summaries(engine, settings, utcnow())
    run_region_summaries(engine, settings, utcnow())  # the same week: once
    [summary] = notified(session, cast.coordinator, "region_summary")
    assert summary.params["region"] == "UNREC"
    assert {key: summary.params[key] for key in (
        "needs", "needs_usd", "offers", "agreed", "agreed_usd", "delivered", "delivered_usd",
        "uncovered", "uncovered_usd")} == {
        "needs": 2, "needs_usd": 140_000, "offers": 1, "agreed": 1, "agreed_usd": 30_000,
        "delivered": 1, "delivered_usd": 20_000, "uncovered": 3, "uncovered_usd": 200_000}
    body = weekly_digest_to(session, engine, settings, cast.coordinator)
    assert "2 new needs were published ($140,000 requested)" in body
    assert "3 open needs are still not fully covered: $200,000 remain to be found." in body
    [far] = notified(session, cast.far_coordinator, "region_summary")
    assert far.params["needs"] == 1 and far.params["needs_usd"] == 70_000
