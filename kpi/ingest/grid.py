"""The relation every reader produces: `_grid` in the check's DuckDB connection, one row per file row.

Columns: `line` (the file's own line or sheet row, header = 1 unless blank lines come first), `c0`…`c{n-1}` the
cells as text, and for a workbook `n0`…`n{n-1}` the cells Excel stores as numbers. Everything after the readers
works on this relation alone, whatever the file's format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from kpi.problems import Problem


@dataclass
class Grid:
    """What a reader made: the header cells and their line, the width, whether number columns exist, the format
    detected, and problems found while reading (a blocking one means `_grid` may be incomplete)."""

    header: list[str]
    header_line: int
    encoding: str
    separator: str = ""
    numbers: bool = False
    reader: str = "duckdb"  # duckdb (regular CSV), python (irregular CSV) or openpyxl (workbook)
    problems: list[Problem] = field(default_factory=list)

    @property
    def width(self) -> int:
        """Number of columns of the header row."""
        return len(self.header)


def column_defs(width: int, numbers: bool) -> str:
    """DuckDB column definitions of `_grid` for `width` columns."""
    text = [f"c{i} VARCHAR" for i in range(width)]
    nums = [f"n{i} DOUBLE" for i in range(width)] if numbers else []
    return ", ".join(["line BIGINT", *text, *nums])


def drop_grid(con: duckdb.DuckDBPyConnection, grid: Grid) -> None:
    """Free `_grid` (and the table behind the view DuckDB's CSV reader leaves) once the cells are typed."""
    if grid.reader == "duckdb":
        con.execute("DROP VIEW _grid")
        con.execute("DROP TABLE _grid_read")
        con.execute("DROP TABLE IF EXISTS _grid_breaks")
    else:
        con.execute("DROP TABLE _grid")


class GridWriter:
    """`_grid` filled from Python, for the readers that parse rows themselves: rows are buffered and written a
    batch at a time through Arrow (`add`, then `close` for the last batch)."""

    BATCH = 8_192

    def __init__(self, con: duckdb.DuckDBPyConnection, width: int, numbers: bool) -> None:
        self.con = con
        self.width = width
        self.with_numbers = numbers
        self.lines: list[int] = []
        # Row after row in one flat list, cut into columns a batch at a time by slicing (in C; a Python loop per
        # cell cost more than reading the file, and holding each row's own list woke the garbage collector).
        self.texts: list[str | None] = []
        self.numbers: list[float | None] = []
        self.no_numbers: list[float | None] = [None] * width
        con.execute(f"CREATE TEMP TABLE _grid ({column_defs(width, numbers)})")

    def add(self, line: int, texts: list[str | None], numbers: list[float | None] | None = None) -> bool:
        """Buffer one row (`texts` and, for a workbook, `numbers`, each `width` long); True when a batch was
        written (a moment to look at the clock)."""
        self.lines.append(line)
        self.texts.extend(texts)
        if self.with_numbers:
            self.numbers.extend(numbers or self.no_numbers)
        if len(self.lines) >= self.BATCH:
            self._flush()
            return True
        return False

    def close(self) -> None:
        """Write what is still buffered."""
        if self.lines:
            self._flush()

    def _columns(self, flat: list) -> list[list]:
        return [flat[i::self.width] for i in range(self.width)]

    def _flush(self) -> None:
        import pyarrow as pa

        texts = self._columns(self.texts)
        numbers = self._columns(self.numbers) if self.with_numbers else []
        batch = pa.table({"line": pa.array(self.lines, pa.int64()),
                          **{f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(texts)},
                          **{f"n{i}": pa.array(col, pa.float64()) for i, col in enumerate(numbers)}})
        self.con.register("_grid_batch", batch)
        self.con.execute("INSERT INTO _grid SELECT * FROM _grid_batch")
        self.con.unregister("_grid_batch")
        self.lines.clear()
        self.texts.clear()
        self.numbers.clear()
