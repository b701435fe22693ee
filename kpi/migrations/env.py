"""Alembic's environment: run the revisions on the connection kpi.migrate hands over (never a URL of its own, so
the lock and the transaction it holds cover the whole upgrade)."""

from __future__ import annotations

from alembic import context

from kpi.store import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
