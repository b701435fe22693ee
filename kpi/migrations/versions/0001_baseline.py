"""The schema as the releases before migrations made it (kpi.store.create_schema up to commit 234d977): meta,
the plan catalogue (units, unit_memberships, indicators, targets), uploads and submissions, users, roles, units
and sessions, period locks and the append-only audit. A store of that age is stamped at this revision after
kpi.migrate brings any older one up to it; a new store is created whole and stamped at the head.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to do: this revision names the schema that was there before migrations."""


def downgrade() -> None:
    """Nothing to undo."""
