"""The monthly bulletin: the right records, a public and printable page, one mail per reader."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from matchmaker.bulletin.services import month_before, run_bulletin
from matchmaker.models import (
    Bulletin,
    NotificationDelivery,
    ProposalState,
    Visibility,
    utcnow,
)
from matchmaker.notifications import mailing, service
from tests import factories
from tests.accounts.conftest import mails_to
from tests.proposals.conftest import cast, make_proposal  # noqa: F401 - the cast fixture

PERIOD, FIRST, LAST = month_before(utcnow().date())


def in_month(days: int) -> datetime:
    return datetime.combine(FIRST, time(), tzinfo=UTC) + timedelta(days=days)


@pytest.fixture
def month(session, cast):
    """A month with a public and a restricted Ghanaian need, a German offer, an agreement and
    a delivery; and records of the months around it."""
    germany = factories.state_org(session, "DEU")
    offer = factories.make_offer(session, germany, title="German marking fund",
                                 budget_usd=500_000)
    offer.published_at = in_month(2)
    need = factories.make_need(session, "GHA", title="Marking machines for Accra",
                               cost_usd=100_000)
    need.published_at = in_month(5)
    secret = factories.make_need(session, "GHA", title="Restricted border kit",
                                 visibility=Visibility.RESTRICTED)
    secret.published_at = in_month(6)
    older = factories.make_need(session, "PER", title="Older Peruvian need", cost_usd=50_000)
    older.published_at = in_month(-20)
    factories.make_need(session, "PER", title="Published after the month")
    make_proposal(session, need, offer, 40_000, ProposalState.AGREED, agreed_at=in_month(8))
    make_proposal(session, older, offer, 50_000, ProposalState.DELIVERED,
                  agreed_at=in_month(-10), delivered_at=in_month(9))
    session.commit()
    return need


def test_the_bulletin_of_the_month_holds_its_records(session, engine, settings, month):
    assert run_bulletin(engine, settings, utcnow()) == f"Published the bulletin of {PERIOD}"
    bulletin = session.scalar(select(Bulletin))
    content = bulletin.content
    assert (bulletin.period_start, bulletin.period_end) == (FIRST, LAST)
    assert [n["title"] for n in content["needs"]["items"]] == ["Marking machines for Accra"]
    assert content["needs"]["by_region"] == [{"m49": "002", "count": 1, "usd": 100_000}]
    assert [o["title"] for o in content["offers"]["items"]] == ["German marking fund"]
    assert [(a["need_ref"], a["usd"]) for a in content["agreements"]["items"]] == [
        (month.reference, 40_000)]
    assert [d["need_title"] for d in content["deliveries"]["items"]] == ["Older Peruvian need"]
    # Before the month: the Peruvian need, fully agreed; after: Ghana's too, 40% agreed.
    assert content["coverage"]["before"]["all"] == {"requested": 50_000, "agreed": 50_000}
    assert content["coverage"]["after"]["all"] == {"requested": 150_000, "agreed": 90_000}


def test_the_bulletin_is_public_and_printable(session, engine, settings, client, month):
    run_bulletin(engine, settings, utcnow())
    archive = client.get("/bulletin")
    assert archive.status_code == 200 and f'href="/bulletin/{PERIOD}"' in archive.text
    assert 'href="/bulletin"' in client.get("/").text  # linked from every page's footer
    page = client.get(f"/bulletin/{PERIOD}")
    assert page.status_code == 200
    assert "Marking machines for Accra" in page.text and "German marking fund" in page.text
    assert "Restricted border kit" not in page.text
    assert "new needs: 1 ($100,000 requested)" in page.text
    assert "from 100 % to 60 %" in page.text
    assert "/static/css/bulletin.css" in page.text
    stylesheet = client.get("/static/css/bulletin.css").text
    assert "@media print" in stylesheet and ".site-header" in stylesheet.split("@media print")[1]
    assert client.get("/bulletin/2001-01").status_code == 404
    assert client.get("/bulletin/nonsense").status_code == 404


def test_the_bulletin_is_mailed_once_per_reader_and_a_second_run_adds_nothing(
        session, engine, settings, cast, month):
    service.set_preference(session, cast.admin.id, "bulletin", NotificationDelivery.OFF)
    session.commit()
    run_bulletin(engine, settings, utcnow())
    assert run_bulletin(engine, settings, utcnow()) == (
        f"The bulletin of {PERIOD} was already published")
    mailing.compose_immediate(engine, settings)
    mailing.compose_immediate(engine, settings)
    assert session.scalar(select(func.count(Bulletin.id))) == 1
    for reader in (cast.requester, cast.donor, cast.coordinator):
        [mail] = mails_to(session, reader.email)
        assert PERIOD in mail.subject
        assert f"{settings.base_url}/bulletin/{PERIOD}" in mail.body
        assert "new needs: 1" in mail.body
    assert mails_to(session, cast.admin.email) == []
