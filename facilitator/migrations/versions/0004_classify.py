"""classify: a participant's category per item; the facilitator's final category;
agreed actions remember the item they came from

Revision ID: 0004_classify
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_classify"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classify_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_classify_choice_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_classify_choice_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classify_choice")),
        sa.UniqueConstraint(
            "participant_id",
            "phase_id",
            "item_key",
            name=op.f("uq_classify_choice_participant_id_phase_id_item_key"),
        ),
    )
    op.create_index(
        "ix_classify_choice_workshop_phase",
        "classify_choice",
        ["workshop_id", "phase_id"],
        unique=False,
    )
    op.create_table(
        "classify_final",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("item_key", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_classify_final_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classify_final")),
        sa.UniqueConstraint(
            "workshop_id",
            "phase_id",
            "item_key",
            name=op.f("uq_classify_final_workshop_id_phase_id_item_key"),
        ),
    )
    op.create_index(
        op.f("ix_classify_final_workshop_id"), "classify_final", ["workshop_id"], unique=False
    )
    # A plain ADD COLUMN (no batch copy): recreating the table on SQLite would rename its
    # CHECK constraints, which later revisions name.
    op.add_column("action", sa.Column("source_item", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_column("source_item")
    op.drop_index(op.f("ix_classify_final_workshop_id"), table_name="classify_final")
    op.drop_table("classify_final")
    op.drop_index("ix_classify_choice_workshop_phase", table_name="classify_choice")
    op.drop_table("classify_choice")
