"""The bounds every submitted file is held to: one settings table, checked before the step each one protects.

Defaults are far above any real department file (the national benchmark file has 1,000,000 rows in 38 MB) and
far below what would hurt a 2-core server. Each can be changed with an environment variable `KPI_LIMIT_<NAME>`
(upper case), e.g. `KPI_LIMIT_MAX_ROWS=3000000`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

#: (name, default, unit, what it bounds) — the README's table of limits is checked against this one by a test.
LIMITS_TABLE: tuple[tuple[str, int, str, str], ...] = (
    ("max_file_bytes", 200_000_000, "bytes", "size of one submitted file (CSV or .xlsx) as sent"),
    ("max_rows", 2_000_000, "rows", "lines of a CSV file or rows of a sheet after the header, blank ones included"),
    ("max_columns", 200, "columns", "cells of the header row or of any line"),
    ("max_cell_chars", 200, "characters", "length of a unit, indicator, period or value cell"),
    ("max_note_chars", 2_000, "characters", "length of a note"),
    ("max_unpacked_bytes", 400_000_000, "bytes", "an .xlsx workbook's parts once decompressed, all together"),
    ("max_parts", 500, "parts", "files inside an .xlsx workbook"),
    ("max_shared_strings", 1_000_000, "strings", "distinct texts in an .xlsx workbook's shared-string table"),
    ("max_shared_chars", 100_000_000, "characters", "length of an .xlsx workbook's shared strings, all together"),
    ("max_check_seconds", 120, "seconds", "wall-clock time to check one file, reading included"),
)


@dataclass(frozen=True)
class Limits:
    """The limits in force; see `LIMITS_TABLE` for the meaning and unit of each."""

    max_file_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int
    max_note_chars: int
    max_unpacked_bytes: int
    max_parts: int
    max_shared_strings: int
    max_shared_chars: int
    max_check_seconds: int

    @classmethod
    def defaults(cls) -> Limits:
        """The limits of `LIMITS_TABLE` as shipped."""
        return cls(**{name: default for name, default, _, _ in LIMITS_TABLE})

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """The defaults, each overridden by `KPI_LIMIT_<NAME>` when set to a positive whole number."""
        environ = os.environ if environ is None else environ
        limits = cls.defaults()
        for field in fields(cls):
            raw = environ.get(f"KPI_LIMIT_{field.name.upper()}", "").strip()
            if raw.isdigit() and int(raw) > 0:
                limits = replace(limits, **{field.name: int(raw)})
        return limits
