"""review phases: progress checks, the facilitator's decisions, the carried_from link

Revision ID: 0009_review
Revises: 0008_series_collecting
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_review"
down_revision = "0008_series_collecting"
branch_labels = None
depends_on = None

PROGRESS = "progress IN ('done', 'partly', 'not_started', 'dont_know')"
DECISIONS = "decision IN ('status', 'carried', 'dropped')"


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("carried_from_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_action_carried_from_id_action"),
            "action",
            ["carried_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_action_carried_from_id"), ["carried_from_id"]
        )
    op.create_table(
        "review_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("progress", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        _fk("review_answer", "workshop_id", "workshop"),
        _fk("review_answer", "participant_id", "participant"),
        _fk("review_answer", "action_id", "action"),
        sa.CheckConstraint(PROGRESS, name=op.f("ck_review_answer_review_progress")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_answer")),
        sa.UniqueConstraint(
            "participant_id",
            "phase_id",
            "action_id",
            name=op.f("uq_review_answer_participant_id_phase_id_action_id"),
        ),
    )
    op.create_index("ix_review_answer_workshop_phase", "review_answer", ["workshop_id", "phase_id"])
    op.create_index(op.f("ix_review_answer_action_id"), "review_answer", ["action_id"])
    op.create_table(
        "review_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("carried_to_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("review_outcome", "workshop_id", "workshop"),
        _fk("review_outcome", "action_id", "action"),
        _fk("review_outcome", "carried_to_id", "action", ondelete="SET NULL"),
        sa.CheckConstraint(DECISIONS, name=op.f("ck_review_outcome_review_decision")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_outcome")),
        sa.UniqueConstraint(
            "workshop_id",
            "phase_id",
            "action_id",
            name=op.f("uq_review_outcome_workshop_id_phase_id_action_id"),
        ),
    )
    op.create_index(op.f("ix_review_outcome_action_id"), "review_outcome", ["action_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_review_outcome_action_id"), table_name="review_outcome")
    op.drop_table("review_outcome")
    op.drop_index(op.f("ix_review_answer_action_id"), table_name="review_answer")
    op.drop_index("ix_review_answer_workshop_phase", table_name="review_answer")
    op.drop_table("review_answer")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_action_carried_from_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_action_carried_from_id_action"), type_="foreignkey")
        batch_op.drop_column("carried_from_id")
