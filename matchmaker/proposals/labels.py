"""Words for proposal states, sides and events, shown to people (translated when shown).

The state labels are shared with the portfolio pages, the offer statuses with the offers pages.
"""

from __future__ import annotations

from matchmaker.i18n import lazy_gettext
from matchmaker.offers.views import STATUS_LABELS as OFFER_STATUS_LABELS  # noqa: F401
from matchmaker.portfolio.views import PROPOSAL_STATE_LABELS as STATE_LABELS  # noqa: F401

SIDE_LABELS = {
    "requester": lazy_gettext("requesting State"),
    "donor": lazy_gettext("donor"),
}
ACTION_LABELS = {
    "created": lazy_gettext("Proposed"),
    "proposed": lazy_gettext("Proposed"),
    "accepted": lazy_gettext("Accepted"),
    "agreed": lazy_gettext("Accepted — both sides agree"),
    "declined": lazy_gettext("Declined"),
    "in_delivery": lazy_gettext("Delivery started"),
    "delivered": lazy_gettext("Marked as delivered"),
    "feedback": lazy_gettext("Closure feedback"),
    "expired": lazy_gettext("Expired unanswered"),
    "superseded": lazy_gettext("Superseded by a later run"),
    "withdrawn": lazy_gettext("Withdrawn: it can no longer be accepted"),
    "overdue": lazy_gettext("Overdue: no delivery recorded by the deadline"),
    "message": lazy_gettext("Message posted"),
}
