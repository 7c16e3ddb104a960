"""Shared state for several replicas: Postgres stores (schema by Alembic migrations) and Redis coordination.

The one-machine default stays SQLite files and in-process structures; :mod:`.backends` picks by settings.
"""
