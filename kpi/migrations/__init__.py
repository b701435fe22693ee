"""Alembic revisions of the store's schema (kpi.migrate applies them; see the README, "Upgrading")."""
