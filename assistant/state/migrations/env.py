"""Alembic environment: runs on the connection ``assistant.state.sql.migrate`` hands over, in its schema."""

from __future__ import annotations

from alembic import context

_config = context.config
_connection = _config.attributes["connection"]
_schema = _config.attributes["schema"]

context.configure(connection=_connection, target_metadata=None, version_table_schema=_schema)
with context.begin_transaction():
    context.run_migrations()
