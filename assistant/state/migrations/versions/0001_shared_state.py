"""Shared state: conversations, handoff tickets, audit log, seen delivery ids.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Double, nullable=False),
    )
    op.create_index("conversations_by_age", "conversations", ["updated_at"])
    op.create_table(
        "handoff_tickets",
        sa.Column("ticket_id", sa.Text, primary_key=True),
        sa.Column("conversation_key", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("chat_id", sa.Text, nullable=False),
        sa.Column("thread_id", sa.Text),
        sa.Column("user_id", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("desk_ref", sa.Text),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("resolved_at", sa.Double),
    )
    op.create_index("handoff_by_conversation", "handoff_tickets", ["conversation_key", "status"])
    op.create_index("handoff_by_desk_ref", "handoff_tickets", ["desk_ref"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Double, nullable=False),
        sa.Column("entry", sa.Text, nullable=False),
    )
    op.create_index("audit_by_time", "audit_log", ["at"])
    op.create_table(
        "seen_deliveries",
        sa.Column("delivery_id", sa.Text, primary_key=True),
        sa.Column("at", sa.Double, nullable=False),
    )
    op.create_index("seen_by_time", "seen_deliveries", ["at"])


def downgrade() -> None:
    op.drop_table("seen_deliveries")
    op.drop_table("audit_log")
    op.drop_table("handoff_tickets")
    op.drop_table("conversations")
