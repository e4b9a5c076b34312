""" "Ask for this offer": a requester chooses one of its State's needs for a donor's offer.

Like "propose to fund this need" seen from the other side: a normal form (POST, then a
redirect to the new proposal) that htmx enhances, its refusals next to the field at fault.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.guards import roles_required
from matchmaker.errors import FormErrors
from matchmaker.i18n import _
from matchmaker.mail.outbox import deliver_after_response
from matchmaker.models import Role
from matchmaker.offers.services import OfferRow
from matchmaker.proposals import asking
from matchmaker.proposals.decisions import remaining_budget
from matchmaker.proposals.schemas import REFERENCE_MAX, ManualProposalInput
from matchmaker.proposals.views import OfferOption
from matchmaker.web.forms import FormState, provide_form
from matchmaker.web.render import go_to, render
from matchmaker.web.templating import money


@dataclass(frozen=True)
class AskOfferPage:
    """The offer asked for, the requester's needs it could fund, the others with why not."""

    offer: OfferRow
    remaining: int
    options: list[OfferOption]
    unusable: list[asking.NeedChoice]
    form: FormState

    @classmethod
    def build(cls, row: OfferRow, choices: list[asking.NeedChoice],
              form: FormState | None = None) -> AskOfferPage:
        compatible = [choice for choice in choices if choice.compatible]
        if form is None:
            first = compatible[0] if compatible else None
            form = FormState(values={
                "offer": row.offer.reference,
                "need": first.row.need.reference if first else "",
                "amount_usd": str(first.default_amount) if first else "",
            })
        return cls(
            offer=row,
            remaining=remaining_budget(row.offer),
            options=[OfferOption(choice.row.need.reference,
                                 f"{choice.row.need.reference} · {choice.row.need.title} · "
                                 + _("%(left)s still required",
                                     left=money(choice.row.need.cost_usd
                                                - choice.row.need.agreed_usd)))
                     for choice in compatible],
            unusable=[choice for choice in choices if not choice.compatible],
            form=form,
        )


class AskOfferController(Controller):
    path = "/proposals/ask"
    guards = [roles_required(Role.REQUESTER)]
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="proposals:ask", sync_to_thread=True)
    def new(self, request: Request, db: Session, offer: str = "") -> Response:
        return self._page(request, db, offer)

    @post("/", name="proposals:ask-create", sync_to_thread=True)
    def create(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        try:
            data = ManualProposalInput.parse(form)
            proposal = asking.ask(db, request.state.viewer, data, i18n.get_language())
        except FormErrors as invalid:
            state = FormState.from_submission(form, invalid.errors)
            return self._page(request, db, form.get("offer") or "", state, 422)
        return go_to(request, f"/proposals/{proposal.id}", deliver_after_response(request))

    @staticmethod
    def _page(request: Request, db: Session, reference: str, form: FormState | None = None,
              status_code: int = 200) -> Response:
        viewer = request.state.viewer
        row = asking.offer_to_ask(db, viewer, reference.strip()[:REFERENCE_MAX])
        choices = asking.need_choices(db, viewer, row.offer, i18n.get_language())
        page = AskOfferPage.build(row, choices, form)
        return render(request, "proposals/ask.html", "proposals/_ask_form.html", page,
                      status_code=status_code)
