"""Load a submitted file: read, validate as a whole, compare with the stored figures, write new revisions.

A file with any blocking problem writes nothing. Figures equal to the current ones are not written again, so
loading the same file twice changes nothing. Every accepted figure becomes a new revision; nothing is overwritten.
"""

from __future__ import annotations

import getpass
import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from kpi.i18n import t
from kpi.plan import Plan
from kpi.problems import Problem
from kpi.readers import read_table
from kpi.store import Store, bump_data_version, current_figures, now, submissions, uploads
from kpi.validate import validate

CHANGE_NEW, CHANGE_REVISED, CHANGE_UNCHANGED = "new", "revised", "unchanged"


@dataclass
class IngestResult:
    """What happened to one file: problems, per-figure changes, counts, and the upload id when written."""

    file_name: str
    problems: list[Problem] = field(default_factory=list)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    upload_id: int | None = None
    dry_run: bool = False
    encoding: str = ""
    separator: str = ""

    @property
    def ok(self) -> bool:
        """True when the file was accepted (no blocking problem)."""
        return not any(p.blocking for p in self.problems)

    def count(self, change: str) -> int:
        """How many figures are new, revised or unchanged."""
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


def write_upload(conn: Connection, changes: pd.DataFrame, file_name: str, digest: str, source: str,
                 created_by: str) -> int | None:
    """Record the upload and insert its new and revised figures; returns the upload id, None if nothing changed."""
    to_write = changes[changes["change"] != CHANGE_UNCHANGED]
    if to_write.empty:
        return None
    upload_id = conn.execute(
        uploads.insert()
        .values(
            file_name=file_name,
            file_sha256=digest,
            source=source,
            created_by=created_by,
            created_at=now(),
            n_rows=len(changes),
            n_new=int((changes["change"] == CHANGE_NEW).sum()),
            n_revised=int((changes["change"] == CHANGE_REVISED).sum()),
            n_unchanged=int((changes["change"] == CHANGE_UNCHANGED).sum()),
        )
        .returning(uploads.c.id)
    ).scalar_one()
    rows = to_write[["unit", "indicator", "period", "year", "quarter", "value", "qualifier", "note"]].rename(
        columns={"unit": "unit_code", "indicator": "indicator_code"}
    )
    rows = rows.astype(object).where(rows.notna(), None).assign(upload_id=upload_id)
    conn.execute(submissions.insert(), rows.to_dict("records"))
    bump_data_version(conn)
    return int(upload_id)


def ingest_bytes(store: Store, plans: dict[int, Plan], data: bytes, file_name: str, *, source: str = "cli",
                 created_by: str | None = None, dry_run: bool = False) -> IngestResult:
    """Validate `data` (a file's bytes) and, unless `dry_run` or rejected, store its figures as one upload."""
    raw = read_table(data)
    result = IngestResult(file_name, dry_run=dry_run, encoding=raw.encoding, separator=raw.separator)
    checked = validate(raw, plans)
    result.problems = checked.problems
    if not checked.ok:
        return result
    years = sorted(checked.figures["year"].unique().tolist())
    with store.begin() as conn:
        current = current_figures(conn, years)
        result.changes = classify_changes(checked.figures, current)
        if not dry_run:
            result.upload_id = write_upload(
                conn, result.changes, file_name, hashlib.sha256(data).hexdigest(), source,
                created_by or _whoami(),
            )
    return result


def _whoami() -> str:
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



