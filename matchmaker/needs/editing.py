"""Writing needs: create, edit, publish, withdraw and back to draft, each change an event.

Requesters write their own State's needs, admins any State's. A need can be edited in full
while it is a draft or published without agreed proposals; once a donor's money is agreed the
need is a commitment and stays as agreed. A published need must stay publishable, so its edits
meet the publishing rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from matchmaker.accounts.authz import Viewer, can_edit_need, can_post_needs, needs_visible
from matchmaker.errors import Conflict
from matchmaker.events import record_event, snapshot
from matchmaker.i18n import _
from matchmaker.models import (
    Category,
    Country,
    Modality,
    Need,
    NeedStatus,
    Organisation,
    OrganisationKind,
    Side,
    utcnow,
)
from matchmaker.needs.quality import Completeness, Duplicate, completeness, possible_duplicates
from matchmaker.needs.schemas import NeedInput, read_need
from matchmaker.needs.views import STATUS_LABELS
from matchmaker.portfolio.choices import PortfolioChoices
from matchmaker.portfolio.coverage import has_commitments
from matchmaker.portfolio.fields import form_errors, today
from matchmaker.portfolio.lifecycle import (
    change_status,
    committing,
    return_to_draft,
    withdraw,
    withdrawal_reason,
)
from matchmaker.portfolio.records import find_record, record_to_change, record_to_save
from matchmaker.references import add_with_reference

NEED_FIELDS = (
    "title", "description", "goal", "topic_id", "modality_id", "quantity", "unit",
    "estimated_cost", "currency", "cost_usd", "priority", "start_date", "deadline", "languages",
    "commitment", "action_plan_ref", "visibility", "status",
)
EDITABLE_STATUSES = (NeedStatus.DRAFT, NeedStatus.PUBLISHED)
WITHDRAWABLE_STATUSES = (NeedStatus.DRAFT, NeedStatus.PUBLISHED, NeedStatus.EXPIRED)
REDRAFTABLE_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.WITHDRAWN, NeedStatus.EXPIRED)


def status_word(status: str) -> str:
    return str(STATUS_LABELS.get(status, status)).lower()


# --- finding ------------------------------------------------------------------------------


def find_need(session: Session, viewer: Viewer, reference: str) -> Need:
    """The need ``reference`` if ``viewer`` may see it, else NotFound (nothing leaks)."""
    return find_record(session, Need, reference, needs_visible(viewer),
                       _("No need with reference “%(ref)s”.", ref=reference[:24]))


def need_to_edit(session: Session, viewer: Viewer, reference: str, *, lock: bool = False,
                 with_proposals: bool = False) -> Need:
    """A need ``viewer`` may change: NotFound if hidden, PermissionDenied if another State's.

    With ``lock`` the need (and with ``with_proposals`` its proposals) is locked for the change.
    """
    need = find_need(session, viewer, reference)
    return record_to_change(session, need, allowed=can_edit_need(viewer, need),
                            refusal=_("Only the requesting State may change this need."),
                            lock=lock, with_proposals=with_proposals)


def edit_blocked_reason(session: Session, need: Need) -> str | None:
    """Why ``need`` cannot be edited in full now, or None when it can."""
    if need.status not in EDITABLE_STATUSES:
        if need.status in (NeedStatus.WITHDRAWN, NeedStatus.EXPIRED):
            return _("This need is %(status)s. Return it to draft to edit it again.",
                     status=status_word(need.status))
        return _("This need has agreed funding, so it is a commitment and can no longer be "
                 "edited. Discuss changes with the donor on the proposal.")
    if has_commitments(session, need_id=need.id):
        return _("This need has agreed proposals, so it can no longer be edited.")
    return None


# --- the form -----------------------------------------------------------------------------


def blank_need_values() -> dict[str, Any]:
    return {"currency": "USD", "priority": "medium", "languages": ["en"], "visibility": "public"}


def need_form_values(session: Session, need: Need) -> dict[str, Any]:
    """The stored need as raw form values (codes, ISO dates, language list)."""
    topic = session.get(Category, need.topic_id)
    modality = session.get(Modality, need.modality_id)
    country = session.get(Country, need.country_id)
    return {
        "title": need.title, "description": need.description, "goal": need.goal,
        "topic": topic.code if topic else "", "modality": modality.code if modality else "",
        "quantity": "" if need.quantity is None else str(need.quantity), "unit": need.unit,
        "estimated_cost": str(need.estimated_cost) if need.estimated_cost else "",
        "currency": need.currency, "priority": need.priority,
        "start_date": need.start_date.isoformat() if need.start_date else "",
        "deadline": need.deadline.isoformat() if need.deadline else "",
        "languages": [code for code in need.languages.split(",") if code],
        "commitment": need.commitment, "action_plan_ref": need.action_plan_ref,
        "visibility": need.visibility, "country": country.iso3 if country else "",
    }


@dataclass(frozen=True)
class NeedCheck:
    """What the form shows while a need is written."""

    errors: dict[str, str]
    completeness: Completeness
    duplicates: list[Duplicate]


def _requesting_organisation_id(session: Session, viewer: Viewer, need: Need | None,
                                country_id: int | None) -> int | None:
    if need is not None:
        return need.organisation_id
    if viewer.country_id is not None and not viewer.is_admin:
        return viewer.organisation_id
    if country_id is None:
        return None
    return session.scalars(select(Organisation.id).where(
        Organisation.country_id == country_id, Organisation.kind == OrganisationKind.STATE)
    ).first()


def check_need(session: Session, viewer: Viewer, data, choices: PortfolioChoices,
               need: Need | None = None) -> NeedCheck:
    """Validate a need being written (nothing is saved), with its score and duplicates."""
    values, errors = read_need(data, choices, publishing=True, today=today(),
                               needs_country=need is None and viewer.is_admin)
    organisation_id = _requesting_organisation_id(session, viewer, need, values.country_id)
    return NeedCheck(
        errors=errors,
        completeness=completeness(values.goal, values.estimated_cost, values.quantity,
                                  values.deadline, values.commitment),
        duplicates=possible_duplicates(session, organisation_id, values.title, values.topic_id,
                                       exclude_id=need.id if need else None),
    )


def _apply(need: Need, values: NeedInput) -> None:
    for name in ("title", "description", "goal", "topic_id", "modality_id", "quantity", "unit",
                 "currency", "priority", "start_date", "deadline", "commitment",
                 "action_plan_ref", "visibility"):
        setattr(need, name, getattr(values, name))
    need.estimated_cost = values.estimated_cost or 0
    need.cost_usd = values.cost_usd or 0
    need.languages = ",".join(values.languages)
    need.updated_at = utcnow()


def save_need(session: Session, viewer: Viewer, data, choices: PortfolioChoices, *,
              reference: str | None = None, publish: bool = False,
              partial: bool = False) -> Need:
    """Create (no ``reference``) or update a need from form data; publish it if asked.

    With ``partial`` (JSON PATCH) fields left out keep their stored values. Raises FormErrors
    (422) with a message per field; nothing is written then.
    """
    with committing(session):
        need, data = record_to_save(
            session, viewer, reference, data, partial=partial, may_post=can_post_needs(viewer),
            post_refusal=_("Only a State's requesters may post needs."), to_edit=need_to_edit,
            blocked=lambda need: edit_blocked_reason(session, need),
            form_values=need_form_values)
        publishing = publish or (need is not None and need.status != NeedStatus.DRAFT)
        values, errors = read_need(data, choices, publishing=publishing, today=today(),
                                   needs_country=need is None and viewer.is_admin)
        organisation_id = _requesting_organisation_id(session, viewer, need, values.country_id)
        if need is None and organisation_id is None and "country" not in errors:
            errors["country"] = _("This State has no organisation in Matchmaker yet.")
        if errors:
            raise form_errors(errors)
        if need is None:
            need = _create(session, viewer, organisation_id, values)
        else:
            _update(session, viewer, need, values)
        if publish and need.status == NeedStatus.DRAFT:
            change_status(session, viewer, need, "need", NEED_FIELDS, "published",
                          NeedStatus.PUBLISHED)
    return need


def _create(session: Session, viewer: Viewer, organisation_id: int, values: NeedInput) -> Need:
    organisation = session.get(Organisation, organisation_id)
    need = Need(organisation_id=organisation.id, country_id=organisation.country_id,
                created_by_id=viewer.user_id, status=NeedStatus.DRAFT, title=values.title,
                topic_id=values.topic_id, modality_id=values.modality_id)
    _apply(need, values)
    add_with_reference(session, need)
    record_event(session, viewer, "need", need.id, "created", after=snapshot(need, NEED_FIELDS))
    return need


def _update(session: Session, viewer: Viewer, need: Need, values: NeedInput) -> None:
    before = snapshot(need, NEED_FIELDS)
    _apply(need, values)
    after = snapshot(need, NEED_FIELDS)
    if after != before:
        session.add(need)
        session.flush()
        record_event(session, viewer, "need", need.id, "updated", before=before, after=after)


# --- status actions -----------------------------------------------------------------------


def publish_need(session: Session, viewer: Viewer, reference: str,
                 choices: PortfolioChoices) -> Need:
    """Publish a draft; FormErrors lists what it still lacks."""
    with committing(session):
        need = need_to_edit(session, viewer, reference, lock=True)
        if need.status != NeedStatus.DRAFT:
            raise Conflict(_("Only a draft can be published; this need is already "
                             "%(status)s.", status=status_word(need.status)))
        _values, errors = read_need(need_form_values(session, need), choices, publishing=True,
                                    today=today())
        if errors:
            raise form_errors(errors)
        change_status(session, viewer, need, "need", NEED_FIELDS, "published",
                      NeedStatus.PUBLISHED)
    return need


def withdraw_need(session: Session, viewer: Viewer, reference: str, reason: str = "") -> Need:
    """Withdraw a need that has no agreed proposals; its open proposals are declined.

    ``reason`` (optional) is recorded on the event and given to the donors as the decline
    reason of their proposals.
    """
    with committing(session):
        need = need_to_edit(session, viewer, reference, lock=True, with_proposals=True)
        withdraw(
            session, viewer, need, "need", NEED_FIELDS, side=Side.REQUESTER,
            reason=withdrawal_reason(reason, _("The requesting State withdrew the need.")),
            committed=has_commitments(session, need_id=need.id),
            committed_refusal=_("This need cannot be withdrawn: it has agreed proposals, which "
                                "are commitments with donors. Settle them with the donors "
                                "first."),
            withdrawable=WITHDRAWABLE_STATUSES,
            status_refusal=_("This need is %(status)s; it cannot be withdrawn.",
                             status=status_word(need.status)))
    return need


def return_need_to_draft(session: Session, viewer: Viewer, reference: str) -> Need:
    """Take a published, withdrawn or expired need back to draft (no agreed proposals)."""
    with committing(session):
        need = need_to_edit(session, viewer, reference, lock=True, with_proposals=True)
        return_to_draft(
            session, viewer, need, "need", NEED_FIELDS, side=Side.REQUESTER,
            redraftable=REDRAFTABLE_STATUSES,
            committed=lambda: has_commitments(session, need_id=need.id),
            refusal=_("Only a published, withdrawn or expired need without agreed proposals "
                      "can go back to draft."),
            reason=_("The need went back to draft for changes."))
    return need
