"""What the parties read about matching outside the solver pages: a donor's "needs I could
fund", by the matching encoder's compatibility, only among the needs the donor may see."""

from __future__ import annotations

from matchmaker.models import NeedStatus, Proposal, ProposalState
from tests import factories
from tests.accounts.conftest import sign_in
from tests.matching.conftest import category


def test_a_donor_sees_the_needs_its_offers_could_fund(client, session, people):
    machines = category(session, "marking.machines")
    fundable = factories.make_need(session, "GHA", topic=machines,
                                   title="Marking machines for the Ghana police")
    factories.make_need(session, "GHA", topic=category(session, "legislation.drafting"),
                        title="Drafting a firearms law")  # no offer of the donor covers it
    factories.make_need(session, "NER", topic=machines, status=NeedStatus.DRAFT,
                        title="Unpublished marking plan")  # the donor may not see it
    covered = factories.make_need(session, "SEN", topic=machines, cost_usd=30_000,
                                  title="Marking machines already agreed", agreed_usd=30_000)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 topics=[machines], title="German marking kits")
    session.add(Proposal(need_id=covered.id, offer_id=offer.id, amount_usd=30_000,
                         state=ProposalState.AGREED))
    session.commit()
    sign_in(client, session, people.donor)
    html = client.get("/needs/fundable").text
    assert (f'<a href="/needs/{fundable.reference}"><strong>Marking machines for the Ghana '
            'police</strong></a>') in html and "1 need" in html
    for hidden in ("Drafting a firearms law", "Unpublished marking plan",
                   "Marking machines already agreed"):
        assert hidden not in html


def test_only_donors_have_needs_they_could_fund(client, session, people):
    sign_in(client, session, people.requester)
    assert client.get("/needs/fundable").status_code == 403
    client.cookies.clear()
    assert client.get("/needs/fundable", follow_redirects=False).status_code in (302, 303)
    sign_in(client, session, people.donor)
    page = client.get("/needs/fundable")
    assert page.status_code == 200 and "No open need fits your published offers" in page.text
