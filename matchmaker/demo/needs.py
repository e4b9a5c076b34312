"""Demo needs: concrete projects of requesting States, drawn from the project templates."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from matchmaker.demo.catalogue import Catalogue, ProjectTemplate, Requester
from matchmaker.demo.context import Clock, DemoError, Reference, in_currency, nice_round
from matchmaker.demo.people import People
from matchmaker.models import Country, Need, NeedStatus, Organisation, Priority, Visibility
from matchmaker.reference.money import to_usd
from matchmaker.references import add_with_reference

NEED_COUNT = 330
PRIORITIES = (Priority.HIGH, Priority.MEDIUM, Priority.LOW)
PRIORITY_WEIGHTS = (3, 5, 2)
LOCAL_CURRENCY_SHARE = 0.55


@dataclass
class DemoNeed:
    """A need with what the later steps want to know about it without extra queries."""

    need: Need
    country: Country
    organisation: Organisation


def requesting_states(ref: Reference, catalogue: Catalogue) -> list[Requester]:
    """The requesters of the demo file that the reference data knows, in file order."""
    known = [r for r in catalogue.requesters if r.iso3 in ref.countries]
    if len(known) < 80:
        raise DemoError(f"only {len(known)} requesting States found in the reference data")
    missing = [r.iso3 for r in known if r.iso3.lower() not in ref.organisations]
    if missing:
        raise DemoError(f"no State organisation for {', '.join(missing)}")
    return known


def create_needs(
    session: Session,
    ref: Reference,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    rng: random.Random,
    count: int = NEED_COUNT,
) -> list[DemoNeed]:
    """``count`` needs: one per requesting State first, the rest weighted by the States' weights."""
    states = requesting_states(ref, catalogue)
    templates = [t for t in catalogue.projects if ref.need_topic(t.topic) is not None]
    weights = [t.weight for t in templates]
    chosen = list(states) + rng.choices(states, [s.weight for s in states], k=count - len(states))

    drafts: list[tuple[Need, DemoNeed]] = []
    used: set[tuple[str, int]] = set()
    showcase = {requester.iso3: list(requester.showcase) for requester in states}
    for requester in chosen:
        topic = showcase[requester.iso3].pop(0) if showcase[requester.iso3] else ""
        candidates = [i for i, t in enumerate(templates) if t.topic == topic] or range(
            len(templates)
        )
        index = _pick_template(rng, candidates, weights, requester.iso3, used)
        need = _draw_need(
            ref, people, catalogue, clock, rng, requester, templates[index], showcase=bool(topic)
        )
        country = ref.countries[requester.iso3]
        drafts.append((need, DemoNeed(need, country, ref.organisations[requester.iso3.lower()])))

    # References follow posting order, as they would on a live clearing-house.
    drafts.sort(key=lambda pair: pair[0].created_at)
    for need, _ in drafts:
        add_with_reference(session, need)
    return [demo for _, demo in drafts]


def _pick_template(
    rng: random.Random,
    candidates: Sequence[int],
    weights: list[float],
    iso3: str,
    used: set[tuple[str, int]],
) -> int:
    """One of ``candidates`` (template indices) the State has not used yet (a few tries;
    duplicates are rare, not banned)."""
    for _ in range(6):
        index = rng.choices(candidates, [weights[i] for i in candidates])[0]
        if (iso3, index) not in used:
            break
    used.add((iso3, index))
    return index


def _quantity(rng: random.Random, template: ProjectTemplate, small_state: bool) -> int:
    low, high = template.quantity
    if small_state:  # small island States ask for smaller projects
        high = max(low, low + (high - low) // 3)
    quantity = rng.randint(low, high)
    step = template.step
    return max(low, round(quantity / step) * step)


def _cost_usd(rng: random.Random, template: ProjectTemplate, quantity: int, days: int) -> int:
    unit_cost = rng.uniform(*template.unit_cost_usd)
    cost = quantity * unit_cost * (days or 1)
    if template.fixed_cost_usd:
        cost += rng.uniform(*template.fixed_cost_usd)
    return nice_round(cost)


def _draw_need(
    ref: Reference,
    people: People,
    catalogue: Catalogue,
    clock: Clock,
    rng: random.Random,
    requester: Requester,
    template: ProjectTemplate,
    showcase: bool = False,
) -> Need:
    country = ref.countries[requester.iso3]
    organisation = ref.organisations[requester.iso3.lower()]
    quantity = _quantity(rng, template, country.is_sids)
    days = rng.randint(*template.days) if template.days else 0
    cost_usd = _cost_usd(rng, template, quantity, days)
    currency = "USD"
    if requester.currency and rng.random() < LOCAL_CURRENCY_SHARE:
        currency = requester.currency
    estimated_cost, currency = in_currency(cost_usd, currency)

    place = rng.choice(catalogue.places[template.places]) if template.places else ""
    words = {"quantity": f"{quantity:,}", "days": days, "place": place, "country": country.name}
    modality = template.modality
    if template.alt_modality and rng.random() < 0.25:
        modality = template.alt_modality

    roll = rng.random()
    status = NeedStatus.PUBLISHED
    created_days_ago = rng.randint(20, 420)
    if showcase:
        pass  # the documented accounts' first needs are published
    elif roll < 0.06:
        status, created_days_ago = NeedStatus.DRAFT, rng.randint(1, 60)
    elif roll < 0.09:
        status, created_days_ago = NeedStatus.WITHDRAWN, rng.randint(120, 420)
    created_at = clock.moment(-created_days_ago, rng)
    published_at = None
    updated_at = created_at
    if status != NeedStatus.DRAFT:
        published_at = created_at + timedelta(days=rng.randint(0, min(5, created_days_ago - 1)))
        updated_at = published_at
    if status == NeedStatus.WITHDRAWN:
        updated_at = published_at + timedelta(days=rng.randint(20, 90))

    start = clock.day(rng.randint(20, 240))
    deadline = min(start + timedelta(days=rng.randint(90, 540)), clock.day(730))
    languages = requester.languages
    if "en" not in languages.split(",") and rng.random() < 0.15:
        languages += ",en"
    action_plan = ""
    if rng.random() < 0.6:
        first_year = clock.today.year - rng.randint(0, 3)
        action_plan = (
            f"National action plan on small arms {first_year}-{first_year + 4}, "
            f"objective {rng.randint(1, 6)}.{rng.randint(1, 5)}"
        )
    return Need(
        organisation_id=organisation.id,
        country_id=country.id,
        created_by_id=people.requester_for(organisation).id,
        title=template.title.format(**words),
        description=template.description.format(**words),
        goal=template.goal.format(**words),
        topic_id=ref.need_topic(template.topic).id,
        modality_id=ref.modalities[modality].id,
        quantity=quantity,
        unit=template.unit,
        estimated_cost=estimated_cost,
        currency=currency,
        cost_usd=to_usd(estimated_cost, currency),
        priority=rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0],
        start_date=start,
        deadline=deadline,
        languages=languages,
        commitment=template.commitment,
        action_plan_ref=action_plan,
        visibility=Visibility.RESTRICTED if rng.random() < 0.08 else Visibility.PUBLIC,
        status=status,
        created_at=created_at,
        updated_at=updated_at,
        published_at=published_at,
    )
