"""Bring a store's schema to the code's, with Alembic (revisions in kpi/migrations/versions), on DuckDB and
PostgreSQL alike. `Store.create_schema` calls `upgrade` under the store's set-up lock, so several app servers and
CLI processes starting together on one PostgreSQL database migrate it once, one after another.

Three cases, told apart by Alembic's `alembic_version` table and the store's `meta` table:
- a new, empty database: every table is created at once from `kpi.store.metadata` and stamped at the head;
- a store made before migrations existed (kpi up to commit 234d977): brought to the baseline revision as that code
  did it (missing tables created, `LEGACY_COLUMNS` added), stamped at 0001, then upgraded revision by revision;
- a migrated store: upgraded from its revision to the head.
Every figure, revision and upload stays: no revision rewrites submissions.

A new schema change is a new revision: `alembic -c kpi/migrations/alembic.ini revision -m "what and why"` writes a
file from the template; fill in its upgrade with explicit DDL (`op.add_column`, `op.create_table`) and change
`kpi.store.metadata` to match. tests/test_migrations.py checks that a migrated store has the same tables and columns
as a new one.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

from kpi.store import APPEND_ONLY_AUDIT, SCHEMA_TABLES, has_column, has_table, meta, metadata

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
#: Tables added by revisions after the baseline: a pre-migration store gets them from those revisions.
AFTER_BASELINE = frozenset({"unit_ancestors", "unit_groups", "indicator_reporters"})
#: Columns the releases before migrations added to older stores at start-up: (table, column, DDL). DuckDB cannot
#: add a NOT NULL column with IF NOT EXISTS, so the column list is read first.
LEGACY_COLUMNS = (("submissions", "estimate", "BOOLEAN NOT NULL DEFAULT false"),
                  ("uploads", "author", "VARCHAR(64)"))


class DuckDBImpl(DefaultImpl):
    """Alembic's operations on DuckDB (duckdb_engine brings none): the generic SQL, with transactional DDL."""

    __dialect__ = "duckdb"
    transactional_ddl = True


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def revision(conn: Connection) -> str | None:
    """The store's schema revision, or None for a new database or one made before migrations."""
    return MigrationContext.configure(conn).get_current_revision()


def _append_only_audit(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        for statement in APPEND_ONLY_AUDIT:
            conn.execute(sa.text(statement))


def _legacy_to_baseline(conn: Connection) -> None:
    """What kpi.store.create_schema did up to the baseline: the missing tables of that time, the added columns."""
    baseline_tables = [t for name, t in metadata.tables.items() if name not in AFTER_BASELINE]
    metadata.create_all(conn, tables=baseline_tables, checkfirst=True)
    for table, column, ddl in LEGACY_COLUMNS:
        if not has_column(conn, table, column):
            conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}"))
    _append_only_audit(conn)


def upgrade(conn: Connection) -> str:
    """Bring the schema on `conn` (inside a transaction; hold the store's set-up lock) to the head revision and
    record it in `meta`; returns what was done: 'created', 'migrated' or 'current'."""
    config = _config(conn)
    done = "current"
    if revision(conn) is None:
        if has_table(conn, "meta"):
            _legacy_to_baseline(conn)
            command.stamp(config, BASELINE)
            done = "migrated"
        else:
            metadata.create_all(conn)
            _append_only_audit(conn)
            command.stamp(config, "head")
            done = "created"
    before = revision(conn)
    command.upgrade(config, "head")
    if revision(conn) != before:
        done = "migrated"
    if conn.execute(sa.select(meta.c.value).where(meta.c.key == "data_version")).scalar() is None:
        conn.execute(meta.insert().values(key="data_version", value="0"))
    conn.execute(meta.delete().where(meta.c.key == "schema_tables"))
    conn.execute(meta.insert().values(key="schema_tables", value=SCHEMA_TABLES))
    return done


def head() -> str:
    """The newest revision this code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(None)).get_current_head()  # type: ignore[arg-type]
