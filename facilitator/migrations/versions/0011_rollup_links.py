"""roll-up links: a manager's revocable read-only link to a compilation

Revision ID: 0011_rollup_links
Revises: 0010_qwl
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_rollup_links"
down_revision = "0010_qwl"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("session_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
            name=op.f("fk_rollup_link_facilitator_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_rollup_link_token_hash")),
    )
    op.create_index(
        op.f("ix_rollup_link_facilitator_id"), "rollup_link", ["facilitator_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_rollup_link_facilitator_id"), table_name="rollup_link")
    op.drop_table("rollup_link")
