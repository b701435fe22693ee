"""Several `kpi` processes at once on a new database: schema set-up is serialised, every process exits with a code
that keeps its meaning, and a file lands once however many processes send it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kpi.bootstrap import open_store
from tests.support import csv_bytes, revisions

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 4


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kpi.cli", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("command", ["init", "ingest"])
def test_processes_starting_together_on_an_empty_database_all_succeed(db_url: str, tmp_path: Path,
                                                                      command: str) -> None:
    path = tmp_path / "quy1.csv"
    path.write_bytes(csv_bytes("KT,budget_revenue,2024-Q1,1032.6,", "TPKT,tourist_arrivals,2024-Q1,185234,"))
    args = ["init", "--db", db_url] if command == "init" else ["ingest", str(path), "--db", db_url, "--lang", "en"]
    running = [_start(*args) for _ in range(PROCESSES)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in running]
    for code, _, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    if command == "ingest":
        outputs = sorted(out.split(":")[0] for _, out, _ in results)
        # One process writes the file; the others find every figure already stored.
        assert outputs == ["Loaded quy1.csv"] + ["quy1.csv"] * (PROCESSES - 1), outputs
        store, _ = open_store(db_url)
        assert revisions(store, "KT", "budget_revenue", "2024-Q1") == [(1032.6, None)]
