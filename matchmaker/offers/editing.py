"""Writing offers: create, edit, publish, withdraw and back to draft, each change an event.

Donors write their own organisation's offers, admins any organisation's. An offer with agreed
proposals stays editable (a donor may widen it or add budget) but its budget cannot fall below
what is already committed, and it cannot be withdrawn while commitments hold its money.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from matchmaker.accounts.authz import (
    Viewer,
    can_edit_offer,
    can_post_offers,
    offers_visible,
)
from matchmaker.errors import Conflict
from matchmaker.events import record_event, snapshot
from matchmaker.i18n import _
from matchmaker.models import (
    Category,
    Country,
    Modality,
    Offer,
    OfferCategory,
    OfferCountry,
    OfferModality,
    OfferRegion,
    OfferStatus,
    Region,
    Side,
    utcnow,
)
from matchmaker.offers.schemas import OfferInput, read_offer
from matchmaker.portfolio.choices import PortfolioChoices, donor_organisations
from matchmaker.portfolio.coverage import has_commitments, offer_status_follow_budget
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
from matchmaker.web.templating import money

OFFER_FIELDS = (
    "title", "description", "budget", "currency", "budget_usd", "committed_usd", "quantity",
    "unit", "languages", "available_from", "available_until", "ldc_only", "sids_only",
    "conditions", "status",
)
EDITABLE_STATUSES = (OfferStatus.DRAFT, OfferStatus.PUBLISHED, OfferStatus.EXHAUSTED)
WITHDRAWABLE_STATUSES = EDITABLE_STATUSES
REDRAFTABLE_STATUSES = (OfferStatus.PUBLISHED, OfferStatus.WITHDRAWN)
LINKS = (
    ("categories", OfferCategory, OfferCategory.category_id, Category, Category.code),
    ("modalities", OfferModality, OfferModality.modality_id, Modality, Modality.code),
    ("regions", OfferRegion, OfferRegion.region_id, Region, Region.m49),
)


def find_offer(session: Session, viewer: Viewer, reference: str) -> Offer:
    return find_record(session, Offer, reference, offers_visible(viewer),
                       _("No offer with reference “%(ref)s”.", ref=reference[:24]))


def offer_to_edit(session: Session, viewer: Viewer, reference: str, *, lock: bool = False,
                  with_proposals: bool = False) -> Offer:
    """An offer ``viewer`` may change: NotFound if hidden, PermissionDenied if another donor's."""
    offer = find_offer(session, viewer, reference)
    return record_to_change(session, offer, allowed=can_edit_offer(viewer, offer),
                            refusal=_("Only the donor may change this offer."),
                            lock=lock, with_proposals=with_proposals)


def edit_blocked_reason(offer: Offer) -> str | None:
    if offer.status == OfferStatus.WITHDRAWN:
        return _("This offer is withdrawn. Return it to draft to edit it again.")
    return None


def blank_offer_values() -> dict[str, Any]:
    return {"currency": "USD", "languages": ["en"]}


def offer_form_values(session: Session, offer: Offer) -> dict[str, Any]:
    """The stored offer as raw form values (codes, ISO dates, lists)."""
    values: dict[str, Any] = {
        "title": offer.title, "description": offer.description,
        "budget": str(offer.budget) if offer.budget else "", "currency": offer.currency,
        "quantity": "" if offer.quantity is None else str(offer.quantity), "unit": offer.unit,
        "languages": [code for code in offer.languages.split(",") if code],
        "available_from": offer.available_from.isoformat() if offer.available_from else "",
        "available_until": offer.available_until.isoformat() if offer.available_until else "",
        "ldc_only": "on" if offer.ldc_only else "", "sids_only": "on" if offer.sids_only else "",
        "conditions": offer.conditions,
    }
    for key, link, column, model, code in LINKS:
        values[key] = list(session.scalars(
            select(code).join(link, column == model.id).where(link.offer_id == offer.id)))
    for key, excluded in (("countries", False), ("excluded_countries", True)):
        values[key] = list(session.scalars(
            select(Country.iso3).join(OfferCountry, OfferCountry.country_id == Country.id)
            .where(OfferCountry.offer_id == offer.id, OfferCountry.excluded == excluded)))
    return values


def _links_snapshot(session: Session, offer: Offer) -> dict[str, list[str]]:
    values = offer_form_values(session, offer)
    return {key: sorted(values[key]) for key in ("categories", "modalities", "regions",
                                                 "countries", "excluded_countries")}


def _full_snapshot(session: Session, offer: Offer) -> dict[str, Any]:
    return {**snapshot(offer, OFFER_FIELDS), **_links_snapshot(session, offer)}


def _apply(session: Session, offer: Offer, values: OfferInput) -> None:
    for name in ("title", "description", "currency", "quantity", "unit", "available_from",
                 "available_until", "ldc_only", "sids_only", "conditions"):
        setattr(offer, name, getattr(values, name))
    offer.budget = values.budget or 0
    offer.budget_usd = values.budget_usd or 0
    offer.languages = ",".join(values.languages)
    offer.updated_at = utcnow()
    session.add(offer)
    session.flush()
    for link in (OfferCategory, OfferModality, OfferRegion, OfferCountry):
        session.execute(delete(link).where(link.offer_id == offer.id))
    session.add_all(
        [OfferCategory(offer_id=offer.id, category_id=i) for i in values.category_ids]
        + [OfferModality(offer_id=offer.id, modality_id=i) for i in values.modality_ids]
        + [OfferRegion(offer_id=offer.id, region_id=i) for i in values.region_ids]
        + [OfferCountry(offer_id=offer.id, country_id=i) for i in values.country_ids]
        + [OfferCountry(offer_id=offer.id, country_id=i, excluded=True)
           for i in values.excluded_country_ids]
    )
    offer_status_follow_budget(offer)
    session.flush()


def _organisations(session: Session, viewer: Viewer, offer: Offer | None) -> dict[str, int] | None:
    if offer is None and viewer.is_admin:
        return {choice.value: choice.record_id for choice in donor_organisations(session)}
    return None


def read_offer_input(session: Session, viewer: Viewer, data, choices: PortfolioChoices, *,
                     offer: Offer | None = None, publishing: bool = True):
    """Validate offer form data (nothing is saved); returns the values and errors by field."""
    values, errors = read_offer(data, choices, publishing=publishing, today=today(),
                                organisations=_organisations(session, viewer, offer))
    if offer is not None and values.budget_usd is not None and "budget" not in errors \
            and values.budget_usd < offer.committed_usd:
        errors["budget"] = _(
            "Agreed proposals already hold %(committed)s of this offer; the budget cannot be "
            "lower than that.", committed=money(offer.committed_usd, "USD"))
    return values, errors


def save_offer(session: Session, viewer: Viewer, data, choices: PortfolioChoices, *,
               reference: str | None = None, publish: bool = False,
               partial: bool = False) -> Offer:
    """Create (no ``reference``) or update an offer from form data; publish it if asked.

    Raises FormErrors (422) with a message per field; nothing is written then.
    """
    with committing(session):
        offer, data = record_to_save(
            session, viewer, reference, data, partial=partial, may_post=can_post_offers(viewer),
            post_refusal=_("Only donors may post offers."), to_edit=offer_to_edit,
            blocked=edit_blocked_reason, form_values=offer_form_values)
        publishing = publish or (offer is not None and offer.status != OfferStatus.DRAFT)
        values, errors = read_offer_input(session, viewer, data, choices, offer=offer,
                                          publishing=publishing)
        if errors:
            raise form_errors(errors)
        if offer is None:
            organisation_id = (_organisations(session, viewer, None) or {}).get(
                values.organisation) or viewer.organisation_id
            offer = Offer(organisation_id=organisation_id, created_by_id=viewer.user_id,
                          title=values.title, status=OfferStatus.DRAFT)
            add_with_reference(session, offer)
            _apply(session, offer, values)
            record_event(session, viewer, "offer", offer.id, "created",
                         after=_full_snapshot(session, offer))
        else:
            before = _full_snapshot(session, offer)
            _apply(session, offer, values)
            after = _full_snapshot(session, offer)
            if after != before:
                record_event(session, viewer, "offer", offer.id, "updated", before=before,
                             after=after)
        if publish and offer.status == OfferStatus.DRAFT:
            change_status(session, viewer, offer, "offer", OFFER_FIELDS, "published",
                          OfferStatus.PUBLISHED)
            offer_status_follow_budget(offer)
    return offer


def publish_offer(session: Session, viewer: Viewer, reference: str,
                  choices: PortfolioChoices) -> Offer:
    """Publish a draft; FormErrors lists what it still lacks."""
    with committing(session):
        offer = offer_to_edit(session, viewer, reference, lock=True)
        if offer.status != OfferStatus.DRAFT:
            raise Conflict(_("Only a draft can be published."))
        _values, errors = read_offer_input(session, viewer, offer_form_values(session, offer),
                                           choices, offer=offer)
        if errors:
            raise form_errors(errors)
        change_status(session, viewer, offer, "offer", OFFER_FIELDS, "published",
                      OfferStatus.PUBLISHED)
    return offer


def withdraw_offer(session: Session, viewer: Viewer, reference: str, reason: str = "") -> Offer:
    """Withdraw an offer without agreed proposals; its open proposals are declined.

    ``reason`` (optional) is recorded on the event and given to the requesting States as the
    decline reason of their proposals.
    """
    with committing(session):
        offer = offer_to_edit(session, viewer, reference, lock=True, with_proposals=True)
        withdraw(
            session, viewer, offer, "offer", OFFER_FIELDS, side=Side.DONOR,
            reason=withdrawal_reason(reason, _("The donor withdrew the offer.")),
            committed=has_commitments(session, offer_id=offer.id),
            committed_refusal=_("This offer cannot be withdrawn: agreed proposals hold part of "
                                "its budget. Settle them with the requesting States first."),
            withdrawable=WITHDRAWABLE_STATUSES,
            status_refusal=_("This offer is already withdrawn."))
    return offer


def return_offer_to_draft(session: Session, viewer: Viewer, reference: str) -> Offer:
    """Take a published or withdrawn offer without agreed proposals back to draft."""
    with committing(session):
        offer = offer_to_edit(session, viewer, reference, lock=True, with_proposals=True)
        return_to_draft(
            session, viewer, offer, "offer", OFFER_FIELDS, side=Side.DONOR,
            redraftable=REDRAFTABLE_STATUSES,
            committed=lambda: has_commitments(session, offer_id=offer.id),
            refusal=_("Only a published or withdrawn offer without agreed proposals can go "
                      "back to draft."),
            reason=_("The offer went back to draft for changes."))
    return offer
