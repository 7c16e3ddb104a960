"""Alembic migrations of the shared-state schema (run by ``assistant.state.sql.migrate``)."""
