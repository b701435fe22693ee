"""The plan's tree and its usual reporters in the catalogue, for the evaluation inside the database
(kpi.spans_sql): unit_ancestors (each unit with every unit above it), unit_groups and indicator_reporters. The
catalogue is filled again at the next start (kpi.bootstrap syncs a plan when the schema changed).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three catalogue tables."""
    op.create_table(
        "unit_ancestors",
        sa.Column("plan_year", sa.Integer, primary_key=True),
        sa.Column("unit_code", sa.String(20), primary_key=True),
        sa.Column("ancestor_code", sa.String(20), primary_key=True),
        sa.Column("distance", sa.SmallInteger, nullable=False),
    )
    op.create_table(
        "unit_groups",
        sa.Column("plan_year", sa.Integer, primary_key=True),
        sa.Column("group_name", sa.Text, primary_key=True),
        sa.Column("unit_code", sa.String(20), primary_key=True),
    )
    op.create_table(
        "indicator_reporters",
        sa.Column("plan_year", sa.Integer, primary_key=True),
        sa.Column("indicator_code", sa.String(40), primary_key=True),
        sa.Column("reporter", sa.Text, primary_key=True),
    )


def downgrade() -> None:
    """Drop them again (the plan files still hold everything they held)."""
    for table in ("indicator_reporters", "unit_groups", "unit_ancestors"):
        op.drop_table(table)
