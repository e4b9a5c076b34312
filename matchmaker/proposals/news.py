"""Who hears of what happens to a proposal: its notifications, one function per event.

Each is called inside the transaction of the change it reports (``notify`` only adds rows), so
a change rolled back tells nobody; the event key makes each person hear of one event once. The
params are plain facts (titles, references, USD, ISO dates and codes, criterion names): the
words are made when shown or mailed, in the reader's language (``notifications.kinds``).
Nobody is told of their own action, except of an agreement, which both sides keep on record.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer
from matchmaker.models import (
    Country,
    Message,
    Need,
    Offer,
    Organisation,
    Proposal,
    Role,
    User,
)
from matchmaker.notifications import recipients
from matchmaker.notifications.recipients import without
from matchmaker.notifications.service import notify

TOP_CRITERIA = 3  # "why" names the criteria that weigh most in the score
EXCERPT = 300  # characters of a message quoted in its notification


def link(proposal_id: int) -> str:
    return f"/proposals/{proposal_id}"


def top_criteria(breakdown: dict | None) -> list[str]:
    """The names of the criteria that add most to the score, largest first."""
    values = {name: float(value) for name, value in (breakdown or {}).items()
              if isinstance(value, int | float) and value > 0}
    return sorted(values, key=lambda name: -values[name])[:TOP_CRITERIA]


def facts(proposal: Proposal, need: Need, offer: Offer, country: Country,
          donor: Organisation) -> dict:
    """What every notification about the proposal says: the pair, the amount, the deadline."""
    return {
        "need_title": need.title, "need_ref": need.reference,
        "offer_title": offer.title, "offer_ref": offer.reference,
        "donor": donor.name, "state": country.name, "state_iso2": country.iso2,
        "amount_usd": proposal.amount_usd,
        "expires_on": proposal.expires_at.date().isoformat() if proposal.expires_at else "",
        "criteria": top_criteria(proposal.breakdown),
    }


def _facts(db: Session, proposal: Proposal, need: Need, offer: Offer) -> dict:
    return facts(proposal, need, offer, db.get(Country, need.country_id),
                 db.get(Organisation, offer.organisation_id))


def _tell(db: Session, users: Sequence[User], kind: str, proposal: Proposal, need: Need,
          offer: Offer, event: str, **extra) -> None:
    notify(db, users, kind, f"proposal:{proposal.id}:{event}",
           _facts(db, proposal, need, offer) | extra, link(proposal.id))


def _everyone(db: Session, need: Need, offer: Offer) -> list[User]:
    """Both sides and the coordinators of the need's region."""
    return recipients.parties(db, need, offer) + recipients.coordinators_of(db, need.country_id)


def proposed_by_run(db: Session, proposal_ids: Sequence[int]) -> None:
    """Tell both sides of each of a run's new proposals (a few queries, however many)."""
    if not proposal_ids:
        return
    rows = db.execute(
        select(Proposal, Need, Offer, Country, Organisation)
        .join(Need, Need.id == Proposal.need_id)
        .join(Offer, Offer.id == Proposal.offer_id)
        .join(Country, Country.id == Need.country_id)
        .join(Organisation, Organisation.id == Offer.organisation_id)
        .where(Proposal.id.in_(proposal_ids)).order_by(Proposal.id)
    ).all()
    requesters = recipients.by_organisation(db, Role.REQUESTER,
                                            {need.organisation_id for _p, need, *_ in rows})
    donors = recipients.by_organisation(db, Role.DONOR,
                                        {offer.organisation_id for _p, _n, offer, *_ in rows})
    for proposal, need, offer, country, donor in rows:
        notify(db, requesters[need.organisation_id] + donors[offer.organisation_id],
               "proposal_new", f"proposal:{proposal.id}:new",
               facts(proposal, need, offer, country, donor), link(proposal.id))


def proposed_by_hand(db: Session, viewer: Viewer, proposal: Proposal, need: Need, offer: Offer,
                     sides: set[str]) -> None:
    """Tell the ``sides`` that still have to answer a proposal made by hand."""
    users = [user for which in sorted(sides) for user in recipients.side(db, need, offer, which)]
    _tell(db, without(users, viewer.user_id), "proposal_new", proposal, need, offer, "new")


def accepted(db: Session, viewer: Viewer, proposal: Proposal, need: Need, offer: Offer,
             side: str, waiting: set[str]) -> None:
    """Tell the ``waiting`` side that ``side`` accepted: its answer is what remains."""
    users = [user for which in sorted(waiting) for user in recipients.side(db, need, offer, which)]
    _tell(db, without(users, viewer.user_id), "proposal_accepted", proposal, need, offer,
          f"accepted:{side}", who=f"{viewer.name} ({viewer.organisation_name})")


def agreed(db: Session, proposal: Proposal, need: Need, offer: Offer) -> None:
    """Tell both sides and the region's coordinators that the amount is now committed."""
    _tell(db, _everyone(db, need, offer), "proposal_agreed", proposal, need, offer, "agreed")


def declined(db: Session, viewer: Viewer, proposal: Proposal, need: Need, offer: Offer) -> None:
    """Tell both sides and the region's coordinators of a decline, with its reason."""
    _tell(db, without(_everyone(db, need, offer), viewer.user_id), "proposal_declined",
          proposal, need, offer, "declined", reason=proposal.decline_reason,
          side=proposal.declined_by_side)


def delivery_step(db: Session, viewer: Viewer, proposal: Proposal, need: Need, offer: Offer,
                  step: str, note: str = "") -> None:
    """Tell both sides and the region's coordinators that the delivery moved on to ``step``."""
    _tell(db, without(_everyone(db, need, offer), viewer.user_id), "delivery_step", proposal,
          need, offer, f"delivery:{step}", step=step, note=note)


def feedback_requested(db: Session, proposal: Proposal, need: Need, offer: Offer) -> None:
    """Ask both sides of a delivered proposal for their closure feedback."""
    _tell(db, recipients.parties(db, need, offer), "feedback_requested", proposal, need, offer,
          "feedback")


def message_posted(db: Session, viewer: Viewer, message: Message, proposal: Proposal,
                   need: Need, offer: Offer) -> None:
    """Tell everyone taking part in the thread (both sides, and whoever else wrote in it, such
    as a coordinator) of a new message, except its author."""
    writers = db.scalars(
        select(User).where(User.id.in_(
            select(Message.author_id).where(Message.proposal_id == proposal.id)))
        .order_by(User.id)
    ).all()
    users = without([*recipients.parties(db, need, offer), *writers], viewer.user_id)
    body = " ".join(message.body.split())
    excerpt = body if len(body) <= EXCERPT else body[:EXCERPT - 1].rstrip() + "…"
    notify(db, users, "message_new", f"message:{message.id}",
           _facts(db, proposal, need, offer)
           | {"author": f"{viewer.name} ({viewer.organisation_name})", "excerpt": excerpt},
           f"{link(proposal.id)}#messages")
