"""QWL results: rounds per team or session, statement results, focus votes

Revision ID: 0010_qwl
Revises: 0009_review
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_qwl"
down_revision = "0009_review"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "qwl_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("workshop_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=True),
        sa.Column("index_pct", sa.Float(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "index_pct >= 0 AND index_pct <= 100", name=op.f("ck_qwl_round_index_is_percent")
        ),
        sa.CheckConstraint("answers >= 5", name=op.f("ck_qwl_round_unit_threshold")),
        _fk("qwl_round", "team_id", "team"),
        _fk("qwl_round", "workshop_id", "workshop"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qwl_round")),
        sa.UniqueConstraint("scope", "label", name=op.f("uq_qwl_round_scope_label")),
    )
    op.create_index(op.f("ix_qwl_round_scope"), "qwl_round", ["scope"], unique=False)
    op.create_index(op.f("ix_qwl_round_team_id"), "qwl_round", ["team_id"], unique=False)
    op.create_index(op.f("ix_qwl_round_workshop_id"), "qwl_round", ["workshop_id"], unique=False)
    op.create_table(
        "qwl_statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.String(length=32), nullable=False),
        sa.Column("dimension", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("previous", sa.Float(), nullable=True),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(score IS NULL AND previous IS NULL) OR answers >= 5",
            name=op.f("ck_qwl_statement_statement_threshold"),
        ),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= 100)",
            name=op.f("ck_qwl_statement_score_is_percent"),
        ),
        _fk("qwl_statement", "round_id", "qwl_round"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qwl_statement")),
        sa.UniqueConstraint(
            "round_id", "statement_id", name=op.f("uq_qwl_statement_round_id_statement_id")
        ),
    )
    op.create_index(op.f("ix_qwl_statement_round_id"), "qwl_statement", ["round_id"], unique=False)
    op.create_table(
        "qwl_focus_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        # Kept (as null) when retention removes the participant, so the counts stay.
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("phase_id", sa.String(length=64), nullable=False),
        sa.Column("statement_id", sa.String(length=32), nullable=False),
        _fk("qwl_focus_vote", "workshop_id", "workshop"),
        _fk("qwl_focus_vote", "participant_id", "participant", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qwl_focus_vote")),
        sa.UniqueConstraint(
            "participant_id",
            "phase_id",
            "statement_id",
            name=op.f("uq_qwl_focus_vote_participant_id_phase_id_statement_id"),
        ),
    )
    op.create_index(
        op.f("ix_qwl_focus_vote_workshop_id"), "qwl_focus_vote", ["workshop_id"], unique=False
    )
    op.create_index(
        op.f("ix_qwl_focus_vote_participant_id"),
        "qwl_focus_vote",
        ["participant_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("qwl_focus_vote")
    op.drop_table("qwl_statement")
    op.drop_table("qwl_round")
