"""Every table model of Matchmaker, with the statuses of the design.

Money is kept in whole currency units (assistance projects are costed in whole dollars or
euros); ``*_usd`` columns hold the amount converted to US dollars so that the portfolio can be
matched and summed in one currency.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Index,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (datetime columns store aware UTC values)."""
    return datetime.now(UTC)


# --- statuses and kinds ---------------------------------------------------------------------


class RegionLevel(StrEnum):
    REGION = "region"
    SUBREGION = "subregion"
    INTERMEDIATE = "intermediate"


class UNStatus(StrEnum):
    MEMBER = "member"
    OBSERVER = "observer"


class OrganisationKind(StrEnum):
    STATE = "state"
    REGIONAL_ORG = "regional_org"
    INTERNATIONAL_ORG = "international_org"
    REGIONAL_CENTRE = "regional_centre"
    NGO = "ngo"
    INDUSTRY = "industry"


class OrganisationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Role(StrEnum):
    REQUESTER = "requester"
    DONOR = "donor"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class UserStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    DISABLED = "disabled"


class CategoryLevel(StrEnum):
    AREA = "area"
    TOPIC = "topic"


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Visibility(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"


class NeedStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    PARTLY_MATCHED = "partly_matched"
    MATCHED = "matched"
    IN_DELIVERY = "in_delivery"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class OfferStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    EXHAUSTED = "exhausted"
    WITHDRAWN = "withdrawn"


class RunScope(StrEnum):
    GLOBAL = "global"
    REGION = "region"
    CATEGORY = "category"


class RunMode(StrEnum):
    SPLIT = "split"
    WHOLE = "whole"


class RunState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ProposalOrigin(StrEnum):
    SOLVER = "solver"
    MANUAL = "manual"


class ProposalState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED_BY_REQUESTER = "accepted_by_requester"
    ACCEPTED_BY_DONOR = "accepted_by_donor"
    AGREED = "agreed"
    IN_DELIVERY = "in_delivery"
    DELIVERED = "delivered"
    DECLINED = "declined"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # closed by housekeeping: its need was covered or its offer spent


class Side(StrEnum):
    REQUESTER = "requester"
    DONOR = "donor"


OPEN_PROPOSAL_STATES = (
    ProposalState.PROPOSED,
    ProposalState.ACCEPTED_BY_REQUESTER,
    ProposalState.ACCEPTED_BY_DONOR,
)
COMMITTED_PROPOSAL_STATES = (
    ProposalState.AGREED,
    ProposalState.IN_DELIVERY,
    ProposalState.DELIVERED,
)
OPEN_NEED_STATUSES = (NeedStatus.PUBLISHED, NeedStatus.PARTLY_MATCHED)
PUBLIC_NEED_STATUSES = (
    NeedStatus.PUBLISHED,
    NeedStatus.PARTLY_MATCHED,
    NeedStatus.MATCHED,
    NeedStatus.IN_DELIVERY,
    NeedStatus.COMPLETED,
)


def _status(default: str, *, index: bool = True) -> Any:
    return Field(default=default, sa_type=String(32), index=index)


def _money() -> Any:
    # 64-bit: amounts in currencies such as COP or KRW exceed 2**31 quickly.
    return Field(default=0, sa_type=BigInteger)


def _json(default_factory=dict) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


# --- reference data -------------------------------------------------------------------------


class Region(SQLModel, table=True):
    """A UN M49 region, sub-region or intermediate region."""

    id: int | None = Field(default=None, primary_key=True)
    m49: str = Field(sa_type=String(3), unique=True, index=True)
    name: str = Field(sa_type=String(80))
    level: str = _status(RegionLevel.REGION)
    parent_id: int | None = Field(default=None, foreign_key="region.id")


class RegionalCentre(SQLModel, table=True):
    """A UN Regional Centre for Peace and Disarmament."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(16), unique=True, index=True)
    name: str = Field(sa_type=String(160))
    city: str = Field(sa_type=String(80))
    host_country_iso3: str = Field(default="", sa_type=String(3))


class Country(SQLModel, table=True):
    """A UN member or observer State."""

    id: int | None = Field(default=None, primary_key=True)
    iso3: str = Field(sa_type=String(3), unique=True, index=True)
    iso2: str = Field(sa_type=String(2), unique=True)
    m49: str = Field(sa_type=String(3), unique=True)
    name: str = Field(sa_type=String(120), index=True)
    un_status: str = _status(UNStatus.MEMBER, index=False)
    region_id: int = Field(foreign_key="region.id", index=True)
    subregion_id: int = Field(foreign_key="region.id", index=True)
    intermediate_region_id: int | None = Field(default=None, foreign_key="region.id")
    is_ldc: bool = False
    is_sids: bool = False
    is_lldc: bool = False
    regional_centre_id: int | None = Field(
        default=None, foreign_key="regionalcentre.id", index=True
    )


class Category(SQLModel, table=True):
    """The assistance taxonomy: areas and, below them, topics citing their source paragraph."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(64), unique=True, index=True)
    level: str = _status(CategoryLevel.TOPIC)
    parent_id: int | None = Field(default=None, foreign_key="category.id", index=True)
    name: str = Field(sa_type=String(160))
    description: str = Field(default="", sa_type=Text)
    source_document: str = Field(default="", sa_type=String(80))
    source_paragraph: str = Field(default="", sa_type=String(40))
    source_quote: str = Field(default="", sa_type=Text)
    sort_order: int = 0


class Modality(SQLModel, table=True):
    """How assistance is given: funding, equipment, expertise, training, technology transfer."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(32), unique=True, index=True)
    name: str = Field(sa_type=String(80))
    description: str = Field(default="", sa_type=Text)
    sort_order: int = 0


class Organisation(SQLModel, table=True):
    """A State, regional / international organisation, regional centre, NGO or company."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(64), unique=True, index=True)
    name: str = Field(sa_type=String(200))
    acronym: str = Field(default="", sa_type=String(32))
    kind: str = _status(OrganisationKind.STATE)
    status: str = _status(OrganisationStatus.APPROVED)
    country_id: int | None = Field(default=None, foreign_key="country.id", index=True)
    regional_centre_id: int | None = Field(default=None, foreign_key="regionalcentre.id")
    website: str = Field(default="", sa_type=String(200))
    is_reference: bool = Field(default=False, description="loaded by `matchmaker seed`")
    created_at: datetime = Field(default_factory=utcnow)


class OrganisationCountry(SQLModel, table=True):
    """Member States of a regional organisation (or States a coordinator covers)."""

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    country_id: int = Field(foreign_key="country.id", primary_key=True)


class OrganisationRegion(SQLModel, table=True):
    """Regions an organisation covers (for coordinators and donors' focus)."""

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    region_id: int = Field(foreign_key="region.id", primary_key=True)


# --- people ---------------------------------------------------------------------------------


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(254), unique=True, index=True)
    name: str = Field(sa_type=String(160))
    password_hash: str = Field(sa_type=String(200))
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    role: str = _status(Role.REQUESTER)
    status: str = _status(UserStatus.PENDING)
    language: str = Field(default="en", sa_type=String(8))
    failed_logins: int = 0
    locked_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    approved_at: datetime | None = None
    approved_by_id: int | None = Field(default=None, foreign_key="user.id")
    last_login_at: datetime | None = None
    is_demo: bool = False


# --- the portfolio --------------------------------------------------------------------------


class Need(SQLModel, table=True):
    """An assistance request: a concrete project with a measurable goal."""

    __table_args__ = (Index("ix_need_status_priority", "status", "priority"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(sa_type=String(24), unique=True, index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    country_id: int = Field(foreign_key="country.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    title: str = Field(sa_type=String(200))
    description: str = Field(default="", sa_type=Text)
    goal: str = Field(default="", sa_type=Text)
    topic_id: int = Field(foreign_key="category.id", index=True)
    modality_id: int = Field(foreign_key="modality.id", index=True)
    quantity: int | None = None
    unit: str = Field(default="", sa_type=String(40))
    estimated_cost: int = _money()
    currency: str = Field(default="USD", sa_type=String(3))
    cost_usd: int = _money()
    agreed_usd: int = _money()
    delivered_usd: int = _money()
    priority: str = _status(Priority.MEDIUM)
    start_date: date | None = None
    deadline: date | None = None
    languages: str = Field(default="en", sa_type=String(40))
    commitment: str = Field(default="", sa_type=String(200))
    action_plan_ref: str = Field(default="", sa_type=String(200))
    visibility: str = _status(Visibility.PUBLIC, index=False)
    status: str = _status(NeedStatus.DRAFT)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None


class Offer(SQLModel, table=True):
    """A resource a donor can give: money, equipment, expertise, training."""

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(sa_type=String(24), unique=True, index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    title: str = Field(sa_type=String(200))
    description: str = Field(default="", sa_type=Text)
    budget: int = _money()
    currency: str = Field(default="USD", sa_type=String(3))
    budget_usd: int = _money()
    committed_usd: int = _money()
    quantity: int | None = None
    unit: str = Field(default="", sa_type=String(40))
    languages: str = Field(default="en", sa_type=String(40))
    available_from: date | None = None
    available_until: date | None = None
    ldc_only: bool = False
    sids_only: bool = False
    conditions: str = Field(default="", sa_type=Text)
    status: str = _status(OfferStatus.DRAFT)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None


class OfferCategory(SQLModel, table=True):
    """A topic (or a whole area) an offer covers."""

    offer_id: int = Field(foreign_key="offer.id", primary_key=True)
    category_id: int = Field(foreign_key="category.id", primary_key=True)


class OfferModality(SQLModel, table=True):
    offer_id: int = Field(foreign_key="offer.id", primary_key=True)
    modality_id: int = Field(foreign_key="modality.id", primary_key=True)


class OfferRegion(SQLModel, table=True):
    """An eligible region or sub-region; an offer with none is open worldwide."""

    offer_id: int = Field(foreign_key="offer.id", primary_key=True)
    region_id: int = Field(foreign_key="region.id", primary_key=True)


class OfferCountry(SQLModel, table=True):
    """An eligible country, or with ``excluded`` a country the offer may not serve."""

    offer_id: int = Field(foreign_key="offer.id", primary_key=True)
    country_id: int = Field(foreign_key="country.id", primary_key=True)
    excluded: bool = False


# --- matching -------------------------------------------------------------------------------


class MatchRun(SQLModel, table=True):
    """One solver run over a scope of the portfolio."""

    id: int | None = Field(default=None, primary_key=True)
    scope: str = _status(RunScope.GLOBAL, index=False)
    scope_region_id: int | None = Field(default=None, foreign_key="region.id")
    scope_category_id: int | None = Field(default=None, foreign_key="category.id")
    mode: str = _status(RunMode.SPLIT, index=False)
    parameters: dict = _json()
    started_by_id: int | None = Field(default=None, foreign_key="user.id")
    state: str = _status(RunState.QUEUED)
    progress: int = 0
    progress_message: str = Field(default="", sa_type=String(200))
    claimed_by: str = Field(default="", sa_type=String(80))
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    seconds: float | None = None
    solver_status: str = Field(default="", sa_type=String(16))
    n_needs: int = 0
    n_offers: int = 0
    n_arcs: int = 0
    n_proposals: int = 0
    result: dict = _json()
    error: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    # refreshed by the worker while it runs: a run whose heartbeat stops is taken over or failed
    heartbeat_at: datetime | None = None
    finished_at: datetime | None = None


# A proposal is live from its proposal until its delivery ends: open or committed, not closed.
LIVE_PROPOSAL_STATES = (*OPEN_PROPOSAL_STATES, ProposalState.AGREED, ProposalState.IN_DELIVERY)
_LIVE_PAIR = text(f"state IN ({', '.join(repr(state.value) for state in LIVE_PROPOSAL_STATES)})")


class Proposal(SQLModel, table=True):
    """A proposed need-offer pair, from a run or made by hand, and the decisions on it."""

    __table_args__ = (
        Index("ix_proposal_pair", "need_id", "offer_id"),
        # One live proposal per pair, whoever writes it (two donors clicking at once, a run
        # racing a proposal by hand): the database refuses the second.
        Index("ux_proposal_live_pair", "need_id", "offer_id", unique=True,
              postgresql_where=_LIVE_PAIR, sqlite_where=_LIVE_PAIR),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(default=None, foreign_key="matchrun.id", index=True)
    need_id: int = Field(foreign_key="need.id", index=True)
    offer_id: int = Field(foreign_key="offer.id", index=True)
    origin: str = _status(ProposalOrigin.SOLVER, index=False)
    amount_usd: int = _money()
    share: float = 1.0
    score: float = 0.0
    breakdown: dict = _json()
    state: str = _status(ProposalState.PROPOSED)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    requester_accepted_at: datetime | None = None
    requester_accepted_by_id: int | None = Field(default=None, foreign_key="user.id")
    donor_accepted_at: datetime | None = None
    donor_accepted_by_id: int | None = Field(default=None, foreign_key="user.id")
    declined_by_side: str = Field(default="", sa_type=String(16))
    declined_by_id: int | None = Field(default=None, foreign_key="user.id")
    decline_reason: str = Field(default="", sa_type=Text)
    expires_at: datetime | None = None
    agreed_at: datetime | None = None
    delivered_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Event(SQLModel, table=True):
    """Audit trail: who did what to which record, and when, with the values before and after."""

    __table_args__ = (Index("ix_event_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    entity: str = Field(sa_type=String(32))
    entity_id: int
    action: str = Field(sa_type=String(48))
    before: dict = _json()
    after: dict = _json()
    note: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Message(SQLModel, table=True):
    """A message in the thread of a proposal, between the two parties and coordinators."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)


# --- accounts: sessions, tokens, throttling, mail -------------------------------------------


class UserSession(SQLModel, table=True):
    """A server-side login session; the cookie holds a random key, the table only its hash."""

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(sa_type=String(64), unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    csrf_token: str = Field(sa_type=String(64))
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    address: str = Field(default="", sa_type=String(64))
    user_agent: str = Field(default="", sa_type=String(200))


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"


class AuthToken(SQLModel, table=True):
    """A single-use, expiring token (password reset); only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    purpose: str = _status(TokenPurpose.PASSWORD_RESET, index=False)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class LoginAttempt(SQLModel, table=True):
    """One login attempt, for throttling per account and per address."""

    __table_args__ = (Index("ix_loginattempt_address_time", "address", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(254), index=True)
    address: str = Field(sa_type=String(64))
    succeeded: bool = False
    created_at: datetime = Field(default_factory=utcnow, index=True)


class OutboxMail(SQLModel, table=True):
    """A mail waiting to be sent (or sent) by the configured sender."""

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(sa_type=String(254), index=True)
    subject: str = Field(sa_type=String(200))
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    error: str = Field(default="", sa_type=Text)
    # Which delivery has taken the mail, and when: a conditional update claims it, so several
    # senders at once (SQLite has no SKIP LOCKED) never send one mail twice.
    claimed_by: str = Field(default="", sa_type=String(32))
    claimed_at: datetime | None = None
    # Notification mail: an HTML alternative, extra headers (List-Unsubscribe), and retries
    # with back-off (a failed send waits until next_attempt_at; after MAX_ATTEMPTS it stops).
    html_body: str = Field(default="", sa_type=Text)
    headers: dict = _json()
    attempts: int = 0
    next_attempt_at: datetime | None = None


class IdempotentRequest(SQLModel, table=True):
    """An unsafe request sent with an idempotency key, and the answer it got (replayed to a
    retry with the same key); ``status_code`` 0 while the first request is still running."""

    __table_args__ = (Index("ux_idempotentrequest_owner_key", "owner", "key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(sa_type=String(40))  # the signed-in user, or the anonymous visitor
    key: str = Field(sa_type=String(64))
    method: str = Field(sa_type=String(8))
    path: str = Field(sa_type=String(200))
    status_code: int = 0
    headers: list = _json(list)
    body: bytes = Field(default=b"", sa_type=LargeBinary)
    committed: bool = False  # the handler's transaction committed (set inside it)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


# --- notifications, subscriptions, the schedule, the bulletin -------------------------------


class NotificationDelivery(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


class Notification(SQLModel, table=True):
    """Something that asks a person to act, or changed their records, told once per person
    and event (``event_key``): shown in the notification centre, and mailed at once or in a
    digest as the person prefers. Its words come from its kind and ``params`` when shown, in
    the reader's language."""

    __table_args__ = (
        Index("ux_notification_once", "user_id", "kind", "event_key", unique=True),
        Index("ix_notification_user_read", "user_id", "read_at"),
        Index("ix_notification_digest", "delivery", "mailed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(sa_type=String(40))
    event_key: str = Field(sa_type=String(120))
    params: dict = _json()
    link: str = Field(default="", sa_type=String(300))
    delivery: str = Field(default=NotificationDelivery.IMMEDIATE, sa_type=String(16))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    read_at: datetime | None = None
    mailed_at: datetime | None = None  # queued for mail, alone or in a digest


class NotificationPreference(SQLModel, table=True):
    """How a person wants one kind of notification (absent: the kind's default)."""

    __table_args__ = (Index("ux_notificationpreference_user_kind", "user_id", "kind",
                            unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(sa_type=String(40))
    delivery: str = Field(sa_type=String(16))


class Subscription(SQLModel, table=True):
    """A feed a person follows: new needs (donors) or new offers (requesters), narrowed to
    topics, regions and modalities (empty lists: the default described by the feed)."""

    __table_args__ = (Index("ux_subscription_user_feed", "user_id", "feed", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    feed: str = Field(sa_type=String(16))  # "needs" or "offers"
    topics: list = _json(list)  # category codes
    regions: list = _json(list)  # M49 codes
    modalities: list = _json(list)  # modality codes
    updated_at: datetime = Field(default_factory=utcnow)


class ScheduledJob(SQLModel, table=True):
    """One housekeeping job of the worker's scheduler: when it is due, who holds its lease,
    and how its last run went (shown on the admin schedule page)."""

    name: str = Field(sa_type=String(48), primary_key=True)
    next_due_at: datetime = Field(default_factory=utcnow)
    lease_owner: str = Field(default="", sa_type=String(80))
    lease_until: datetime | None = None
    last_started_at: datetime | None = None
    last_finished_at: datetime | None = None
    last_outcome: str = Field(default="", sa_type=String(16))  # "ok" or "failed"
    last_message: str = Field(default="", sa_type=Text)
    runs: int = 0


class Bulletin(SQLModel, table=True):
    """The clearing-house bulletin of one period (a month by default): figures and lists
    computed when it is published, kept as published."""

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(sa_type=String(16), unique=True, index=True)  # "2026-11"
    period_start: date
    period_end: date
    content: dict = _json()
    published_at: datetime = Field(default_factory=utcnow)


# --- conversations before any proposal ------------------------------------------------------


class Conversation(SQLModel, table=True):
    """A thread on a need or an offer (one of the two), between its poster and one asking
    organisation: a donor asking a State about its need, a State asking a donor about its
    offer. ``country_id`` is the State concerned (the need's, or the asking State's), so the
    coordinators of its region can read and join it."""

    __table_args__ = (
        Index("ux_conversation_need_asker", "need_id", "organisation_id", unique=True),
        Index("ux_conversation_offer_asker", "offer_id", "organisation_id", unique=True),
        CheckConstraint("(need_id IS NULL) <> (offer_id IS NULL)",
                        name="ck_conversation_one_record"),
    )

    id: int | None = Field(default=None, primary_key=True)
    need_id: int | None = Field(default=None, foreign_key="need.id")
    offer_id: int | None = Field(default=None, foreign_key="offer.id")
    organisation_id: int = Field(foreign_key="organisation.id", index=True)  # who asks
    country_id: int = Field(foreign_key="country.id", index=True)
    started_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    last_message_at: datetime = Field(default_factory=utcnow, index=True)


class ConversationMessage(SQLModel, table=True):
    """A message of a conversation on a need or an offer."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    author_id: int = Field(foreign_key="user.id")
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
