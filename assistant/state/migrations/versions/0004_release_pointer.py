"""The knowledge base's live-release pointer and rollback history, shared by replicas.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_release_pointer",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("release_id", sa.Text, nullable=False),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("revision", sa.BigInteger, nullable=False),
        sa.Column("stamp", sa.BigInteger, nullable=False),
        sa.Column("activated_at", sa.Double, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kb_release_pointer")
