"""The store: schema creation that can run again, a data version that moves only when figures do, and DuckDB's
one-writer-per-file rule handled by waiting (then a clear "database busy"), never by holding the file."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

import kpi.store
from kpi.bootstrap import open_store
from kpi.ingest import ingest_bytes
from kpi.store import DatabaseBusy, Store, current_figures, data_version, meta
from tests.support import csv_bytes, duck_path, figure, hold_duckdb_file, snapshot

TABLES = {"meta", "units", "unit_memberships", "indicators", "targets", "uploads", "submissions"}
Q1 = csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,", "KT,budget_revenue,2024-Q1,1032.6,")


def _version(store: Store) -> int:
    with store.connect() as conn:
        return data_version(conn)


def test_schema_creation_is_idempotent(db_url: str) -> None:
    store, plans = open_store(db_url)
    assert set(sa.inspect(store.engine).get_table_names()) >= TABLES
    assert _version(store) == 0
    assert ingest_bytes(store, plans, Q1, "q1.csv").upload_id is not None
    before = snapshot(store)
    store.dispose()

    again, _ = open_store(db_url)
    again.create_schema()
    after = snapshot(again)
    before.assert_same(after)
    assert after.version == 1
    with again.connect() as conn:
        rows = conn.execute(sa.select(sa.func.count()).select_from(meta).where(meta.c.key == "data_version"))
        assert rows.scalar_one() == 1
        units = conn.execute(sa.text("select count(*) from units")).scalar_one()
        indicators = conn.execute(sa.text("select count(*) from indicators where plan_year = 2024")).scalar_one()
    assert (units, indicators) == (20, 16)
    again.dispose()


def test_data_version_grows_only_when_figures_change(db_url: str) -> None:
    store, plans = open_store(db_url)
    assert _version(store) == 0
    assert ingest_bytes(store, plans, Q1, "q1.csv").ok
    assert _version(store) == 1
    # The same file again: nothing changed, so no new version (caches stay valid).
    assert ingest_bytes(store, plans, Q1, "q1.csv").upload_id is None
    assert _version(store) == 1
    # A rejected file and a dry run write nothing.
    assert not ingest_bytes(store, plans, csv_bytes("TPK,tourist_arrivals,2024-Q2,5,"), "bad.csv").ok
    assert ingest_bytes(store, plans, csv_bytes("DHA,traffic_deaths,2024-Q2,3,"), "dry.csv", dry_run=True).ok
    assert _version(store) == 1
    # A revision is a change.
    assert ingest_bytes(store, plans, csv_bytes("KT,budget_revenue,2024-Q1,1054.3,"), "fix.csv").ok
    assert _version(store) == 2
    store.dispose()


# ---------------------------------------------------------------- DuckDB: another process holds the file

def test_begin_waits_for_another_process_then_writes(duck_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store, plans = open_store(duck_url)
    monkeypatch.setattr(kpi.store, "BUSY_RETRY_SECONDS", 15.0)
    holder = hold_duckdb_file(duck_path(duck_url), 1.5)
    try:
        started = time.monotonic()
        result = ingest_bytes(store, plans, Q1, "q1.csv")
        waited = time.monotonic() - started
        assert holder.wait(timeout=10) == 0  # the holder kept the file for its whole 1.5 s and ended normally
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert result.ok and result.upload_id is not None
    assert waited >= 1.0
    assert figure(store, "KT", "budget_revenue", "2024-Q1")["value"] == 1032.6


def test_begin_raises_database_busy_when_the_holder_outlives_the_wait(duck_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store, plans = open_store(duck_url)
    before = snapshot(store)
    monkeypatch.setattr(kpi.store, "BUSY_RETRY_SECONDS", 0.6)
    holder = hold_duckdb_file(duck_path(duck_url), 30)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="database busy"):
            ingest_bytes(store, plans, Q1, "q1.csv")
        assert 0.5 <= time.monotonic() - started < 10
        with pytest.raises(DatabaseBusy, match="database busy"), store.connect():
            pass
    finally:
        holder.kill()
        holder.wait()
    before.assert_same(snapshot(store))


_OPENER = """
import sys, duckdb
conn = duckdb.connect(sys.argv[1])
conn.execute("create table opened_by_other_process (x integer)")
print(conn.execute("select count(*) from submissions").fetchone()[0])
conn.close()
"""


def test_engine_does_not_keep_the_duckdb_file_locked(duck_url: str) -> None:
    store, plans = open_store(duck_url)  # as the app opens it, and keeps the store for its lifetime
    assert ingest_bytes(store, plans, Q1, "q1.csv").ok
    with store.connect() as conn:
        assert len(current_figures(conn)) == 2
    other = subprocess.run([sys.executable, "-c", _OPENER, str(duck_path(duck_url))], capture_output=True, text=True,
                           timeout=30)
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "2"
    # The store still works after the other process wrote to the file.
    assert "opened_by_other_process" in sa.inspect(store.engine).get_table_names()
