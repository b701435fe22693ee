"""Helpers shared by the test modules: CSV bytes, TOML text, and a snapshot of everything a load could change."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from kpi.cli import main
from kpi.ingest import Checked, ingest_bytes
from kpi.plan import Plan
from kpi.store import Store, current_figures, data_version, submissions, uploads

HEADER = "unit,indicator,period,value,note"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    """A submission file: `header` then `rows`, one line each."""
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


@dataclass
class Snapshot:
    """Everything a load may change: upload and revision counts, the data version and the current figures."""

    n_uploads: int
    n_submissions: int
    version: int
    figures: pd.DataFrame

    def assert_same(self, other: Snapshot) -> None:
        assert (self.n_uploads, self.n_submissions, self.version) == (
            other.n_uploads, other.n_submissions, other.version)
        pd.testing.assert_frame_equal(self.figures, other.figures)


def snapshot(store: Store) -> Snapshot:
    """The store's state now."""
    with store.connect() as conn:
        n_uploads = conn.execute(sa.select(sa.func.count()).select_from(uploads)).scalar_one()
        n_submissions = conn.execute(sa.select(sa.func.count()).select_from(submissions)).scalar_one()
        version = data_version(conn)
        figures = current_figures(conn)
    figures = figures.sort_values(["unit", "indicator", "period"]).reset_index(drop=True)
    return Snapshot(int(n_uploads), int(n_submissions), version, figures)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, a missing note or qualifier as None (pandas may hold it as NaN)."""
    return [{k: None if v is None or (isinstance(v, float) and math.isnan(v)) and k in ("note", "qualifier") else v
             for k, v in row.items()} for row in frame.to_dict("records")]


def figure(store: Store, unit: str, indicator: str, period: str) -> dict[str, Any] | None:
    """The current figure for one unit × indicator × period as a dict, or None."""
    with store.connect() as conn:
        frame = current_figures(conn)
    match = frame[(frame["unit"] == unit) & (frame["indicator"] == indicator) & (frame["period"] == period)]
    assert len(match) <= 1
    return None if match.empty else records(match)[0]


def revisions(store: Store, unit: str, indicator: str, period: str) -> list[tuple[float, str | None]]:
    """Every stored revision (value, note) of one figure, oldest first."""
    query = (
        sa.select(submissions.c.value, submissions.c.note)
        .where(submissions.c.unit_code == unit, submissions.c.indicator_code == indicator,
               submissions.c.period == period)
        .order_by(submissions.c.upload_id)  # a file holds a figure once: its revisions follow the uploads
    )
    with store.connect() as conn:
        return [(float(v), n) for v, n in conn.execute(query).all()]


# ---- a small TOML writer (the standard library reads TOML but does not write it)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def to_toml(data: dict[str, Any]) -> str:
    """TOML text for a plan-shaped dict: tables, arrays of tables, nested dicts written inline."""
    lines: list[str] = []
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict | list) or
               (isinstance(v, list) and not all(isinstance(i, dict) for i in v))}
    lines += [f"{_key(k)} = {_value(v)}" for k, v in scalars.items()]
    for name, value in data.items():
        if name in scalars:
            continue
        if isinstance(value, dict):
            lines.append(f"\n[{_key(name)}]")
            lines += [f"{_key(k)} = {_value(v)}" for k, v in value.items()]
        else:
            for item in value:
                lines.append(f"\n[[{_key(name)}]]")
                lines += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


# ---- DuckDB files held by another process
_HOLDER = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
conn.execute("select count(*) from meta").fetchall()
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
conn.close()
"""


def duck_path(url: str) -> Path:
    """The file behind a duckdb:/// URL."""
    return Path(sa.engine.make_url(url).database)


def hold_duckdb_file(path: Path, seconds: float) -> subprocess.Popen:
    """Start a process that opens the DuckDB file and keeps it for `seconds`; returns once it holds the lock.

    The caller ends it (`kill()` then `wait()`) if it must not run its course.
    """
    proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "holding":
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"the process meant to hold {path} did not start: {err}")
    return proc


def load_ok(opened: tuple[Store, dict[int, Plan]], data: bytes, name: str = "f.csv", **options: Any) -> Checked:
    """Ingest `data` as file `name` into the opened store (`options` as `ingest` takes them, e.g. `actor`); fails the
    test, listing the problems, unless it loaded."""
    store, plans = opened
    result = ingest_bytes(store, plans, data, name, **options)
    assert result.ok and result.upload_id is not None, [p.describe("en") for p in result.problems]
    return result


def warning_keys(result: Checked) -> list[tuple[int | None, str | None, str]]:
    """(line, column, code) of each warning of a loaded file, after checking nothing in it was blocking."""
    assert all(not p.blocking for p in result.problems)
    return [(p.line, p.column, p.code) for p in result.warnings]


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """`kpi argv…` in-process: (exit code, stdout, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def reject(opened: tuple[Store, dict[int, Plan]], data: bytes, name: str = "bao-cao.csv", **options: Any) -> Checked:
    """Ingest `data` and insist on a clean rejection: no exception, not ok, a blocking problem whose line is a
    file line or None, nothing written (the store's snapshot is the same before and after)."""
    store, plans = opened
    before = snapshot(store)
    result = ingest_bytes(store, plans, data, name, **options)
    assert not result.ok and result.upload_id is None
    assert result.blocking
    assert all(p.line is None or p.line >= 1 for p in result.problems)
    for problem in result.problems:  # every message can be shown, in both languages
        assert problem.describe("vi") and problem.describe("en")
    before.assert_same(snapshot(store))
    return result


#: The password of the users `signed_in` creates (long enough for the password rules).
TEST_PASSWORD = "mật khẩu thử nghiệm 2024"


def signed_in(url: str, username: str = "quantri", roles: tuple[str, ...] = ("admin",),
              units: tuple[str, ...] = ()) -> str:
    """Create a user with `roles` and `units` in the store at `url` and sign them in; returns the session token
    the app keeps in `st.session_state["auth_token"]`."""
    from kpi.auth import hash_password, sign_in
    from kpi.bootstrap import open_store
    from kpi.users import add_user

    store, plans = open_store(url)
    known = {u.code for plan in plans.values() for u in plan.units}
    add_user(store, "test", username, roles=list(roles), units=list(units), known_units=known,
             password_hash=hash_password(TEST_PASSWORD))
    token = sign_in(store, username, TEST_PASSWORD).token
    store.dispose()
    return token


def shown_table(at: Any, index: int = 0) -> pd.DataFrame:
    """The `index`-th static table (st.table) of an AppTest run as a reader sees it: the Markdown escapes the app
    puts in every cell (st.table renders Markdown) taken out again."""
    def plain(cell: Any) -> Any:
        return re.sub(r"\\(.)", r"\1", cell) if isinstance(cell, str) else cell

    frame = at.table[index].value
    return frame.rename(columns=plain).map(plain)


def record_downloads(monkeypatch: Any) -> dict[str | None, bytes]:
    """Every file the app hands to a download button during an AppTest run, file name → bytes: files given as
    bytes when the page ran, and files made on the click (a callable, as `ui.downloads` passes) made at once, as
    the click would."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    captured: dict[str | None, bytes] = {}
    stored = MemoryMediaFileStorage.load_and_get_id
    deferred = MediaFileManager.add_deferred

    def recording(self: Any, path_or_data: Any, mimetype: str, kind: Any, filename: str | None = None) -> str:
        captured[filename] = path_or_data
        return stored(self, path_or_data, mimetype, kind, filename)

    def on_click(self: Any, data_callable: Any, mimetype: Any, coordinates: str, file_name: str | None = None,
                 **kwargs: Any) -> str:
        captured[file_name] = data_callable()
        return deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", recording)
    monkeypatch.setattr(MediaFileManager, "add_deferred", on_click)
    return captured
