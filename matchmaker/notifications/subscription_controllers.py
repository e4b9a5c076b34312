"""/account/subscriptions: donors and requesters choose what their feed follows."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import Provide
from litestar.response import Redirect
from sqlmodel import Session

from matchmaker import i18n
from matchmaker.accounts.guards import roles_required
from matchmaker.errors import FormErrors
from matchmaker.models import Role
from matchmaker.notifications import subscriptions
from matchmaker.notifications.subscription_views import SubscriptionPage
from matchmaker.portfolio.choices import PortfolioChoices
from matchmaker.web.forms import FormState, provide_form
from matchmaker.web.render import render

PAGE = "notifications/subscriptions.html"


class SubscriptionController(Controller):
    path = "/account/subscriptions"
    guards = [roles_required(Role.DONOR, Role.REQUESTER)]
    dependencies = {"form": Provide(provide_form)}

    @get("/", name="account:subscriptions", sync_to_thread=True)
    def page(self, request: Request, db: Session, notice: str = "") -> Response:
        viewer = request.state.viewer
        chosen = subscriptions.followed(db, viewer.user_id,
                                        subscriptions.FEED_OF_ROLE[viewer.role])
        choices = PortfolioChoices.load(db, i18n.get_language())
        return render(request, PAGE, None,
                      SubscriptionPage.build(viewer.role, choices, chosen, notice=notice))

    @post("/", name="account:subscriptions:save", sync_to_thread=True)
    def save(self, request: Request, db: Session, form: FormMultiDict) -> Response:
        viewer = request.state.viewer
        choices = PortfolioChoices.load(db, i18n.get_language())
        submitted = {name: form.getall(name) for name in subscriptions.FIELDS if name in form}
        try:
            chosen = subscriptions.parse(choices, viewer.role, submitted)
        except FormErrors as exc:
            state = FormState(values=submitted, errors=exc.errors)
            page = SubscriptionPage.build(viewer.role, choices, subscriptions.Followed(), state)
            return render(request, PAGE, None, page, status_code=422)
        subscriptions.save(db, viewer.user_id, viewer.role, chosen)
        db.commit()
        return Redirect(path="/account/subscriptions?notice=saved", status_code=303)
