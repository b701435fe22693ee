"""An .xlsx workbook's first sheet into `_grid`, reading only the cells that are there.

The workbook's parts are measured before anything is decompressed (a zip can promise a gigabyte from a few
kilobytes), and the sheet is streamed cell by cell: a stray cell at XFD1048576 costs one cell, never a grid sized
by the furthest cell. Cells right of the header's last column are ignored with a warning naming them. Numbers
keep the value Excel stores; a number formatted as a percentage is read as typed (58,5% is 58.5, as in a CSV).
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import duckdb

from kpi.ingest.deadline import Deadline
from kpi.ingest.grid import Grid, GridWriter
from kpi.ingest.limits import Limits
from kpi.problems import Problem

# A `%` in a number format scales the shown number by 100 unless it is quoted ("%") or escaped (\%).
_LITERALS = re.compile(r'"[^"]*"|\\.')
MAX_STRAY_WARNINGS = 20


def _measure(data: bytes, limits: Limits) -> Problem | None:
    """A problem when the workbook is not a zip, has too many parts, or would unpack past the limit."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return Problem("not_workbook", params={"detail": str(exc)[:120]})
    if len(parts) > limits.max_parts:
        return Problem("workbook_too_large", params={"n": len(parts), "limit": limits.max_parts, "what": "parts"})
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.max_unpacked_bytes:
        return Problem("workbook_too_large",
                       params={"n": unpacked, "limit": limits.max_unpacked_bytes, "what": "bytes"})
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: object, number_format: str) -> float | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if "%" in _LITERALS.sub("", number_format or ""):
        return float(Decimal(repr(value)) * 100)
    return float(value)


def read_xlsx_grid(con: duckdb.DuckDBPyConnection, data: bytes, limits: Limits, deadline: Deadline,
                   ) -> Grid | Problem:
    """Fill `_grid` in `con` from the workbook's first sheet; returns the Grid or the Problem that stops it."""
    problem = _measure(data, limits)
    if problem is not None:
        return problem
    import openpyxl
    from openpyxl.cell.read_only import ReadOnlyCell

    # The streaming parser behind openpyxl's read-only mode: it yields only the cells a row really has, where
    # the public iterators pad rows out to the furthest column.
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged or foreign file
        return Problem("not_workbook", params={"detail": f"{type(exc).__name__}: {exc}"[:160]})
    try:
        sheet = book.worksheets[0]
        source = book._archive.open(sheet._worksheet_path)  # noqa: SLF001 - the sheet's XML, as openpyxl opens it
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,  # noqa: SLF001
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)  # noqa: SLF001
        return _stream(con, parser, lambda c: ReadOnlyCell(sheet, **c).number_format, limits, deadline)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        return Problem("not_workbook", params={"detail": f"{type(exc).__name__}: {exc}"[:160]})
    finally:
        book.close()


def _stream(con: duckdb.DuckDBPyConnection, parser, number_format, limits: Limits, deadline: Deadline,
            ) -> Grid | Problem:
    from openpyxl.utils import get_column_letter

    grid: Grid | None = None
    writer: GridWriter | None = None
    rows_seen = 0
    for row_index, cells in parser.parse():
        present = [c for c in cells if c["value"] is not None and str(c["value"]).strip() != ""]
        if not present:
            continue
        rows_seen += 1
        if rows_seen % 1024 == 0:
            deadline.check()
        if grid is None:
            width = max(c["column"] for c in present)
            if width > limits.max_columns:
                return Problem("too_many_columns", line=row_index, params={"n": width, "limit": limits.max_columns})
            header = [""] * width
            for c in present:
                header[c["column"] - 1] = str(_text(c["value"])).strip()
            grid = Grid(header, row_index, "xlsx", numbers=True, reader="openpyxl")
            writer = GridWriter(con, width, numbers=True)
            continue
        if rows_seen - 1 > limits.max_rows:
            return Problem("too_many_rows", params={"n": rows_seen - 1, "limit": limits.max_rows})
        row_text: list[str | None] = [None] * grid.width
        row_number: list[float | None] = [None] * grid.width
        kept = False
        for c in present:
            column = c["column"] - 1
            if column >= grid.width:
                if len(grid.problems) < MAX_STRAY_WARNINGS:
                    grid.problems.append(Problem("stray_cell", line=row_index, column=get_column_letter(c["column"]),
                                                 value=str(_text(c["value"]))[:80], blocking=False))
                continue
            row_text[column] = _text(c["value"])
            row_number[column] = _number(c["value"], number_format(c))
            kept = True
        if kept:
            writer.add(row_index, row_text, row_number)
    if grid is None or writer is None:
        return Problem("empty_file")
    writer.close()
    return grid
