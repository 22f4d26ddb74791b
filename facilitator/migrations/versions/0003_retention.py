"""retention: votes and ratings can outlive their participant; unlinked counts per session

The retention purge (operations.purge_participants) removes a closed session's
participant rows after FACILITATOR_RETENTION_DAYS. Ideas already lost the link then
(ON DELETE SET NULL); votes and ratings now keep their row with participant_id NULL,
and the session keeps how many participants (and voters per vote phase) were removed.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unlinked_participants", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("unlinked_voters", sa.JSON(), nullable=True))
    for table in ("vote", "rating"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # Unlinked votes and ratings have no participant to point at any more: they go.
    for table in ("vote", "rating"):
        op.execute(sa.text(f"DELETE FROM {table} WHERE participant_id IS NULL"))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("participant_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_column("unlinked_voters")
        batch_op.drop_column("unlinked_participants")
