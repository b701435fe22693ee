"""Loading submitted figure files: one pipeline for every reader, every path and both databases.

Steps, each a module:
  `source`   the file's name and bytes, read once (a path is a literal name, never a pattern)
  `limits`   the bounds every file is held to (size, rows, columns, cell and note length, unpacked size, time)
  `decode`   CSV encoding (UTF-8, UTF-16, Windows-1258; mixed and UTF-7 refused) → UTF-8
  `csv_grid` / `xlsx_grid`   the file's rows into the DuckDB relation `_grid` (see `grid`)
  `header`   what the columns mean, the layout, `_grid` → `_cells`
  `typed`    every cell typed and flagged, against the plans' look-up tables (`spec`)
  `rules`    the problems, with line, column, value and reason
  `stored`, `warnings`   the stored figures it is compared with; plausibility warnings
  `pipeline` `check(store, plans, source) -> Checked`
  `commit`   `commit(store, plans, checked)`: writes exactly what was checked

`ingest` checks and commits in one call (the CLI, the sample data, tests).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from kpi.access import Actor, whoami
from kpi.ingest.checked import CHANGE_NEW, CHANGE_REVISED, CHANGE_UNCHANGED, Checked
from kpi.ingest.commit import ATTEMPTS, Outdated, commit
from kpi.ingest.limits import Limits
from kpi.ingest.pipeline import check
from kpi.ingest.source import Source, SourceTooLarge
from kpi.plan import Plan
from kpi.store import DatabaseBusy, Store

__all__ = ["CHANGE_NEW", "CHANGE_REVISED", "CHANGE_UNCHANGED", "Checked", "Limits", "Outdated", "Source",
           "SourceTooLarge", "check", "commit", "ingest", "ingest_bytes", "ingest_path", "whoami"]


def ingest(store: Store, plans: dict[int, Plan], source: Source, *, origin: str = "cli",
           created_by: str | None = None, dry_run: bool = False, decimal: str | None = None,
           received_at: datetime | None = None, limits: Limits | None = None, actor: Actor | None = None) -> Checked:
    """Check `source` for `actor` (default: the local administrator) and, unless rejected or `dry_run`, commit
    it; a file whose comparison went stale while it was being written is checked again and the fresh result
    committed. `origin` is cli | app | sample; `created_by` is the name shown in the history (default: the
    actor's)."""
    checked = check(store, plans, source, decimal=decimal, limits=limits, actor=actor)
    if dry_run or not checked.ok:
        return replace(checked, dry_run=dry_run)
    for _ in range(ATTEMPTS):
        try:
            return commit(store, plans, checked, created_by=created_by, source=origin,
                          received_at=received_at)
        except Outdated as stale:
            checked = stale.fresh
            if not checked.ok:
                return checked
    raise DatabaseBusy("busy")


def ingest_bytes(store: Store, plans: dict[int, Plan], data: bytes, file_name: str, *, source: str = "cli",
                 **options: object) -> Checked:
    """`ingest` for a file's bytes (`source` is where it came from: cli | app | sample)."""
    return ingest(store, plans, Source(file_name, data), origin=source, **options)  # type: ignore[arg-type]


def ingest_path(store: Store, plans: dict[int, Plan], path: Path, *, source: str = "cli",
                limits: Limits | None = None, **options: object) -> Checked:
    """`ingest` for the file at `path`, taken literally; raises SourceTooLarge or OSError before checking."""
    limits = limits or Limits.from_env()
    return ingest(store, plans, Source.from_path(path, limits), origin=source, limits=limits,
                  **options)  # type: ignore[arg-type]
