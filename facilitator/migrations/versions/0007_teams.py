"""teams, team members, the team link, item updates; item kinds and versions on actions

Revision ID: 0007_teams
Revises: 0006_poll_private_rate
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_teams"
down_revision = "0006_poll_private_rate"
branch_labels = None
depends_on = None

OLD_STATUSES = "('open', 'in_progress', 'done')"
NEW_STATUSES = "('open', 'in_progress', 'done', 'dropped', 'carried_forward')"


def upgrade() -> None:
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["facilitator.id"],
            name=op.f("fk_team_owner_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
    )
    op.create_index(op.f("ix_team_owner_id"), "team", ["owner_id"], unique=False)
    op.create_table(
        "team_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_member_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
            name=op.f("fk_team_member_facilitator_id_facilitator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_member")),
        sa.UniqueConstraint(
            "team_id", "facilitator_id", name=op.f("uq_team_member_team_id_facilitator_id")
        ),
    )
    op.create_index(op.f("ix_team_member_team_id"), "team_member", ["team_id"], unique=False)
    op.create_index(
        op.f("ix_team_member_facilitator_id"), "team_member", ["facilitator_id"], unique=False
    )
    op.create_table(
        "team_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_link_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_link")),
        sa.UniqueConstraint("team_id", name=op.f("uq_team_link_team_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_team_link_token_hash")),
    )
    op.create_table(
        "item_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who_label", sa.String(length=120), nullable=False),
        sa.Column("status_from", sa.String(length=16), nullable=True),
        sa.Column("status_to", sa.String(length=16), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_item_update_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_update")),
    )
    op.create_index(op.f("ix_item_update_action_id"), "item_update", ["action_id"], unique=False)
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_workshop_team_id_team"), "team", ["team_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(batch_op.f("ix_workshop_team_id"), ["team_id"], unique=False)
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "item_kind",
                sa.Enum(
                    "action",
                    "experiment",
                    "ground_rule",
                    name="item_kind",
                    native_enum=False,
                    create_constraint=True,
                    length=16,
                ),
                server_default="action",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("why", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("how_know", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("learned", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("how_check", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.drop_constraint(op.f("ck_action_action_status"), type_="check")
        batch_op.create_check_constraint("action_status", f"status IN {NEW_STATUSES}")


def downgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_action_action_status"), type_="check")
        batch_op.create_check_constraint("action_status", f"status IN {OLD_STATUSES}")
        for column in ("version", "how_check", "learned", "how_know", "why", "item_kind"):
            batch_op.drop_column(column)
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workshop_team_id"))
        batch_op.drop_constraint(batch_op.f("fk_workshop_team_id_team"), type_="foreignkey")
        batch_op.drop_column("team_id")
    op.drop_index(op.f("ix_item_update_action_id"), table_name="item_update")
    op.drop_table("item_update")
    op.drop_table("team_link")
    op.drop_index(op.f("ix_team_member_facilitator_id"), table_name="team_member")
    op.drop_index(op.f("ix_team_member_team_id"), table_name="team_member")
    op.drop_table("team_member")
    op.drop_index(op.f("ix_team_owner_id"), table_name="team")
    op.drop_table("team")
