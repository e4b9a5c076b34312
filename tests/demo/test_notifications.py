"""The demo's history of notifications and digests: people were told of each step when it
happened, have read most of it, some take digests (sent, in the outbox), and starting the demo
leaves nothing to mail at once nor any reminder to send again."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, select

from matchmaker.bulletin.services import run_bulletin
from matchmaker.demo import DEMO_ACCOUNTS, build_demo
from matchmaker.models import (
    Notification,
    NotificationDelivery,
    OutboxMail,
    ProposalOrigin,
    Role,
    UserStatus,
)
from matchmaker.notifications import mailing, service
from matchmaker.scheduler.reminders import remind_expiring_proposals
from tests.demo.portfolio import TODAY, load

NOW = datetime.combine(TODAY, time(8), tzinfo=UTC)  # the demo's "now"


def told(p, email: str) -> list[Notification]:
    user_id = next(u.id for u in p.users.values() if u.email == email)
    return [n for n in p.notifications if n.user_id == user_id]


def test_each_step_was_told_when_it_happened_and_most_of_it_is_read(session: Session):
    report = build_demo(session, today=TODAY)
    p = load(session)
    assert report.notifications == len(p.notifications) > 1000

    keys = {(n.user_id, n.kind, n.event_key): n for n in p.notifications}
    requesters = {}
    for user in p.users.values():
        if user.role == Role.REQUESTER and user.status == UserStatus.ACTIVE:
            requesters.setdefault(user.organisation_id, []).append(user)
    # Both sides of every run's proposal heard of it as it was made.
    for proposal in p.proposals:
        if proposal.origin == ProposalOrigin.SOLVER:
            need = p.need_by_id[proposal.need_id]
            for user in requesters[need.organisation_id]:
                notification = keys[(user.id, "proposal_new", f"proposal:{proposal.id}:new")]
                assert notification.created_at == proposal.created_at
                assert notification.link == f"/proposals/{proposal.id}"
    # Every message reached the thread's other side, at the time it was written.
    for message in p.messages:
        readers = [n for n in p.notifications if n.event_key == f"message:{message.id}"]
        assert readers and message.author_id not in {n.user_id for n in readers}
        assert {n.created_at for n in readers} == {message.created_at}
    assert {n.kind for n in p.notifications} >= {
        "proposal_new", "proposal_accepted", "proposal_agreed", "proposal_declined",
        "delivery_step", "feedback_requested", "message_new", "proposal_expiring",
        "signup_to_approve", "bulletin"}

    # Newest first by id is newest first by time; nothing lies in the future.
    by_id = sorted(p.notifications, key=lambda n: n.id)
    assert [n.created_at for n in by_id] == sorted(n.created_at for n in by_id)
    assert by_id[-1].created_at <= NOW
    # Old news is read (nearly all), the last week's partly not; every documented requester
    # and donor finds something unread on the bell.
    old = [n for n in p.notifications if n.created_at < NOW - timedelta(days=7)]
    assert sum(n.read_at is not None for n in old) >= 0.9 * len(old)
    assert all(n.read_at is None or n.created_at <= n.read_at <= NOW for n in p.notifications)
    for account in DEMO_ACCOUNTS:
        if account.status == UserStatus.ACTIVE and account.role in (Role.REQUESTER, Role.DONOR):
            assert any(n.read_at is None for n in told(p, account.email)), account.email


def test_digest_readers_have_their_past_digests_and_the_demo_starts_with_nothing_to_send(
        session: Session, engine, settings):
    report = build_demo(session, today=TODAY)
    session.commit()
    p = load(session)
    coordinator = "coordinator@unrcpd.demo.matchmaker.test"
    user_id = next(u.id for u in p.users.values() if u.email == coordinator)
    assert service.preferences(session, user_id)["proposal_agreed"] == NotificationDelivery.DAILY

    digests = [mail for mail in p.mails if mail.recipient == coordinator]
    assert digests and report.digests == len(p.mails)
    for mail in digests:
        carried = [n for n in told(p, coordinator) if n.mailed_at == mail.created_at]
        assert mail.sent_at is not None and mail.sent_at >= mail.created_at
        assert mail.subject.startswith("Your daily Matchmaker digest: ")
        assert mail.subject.endswith(f" {len(carried)} update" + "s" * (len(carried) > 1))
        assert "Dear Sunita Rai," in mail.body and mail.headers["List-Unsubscribe"]
        assert all(n.delivery == NotificationDelivery.DAILY for n in carried)
    weekly = [mail for mail in p.mails if mail.recipient == "donor.undp@demo.matchmaker.test"]
    assert weekly and all(mail.created_at.weekday() == 0 for mail in weekly)

    # Starting the demo mails no backlog, and no reminder or bulletin goes out twice.
    assert mailing.compose_immediate(engine, settings) == 0
    scheduled = select(Notification.id).where(
        Notification.kind.in_(("proposal_expiring", "bulletin")))
    before = len(session.exec(scheduled).all())
    remind_expiring_proposals(engine, settings, NOW)
    assert run_bulletin(engine, settings, NOW).endswith("was already published")
    assert len(session.exec(scheduled).all()) == before
    assert session.exec(select(OutboxMail).where(OutboxMail.sent_at.is_(None))).all() == []
