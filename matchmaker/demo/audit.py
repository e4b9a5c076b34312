"""Settle the demo's amounts and statuses, and write its audit trail as Events.

Needs and offers follow their proposals as the application moves them (see
:mod:`matchmaker.proposals.decisions`): replaying the decisions in time order, an agreement
adds to the need's agreed and the offer's committed amount (partly matched / matched, exhausted),
a delivery start moves a matched need into delivery, and a need whose delivered amount reaches
its cost is completed. Each of these changes, and each need's and offer's creation,
publication or withdrawal, leaves an event with the values before and after.
"""

from __future__ import annotations

from matchmaker.demo.people import People
from matchmaker.demo.proposals import AuditEntry, Story, snapshot
from matchmaker.models import Event, NeedStatus, OfferStatus, utcnow

# As matchmaker.needs.editing.NEED_FIELDS and matchmaker.offers.editing.OFFER_FIELDS
# (the tests check that they stay in step), and the amount fields of
# matchmaker.proposals.decisions.
NEED_FIELDS = (
    "title", "description", "goal", "topic_id", "modality_id", "quantity", "unit",
    "estimated_cost", "currency", "cost_usd", "priority", "start_date", "deadline", "languages",
    "commitment", "action_plan_ref", "visibility", "status",
)  # fmt: skip
OFFER_FIELDS = (
    "title", "description", "budget", "currency", "budget_usd", "committed_usd", "quantity",
    "unit", "languages", "available_from", "available_until", "ldc_only", "sids_only",
    "conditions", "status",
)  # fmt: skip
NEED_AMOUNT_FIELDS = ("agreed_usd", "delivered_usd", "status")
OFFER_AMOUNT_FIELDS = ("committed_usd", "status")


def lifecycle_entries(story: Story, people: People) -> list[AuditEntry]:
    """Creation, publication and withdrawal of every need and offer, by its author."""
    entries = []
    records = [(d.need, "need", NEED_FIELDS, people.requester_for(d.organisation))
               for d in story.needs]  # fmt: skip
    records += [(d.offer, "offer", OFFER_FIELDS, people.donor_for(d.organisation))
                for d in story.offers]  # fmt: skip
    for record, entity, fields, author in records:
        created = {**snapshot(record, fields), "status": "draft"}
        entries.append(
            AuditEntry(entity, record, "created", author, record.created_at, {}, created)
        )
        if record.published_at is None:
            continue
        published = {**created, "status": "published"}
        entries.append(
            AuditEntry(entity, record, "published", author, record.published_at, created, published)
        )
        if record.status == "withdrawn":
            entries.append(
                AuditEntry(entity, record, "withdrawn", author, record.updated_at, published,
                           {**published, "status": "withdrawn"})
            )  # fmt: skip
    return entries


def settle(story: Story) -> list[AuditEntry]:
    """Replay the proposal decisions in time order onto needs and offers; their events."""
    for demo in story.needs:
        demo.need.agreed_usd = demo.need.delivered_usd = 0
    for demo in story.offers:
        demo.offer.committed_usd = 0
    decisions = sorted(
        (e for e in story.audit if e.placed and e.action in ("agreed", "in_delivery", "delivered")),
        key=lambda e: e.at,
    )
    entries = []
    for entry in decisions:
        placed = entry.placed
        need, offer = story.needs[placed.need].need, story.offers[placed.offer].offer
        amount = placed.proposal.amount_usd
        need_before = snapshot(need, NEED_AMOUNT_FIELDS)
        if entry.action == "agreed":
            offer_before = snapshot(offer, OFFER_AMOUNT_FIELDS)
            need.agreed_usd += amount
            need.status = (NeedStatus.MATCHED if need.agreed_usd >= need.cost_usd
                           else NeedStatus.PARTLY_MATCHED)  # fmt: skip
            offer.committed_usd += amount
            if offer.committed_usd >= offer.budget_usd:
                offer.status = OfferStatus.EXHAUSTED
            offer.updated_at = entry.at
            entries.append(_change(entry, offer, offer_before, OFFER_AMOUNT_FIELDS, "offer",
                                   "proposal_agreed", "Proposal {id} agreed"))  # fmt: skip
            entries.append(_change(entry, need, need_before, NEED_AMOUNT_FIELDS, "need",
                                   "proposal_agreed", "Proposal {id} agreed"))  # fmt: skip
        elif entry.action == "in_delivery":
            if need.status != NeedStatus.MATCHED:
                continue
            need.status = NeedStatus.IN_DELIVERY
            entries.append(_change(entry, need, need_before, NEED_AMOUNT_FIELDS, "need",
                                   "in_delivery", ""))  # fmt: skip
        else:
            need.delivered_usd += amount
            if need.delivered_usd >= need.cost_usd and need.status in (
                NeedStatus.MATCHED,
                NeedStatus.IN_DELIVERY,
            ):
                need.status = NeedStatus.COMPLETED
            entries.append(_change(entry, need, need_before, NEED_AMOUNT_FIELDS, "need",
                                   "delivered", "Proposal {id} delivered"))  # fmt: skip
        need.updated_at = entry.at
    return entries


def _change(entry: AuditEntry, record, before: dict, fields: tuple[str, ...], entity: str,
            action: str, note: str) -> AuditEntry:  # fmt: skip
    return AuditEntry(entity, record, action, entry.actor, entry.at, before,
                      snapshot(record, fields), note, about=entry.placed.proposal)  # fmt: skip


def write_events(session, entries: list[AuditEntry]) -> list[Event]:
    """The entries as Events, oldest first (the records have ids by now); none is dated after
    the build (a record made "today" at office hours may be later than a build at dawn)."""
    now = utcnow()
    events = []
    for entry in sorted(entries, key=lambda e: e.at):
        note = entry.note.format(id=entry.about.id) if entry.about else entry.note
        events.append(
            Event(
                actor_id=entry.actor.id if entry.actor else None,
                organisation_id=entry.actor.organisation_id if entry.actor else None,
                entity=entry.entity,
                entity_id=entry.record.id,
                action=entry.action,
                before=entry.before,
                after=entry.after,
                note=note,
                created_at=min(entry.at, now),
            )
        )
    session.add_all(events)
    return events
