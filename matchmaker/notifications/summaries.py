"""The sentences of the figure notifications (a region's week, the bulletin), put into words
from their stored figures when shown or mailed, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from babel.dates import format_date

from matchmaker import i18n
from matchmaker.i18n import _, ngettext
from matchmaker.web.templating import money, percent

Params = Mapping[str, Any]


def _count(params: Params, key: str) -> int:
    return int(params.get(key) or 0)


def month_name(period: str) -> str:
    """ "2026-11" as "November 2026" in the current language (the code itself if malformed)."""
    try:
        year, month = (int(part) for part in period.split("-"))
        return format_date(date(year, month, 1), "LLLL y", locale=i18n.babel_locale())
    except (ValueError, TypeError):
        return period


def region_summary_lines(params: Params) -> list[str]:
    """A coordinator's week in a few sentences with figures."""
    if "lines" in params:  # written before the figures were kept
        return [str(line) for line in params["lines"]]
    return [
        ngettext("%(num)s new need was published (%(amount)s requested);",
                 "%(num)s new needs were published (%(amount)s requested);",
                 _count(params, "needs"), amount=money(params.get("needs_usd", 0))),
        ngettext("%(num)s new offer is open to the region's States;",
                 "%(num)s new offers are open to the region's States;",
                 _count(params, "offers")),
        ngettext("%(num)s proposal was agreed (%(amount)s committed);",
                 "%(num)s proposals were agreed (%(amount)s committed);",
                 _count(params, "agreed"), amount=money(params.get("agreed_usd", 0))),
        ngettext("%(num)s delivery was completed (%(amount)s).",
                 "%(num)s deliveries were completed (%(amount)s).",
                 _count(params, "delivered"), amount=money(params.get("delivered_usd", 0))),
        ngettext("%(num)s open need is still not fully covered: %(amount)s remain to be found.",
                 "%(num)s open needs are still not fully covered: %(amount)s remain to be "
                 "found.", _count(params, "uncovered"),
                 amount=money(params.get("uncovered_usd", 0))),
    ]


def bulletin_lines(params: Params) -> list[str]:
    """The short summary of a bulletin, as its mail and archive page give it."""
    if "lines" in params:
        return [str(line) for line in params["lines"]]
    return [
        _("In %(month)s, new needs: %(needs)s (%(needs_usd)s requested); new offers: "
          "%(offers)s (%(offers_usd)s); agreements: %(agreements)s (%(agreed_usd)s "
          "committed); deliveries: %(deliveries)s (%(delivered_usd)s).",
          month=month_name(str(params.get("period", ""))),
          needs=_count(params, "needs"), needs_usd=money(params.get("needs_usd", 0)),
          offers=_count(params, "offers"), offers_usd=money(params.get("offers_usd", 0)),
          agreements=_count(params, "agreements"),
          agreed_usd=money(params.get("agreed_usd", 0)),
          deliveries=_count(params, "deliveries"),
          delivered_usd=money(params.get("delivered_usd", 0))),
        _("Coverage of the published needs went from %(before)s to %(after)s of the value "
          "requested.", before=percent(params.get("coverage_before", 0.0)),
          after=percent(params.get("coverage_after", 0.0))),
    ]
