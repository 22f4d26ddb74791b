"""poll answers, private entries, rate grades and "don't know" ratings

Revision ID: 0006_poll_private_rate
Revises: 0005_small_groups
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_poll_private_rate"
down_revision = "0005_small_groups"
branch_labels = None
depends_on = None


def _fks(table: str, participant: bool = True) -> list:
    fks = [
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f(f"fk_{table}_workshop_id_workshop"),
            ondelete="CASCADE",
        )
    ]
    if participant:
        fks.append(
            sa.ForeignKeyConstraint(
                ["participant_id"],
                ["participant.id"],
                name=op.f(f"fk_{table}_participant_id_participant"),
                ondelete="CASCADE",
            )
        )
    return fks


def upgrade() -> None:
    op.create_table(
        "poll_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("choices", sa.String(length=700), nullable=False),
        sa.Column("dont_know", sa.Boolean(), nullable=False),
        *_fks("poll_answer"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_answer")),
        sa.UniqueConstraint(
            "participant_id", "phase_id", name=op.f("uq_poll_answer_participant_id_phase_id")
        ),
    )
    op.create_index(
        "ix_poll_answer_workshop_phase", "poll_answer", ["workshop_id", "phase_id"], unique=False
    )
    op.create_table(
        "private_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        *_fks("private_entry"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_private_entry")),
        sa.UniqueConstraint(
            "participant_id", "phase_id", name=op.f("uq_private_entry_participant_id_phase_id")
        ),
    )
    op.create_index(
        "ix_private_entry_workshop_phase",
        "private_entry",
        ["workshop_id", "phase_id"],
        unique=False,
    )
    op.create_table(
        "rate_grade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("statement_id", sa.String(length=64), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        *_fks("rate_grade", participant=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_grade")),
        sa.UniqueConstraint(
            "workshop_id",
            "phase_id",
            "statement_id",
            name=op.f("uq_rate_grade_workshop_id_phase_id_statement_id"),
        ),
    )
    op.create_index(op.f("ix_rate_grade_workshop_id"), "rate_grade", ["workshop_id"], unique=False)
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dont_know", sa.Boolean(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_column("dont_know")
    op.drop_index(op.f("ix_rate_grade_workshop_id"), table_name="rate_grade")
    op.drop_table("rate_grade")
    op.drop_index("ix_private_entry_workshop_phase", table_name="private_entry")
    op.drop_table("private_entry")
    op.drop_index("ix_poll_answer_workshop_phase", table_name="poll_answer")
    op.drop_table("poll_answer")
