"""Running for real: the PostgreSQL server goes away under a running app and comes back; the CLI writes the DuckDB
file while the app serves; two app servers share one PostgreSQL database (an upload in one is on the other's page
at its next run). A corrupt or missing plan or registry stopping start-up is in tests/test_registry.py.

The server's restart is played by a TCP relay between the app and PostgreSQL (the shared server of the machine
and of CI must not be restarted by a test): stopping the relay drops every open connection and refuses new ones,
which is what the app sees while a server restarts; starting it again is the server back on the same address.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from kpi.bootstrap import open_store
from kpi.sample import load_sample
from kpi.store import Store
from tests.support import csv_bytes, duck_path, hold_duckdb_file

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = "Tạm thời chưa kết nối được cơ sở dữ liệu"


class Relay:
    """A TCP relay from a local port to PostgreSQL that can be cut and restored."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Listen (again) on the same port."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Close the listener and every relayed connection, as a server going down does."""
        with self._lock:
            if self._listener is not None:
                # Wakes the accept() blocked in the other thread (close() alone does not, on Linux).
                with contextlib.suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                if self._listener is not listener:  # stopped meanwhile: refuse
                    client.close()
                    return
                server = socket.create_connection(self.target)
                self._sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def relayed(pg_url: str) -> Iterator[tuple[str, Relay]]:
    """(a PostgreSQL URL through a relay, the relay) over this test's own schema, with the sample data."""
    url = sa.engine.make_url(pg_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    relay.start()
    through = pg_url.replace(f"{url.host}:{url.port or 5432}", f"127.0.0.1:{relay.port}")
    store, plans = open_store(through)
    load_sample(store, plans)
    store.dispose()
    yield through, relay
    relay.stop()


def _overview(url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_the_app_rides_out_a_database_restart(relayed: tuple[str, Relay], monkeypatch: pytest.MonkeyPatch) -> None:
    url, relay = relayed
    at = _overview(url, monkeypatch)
    at.run()
    assert not at.exception and at.title[0].value == "Tổng quan thực hiện chỉ tiêu"
    relay.stop()  # the server goes down: open connections die, new ones are refused
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(UNREACHABLE in w.value for w in at.warning), [w.value for w in at.warning]
    relay.start()  # back, on the same address: the same process, the same engine, no restart
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Tổng quan thực hiện chỉ tiêu"
    assert not any(UNREACHABLE in w.value for w in at.warning)


def test_the_app_serves_while_the_cli_writes_the_duckdb_file(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"duckdb:///{tmp_path / 'kpi.duckdb'}"
    store, plans = open_store(url)
    load_sample(store, plans)
    store.dispose()
    at = _overview(url, monkeypatch)
    at.run()
    assert not at.exception
    # Another process holds the file for two seconds (a long write): the page waits for it, then shows.
    holder = hold_duckdb_file(duck_path(url), 2.0)
    try:
        at.run()
    finally:
        holder.wait(timeout=30)
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "Tổng quan thực hiện chỉ tiêu"
    # A real `kpi ingest` running while the page is drawn again and again: every run ends in the page or the calm
    # "busy" message, never an error, and the next run shows the new figure.
    path = tmp_path / "q4.csv"
    path.write_bytes(csv_bytes("KT,budget_revenue,2024-Q4,1217.2,"))
    ingest = subprocess.Popen([sys.executable, "-m", "kpi.cli", "ingest", str(path), "--db", url],
                              cwd=ROOT, env={**os.environ, "KPI_DATABASE_URL": url}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    while ingest.poll() is None:
        at.run()
        assert not at.exception, [e.message for e in at.exception]
    assert ingest.returncode == 0, ingest.stderr.read()
    visitor = _overview(url, monkeypatch)  # someone opening the page now sees the latest period, Q4
    visitor.run()
    assert not visitor.exception
    assert "Quý IV/2024" in visitor.caption[0].value


_SERVER = """
import json, os, sys
from streamlit.testing.v1 import AppTest
os.environ["KPI_DATABASE_URL"] = sys.argv[1]
at = AppTest.from_file(sys.argv[2], default_timeout=60)
at.query_params["period"] = "2024-Q4"
for line in sys.stdin:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    print(json.dumps([c.value for c in at.caption] + [str(m.value) for m in at.metric], ensure_ascii=False),
          flush=True)
"""


def test_two_app_servers_share_one_postgresql_database(relayed: tuple[str, Relay], tmp_path: Path) -> None:
    """Two server processes (each its own caches) on one database: an upload through one is on the other's page
    at its next run, because every cache is keyed on the data version stored in the database."""
    url, _ = relayed
    servers = [subprocess.Popen([sys.executable, "-c", _SERVER, url, str(ROOT / "app.py")], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
               for _ in range(2)]

    def view(server: subprocess.Popen) -> str:
        server.stdin.write("run\n")
        server.stdin.flush()
        line = server.stdout.readline()
        assert line, server.stderr.read()
        return line.strip()

    try:
        before = [view(s) for s in servers]
        assert before[0] == before[1] and "Quý IV/2024" in before[0]
        # The sample stops at Q3, so the province's year through Q4 lacks its budget revenue for Q4; an upload of
        # it (the upload page's own path) changes the statuses counted and the "data as of" stamp on both.
        store, plans = open_store(url)
        from kpi.ingest import ingest_bytes

        assert ingest_bytes(store, plans, csv_bytes("KT,budget_revenue,2024-Q4,1217.2,"), "q4.csv").ok
        store.dispose()
        after = [view(s) for s in servers]
        assert after != before
        assert after[0] == after[1]
    finally:
        for server in servers:
            server.stdin.close()
            server.wait(timeout=30)


def test_analysts_uploading_at_the_same_moment_lose_nothing(pg_url: str, tmp_path: Path) -> None:
    """Four `kpi ingest` processes start together on one PostgreSQL database: each file lands whole, or its
    process exits 75 with a "busy, try again" message and writes nothing; nothing is half-written."""
    store, _ = open_store(pg_url)
    store.dispose()
    files = {}
    for n, unit in enumerate(("DHA", "DTO", "NHO", "KRA")):
        path = tmp_path / f"{unit}.csv"
        # Each analyst's file: their district's tourist arrivals for Q1 and Q2 (two rows, so half a file shows).
        path.write_bytes(csv_bytes(f"{unit},tourist_arrivals,2024-Q1,{1000 + n},",
                                   f"{unit},tourist_arrivals,2024-Q2,{2000 + n},"))
        files[unit] = path
    processes = {unit: subprocess.Popen([sys.executable, "-m", "kpi.cli", "ingest", str(path), "--db", pg_url],
                                        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for unit, path in files.items()}
    outcomes = {unit: (p.wait(timeout=120), p.stderr.read()) for unit, p in processes.items()}
    assert all(code in (0, 75) for code, _ in outcomes.values()), outcomes
    assert all("thử lại" in err for code, err in outcomes.values() if code == 75), outcomes
    store = Store(pg_url)
    with store.connect() as conn:
        landed = conn.execute(sa.text("SELECT unit_code, count(*) FROM submissions GROUP BY unit_code")).all()
    store.dispose()
    assert dict(landed) == {unit: 2 for unit, (code, _) in outcomes.items() if code == 0}
