"""Shared fixtures: plans, fresh databases (DuckDB in tmp_path; PostgreSQL in a schema of its own per test)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from kpi.bootstrap import open_store
from kpi.plan import Plan, load_plans
from kpi.store import Store
from tests.support import record_downloads

PG_ADMIN_URL = os.environ.get("KPI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _no_user_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own database, language or user (`--as`) must not leak into the tests."""
    monkeypatch.delenv("KPI_DATABASE_URL", raising=False)
    monkeypatch.delenv("KPI_LANG", raising=False)
    monkeypatch.delenv("KPI_USER", raising=False)
    monkeypatch.delenv("KPI_PLANS_DIR", raising=False)


@pytest.fixture(scope="session")
def plans() -> dict[int, Plan]:
    """The plans shipped in data/plans."""
    return load_plans()


@pytest.fixture(scope="session")
def plan(plans: dict[int, Plan]) -> Plan:
    """The 2024 plan."""
    return plans[2024]


@pytest.fixture
def duck_url(tmp_path) -> str:
    """A URL for a new DuckDB file."""
    return f"duckdb:///{tmp_path / 'kpi.duckdb'}"


def _postgres_available() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL for an empty PostgreSQL schema of this test's own, dropped afterwards.

    Skips with the reason where no server listens, except in CI (CI=true), where PostgreSQL must be there.
    """
    reason = _postgres_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL must be available in CI at {PG_ADMIN_URL}: {reason}")
        pytest.skip(f"no PostgreSQL at {PG_ADMIN_URL}: {reason}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on both DuckDB and PostgreSQL."""
    name = "duck_url" if request.param == "duckdb" else "pg_url"
    return request.getfixturevalue(name)


@pytest.fixture
def fresh(duck_url: str) -> Iterator[tuple[Store, dict[int, Plan]]]:
    """An empty DuckDB store with the shipped plans, and those plans."""
    store, plans = open_store(duck_url)
    yield store, plans
    store.dispose()


@pytest.fixture
def opened(db_url: str) -> Iterator[tuple[Store, dict[int, Plan]]]:
    """An empty store with the shipped plans, on DuckDB and then on PostgreSQL."""
    store, plans = open_store(db_url)
    yield store, plans
    store.dispose()


ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_sample_db(directory: Path) -> str:
    """A DuckDB file in `directory` holding the plans and the sample data; returns its URL."""
    from kpi.bootstrap import open_store
    from kpi.sample import load_sample

    url = f"duckdb:///{directory / 'kpi.duckdb'}"
    store, plans = open_store(url)
    load_sample(store, plans)
    store.dispose()
    return url


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A sample database shared by one test module's read-only tests."""
    return make_sample_db(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real Streamlit server on the sample data: (base URL, database URL). Skips without Debian's chromium,
    except in CI, where .ci/run installs it."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium must be installed in CI (.ci/run installs it)")
        pytest.skip("no chromium here (apt-get install chromium)")
    url = make_sample_db(tmp_path_factory.mktemp("live"))
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true",
         "--server.address", "127.0.0.1"],
        cwd=ROOT, env={**os.environ, "KPI_DATABASE_URL": url}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright (whose own browser download cannot work here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str | None, bytes]:
    """Every file the app hands to a download button during an AppTest run: file name → bytes."""
    return record_downloads(monkeypatch)
