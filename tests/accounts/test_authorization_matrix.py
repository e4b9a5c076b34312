"""The authorisation matrix: every route of the app, with every role, against ONE table.

Each row of ``TABLE`` names a route (method, path template as Litestar lists it) and the roles
allowed on it. Path parameters point at records of ANOTHER organisation (Fiji's State, Japan's
donor office, a run of the Asia-Pacific centre, an unrelated applicant), outside the requester's
State (Ghana), the donor's organisation (Germany) and the coordinator's region (UNREC: Africa).
So for an owner-only route "allowed" is admin alone: the owners are not among the five callers.

A new route makes ``test_every_route_is_in_the_table`` fail until it gets its row here.

Outcomes: *denied* is 401, 403, 404 or a redirect to the login page; *allowed* is any other
2xx / 3xx, or 400 / 409 / 422 (the handler was reached and judged the input or the record's
state, which is not an authorisation decision). A 5xx is always a failure.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

import pytest
from sqlalchemy import select

from matchmaker.accounts import sessions
from matchmaker.models import (
    AuthToken,
    Conversation,
    MatchRun,
    NeedStatus,
    OfferStatus,
    Proposal,
    Region,
    RunScope,
    User,
    UserStatus,
    utcnow,
)
from matchmaker.notifications import service
from matchmaker.notifications.tokens import unsubscribe_token
from tests import factories
from tests.accounts.conftest import (
    PASSWORD,
    People,
    anonymous_token,
    make_person,
    organisation,
    sign_in,
)
from tests.conftest import TEST_SECRET

ANONYMOUS, REQUESTER, DONOR, COORDINATOR, ADMIN = (
    "anonymous", "requester", "donor", "coordinator", "admin"
)
ROLES = (ANONYMOUS, REQUESTER, DONOR, COORDINATOR, ADMIN)
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({REQUESTER, DONOR, COORDINATOR, ADMIN})
ADMINS = frozenset({ADMIN})
SOLVERS = frozenset({COORDINATOR, ADMIN})
NEED_WRITERS = frozenset({REQUESTER, ADMIN})
OFFER_WRITERS = frozenset({DONOR, ADMIN})
NOBODY = frozenset()

_serial = count(1)


class World:
    """Records owned by organisations none of the callers belongs to, made fresh on demand."""

    def __init__(self, session, people: People) -> None:
        self.session = session
        self.people = people

    def user(self, role: str) -> User | None:
        return None if role == ANONYMOUS else getattr(self.people, role)

    def unique_email(self) -> str:
        return f"applicant{next(_serial)}@example.org"

    def fiji_account(self, **fields) -> User:
        user = make_person(self.session, "fji", "requester", **fields)
        self.session.commit()
        return user

    def pending_organisation(self):
        org = factories.make_organisation(self.session, f"Pending org {next(_serial)}",
                                          status="pending")
        self.session.commit()
        return org

    def draft_need(self):
        need = factories.make_need(self.session, "FJI", status=NeedStatus.DRAFT)
        self.session.commit()
        return need

    def draft_offer(self):
        offer = factories.make_offer(self.session, organisation(self.session, "jpn"),
                                     status=OfferStatus.DRAFT)
        self.session.commit()
        return offer

    def published_need(self):
        need = factories.make_need(self.session, "FJI")
        self.session.commit()
        return need

    def published_offer(self):
        offer = factories.make_offer(self.session, organisation(self.session, "jpn"))
        self.session.commit()
        return offer

    def conversation(self) -> Conversation:
        """Japan's donor office asking Fiji about its need."""
        need = factories.make_need(self.session, "FJI")
        asker = make_person(self.session, "jpn", "donor")
        conversation = Conversation(need_id=need.id, organisation_id=asker.organisation_id,
                                    country_id=need.country_id, started_by_id=asker.id)
        self.session.add(conversation)
        self.session.commit()
        return conversation

    def proposal(self) -> Proposal:
        need = factories.make_need(self.session, "FJI")
        offer = factories.make_offer(self.session, organisation(self.session, "jpn"))
        proposal = Proposal(need_id=need.id, offer_id=offer.id, amount_usd=10_000)
        self.session.add(proposal)
        self.session.commit()
        return proposal

    def run(self) -> MatchRun:
        starter = make_person(self.session, "unrcpd", "coordinator")
        asia = self.session.scalars(select(Region).where(Region.m49 == "142")).one()
        run = MatchRun(scope=RunScope.REGION, scope_region_id=asia.id, started_by_id=starter.id)
        self.session.add(run)
        self.session.commit()
        return run

    def reset_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.session.add(AuthToken(token_hash=sessions.digest(token),
                                   user_id=self.fiji_account().id,
                                   expires_at=utcnow().replace(year=utcnow().year + 1)))
        self.session.commit()
        return token


Params = Callable[[World], dict]


def _none(world: World) -> dict:
    return {}


@dataclass(frozen=True)
class Row:
    allowed: frozenset[str]
    params: Params = _none  # path parameters
    data: Params = _none  # form fields (or the JSON body under /api)
    query: Params = _none  # query string
    note: str = ""


def need(w: World) -> dict:
    return {"reference": w.draft_need().reference}


def offer(w: World) -> dict:
    return {"reference": w.draft_offer().reference}


def need_to_fund(w: World) -> dict:
    return {"need": w.published_need().reference}


def pair_to_fund(w: World) -> dict:
    """Fiji's need and Japan's published offer: outside the coordinator's region."""
    return {"need": w.published_need().reference, "offer": w.published_offer().reference}


def offer_to_ask(w: World) -> dict:
    return {"offer": w.published_offer().reference}


def question_on_need(w: World) -> dict:
    return {"need": w.published_need().reference, "body": "Which machines do you use?"}


def conversation(w: World) -> dict:
    return {"conversation_id": w.conversation().id}


def proposal(w: World) -> dict:
    return {"proposal_id": w.proposal().id}


def run(w: World) -> dict:
    return {"run_id": w.run().id}


def pending_account(w: World) -> dict:
    return {"user_id": w.fiji_account(status=UserStatus.PENDING).id}


def account(**fields) -> Params:
    return lambda w: {"user_id": w.fiji_account(**fields).id}


def pending_org(w: World) -> dict:
    return {"organisation_id": w.pending_organisation().id}


def signup_data(w: World) -> dict:
    return {"name": "New applicant", "email": w.unique_email(), "password": "a passphrase 2026",
            "password_confirm": "a passphrase 2026", "organisation_choice": "existing",
            "organisation_id": str(organisation(w.session, "fji").id), "role": "requester"}


def login_data(w: World) -> dict:
    return {"email": w.fiji_account().email, "password": PASSWORD}


def DECLINE(w: World) -> dict:  # noqa: N802 - reads as a constant in the table
    return {"reason": "We cannot take this on."}


def MESSAGE(w: World) -> dict:  # noqa: N802
    return {"body": "Hello"}


def NOTE(w: World) -> dict:  # noqa: N802
    return {"note": "Twelve marking machines delivered."}


def FEEDBACK(w: World) -> dict:  # noqa: N802
    return {"met": "yes", "note": "Delivered."}


def notification(w: World) -> dict:
    user = w.fiji_account()
    service.notify(w.session, [user], "message_new", f"matrix:{next(_serial)}", {}, "/")
    w.session.commit()
    return {"notification_id": service.recent(w.session, user.id, limit=1)[0].id}


def unsubscribe_link(w: World) -> dict:
    return {"token": unsubscribe_token(TEST_SECRET, w.fiji_account().id)}


def bulletin(w: World) -> dict:
    from datetime import date

    from matchmaker.bulletin.services import publish

    year = 1900 + next(_serial) % 100  # a period of its own each time: publish() makes it once
    published = publish(w.session, f"{year}-01", date(year, 1, 1), date(year, 1, 31))
    w.session.commit()
    return {"period": published.period}


PARTIES_BUT_COORDINATORS = frozenset({REQUESTER, DONOR})
NEW_PASSWORD = {"password": "another passphrase", "password_confirm": "another passphrase"}

TABLE: dict[tuple[str, str], Row] = {
    # --- public pages -------------------------------------------------------------------------
    ("GET", "/"): Row(EVERYONE),
    ("GET", "/health"): Row(EVERYONE),
    ("GET", "/language/{language:str}"): Row(EVERYONE, lambda w: {"language": "fr"}),
    ("GET", "/static/{file_path:path}"): Row(EVERYONE, lambda w: {"file_path": "css/matchmaker.css"}),
    ("HEAD", "/static/{file_path:path}"): Row(EVERYONE, lambda w: {"file_path": "css/matchmaker.css"}),
    ("GET", "/api/schema"): Row(EVERYONE),
    ("GET", "/api/schema/openapi.json"): Row(EVERYONE),
    ("GET", "/api/schema/{path:str}"): Row(NOBODY, lambda w: {"path": "swagger"},
                                           note="no UI is served: 404 for everyone"),
    # --- accounts -----------------------------------------------------------------------------
    ("GET", "/login"): Row(EVERYONE),
    ("POST", "/login"): Row(EVERYONE, data=login_data),
    ("POST", "/logout"): Row(EVERYONE),
    ("GET", "/signup"): Row(EVERYONE),
    ("POST", "/signup"): Row(EVERYONE, data=signup_data),
    ("GET", "/signup/done"): Row(EVERYONE),
    ("GET", "/password/forgot"): Row(EVERYONE),
    ("POST", "/password/forgot"): Row(EVERYONE, data=lambda w: {"email": w.unique_email()}),
    ("GET", "/password/reset/{token:str}"): Row(EVERYONE, lambda w: {"token": w.reset_token()}),
    ("POST", "/password/reset/{token:str}"): Row(EVERYONE, lambda w: {"token": w.reset_token()},
                                                 data=lambda w: NEW_PASSWORD),
    ("GET", "/account"): Row(SIGNED_IN),
    ("POST", "/account/language"): Row(SIGNED_IN, data=lambda w: {"language": "fr"}),
    ("GET", "/account/password"): Row(SIGNED_IN),
    ("POST", "/account/password"): Row(SIGNED_IN, data=lambda w: {"current_password": PASSWORD,
                                                                  **NEW_PASSWORD}),
    # --- notifications (path parameters: a notification of a Fiji account) --------------------
    # Only its owner reads or opens a notification, so nobody here may; an unsubscribe link's
    # signed token stands for its account, without sign-in.
    ("GET", "/notifications"): Row(SIGNED_IN),
    ("GET", "/notifications/bell"): Row(EVERYONE, note="signed out: 204, nothing to show"),
    ("GET", "/notifications/{notification_id:int}/open"): Row(NOBODY, notification),
    ("POST", "/notifications/{notification_id:int}/read"): Row(NOBODY, notification),
    ("POST", "/notifications/read-all"): Row(SIGNED_IN),
    ("GET", "/account/notifications"): Row(SIGNED_IN),
    ("POST", "/account/notifications"): Row(SIGNED_IN, data=lambda w: {"bulletin": "weekly"}),
    ("GET", "/unsubscribe/{token:str}"): Row(EVERYONE, unsubscribe_link),
    ("GET", "/account/subscriptions"): Row(PARTIES_BUT_COORDINATORS,
                                           note="feeds of needs (donors) and offers (requesters)"),
    ("POST", "/account/subscriptions"): Row(PARTIES_BUT_COORDINATORS, data=lambda w: {}),
    ("GET", "/bulletin"): Row(EVERYONE),
    ("GET", "/bulletin/{period:str}"): Row(EVERYONE, bulletin),
    ("GET", "/admin/schedule"): Row(ADMINS),
    ("POST", "/admin/schedule/{name:str}/run"): Row(ADMINS, lambda w: {"name": "flag_overdue"}),
    ("POST", "/unsubscribe/{token:str}"): Row(EVERYONE, unsubscribe_link),
    # --- administration -----------------------------------------------------------------------
    ("GET", "/admin"): Row(SOLVERS, note="coordinators see their region's applicants only"),
    ("POST", "/admin/accounts/{user_id:int}/approve"): Row(ADMINS, pending_account),
    ("POST", "/admin/accounts/{user_id:int}/reject"): Row(ADMINS, pending_account),
    ("GET", "/admin/accounts"): Row(ADMINS),
    ("POST", "/admin/accounts/{user_id:int}/role"): Row(ADMINS, account(),
                                                        data=lambda w: {"role": "donor"}),
    ("POST", "/admin/accounts/{user_id:int}/disable"): Row(ADMINS, account()),
    ("POST", "/admin/accounts/{user_id:int}/enable"): Row(ADMINS, account(status="disabled")),
    ("POST", "/admin/accounts/{user_id:int}/unlock"): Row(ADMINS, account(locked_at=utcnow())),
    ("GET", "/admin/organisations"): Row(ADMINS),
    ("GET", "/admin/organisations/{organisation_id:int}"): Row(ADMINS, pending_org),
    ("POST", "/admin/organisations/{organisation_id:int}"): Row(
        ADMINS, pending_org, data=lambda w: {"name": f"Renamed {next(_serial)}", "kind": "ngo"}),
    ("GET", "/admin/organisations/{organisation_id:int}/edit"): Row(ADMINS, pending_org),
    ("POST", "/admin/organisations/{organisation_id:int}/approve"): Row(ADMINS, pending_org),
    ("POST", "/admin/organisations/{organisation_id:int}/reject"): Row(ADMINS, pending_org),
    ("GET", "/admin/events"): Row(ADMINS),
    # --- needs (path parameters: a draft need of Fiji) ----------------------------------------
    ("GET", "/needs"): Row(EVERYONE),
    ("GET", "/needs/mine"): Row(frozenset({REQUESTER})),
    ("GET", "/needs/fundable"): Row(frozenset({DONOR})),
    ("GET", "/needs/new"): Row(NEED_WRITERS),
    ("POST", "/needs/new"): Row(NEED_WRITERS),
    ("POST", "/needs/check"): Row(NEED_WRITERS),
    ("GET", "/needs/{reference:str}"): Row(ADMINS, need),
    ("GET", "/needs/{reference:str}/edit"): Row(ADMINS, need),
    ("POST", "/needs/{reference:str}/edit"): Row(ADMINS, need),
    ("POST", "/needs/{reference:str}/publish"): Row(ADMINS, need),
    ("POST", "/needs/{reference:str}/draft"): Row(ADMINS, need),
    ("GET", "/needs/{reference:str}/withdraw"): Row(ADMINS, need),
    ("POST", "/needs/{reference:str}/withdraw"): Row(ADMINS, need),
    ("GET", "/api/needs"): Row(EVERYONE),
    ("POST", "/api/needs"): Row(NEED_WRITERS),
    ("GET", "/api/needs/{reference:str}"): Row(ADMINS, need),
    ("PATCH", "/api/needs/{reference:str}"): Row(ADMINS, need),
    ("PUT", "/api/needs/{reference:str}"): Row(ADMINS, need),
    ("POST", "/api/needs/{reference:str}/publish"): Row(ADMINS, need),
    ("POST", "/api/needs/{reference:str}/draft"): Row(ADMINS, need),
    ("POST", "/api/needs/{reference:str}/withdraw"): Row(ADMINS, need),
    # --- offers (path parameters: a draft offer of Japan) -------------------------------------
    ("GET", "/offers"): Row(EVERYONE),
    ("GET", "/offers/mine"): Row(frozenset({DONOR})),
    ("GET", "/offers/new"): Row(OFFER_WRITERS),
    ("POST", "/offers/new"): Row(OFFER_WRITERS),
    ("POST", "/offers/check"): Row(OFFER_WRITERS),
    ("GET", "/offers/{reference:str}"): Row(ADMINS, offer),
    ("GET", "/offers/{reference:str}/edit"): Row(ADMINS, offer),
    ("POST", "/offers/{reference:str}/edit"): Row(ADMINS, offer),
    ("POST", "/offers/{reference:str}/publish"): Row(ADMINS, offer),
    ("POST", "/offers/{reference:str}/draft"): Row(ADMINS, offer),
    ("GET", "/offers/{reference:str}/withdraw"): Row(ADMINS, offer),
    ("POST", "/offers/{reference:str}/withdraw"): Row(ADMINS, offer),
    ("GET", "/api/offers"): Row(EVERYONE),
    ("POST", "/api/offers"): Row(OFFER_WRITERS),
    ("GET", "/api/offers/{reference:str}"): Row(ADMINS, offer),
    ("PATCH", "/api/offers/{reference:str}"): Row(ADMINS, offer),
    ("PUT", "/api/offers/{reference:str}"): Row(ADMINS, offer),
    ("POST", "/api/offers/{reference:str}/publish"): Row(ADMINS, offer),
    ("POST", "/api/offers/{reference:str}/draft"): Row(ADMINS, offer),
    ("POST", "/api/offers/{reference:str}/withdraw"): Row(ADMINS, offer),
    # --- proposals (path parameters: a proposal between Fiji's need and Japan's offer) --------
    # Only the two parties answer a proposal and give closure feedback, so nobody here may;
    # admins (and coordinators of its region) follow its delivery.
    ("GET", "/proposals"): Row(SIGNED_IN),
    ("GET", "/proposals/awaiting-count"): Row(SIGNED_IN),
    ("GET", "/proposals/new"): Row(OFFER_WRITERS, query=need_to_fund,
                                   note="any published need may be funded by hand"),
    ("POST", "/proposals/new"): Row(OFFER_WRITERS, data=pair_to_fund),
    ("GET", "/proposals/ask"): Row(frozenset({REQUESTER}), query=offer_to_ask),
    ("POST", "/proposals/ask"): Row(frozenset({REQUESTER}), data=offer_to_ask),
    # --- conversations (path parameters: Japan's donor office asking Fiji about its need) ----
    ("GET", "/conversations"): Row(SIGNED_IN),
    ("GET", "/conversations/new"): Row(frozenset({DONOR}), query=need_to_fund,
                                       note="donors ask a State about its need"),
    ("POST", "/conversations/new"): Row(frozenset({DONOR}), data=question_on_need),
    ("GET", "/conversations/{conversation_id:int}"): Row(ADMINS, conversation),
    ("POST", "/conversations/{conversation_id:int}/messages"): Row(ADMINS, conversation,
                                                                   data=MESSAGE),
    ("GET", "/proposals/{proposal_id:int}"): Row(ADMINS, proposal),
    ("POST", "/proposals/{proposal_id:int}/accept"): Row(NOBODY, proposal),
    ("POST", "/proposals/{proposal_id:int}/decline"): Row(NOBODY, proposal, data=DECLINE),
    ("POST", "/proposals/{proposal_id:int}/messages"): Row(ADMINS, proposal, data=MESSAGE),
    ("POST", "/proposals/{proposal_id:int}/delivery"): Row(ADMINS, proposal),
    ("POST", "/proposals/{proposal_id:int}/delivered"): Row(ADMINS, proposal, data=NOTE),
    ("POST", "/proposals/{proposal_id:int}/feedback"): Row(NOBODY, proposal, data=FEEDBACK),
    ("GET", "/api/proposals"): Row(SIGNED_IN),
    ("POST", "/api/proposals"): Row(OFFER_WRITERS, data=pair_to_fund,
                                    note="coordinators broker only their region's needs"),
    ("GET", "/api/proposals/{proposal_id:int}"): Row(ADMINS, proposal),
    ("POST", "/api/proposals/{proposal_id:int}/accept"): Row(NOBODY, proposal),
    ("POST", "/api/proposals/{proposal_id:int}/decline"): Row(NOBODY, proposal, data=DECLINE),
    ("POST", "/api/proposals/{proposal_id:int}/delivery"): Row(ADMINS, proposal),
    ("POST", "/api/proposals/{proposal_id:int}/delivered"): Row(ADMINS, proposal, data=NOTE),
    ("POST", "/api/proposals/{proposal_id:int}/feedback"): Row(NOBODY, proposal, data=FEEDBACK),
    ("GET", "/api/proposals/{proposal_id:int}/messages"): Row(ADMINS, proposal),
    ("POST", "/api/proposals/{proposal_id:int}/messages"): Row(ADMINS, proposal, data=MESSAGE),
    # --- solver runs (path parameters: a run of the Asia-Pacific centre) ----------------------
    ("GET", "/runs"): Row(SOLVERS),
    ("POST", "/runs"): Row(SOLVERS),
    ("GET", "/runs/{run_id:int}"): Row(ADMINS, run),
    ("GET", "/api/runs"): Row(SOLVERS),
    ("POST", "/api/runs"): Row(SOLVERS, data=lambda w: {"scope": "region", "region": "002"}),
    ("GET", "/api/runs/{run_id:int}"): Row(ADMINS, run),
}


def app_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) the app serves; the OPTIONS handlers Litestar adds are left out."""
    return {
        (method, path)
        for path, handlers in app.route_handler_method_map.items()
        for method in handlers
        if method != "OPTIONS"
    }


def test_every_route_is_in_the_table(app):
    routes = app_routes(app)
    missing = sorted(routes - TABLE.keys())
    stale = sorted(TABLE.keys() - routes)
    assert not missing, f"routes without a row in TABLE (add one per route): {missing}"
    assert not stale, f"rows in TABLE for routes that no longer exist: {stale}"


PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def outcome(response) -> str:
    status = response.status_code
    location = response.headers.get("location", "")
    if status >= 500:
        return f"error {status}"
    if status in (401, 403, 404) or (300 <= status < 400 and location.startswith("/login")):
        return "denied"
    if 200 <= status < 400 or status in (400, 409, 422):
        return "allowed"
    return f"unexpected {status}"


@dataclass
class Caller:
    client: object
    world: World
    results: dict[str, str] = field(default_factory=dict)

    def request(self, role: str, method: str, template: str, row: Row):
        client, world = self.client, self.world
        client.cookies.clear()
        user = world.user(role)
        token = sign_in(client, world.session, user) if user else anonymous_token(client)
        params = row.params(world)
        path = PARAMETER.sub(lambda m: str(params[m.group(1)]), template)
        body = {}
        if method not in ("GET", "HEAD"):
            data = row.data(world)
            body = {"json": data} if path.startswith("/api/") else {"data": {**data,
                                                                             "_csrf": token}}
        return client.request(method, path, params=row.query(world),
                              headers={"X-CSRF-Token": token}, follow_redirects=False, **body)


@pytest.mark.parametrize(("method", "template"), sorted(TABLE),
                         ids=[f"{method} {path}" for method, path in sorted(TABLE)])
def test_route_allows_exactly_the_roles_of_its_row(client, session, people, method, template):
    if (method, template) not in app_routes(client.app):
        pytest.skip("route not served by this app (see test_every_route_is_in_the_table)")
    row = TABLE[(method, template)]
    caller = Caller(client, World(session, people))
    wrong = {}
    for role in ROLES:
        response = caller.request(role, method, template, row)
        expected = "allowed" if role in row.allowed else "denied"
        got = outcome(response)
        if got != expected:
            wrong[role] = f"expected {expected}, got {got} ({response.status_code})"
    assert not wrong, f"{method} {template}: {wrong}"
