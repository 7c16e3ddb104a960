"""Shopper profiles, imported history, feedback and unmet requests (assistant.personal) beside conversations.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shopper_profiles",
        sa.Column("shopper", sa.Text, primary_key=True),
        sa.Column("profile", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Double, nullable=False),
    )
    op.create_table(
        "shopper_events",
        sa.Column("shopper", sa.Text, primary_key=True),
        sa.Column("sku", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("at", sa.Double, primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
    )
    op.create_index("shopper_events_at", "shopper_events", ["at"])
    op.create_table(
        "shopper_feedback",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("shopper", sa.Text, nullable=False),
        sa.Column("conversation", sa.Text, nullable=False),
        sa.Column("turn_at", sa.Double, nullable=False),
        sa.Column("reaction", sa.Text, nullable=False),
        sa.Column("skus", sa.Text, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("at", sa.Double, nullable=False),
    )
    op.create_index("shopper_feedback_shopper", "shopper_feedback", ["shopper"])
    op.create_index("shopper_feedback_at", "shopper_feedback", ["at"])
    op.create_table(
        "shop_requests",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("at", sa.Double, nullable=False),
    )
    op.create_index("shop_requests_at", "shop_requests", ["at"])


def downgrade() -> None:
    op.drop_table("shop_requests")
    op.drop_table("shopper_feedback")
    op.drop_table("shopper_events")
    op.drop_table("shopper_profiles")
