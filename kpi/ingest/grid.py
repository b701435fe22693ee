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
    else:
        con.execute("DROP TABLE _grid")
