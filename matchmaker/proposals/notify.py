"""Mail to both parties when a proposal is agreed or declined (queued in the same transaction)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.mails import _in_language
from matchmaker.i18n import _
from matchmaker.mail.outbox import queue_mail
from matchmaker.models import Need, Offer, Proposal, ProposalState, Role, User, UserStatus
from matchmaker.web.templating import money


def party_users(db: Session, need: Need, offer: Offer) -> list[User]:
    """Active accounts that answer for either side: the State's requesters, the donor's staff."""
    return list(db.scalars(
        select(User).where(
            User.status == UserStatus.ACTIVE,
            ((User.organisation_id == need.organisation_id) & (User.role == Role.REQUESTER))
            | ((User.organisation_id == offer.organisation_id) & (User.role == Role.DONOR)),
        ).order_by(User.id)
    ).all())


def decided(db: Session, proposal: Proposal, need: Need, offer: Offer,
            base_url: str = "") -> None:
    """Queue a mail to every party user about an agreed or declined proposal."""
    if proposal.state not in (ProposalState.AGREED, ProposalState.DECLINED):
        return
    link = f"{base_url}/proposals/{proposal.id}"
    for user in party_users(db, need, offer):
        with _in_language(user.language):
            facts = {"need": need.title, "need_ref": need.reference, "offer": offer.title,
                     "offer_ref": offer.reference, "amount": money(proposal.amount_usd)}
            if proposal.state == ProposalState.AGREED:
                subject = _("Agreed: %(need_ref)s funded by %(offer_ref)s", **facts)
                news = _("Both sides have accepted the proposal to fund “%(need)s” "
                         "(%(need_ref)s) with %(amount)s from “%(offer)s” (%(offer_ref)s). The "
                         "amount is now committed.", **facts)
            else:
                subject = _("Declined: %(need_ref)s and %(offer_ref)s", **facts)
                news = _("The proposal to fund “%(need)s” (%(need_ref)s) with %(amount)s "
                         "from “%(offer)s” (%(offer_ref)s) was declined. Reason given: "
                         "%(reason)s", reason=proposal.decline_reason, **facts)
            body = "\n\n".join((
                _("Dear %(name)s,", name=user.name), news,
                _("See the proposal and its messages: %(link)s", link=link),
                _("The Matchmaker clearing-house"),
            )) + "\n"
            queue_mail(db, user.email, subject, body)
