"""The web pages render the demo portfolio for every documented account (no shape surprises)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select

from matchmaker.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, build_demo
from matchmaker.models import MatchRun, Need, Offer, Proposal, UserStatus
from tests.demo.portfolio import TODAY
from tests.helpers import csrf_token

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def sign_in(client, email: str) -> None:
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                           "_csrf": token}, follow_redirects=False)  # fmt: skip
    assert response.status_code == 303, response.text[:300]


@pytest.fixture
def demo(engine) -> dict:
    with Session(engine, expire_on_commit=False) as session:
        build_demo(session, today=TODAY)
        session.commit()
        proposals = session.exec(select(Proposal)).all()
        return {
            "needs": [n.reference for n in session.exec(select(Need)).all()],
            "offers": [o.reference for o in session.exec(select(Offer)).all()],
            "proposals": {p.state: p.id for p in proposals},
            "runs": [r.id for r in session.exec(select(MatchRun)).all()],
        }


def test_pages_render_for_each_documented_account(client, demo):
    pages = ["/", "/needs", "/offers", "/proposals", "/runs", "/account"]
    pages += [f"/needs/{demo['needs'][0]}", f"/offers/{demo['offers'][0]}"]
    pages += [f"/proposals/{proposal_id}" for proposal_id in demo["proposals"].values()]
    pages += [f"/runs/{run_id}" for run_id in demo["runs"]]
    broken = set()
    for account in DEMO_ACCOUNTS:
        if account.status != UserStatus.ACTIVE:
            continue
        client.cookies.clear()
        sign_in(client, account.email)
        admin = ["/admin", "/admin/accounts", "/admin/organisations", "/admin/events"]
        for page in pages + (admin if account.role == "admin" else []):
            response = client.get(page)
            if response.status_code not in (200, 403, 404):
                broken.add((page, response.status_code))
    assert not broken, sorted(broken)


def test_the_pending_account_cannot_sign_in_yet(client, demo):
    pending = next(a for a in DEMO_ACCOUNTS if a.status == UserStatus.PENDING)
    token = csrf_token(client.get("/login").text)
    response = client.post("/login", data={"email": pending.email, "password": DEMO_PASSWORD,
                                           "_csrf": token}, follow_redirects=False)  # fmt: skip
    assert response.status_code != 303
    assert re.search(r"approv|pending", response.text, re.IGNORECASE)
