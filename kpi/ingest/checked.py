"""The outcome of checking a file: what it is, what is wrong with it, and exactly what committing it would write.

The upload page keeps the `Checked` it showed and commits that object, so what is written is what was previewed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kpi.access import Actor
from kpi.i18n import t
from kpi.ingest.source import Source
from kpi.problems import Problem

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

CHANGE_NEW, CHANGE_REVISED, CHANGE_UNCHANGED = "new", "revised", "unchanged"
CHANGES = (CHANGE_NEW, CHANGE_REVISED, CHANGE_UNCHANGED)
#: Columns of `Checked.rows`, the figures a commit writes.
ROW_COLUMNS = ("line", "unit", "indicator", "period", "year", "quarter", "value", "qualifier", "note", "estimate",
               "previous_value", "previous_qualifier", "previous_note", "previous_estimate", "change")


def plain_rows(rows: pa.Table) -> pa.Table:
    """`rows` with its dictionary columns (codes, periods, changes: see `kpi.ingest.pipeline`) as plain text, for
    comparing two checks (each has its own dictionaries) and for pandas (which would make them categories)."""
    import pyarrow as pa

    columns = [column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column for column in rows.columns]
    return pa.table(columns, names=rows.column_names)


@dataclass
class Checked:
    """A checked file. `rows` holds the new and revised figures (columns `ROW_COLUMNS`) when the file is
    accepted; `data_version` is the store's version the comparison was made against; `upload_id` is set once
    committed."""

    source: Source
    decimal_option: str | None = None
    problems: list[Problem] = field(default_factory=list)
    encoding: str = ""
    separator: str = ""
    decimal: str = ""
    layout: str = "long"
    reader: str = ""  # which reader filled the grid: duckdb, python or openpyxl
    counts: dict[str, int] = field(default_factory=dict)
    rows: pa.Table | None = None
    data_version: int | None = None
    upload_id: int | None = None
    dry_run: bool = False
    #: Who the file was checked for: what they may write was part of the check, and commit writes as them.
    actor: Actor | None = None

    @property
    def file_name(self) -> str:
        """The file's name as sent."""
        return self.source.name

    @property
    def ok(self) -> bool:
        """True when nothing blocks the file."""
        return not any(p.blocking for p in self.problems)

    @property
    def warnings(self) -> list[Problem]:
        """Problems that do not block the file."""
        return [p for p in self.problems if not p.blocking]

    @property
    def blocking(self) -> list[Problem]:
        """Problems that stop the file."""
        return [p for p in self.problems if p.blocking]

    def count(self, change: str) -> int:
        """How many figures are new, revised or unchanged."""
        return int(self.counts.get(change, 0))

    @property
    def to_write(self) -> int:
        """How many figures a commit would write (new and revised)."""
        return self.count(CHANGE_NEW) + self.count(CHANGE_REVISED)

    def same_writes(self, other: Checked) -> bool:
        """True when `other` would write exactly the same figures over the same previous values."""
        if self.ok != other.ok or self.counts != other.counts:
            return False
        if self.rows is None or other.rows is None:
            return self.rows is None and other.rows is None
        order = [(name, "ascending") for name in ("unit", "indicator", "period")]
        return plain_rows(self.rows).sort_by(order).equals(plain_rows(other.rows).sort_by(order))

    @property
    def changes(self) -> pd.DataFrame:
        """`changes_frame()`: the new and revised figures with the values they replace."""
        return self.changes_frame()

    def changes_frame(self) -> pd.DataFrame:
        """The new and revised figures as a DataFrame (columns `ROW_COLUMNS`), in file order (line, then period
        for a wide file's cells of one line)."""
        import pandas as pd

        if self.rows is None:
            return pd.DataFrame(columns=list(ROW_COLUMNS))
        frame = plain_rows(self.rows).to_pandas()
        return frame.sort_values(["line", "period"], kind="stable").reset_index(drop=True)

    def summary(self, lang: str = "vi") -> str:
        """One sentence on the outcome, in `lang`."""
        if not self.ok:
            return t("ingest.rejected", lang, file=self.file_name, n=len(self.blocking))
        counts = {change: self.count(change) for change in CHANGES}
        if self.dry_run:
            return t("ingest.dry_run", lang, file=self.file_name, **counts)
        if self.upload_id is None:
            return t("ingest.nothing_changed", lang, file=self.file_name)
        return t("ingest.loaded", lang, file=self.file_name, upload=self.upload_id, **counts)
