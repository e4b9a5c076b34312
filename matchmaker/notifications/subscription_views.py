"""Page context of the subscriptions page: what the person's feed is and what it follows."""

from __future__ import annotations

from dataclasses import dataclass

from matchmaker.i18n import _, lazy_gettext
from matchmaker.models import Role
from matchmaker.notifications.subscriptions import Followed, fields_of
from matchmaker.portfolio.choices import PortfolioChoices
from matchmaker.web.forms import FormState

SAVED = lazy_gettext("Your subscriptions have been saved.")


@dataclass(frozen=True)
class SubscriptionPage:
    heading: str
    explanation: str
    default_note: str  # what the feed holds while nothing is chosen
    following: str  # the current state in one sentence
    fields: tuple[str, ...]
    choices: PortfolioChoices
    form: FormState
    notice: str

    @classmethod
    def build(cls, role: str, choices: PortfolioChoices, chosen: Followed,
              form: FormState | None = None, notice: str = "") -> SubscriptionPage:
        donor = role == Role.DONOR
        return cls(
            heading=_("New needs you could fund") if donor else _("New offers open to your State"),
            explanation=(
                _("We tell you of newly published needs, in the notification centre and by "
                  "mail as your notification preferences say.") if donor else
                _("We tell you of newly published offers your State may ask for, in the "
                  "notification centre and by mail as your notification preferences say.")),
            default_note=(
                _("With nothing ticked you hear of the needs your organisation's published "
                  "offers could fund. Tick topics, regions or modalities to follow those "
                  "instead: a need must then match every kind of choice you made.") if donor
                else _("With nothing ticked you hear of every offer open to your State. Tick "
                       "topics or modalities to hear only of offers covering them.")),
            following=(_("You follow the default feed.") if chosen.is_default else
                       _("You follow %(topics)s topics, %(regions)s regions and %(modalities)s "
                         "modalities.", topics=len(chosen.topics), regions=len(chosen.regions),
                         modalities=len(chosen.modalities))),
            fields=fields_of(role),
            choices=choices,
            form=form or FormState(values={"topics": list(chosen.topics),
                                           "regions": list(chosen.regions),
                                           "modalities": list(chosen.modalities)}),
            notice=str(SAVED) if notice == "saved" else "",
        )
