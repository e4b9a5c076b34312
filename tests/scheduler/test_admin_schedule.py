"""The admin schedule page: every job with its period, last run and outcome, and "Run now"."""

from __future__ import annotations

from datetime import timedelta

from matchmaker.models import utcnow
from tests import factories
from tests.scheduler.conftest import job_row


def test_only_admins_see_the_schedule(cast, browser_for, client):
    page = browser_for(cast.admin).get("/admin/schedule")
    assert page.status_code == 200
    assert "Expire needs past their deadline" in page.text and "every 10 minutes" in page.text
    assert "Never run" in page.text and 'href="/admin/schedule"' in page.text
    assert browser_for(cast.coordinator).get("/admin/schedule").status_code == 403
    assert browser_for(cast.donor).get("/admin/schedule").status_code == 403
    anonymous = client.get("/admin/schedule", follow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/login" in anonymous.headers["location"]


def test_run_now_runs_the_job_and_says_what_it_did(session, cast, browser_for, ticker):
    factories.make_need(session, "GHA", deadline=utcnow().date() - timedelta(days=2),
                        start_date=utcnow().date() - timedelta(days=60))
    session.commit()
    admin = browser_for(cast.admin)
    fragment = admin.htmx("/admin/schedule/expire_needs/run")
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "The job ran: 1 need past its deadline expired." in fragment.text
    assert "Succeeded" in fragment.text
    assert job_row(session, "expire_needs").runs == 1

    plain = admin.form("/admin/schedule/expire_needs/run")
    assert plain.status_code == 303 and plain.headers["location"].endswith("?ran=expire_needs")
    page = admin.get(plain.headers["location"]).text
    assert "The job ran: 0 needs past their deadline expired." in page


def test_run_now_is_refused_without_csrf_or_for_others(cast, browser_for):
    admin = browser_for(cast.admin)
    assert admin.client.post("/admin/schedule/expire_needs/run",
                             follow_redirects=False).status_code == 403
    assert browser_for(cast.donor).form("/admin/schedule/expire_needs/run").status_code == 403
    assert admin.form("/admin/schedule/no_such_job/run").status_code == 404


def test_a_failed_run_shows_its_sentence(session, cast, browser_for, ticker, monkeypatch):
    from matchmaker.scheduler import housekeeping

    def broken(engine, settings, now):
        raise ValueError("the <b>index</b> is gone")

    monkeypatch.setattr(housekeeping, "expire_needs", broken)
    from matchmaker.scheduler import jobs  # all_jobs reads housekeeping.expire_needs anew

    assert jobs.all_jobs()[0].run is broken
    fragment = browser_for(cast.admin).htmx("/admin/schedule/expire_needs/run").text
    assert "The job ran and failed" in fragment and "Failed" in fragment
    assert "&lt;b&gt;index&lt;/b&gt;" in fragment  # escaped
