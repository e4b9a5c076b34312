"""A run's result in one plain sentence, for readers who will not read the tables:
"23 proposals worth $2.1M would cover 19 of the 57 needs in Africa; 38 stay open: 21 because
no offer covers their topic, ...".

Counted over every unmet need of the run (figures, not records, so nothing is revealed to a
reader who may not see some of the needs).
"""

from __future__ import annotations

from collections import Counter

from babel.lists import format_list

from matchmaker import i18n
from matchmaker.i18n import _, ngettext
from matchmaker.web.templating import money

# Why needs stay open, in the order the sentence names them: the unmet reason, or for needs
# without a compatible offer the rule that failed (see matching.explain).
WHY = ("no_topic", "no_modality", "not_eligible", "window", "declined", "committed", "outbid",
       "too_large", "partly_covered", "not_worthwhile")
HELD_CAUSES = ("proposed", "spent", "taken")


def why_open(fact: dict) -> str:
    """The key under which the summary counts an unmet need."""
    if fact["reason"] != "no_compatible_offer":
        return fact["reason"]
    cause = fact.get("cause", "no_topic")
    return "committed" if cause in HELD_CAUSES else cause


def _because(key: str, n: int) -> str:
    words = {
        "no_topic": lambda: ngettext("%(num)d because no offer covers its topic",
                                     "%(num)d because no offer covers their topic", n),
        "no_modality": lambda: ngettext("%(num)d because no offer gives what it asks for",
                                        "%(num)d because no offer gives what they ask for", n),
        "not_eligible": lambda: ngettext("%(num)d because no offer is open to its State",
                                         "%(num)d because no offer is open to their State", n),
        "window": lambda: ngettext("%(num)d because no offer is available in time",
                                   "%(num)d because no offer is available in time", n),
        "declined": lambda: ngettext("%(num)d because its offers were declined before",
                                     "%(num)d because their offers were declined before", n),
        "committed": lambda: ngettext(
            "%(num)d because the offers open to it are committed or already proposed",
            "%(num)d because the offers open to them are committed or already proposed", n),
        "outbid": lambda: ngettext("%(num)d because higher-scoring needs took its offers",
                                   "%(num)d because higher-scoring needs took their offers", n),
        "too_large": lambda: ngettext("%(num)d because no single offer can take it whole",
                                      "%(num)d because no single offer can take them whole", n),
        "partly_covered": lambda: ngettext("%(num)d only partly covered",
                                           "%(num)d only partly covered", n),
        "not_worthwhile": lambda: ngettext("%(num)d because its offers score nothing",
                                           "%(num)d because their offers score nothing", n),
    }
    return words[key]()


def run_summary_sentence(n_proposals: int, proposed_usd: int, n_needs: int, scope: str,
                         unmet: list[dict]) -> str:
    """The run in one sentence; needs partly covered count as open."""
    covered = max(0, n_needs - len(unmet))
    head = ngettext("%(num)d proposal worth %(amount)s", "%(num)d proposals worth %(amount)s",
                    n_proposals, amount=money(proposed_usd, compact=True))
    cover = ngettext("would cover %(covered)s of the %(num)d need in %(scope)s",
                     "would cover %(covered)s of the %(num)d needs in %(scope)s",
                     n_needs, covered=covered, scope=scope)
    if not unmet:
        return _("%(proposals)s %(cover)s; none stays open.", proposals=head, cover=cover)
    counts = Counter(why_open(fact) for fact in unmet)
    # the list punctuation of the reader's language ("、" in Chinese, "،" in Arabic)
    reasons = format_list([_because(key, counts[key]) for key in WHY if counts[key]],
                          style="standard", locale=i18n.babel_locale())
    stay = ngettext("%(num)d stays open", "%(num)d stay open", len(unmet))
    return _("%(proposals)s %(cover)s; %(stay)s: %(reasons)s.", proposals=head, cover=cover,
             stay=stay, reasons=reasons)
