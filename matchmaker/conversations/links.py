"""The brokering actions a need's or an offer's page offers the viewer: ask a question, ask
for the offer, propose a match, read the questions asked. The rules are ``authz``'s; the pages
include ``conversations/_record_links.html``, which calls ``record_links``."""

from __future__ import annotations

from dataclasses import dataclass

from matchmaker.accounts import authz
from matchmaker.accounts.authz import Viewer
from matchmaker.i18n import _
from matchmaker.models import OPEN_NEED_STATUSES, Need, Offer


@dataclass(frozen=True)
class Link:
    href: str
    label: str
    primary: bool = False


def _need_links(viewer: Viewer, need: Need) -> list[Link]:
    links = []
    if (viewer.is_coordinator and authz.can_propose_for(viewer, need)
            and need.status in OPEN_NEED_STATUSES):
        links.append(Link(f"/proposals/new?need={need.reference}", _("Propose a match"), True))
    if authz.can_ask_about_need(viewer, need):
        links.append(Link(f"/conversations/new?need={need.reference}",
                          _("Ask the State a question")))
    if authz.can_edit_need(viewer, need) or authz.in_region(viewer, need.country_id):
        links.append(Link(f"/conversations?record={need.reference}",
                          _("Questions about this need")))
    return links


def _offer_links(viewer: Viewer, offer: Offer) -> list[Link]:
    links = []
    if authz.can_ask_for_offer(viewer, offer):
        links.append(Link(f"/proposals/ask?offer={offer.reference}", _("Ask for this offer"),
                          True))
    if authz.can_ask_about_offer(viewer, offer):
        links.append(Link(f"/conversations/new?offer={offer.reference}",
                          _("Ask the donor a question")))
    if authz.can_edit_offer(viewer, offer) or viewer.is_coordinator:
        links.append(Link(f"/conversations?record={offer.reference}",
                          _("Questions about this offer")))
    return links


def record_links(viewer: Viewer, need: Need | None = None, offer: Offer | None = None
                 ) -> list[Link]:
    """The brokering links of a need's or an offer's page for ``viewer`` (none for visitors)."""
    if not viewer.is_authenticated:
        return []
    return _need_links(viewer, need) if need is not None else _offer_links(viewer, offer)
