"""Two-step deliveries: a claim is a lease (owner, lease end, the update to answer) until it is delivered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows keep lease_until NULL: they were claimed in one step, i.e. delivered.
    op.add_column("seen_deliveries", sa.Column("lease_until", sa.Double))
    op.add_column("seen_deliveries", sa.Column("owner", sa.Text))
    op.add_column("seen_deliveries", sa.Column("payload", sa.Text))
    op.add_column("seen_deliveries", sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    op.create_index(
        "seen_by_lease", "seen_deliveries", ["lease_until"], postgresql_where=sa.text("lease_until IS NOT NULL")
    )


def downgrade() -> None:
    op.drop_index("seen_by_lease", "seen_deliveries")
    for column in ("attempts", "payload", "owner", "lease_until"):
        op.drop_column("seen_deliveries", column)
