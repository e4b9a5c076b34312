"""The journey of a proposal in which each party learns of every step only from the mail it
receives over SMTP, and acts from that mail's button, in its own language.

The secretariat proposes by hand to fund a Senegalese need with a German offer. The French-
speaking focal point of Senegal and the English-speaking German desk officer each open the mail
in a browser of their own (a fresh one: the mail's link leads through the sign-in page back to
the proposal), accept, write, follow the delivery and give their closure feedback. The test
prints the mails of the whole journey by kind (``-s`` shows the line).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from email.message import EmailMessage

import pytest
from playwright.sync_api import Page, expect

from matchmaker.mail import outbox
from matchmaker.models import Role, User
from matchmaker.notifications.tokens import read_unsubscribe_token
from tests import factories
from tests.accounts.conftest import PASSWORD, make_person
from tests.browser.steps import label, sign_in
from tests.conftest import TEST_SECRET
from tests.mail.conftest import MAIL_FROM, Mailbox, mailbox  # noqa: F401 - a fixture
from tests.matching.conftest import category

NEED_TITLE = "Machines de marquage pour la gendarmerie sénégalaise"
OFFER_TITLE = "German marking kits for West Africa"

# What each reader sees, in the words of the pages and mails of their language.
WORDS = {
    "en": {"locale": "en-GB", "email": "Email address", "password": "Password",
           "sign_in": "Sign in", "sign_out": "Sign out", "accept": "Accept",
           "greeting": "Dear {name},", "signature": "The Matchmaker clearing-house",
           "met": "Yes, the need was met", "note": "Your closure note",
           "send_feedback": "Send feedback"},
    "fr": {"locale": "fr-FR", "email": "Adresse électronique", "password": "Mot de passe",
           "sign_in": "Se connecter", "sign_out": "Se déconnecter", "accept": "Accepter",
           "greeting": "Bonjour {name},", "signature": "Le centre d'échange Matchmaker",
           "met": "Oui, le besoin a été satisfait", "note": "Votre note de clôture",
           "send_feedback": "Envoyer le bilan", "write": "Écrire un message",
           "send": "Envoyer le message"},
}


@dataclass
class Party:
    """A person of the journey: their account, their browser and their language."""

    user: User
    page: Page

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.user.language]


@pytest.fixture
def live_settings(live_settings, mailbox):  # noqa: F811 - the mail server of this test
    return replace(live_settings, mail_backend="smtp", smtp_host=mailbox.host,
                   smtp_port=mailbox.port, mail_from=MAIL_FROM)


def kind_of(message: EmailMessage) -> str:
    """The notification kind of a mail, read from its signed one-click unsubscribe link."""
    token = message["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    return read_unsubscribe_token(TEST_SECRET, token)[1]


def mail_of(mailbox: Mailbox, party: Party, kind: str) -> EmailMessage:  # noqa: F811
    """The mail of ``kind`` that ``party`` received (waiting for it), checked to be written
    in the party's language."""
    message = mailbox.wait_for(party.user.email, lambda message: kind_of(message) == kind)
    text = message.get_body(("plain",)).get_content()
    assert party.words["greeting"].format(name=party.user.name) in text
    assert party.words["signature"] in text
    assert f'lang="{party.user.language}"' in message.get_body(("html",)).get_content()
    return message


def open_mail(party: Party, message: EmailMessage) -> None:
    """Show the mail's HTML part in the party's browser, as a mail reader would, and press its
    button, which leads to the proposal."""
    page = party.page
    page.goto("about:blank")  # the mail reader, away from the app: its link must lead back
    page.set_content(message.get_body(("html",)).get_content())
    expect(page.get_by_text(party.words["greeting"].format(name=party.user.name))).to_be_visible()
    page.locator("a[href*='/proposals/']").first.click()


def sign_in_on_the_way(party: Party, proposal_path: str) -> None:
    """A party not signed in lands on the sign-in page, in its language, and then on the page
    the mail pointed to."""
    page, words = party.page, party.words
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("html")).to_have_attribute("lang", party.user.language)
    page.get_by_label(words["email"]).fill(party.user.email)
    page.get_by_label(label(words["password"])).fill(PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()
    expect(page.get_by_role("button", name=words["sign_out"])).to_be_visible()
    expect(page).to_have_url(re.compile(re.escape(proposal_path) + "$"))


def on_the_proposal(party: Party, proposal_path: str, state: str) -> None:
    page = party.page
    expect(page).to_have_url(re.compile(re.escape(proposal_path) + r"(#messages)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(NEED_TITLE)
    expect(page.locator("article.proposal")).to_have_attribute("data-state", state)


def give_feedback(party: Party, note: str) -> None:
    page, words = party.page, party.words
    page.get_by_role("radio", name=words["met"]).check()
    page.get_by_label(label(words["note"])).fill(note)
    page.get_by_role("button", name=words["send_feedback"]).click()
    expect(page.locator("ul.feedback")).to_contain_text(note)


@pytest.fixture
def cast(session):
    people = {
        "requester": make_person(session, "sen", Role.REQUESTER, name="Awa Diop",
                                 language="fr"),
        "donor": make_person(session, "deu", Role.DONOR, name="Dieter Braun", language="en"),
        "coordinator": make_person(session, "unrec", Role.COORDINATOR, name="Kofi Agbeko",
                                   language="en"),
        "admin": make_person(session, "unoda", Role.ADMIN, name="Ada Secretariat"),
    }
    machines = category(session, "marking.machines")
    need = factories.make_need(session, "SEN", topic=machines, cost_usd=40_000,
                               title=NEED_TITLE)
    offer = factories.make_offer(session, factories.state_org(session, "DEU"),
                                 topics=[machines], budget_usd=100_000, title=OFFER_TITLE)
    session.commit()
    return people, need, offer


def test_each_party_learns_of_every_step_from_its_mail_and_acts_from_its_link(
        browser, live_server, engine, live_settings, mailbox, cast):  # noqa: F811
    people, need, offer = cast
    contexts = []

    def party(role: str) -> Party:
        user = people[role]
        context = browser.new_context(locale=WORDS.get(user.language, WORDS["en"])["locale"])
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Party(user, context.new_page())

    requester, donor, coordinator, admin = (party(role) for role in
                                            ("requester", "donor", "coordinator", "admin"))
    try:
        # 1. The secretariat proposes the German offer for the Senegalese need, by hand.
        sign_in(admin.page, live_server("/login"), admin.user.email, PASSWORD)
        admin.page.goto(live_server(f"/needs/{need.reference}"))
        admin.page.get_by_role("link", name="Propose to fund this need").click()
        admin.page.get_by_label(label("Your offer")).select_option(offer.reference)
        admin.page.get_by_role("button", name="Propose").click()
        admin.page.wait_for_url(re.compile(r"/proposals/\d+$"))
        path = "/" + admin.page.url.split("/", 3)[3]

        # 2. Both sides hear of it by mail; the French focal point opens hers and accepts.
        told = mail_of(mailbox, donor, "proposal_new")
        assert told["Subject"] == f"New proposal: {need.reference} with {offer.reference}"
        new = mail_of(mailbox, requester, "proposal_new")
        assert NEED_TITLE in new.get_body(("plain",)).get_content()
        open_mail(requester, new)
        sign_in_on_the_way(requester, path)
        on_the_proposal(requester, path, "proposed")
        requester.page.get_by_role("button", name=requester.words["accept"]).click()
        on_the_proposal(requester, path, "accepted_by_requester")

        # 3. The donor learns of the acceptance, opens that mail and agrees.
        accepted = mail_of(mailbox, donor, "proposal_accepted")
        assert "Awa Diop" in accepted.get_body(("plain",)).get_content()
        open_mail(donor, accepted)
        sign_in_on_the_way(donor, path)
        donor.page.get_by_role("button", name="Accept").click()
        on_the_proposal(donor, path, "agreed")

        # 4. The agreement reaches both sides and the regional centre; the focal point writes.
        for reader in (donor, coordinator):
            mail_of(mailbox, reader, "proposal_agreed")
        open_mail(requester, mail_of(mailbox, requester, "proposal_agreed"))
        on_the_proposal(requester, path, "agreed")
        words = requester.words
        requester.page.get_by_label(words["write"]).fill(
            "Merci ! Les machines peuvent être livrées à Dakar, au camp Abdou Diassé.")
        requester.page.get_by_role("button", name=words["send"]).click()
        expect(requester.page.locator("#messages")).to_contain_text("camp Abdou Diassé")

        # 5. The donor reads the message in its mail, opens the thread and starts delivery.
        message = mail_of(mailbox, donor, "message_new")
        assert "camp Abdou Diassé" in message.get_body(("plain",)).get_content()
        open_mail(donor, message)
        on_the_proposal(donor, path, "agreed")
        expect(donor.page.locator("#messages")).to_contain_text("camp Abdou Diassé")
        donor.page.get_by_role("button", name="Delivery has started").click()
        on_the_proposal(donor, path, "in_delivery")

        # 6. The focal point follows the delivery from its mail; the donor marks it delivered.
        open_mail(requester, mail_of(mailbox, requester, "delivery_step"))
        on_the_proposal(requester, path, "in_delivery")
        donor.page.get_by_label(label("What was delivered?")).fill(
            "Two dot-peen machines delivered in Dakar; eight operators trained.")
        donor.page.get_by_role("button", name="Mark as delivered").click()
        on_the_proposal(donor, path, "delivered")

        # 7. Both are asked for closure feedback by mail, and give it from the mail's link.
        open_mail(requester, mail_of(mailbox, requester, "feedback_requested"))
        on_the_proposal(requester, path, "delivered")
        give_feedback(requester, "Toutes les armes de service de la gendarmerie sont marquées.")
        open_mail(donor, mail_of(mailbox, donor, "feedback_requested"))
        give_feedback(donor, "Delivered on time; the trainees mark weapons on their own.")
    finally:
        for context in contexts:
            context.close()

    # Nothing is left to send, and no mail was doubled.
    outbox.deliver_now(engine, live_settings)
    each_mail = Counter((arrived.recipients, kind_of(arrived.message),
                         str(arrived.message["Subject"])) for arrived in mailbox.arrived)
    assert set(each_mail.values()) == {1}
    assert all(arrived.recipients != (admin.user.email,) for arrived in mailbox.arrived)
    by_kind = Counter(kind for _reader, kind, _subject in each_mail.elements())
    print("journey mails by kind: " + ", ".join(
        f"{kind}={count}" for kind, count in sorted(by_kind.items()))
        + f" (total {sum(by_kind.values())})")
    assert by_kind == {"proposal_new": 2, "proposal_accepted": 1, "proposal_agreed": 3,
                       "message_new": 1, "delivery_step": 4, "feedback_requested": 2}
