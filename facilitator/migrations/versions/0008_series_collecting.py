"""series of a team's sessions; input before the session (status `collecting`)

Revision ID: 0008_series_collecting
Revises: 0007_teams
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_series_collecting"
down_revision = "0007_teams"
branch_labels = None
depends_on = None

OLD_STATUSES = "('upcoming', 'live', 'closed')"
NEW_STATUSES = "('upcoming', 'collecting', 'live', 'closed')"


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("series_key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_series_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
    )
    op.create_index(op.f("ix_series_team_id"), "series", ["team_id"], unique=False)
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("series_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("series_number", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("collect_opens_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("collect_closes_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_workshop_series_id_series"),
            "series",
            ["series_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_workshop_series_id"), ["series_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_workshop_series_id_series_number"), ["series_id", "series_number"]
        )
        batch_op.create_check_constraint("series_number_positive", "series_number >= 1")
        batch_op.create_check_constraint(
            "collect_window_order",
            "collect_closes_at IS NULL OR collect_opens_at IS NULL"
            " OR collect_closes_at > collect_opens_at",
        )
        batch_op.drop_constraint(op.f("ck_workshop_session_status"), type_="check")
        batch_op.create_check_constraint("session_status", f"status IN {NEW_STATUSES}")


def downgrade() -> None:
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_workshop_session_status"), type_="check")
        batch_op.create_check_constraint("session_status", f"status IN {OLD_STATUSES}")
        batch_op.drop_constraint(op.f("ck_workshop_collect_window_order"), type_="check")
        batch_op.drop_constraint(op.f("ck_workshop_series_number_positive"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_workshop_series_id_series_number"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_workshop_series_id"))
        batch_op.drop_constraint(batch_op.f("fk_workshop_series_id_series"), type_="foreignkey")
        for column in ("collect_closes_at", "collect_opens_at", "series_number", "series_id"):
            batch_op.drop_column(column)
    op.drop_index(op.f("ix_series_team_id"), table_name="series")
    op.drop_table("series")
