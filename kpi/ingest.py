"""Load a submitted file: read, validate as a whole, compare with the stored figures, write new revisions.

A file with any blocking problem writes nothing. Figures equal to the current ones are not written again, so
loading the same file twice changes nothing. Every accepted figure becomes a new revision; nothing is overwritten.
"""

from __future__ import annotations

import getpass
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from kpi.checks import load_spec
from kpi.fastload import try_fast_load
from kpi.i18n import t
from kpi.plan import Plan
from kpi.plausibility import plausibility_warnings
from kpi.problems import Problem
from kpi.readers import read_table
from kpi.store import Store, bump_data_version, current_figures, now, submissions, uploads
from kpi.validate import validate

CHANGE_NEW, CHANGE_REVISED, CHANGE_UNCHANGED = "new", "revised", "unchanged"
SUBMISSION_COLUMNS = ["upload_id", "unit_code", "indicator_code", "period", "year", "quarter", "value", "qualifier",
                      "note"]
_INSERT_INCOMING = (
    "INSERT INTO submissions (upload_id, unit_code, indicator_code, period, year, quarter, value, qualifier, note) "
    "SELECT upload_id, unit_code, indicator_code, period, year, quarter, value, qualifier, note FROM _incoming"
)


@dataclass
class IngestResult:
    """What happened to one file: problems, counts of new / revised / unchanged figures, the upload id when
    written, and (careful path) the per-figure changes for a preview."""

    file_name: str
    problems: list[Problem] = field(default_factory=list)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    counts: dict[str, int] = field(default_factory=dict)
    upload_id: int | None = None
    dry_run: bool = False
    encoding: str = ""
    separator: str = ""
    decimal: str = ""
    layout: str = "long"
    path: str = "careful"  # "fast" when the file went straight into DuckDB

    @property
    def ok(self) -> bool:
        """True when the file was accepted (no blocking problem)."""
        return not any(p.blocking for p in self.problems)

    @property
    def warnings(self) -> list[Problem]:
        """Problems that do not block the file."""
        return [p for p in self.problems if not p.blocking]

    def count(self, change: str) -> int:
        """How many figures are new, revised or unchanged."""
        if change in self.counts:
            return self.counts[change]
        return 0 if self.changes.empty else int((self.changes["change"] == change).sum())

    def summary(self, lang: str = "vi") -> str:
        """One sentence on the outcome, in `lang`."""
        if not self.ok:
            blocking = sum(p.blocking for p in self.problems)
            return t("ingest.rejected", lang, file=self.file_name, n=blocking)
        counts = {"new": self.count(CHANGE_NEW), "revised": self.count(CHANGE_REVISED),
                  "unchanged": self.count(CHANGE_UNCHANGED)}
        if self.dry_run:
            return t("ingest.dry_run", lang, file=self.file_name, **counts)
        if self.upload_id is None:
            return t("ingest.nothing_changed", lang, file=self.file_name)
        return t("ingest.loaded", lang, file=self.file_name, upload=self.upload_id, **counts)


def classify_changes(figures: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """`figures` with `change` (new / revised / unchanged) and the `previous_value` each would replace."""
    key = ["unit", "indicator", "period"]
    before = current[key + ["value", "qualifier", "note"]].rename(
        columns={"value": "previous_value", "qualifier": "previous_qualifier", "note": "previous_note"}
    )
    merged = figures.merge(before, on=key, how="left")
    same = (
        np.isclose(merged["value"], merged["previous_value"], rtol=0, atol=1e-9)
        & (merged["qualifier"].fillna("") == merged["previous_qualifier"].fillna(""))
        & (merged["note"].fillna("") == merged["previous_note"].fillna(""))
    )
    merged["change"] = np.select(
        [merged["previous_value"].isna(), same], [CHANGE_NEW, CHANGE_UNCHANGED], default=CHANGE_REVISED
    )
    return merged.drop(columns=["previous_qualifier", "previous_note"])


def insert_submissions(conn: Connection, rows: pd.DataFrame) -> None:
    """Append `rows` (columns of the submissions table) in bulk: DuckDB reads the frame in place, PostgreSQL takes
    COPY; other databases get executemany."""
    columns = SUBMISSION_COLUMNS
    rows = rows[columns]
    dialect = conn.dialect.name
    if dialect == "duckdb":
        raw = conn.connection.dbapi_connection
        raw.register("_incoming", rows)
        try:
            raw.execute(_INSERT_INCOMING)
        finally:
            raw.unregister("_incoming")
    elif dialect == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY submissions ({', '.join(columns)}) FROM STDIN") as copy:
            for record in rows.astype(object).where(rows.notna(), None).itertuples(index=False):
                copy.write_row(record)
    else:
        conn.execute(submissions.insert(), rows.astype(object).where(rows.notna(), None).to_dict("records"))


def write_upload(conn: Connection, changes: pd.DataFrame, upload_values: dict) -> int | None:
    """Record the upload and insert its new and revised figures; returns the upload id, None if nothing changed."""
    to_write = changes[changes["change"] != CHANGE_UNCHANGED]
    if to_write.empty:
        return None
    upload_id = conn.execute(
        uploads.insert()
        .values(
            **upload_values,
            n_rows=len(changes),
            n_new=int((changes["change"] == CHANGE_NEW).sum()),
            n_revised=int((changes["change"] == CHANGE_REVISED).sum()),
            n_unchanged=int((changes["change"] == CHANGE_UNCHANGED).sum()),
        )
        .returning(uploads.c.id)
    ).scalar_one()
    rows = to_write.rename(columns={"unit": "unit_code", "indicator": "indicator_code"}).assign(upload_id=upload_id)
    insert_submissions(conn, rows)
    bump_data_version(conn)
    return int(upload_id)


def _upload_values(file_name: str, digest: str, source: str, created_by: str | None,
                   received_at: datetime | None = None) -> dict:
    return {"file_name": file_name, "file_sha256": digest, "source": source,
            "created_by": created_by or whoami(), "created_at": received_at or now()}


def ingest_bytes(store: Store, plans: dict[int, Plan], data: bytes, file_name: str, *, source: str = "cli",
                 created_by: str | None = None, dry_run: bool = False, decimal: str | None = None,
                 received_at: datetime | None = None) -> IngestResult:
    """Validate `data` (a file's bytes) as a whole and, unless `dry_run` or rejected, store its figures as one
    upload (the careful path: every problem listed with its line). `received_at` (UTC) dates the upload when it
    arrived earlier than now (the sample data)."""
    raw = read_table(data)
    result = IngestResult(file_name, dry_run=dry_run, encoding=raw.encoding, separator=raw.separator,
                          layout=raw.layout)
    checked = validate(raw, plans, decimal)
    result.problems, result.decimal = checked.problems, checked.decimal
    if not checked.ok:
        return result
    years = set(checked.figures["year"].unique().tolist())
    with store.begin() as conn:
        # The year before too: a first quarter is compared with last year's quarters for plausibility.
        current = current_figures(conn, sorted(years | {year - 1 for year in years}))
        result.problems = checked.problems + _warnings(checked.figures, current, plans, raw.headers)
        result.changes = classify_changes(checked.figures, current)
        if not dry_run:
            values = _upload_values(file_name, hashlib.sha256(data).hexdigest(), source, created_by, received_at)
            result.upload_id = write_upload(conn, result.changes, values)
    return result


def _warnings(figures: pd.DataFrame, current: pd.DataFrame, plans: dict[int, Plan],
              headers: dict[str, str]) -> list[Problem]:
    con = duckdb.connect()
    try:
        load_spec(con, plans)
        con.register("incoming", figures)
        con.register("before", current)
        return plausibility_warnings(con, headers)
    finally:
        con.close()


def ingest_path(store: Store, plans: dict[int, Plan], path: Path, *, source: str = "cli",
                created_by: str | None = None, dry_run: bool = False, decimal: str | None = None) -> IngestResult:
    """Load the file at `path`: a clean UTF-8 long CSV into DuckDB takes the one-statement fast path; anything
    else, or anything the fast path doubts, takes the careful path of `ingest_bytes`."""
    if not dry_run:
        digest = _sha256(path)
        loaded = try_fast_load(store, plans, path, upload_values=_upload_values(path.name, digest, source, created_by),
                               decimal=decimal)
        if loaded is not None:
            return IngestResult(path.name, problems=loaded["warnings"], counts=loaded["counts"],
                                upload_id=loaded["upload_id"], encoding="utf-8", decimal=loaded["decimal"],
                                path="fast")
    return ingest_bytes(store, plans, path.read_bytes(), path.name, source=source, created_by=created_by,
                        dry_run=dry_run, decimal=decimal)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def whoami() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def figures_to_csv(figures: pd.DataFrame) -> bytes:
    """Canonical long-format CSV (unit,indicator,period,value,note) for `figures`, UTF-8."""
    out = figures[["unit", "indicator", "period"]].copy()
    values = figures["value"].map(lambda v: f"{v:.10g}")
    qualifier = figures["qualifier"].astype(object).fillna("") if "qualifier" in figures else ""
    out["value"] = qualifier + values
    out["note"] = figures["note"].fillna("") if "note" in figures else ""
    return out.to_csv(index=False).encode("utf-8")
