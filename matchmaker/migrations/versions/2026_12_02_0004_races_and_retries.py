"""races and retries: one live proposal per pair, outbox claims, idempotent requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:00:00

Before the partial unique index on live proposals is built, duplicates that races left behind
are closed deterministically: for each (need, offer) pair with several live proposals, the
one kept is the committed one (agreed or in delivery) if there is one, else the oldest (lowest
id); the other *open* ones are marked superseded, each with an event naming the one kept. Two
committed proposals of one pair cannot be closed here (undoing a commitment changes agreed
amounts, which is for people to decide): the migration then stops and names them.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = ('proposed', 'accepted_by_requester', 'accepted_by_donor')
COMMITTED = ('agreed', 'in_delivery')
LIVE_PAIR = sa.text(
    "state IN ('proposed', 'accepted_by_requester', 'accepted_by_donor', 'agreed', "
    "'in_delivery')"
)


def _close_duplicate_live_proposals() -> None:
    connection = op.get_bind()
    proposal = sa.table('proposal', sa.column('id', sa.Integer), sa.column('need_id'),
                        sa.column('offer_id'), sa.column('state', sa.String),
                        sa.column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    rows = connection.execute(
        sa.select(proposal.c.id, proposal.c.need_id, proposal.c.offer_id, proposal.c.state)
        .where(proposal.c.state.in_(OPEN + COMMITTED))
        .order_by(proposal.c.need_id, proposal.c.offer_id, proposal.c.id)
    ).all()
    by_pair: dict[tuple[int, int], list] = {}
    for row in rows:
        by_pair.setdefault((row.need_id, row.offer_id), []).append(row)
    now = datetime.now(UTC)
    event = sa.table('event', sa.column('entity'), sa.column('entity_id'), sa.column('action'),
                     sa.column('before', sa.JSON), sa.column('after', sa.JSON),
                     sa.column('note'),
                     sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    for pair, live in by_pair.items():
        if len(live) < 2:
            continue
        committed = [row for row in live if row.state in COMMITTED]
        if len(committed) > 1:
            raise RuntimeError(
                f"need #{pair[0]} and offer #{pair[1]} have several committed proposals "
                f"({', '.join(str(row.id) for row in committed)}): decline all but one, then "
                "run the upgrade again"
            )
        kept = committed[0] if committed else live[0]
        for row in live:
            if row.id == kept.id:
                continue
            connection.execute(sa.update(proposal).where(proposal.c.id == row.id)
                               .values(state='superseded', updated_at=now))
            connection.execute(sa.insert(event).values(
                entity='proposal', entity_id=row.id, action='superseded',
                before={'state': row.state}, after={'state': 'superseded'},
                note=f'Duplicate of proposal #{kept.id}', created_at=now,
            ))


def upgrade() -> None:
    _close_duplicate_live_proposals()
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.create_index('ux_proposal_live_pair', ['need_id', 'offer_id'], unique=True,
                              postgresql_where=LIVE_PAIR, sqlite_where=LIVE_PAIR)

    with op.batch_alter_table('outboxmail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=32), nullable=False,
                                      server_default=''))
        batch_op.add_column(
            sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table('outboxmail', schema=None) as batch_op:
        batch_op.alter_column('claimed_by', server_default=None)

    op.create_table('idempotentrequest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('committed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('idempotentrequest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotentrequest_expires_at'), ['expires_at'],
                              unique=False)
        batch_op.create_index('ux_idempotentrequest_owner_key', ['owner', 'key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('idempotentrequest', schema=None) as batch_op:
        batch_op.drop_index('ux_idempotentrequest_owner_key')
        batch_op.drop_index(batch_op.f('ix_idempotentrequest_expires_at'))
    op.drop_table('idempotentrequest')
    with op.batch_alter_table('outboxmail', schema=None) as batch_op:
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('claimed_by')
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_index('ux_proposal_live_pair')
