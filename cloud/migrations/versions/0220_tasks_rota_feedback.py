"""staff tasks, the attendance rota, and feedback handled in the console

Tasks (restock tasks following the shelf's alerts, stocktake, pick, device checks, custom);
planned shifts for the weekly timesheet; feedback gets a source, the receipt's sale (one per
receipt), an assignee and the statuses new → answered → closed (decision 0220):
in_progress → new (still waiting for a reply), resolved → answered when it has a reply,
else closed, dismissed → closed.

Revision ID: 0220
Revises: 0230
Create Date: 2026-12-05 21:40:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import cloud.db.base

revision: str = "0220"
down_revision: str | None = "0230"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = cloud.db.base.UtcDateTime(timezone=True)
NEW = "status IN ('new', 'answered', 'closed')"
OLD = "status IN ('new', 'in_progress', 'resolved', 'dismissed')"
RATING = "rating IS NULL OR (rating >= 1 AND rating <= 5)"


def _tasks() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("open_key", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=True),
        sa.Column("started_at", UTC_TIME, nullable=True),
        sa.Column("done_at", UTC_TIME, nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("escalated_at", UTC_TIME, nullable=True),
        sa.CheckConstraint(
            "kind IN ('restock', 'stocktake', 'pick', 'check_device', 'custom')",
            name=op.f("ck_tasks_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'done', 'cancelled')", name=op.f("ck_tasks_status")
        ),
        sa.CheckConstraint("priority IN ('normal', 'high')", name=op.f("ck_tasks_priority")),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_tasks_alert_id_alerts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["store_id"], ["stores.id"], name=op.f("fk_tasks_store_id_stores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint("open_key", name=op.f("uq_tasks_open_key")),
    )
    op.create_index(op.f("ix_tasks_alert_id"), "tasks", ["alert_id"], unique=False)
    op.create_index(op.f("ix_tasks_assignee"), "tasks", ["assignee"], unique=False)
    op.create_index("ix_tasks_store_id_status", "tasks", ["store_id", "status"], unique=False)


def _rota() -> None:
    op.create_table(
        "attendance_rota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_attendance_rota_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_attendance_rota_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_rota")),
    )
    op.create_index(
        "ix_attendance_rota_store_id_starts_at",
        "attendance_rota",
        ["store_id", "starts_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_attendance_rota_username"), "attendance_rota", ["username"], unique=False
    )


def upgrade() -> None:
    _tasks()
    _rota()
    with op.batch_alter_table("member_feedback", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_member_feedback_status"), type_="check")
        batch_op.add_column(
            sa.Column("source", sa.String(length=16), nullable=False, server_default="api")
        )
        batch_op.add_column(sa.Column("sale_ref", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("assignee", sa.String(length=64), nullable=True))
    op.execute("UPDATE member_feedback SET status = 'new' WHERE status = 'in_progress'")
    op.execute(
        "UPDATE member_feedback SET status = CASE WHEN response <> '' THEN 'answered' "
        "ELSE 'closed' END WHERE status = 'resolved'"
    )
    op.execute("UPDATE member_feedback SET status = 'closed' WHERE status = 'dismissed'")
    op.execute("UPDATE member_feedback SET rating = NULL WHERE rating < 1 OR rating > 5")
    with op.batch_alter_table("member_feedback", schema=None) as batch_op:
        batch_op.alter_column("source", server_default=None)
        batch_op.create_check_constraint("status", NEW)
        batch_op.create_check_constraint("rating", RATING)
        batch_op.create_unique_constraint(batch_op.f("uq_member_feedback_sale_ref"), ["sale_ref"])


def downgrade() -> None:
    with op.batch_alter_table("member_feedback", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_member_feedback_sale_ref"), type_="unique")
        batch_op.drop_constraint(batch_op.f("ck_member_feedback_rating"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_member_feedback_status"), type_="check")
    op.execute("UPDATE member_feedback SET status = 'resolved' WHERE status = 'answered'")
    op.execute("UPDATE member_feedback SET status = 'dismissed' WHERE status = 'closed'")
    with op.batch_alter_table("member_feedback", schema=None) as batch_op:
        batch_op.drop_column("assignee")
        batch_op.drop_column("sale_ref")
        batch_op.drop_column("source")
        batch_op.create_check_constraint("status", OLD)
    op.drop_index(op.f("ix_attendance_rota_username"), table_name="attendance_rota")
    op.drop_index("ix_attendance_rota_store_id_starts_at", table_name="attendance_rota")
    op.drop_table("attendance_rota")
    op.drop_index("ix_tasks_store_id_status", table_name="tasks")
    op.drop_index(op.f("ix_tasks_assignee"), table_name="tasks")
    op.drop_index(op.f("ix_tasks_alert_id"), table_name="tasks")
    op.drop_table("tasks")
