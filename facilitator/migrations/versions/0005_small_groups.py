"""small_groups: rounds, groups, memberships (never exported) and group notes

Revision ID: 0005_small_groups
Revises: 0004_classify
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_small_groups"
down_revision = "0004_classify"
branch_labels = None
depends_on = None


def _workshop_fk(table: str):
    return sa.ForeignKeyConstraint(
        ["workshop_id"],
        ["workshop.id"],
        name=op.f(f"fk_{table}_workshop_id_workshop"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "sg_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        _workshop_fk("sg_round"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sg_round")),
        sa.UniqueConstraint(
            "workshop_id", "phase_id", name=op.f("uq_sg_round_workshop_id_phase_id")
        ),
    )
    op.create_table(
        "sg_group",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("question", sa.Integer(), nullable=True),
        sa.Column("writer_id", sa.Integer(), nullable=True),
        sa.Column("timer_ends_at", sa.DateTime(timezone=True), nullable=True),
        _workshop_fk("sg_group"),
        sa.ForeignKeyConstraint(
            ["writer_id"],
            ["participant.id"],
            name=op.f("fk_sg_group_writer_id_participant"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sg_group")),
        sa.UniqueConstraint(
            "workshop_id",
            "phase_id",
            "round",
            "number",
            name=op.f("uq_sg_group_workshop_id_phase_id_round_number"),
        ),
    )
    op.create_table(
        "sg_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        _workshop_fk("sg_member"),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["sg_group.id"],
            name=op.f("fk_sg_member_group_id_sg_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_sg_member_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sg_member")),
        sa.UniqueConstraint(
            "participant_id",
            "phase_id",
            "round",
            name=op.f("uq_sg_member_participant_id_phase_id_round"),
        ),
    )
    op.create_index("ix_sg_member_group", "sg_member", ["group_id"], unique=False)
    op.create_table(
        "sg_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_sg_note_text_not_empty")),
        _workshop_fk("sg_note"),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["sg_group.id"],
            name=op.f("fk_sg_note_group_id_sg_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_sg_note_participant_id_participant"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sg_note")),
        sa.UniqueConstraint(
            "workshop_id", "client_id", name=op.f("uq_sg_note_workshop_id_client_id")
        ),
    )
    op.create_index("ix_sg_note_group", "sg_note", ["group_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_sg_note_group", table_name="sg_note")
    op.drop_table("sg_note")
    op.drop_index("ix_sg_member_group", table_name="sg_member")
    op.drop_table("sg_member")
    op.drop_table("sg_group")
    op.drop_table("sg_round")
