"""Schema migrations (kpi.migrate, Alembic) on DuckDB and PostgreSQL: a new store is created at the head; a store
made before migrations (and an even older one, without the estimate and author columns) is upgraded to the same
tables and columns as a new one, keeping every figure, revision and undone upload; a store made by the previous
release's own code is upgraded too."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from kpi.bootstrap import open_store
from kpi.migrate import AFTER_BASELINE, head, revision
from kpi.store import SCHEMA_REVISION, Store, metadata, submissions, unit_ancestors, uploads

ROOT = Path(__file__).resolve().parent.parent
#: The last release before migrations: its own code makes the legacy store of the last test.
BEFORE_MIGRATIONS = "234d977"


def _columns(store: Store) -> dict[str, list[tuple[str, str]]]:
    """Each table's columns (name, type) as the database reports them, Alembic's own table left out."""
    query = sa.text("SELECT table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() ORDER BY table_name, column_name")
    found: dict[str, list[tuple[str, str]]] = {}
    with store.connect() as conn:
        for table, column, kind in conn.execute(query):
            if table != "alembic_version":
                found.setdefault(table, []).append((column, kind))
    return found


def _figures(store: Store) -> list[tuple]:
    with store.connect() as conn:
        rows = conn.execute(sa.select(submissions.c.upload_id, submissions.c.unit_code, submissions.c.indicator_code,
                                      submissions.c.period, submissions.c.value, submissions.c.qualifier,
                                      submissions.c.note, submissions.c.estimate)
                            .order_by(submissions.c.upload_id, submissions.c.unit_code, submissions.c.indicator_code,
                                      submissions.c.period)).all()
        undone = conn.execute(sa.select(uploads.c.id).where(uploads.c.undone_at.is_not(None))).scalars().all()
    return [tuple(r) for r in rows] + [("undone", tuple(undone))]


def _legacy_store(url: str, without_estimates: bool) -> None:
    """A store as the code before migrations left it: the baseline tables only, no `alembic_version`; two uploads,
    the second revising a figure and then undone (revisions must survive)."""
    engine = sa.create_engine(url)
    baseline = [t for name, t in metadata.tables.items() if name not in AFTER_BASELINE]
    with engine.begin() as conn:
        metadata.create_all(conn, tables=baseline)
        conn.execute(sa.text("INSERT INTO meta (key, value) VALUES ('data_version', '2')"))
        for number, undone in ((1, None), (2, datetime(2024, 5, 2))):
            conn.execute(uploads.insert().values(
                id=number, file_name=f"q1-{number}.csv", file_sha256="0" * 64, source="cli", created_by="an",
                created_at=datetime(2024, 5, number), n_rows=1, n_new=1, n_revised=0, n_unchanged=0,
                undone_at=undone, undone_by="an" if undone else None))
            conn.execute(submissions.insert().values(
                upload_id=number, unit_code="KT", indicator_code="budget_revenue", period="2024-Q1", year=2024,
                quarter=1, value=1032.6 + number, qualifier=None, note=f"lần {number}", estimate=False))
        if without_estimates:
            conn.execute(sa.text("ALTER TABLE submissions DROP COLUMN estimate"))
            conn.execute(sa.text("ALTER TABLE uploads DROP COLUMN author"))
    engine.dispose()


def test_a_new_store_is_created_at_the_head(db_url: str) -> None:
    store, _ = open_store(db_url)
    with store.connect() as conn:
        # The revision the start-up check records is the newest revision file's: a new revision must say so.
        assert revision(conn) == head() == SCHEMA_REVISION
        assert conn.execute(sa.select(sa.func.count()).select_from(unit_ancestors)).scalar() > 0
    store.dispose()


@pytest.mark.parametrize("without_estimates", [False, True])
def test_a_store_made_before_migrations_is_upgraded_keeping_every_revision(db_url: str, tmp_path: Path,
                                                                           without_estimates: bool) -> None:
    _legacy_store(db_url, without_estimates)
    before = Store(db_url)
    kept = _figures(before) if not without_estimates else None
    before.dispose()
    store, _ = open_store(db_url)
    with store.connect() as conn:
        assert revision(conn) == head()
    after = _figures(store)
    # Both revisions stay, the undone one marked undone; values by hand: 1032.6 + upload number.
    assert [(r[0], r[4], r[6]) for r in after[:-1]] == [(1, 1033.6, "lần 1"), (2, 1034.6, "lần 2")]
    assert after[-1] == ("undone", (2,))
    if kept is not None:
        assert after == kept
    else:
        assert all(r[7] is False for r in after[:-1])  # figures from before estimates existed are official
    # The same tables and columns as a store created new.
    fresh_url = f"duckdb:///{tmp_path / 'fresh.duckdb'}" if db_url.startswith("duckdb") else None
    if fresh_url:
        fresh, _ = open_store(fresh_url)
        assert _columns(store) == _columns(fresh)
        fresh.dispose()
    else:  # PostgreSQL: every table and column the code declares, and nothing else
        found = {(table, column) for table, columns in _columns(store).items() for column, _ in columns}
        assert found == {(t.name, c.name) for t in metadata.tables.values() for c in t.columns}
    store.dispose()


def test_a_store_of_the_last_release_before_migrations_is_upgraded(tmp_path: Path) -> None:
    """The previous release's own code makes the store (sample data: six uploads, revisions among them)."""
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(["git", "archive", BEFORE_MIGRATIONS], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"no git history here: {archive.stderr.decode()[:200]}")
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    url = f"duckdb:///{tmp_path / 'legacy.duckdb'}"
    made = subprocess.run([sys.executable, "-c", "import sys; from kpi.cli import main; sys.exit(main(sys.argv[1:]))",
                           "sample", "--db", url], cwd=old, env={"PYTHONPATH": str(old), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr[-2000:]
    before = Store(url)
    kept = _figures(before)
    before.dispose()
    store, _ = open_store(url)
    assert _figures(store) == kept
    with store.connect() as conn:
        assert revision(conn) == head()
    fresh, _ = open_store(f"duckdb:///{tmp_path / 'fresh.duckdb'}")
    assert _columns(store) == _columns(fresh)
    store.dispose()
    fresh.dispose()
