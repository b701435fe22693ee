"""CSV text (already UTF-8) into `_grid`.

A regular file (one record a line, as Excel writes it) is read by DuckDB's own CSV reader, whose parallel scan is
what makes a million rows cheap; a record's position then gives its line. A file DuckDB finds irregular (blank
lines, a note spanning lines, a row with more or fewer cells than the header, a stray quote) is read again by
Python's csv module, which keeps every record's line exactly and reports rows with more cells than the header.
Both fill the same `_grid`; a differential test holds them to the same cells on regular files.
"""

from __future__ import annotations

import csv
import io
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from kpi.ingest.deadline import Deadline
from kpi.ingest.decode import Decoded, detect_separator
from kpi.ingest.grid import Grid, GridWriter
from kpi.ingest.limits import Limits
from kpi.ingest.rules import MAX_PROBLEMS
from kpi.problems import Problem

#: Up to this many runs of empty lines, rows are put back on their lines by a CASE; beyond, by a join.
FEW_BREAKS = 16


_LONE_CR = re.compile(rb"\r(?!\n)")
_LINE_END = re.compile(rb"\r\n?")
_TEXT = re.compile(rb"[^ \t\r\n\x0b\x0c]")


def _header_span(data: bytes) -> tuple[int, int, int] | None:
    """(line number, start, end) of the first line with anything but white space, or None for a blank file.
    Found at C speed: a file of blank lines is never walked line by line in Python."""
    first = _TEXT.search(data)
    if first is None:
        return None
    start = data.rfind(b"\n", 0, first.start()) + 1
    end = data.find(b"\n", first.start())
    return data.count(b"\n", 0, start) + 1, start, len(data) if end < 0 else end


def read_csv_grid(con: duckdb.DuckDBPyConnection, decoded: Decoded, limits: Limits, deadline: Deadline,
                  ) -> Grid | Problem:
    """Fill `_grid` in `con` from `decoded`; returns the Grid, or the Problem that stops the file before it is
    read (blank file, too many columns or rows)."""
    # Before any cell is parsed, the header's included: a long cell is a problem the checks name, not a reader
    # error (the csv module's own default of 131,072 characters raised from the header line in a fresh process).
    csv.field_size_limit(limits.max_file_bytes)
    data = decoded.utf8
    if b"\r" in data and _LONE_CR.search(data):
        # Lines ended by CR alone (old Excel for Mac) or a stray CR: every line end becomes LF before reading.
        data = _LINE_END.sub(b"\n", data)
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines - 1 > limits.max_rows:  # counted before anything else reads the file
        return Problem("too_many_rows", params={"n": lines - 1, "limit": limits.max_rows})
    span = _header_span(data)
    if span is None:
        return Problem("empty_file")
    header_line, start, end = span
    raw_header = data[start:end].decode("utf-8").removesuffix("\r")
    separator = detect_separator(raw_header)
    if raw_header.count(separator) + 1 > limits.max_columns:
        return Problem("too_many_columns", line=header_line,
                       params={"n": raw_header.count(separator) + 1, "limit": limits.max_columns})
    header = next(csv.reader([raw_header], delimiter=separator), [])
    if not any(cell.strip() for cell in header):
        return Problem("empty_file")
    body_lines = data.count(b"\n", end + 1) + (1 if len(data) > end + 1 and not data.endswith(b"\n") else 0)
    grid = Grid(header, header_line, decoded.encoding, separator)
    if header_line == 1 and _duckdb_read(con, *_without_blank_lines(data, end), grid, body_lines):
        return grid
    deadline.check()
    grid.reader = "python"
    grid.problems = _python_read(con, data, grid, limits, deadline)
    return grid


@contextmanager
def _readable(data: bytes) -> Iterator[str]:
    """A path DuckDB can read `data` from without a file on disk: an anonymous memory file on Linux, else an
    in-memory fsspec file system. Never the user's own path, so no name is ever read as a wildcard pattern."""
    if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
        fd = os.memfd_create("kpi-upload", os.MFD_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
    else:  # pragma: no cover - exercised on platforms without memfd
        import fsspec

        fs = fsspec.filesystem("memory")
        name = f"/kpi-upload/{uuid.uuid4().hex}.csv"
        fs.pipe(name, data)
        try:
            yield f"memory://{name}"
        finally:
            fs.rm(name)


def _empty_line_runs(data: bytes, start: int) -> Iterator[tuple[int, int]]:
    """(first, end) of each run of empty lines in `data` after position `start` (a line end): found with bytes.find,
    in C (a regular expression walked every line end of a million-line file in Python's engine)."""
    after = {b"\n\n": data.find(b"\n\n", start), b"\n\r\n": data.find(b"\n\r\n", start)}
    while True:
        found = [at for at in after.values() if at >= 0]
        if not found:
            return
        first = end = min(found) + 1
        while True:
            if data.startswith(b"\n", end):
                end += 1
            elif data.startswith(b"\r\n", end):
                end += 2
            else:
                break
        yield first, end
        for mark, at in after.items():
            if 0 <= at < end:
                after[mark] = data.find(mark, end - 1)


def _without_blank_lines(data: bytes, end: int) -> tuple[bytes, list[tuple[int, int]]]:
    """`data` without the empty lines after its header line (which ends at `end`), and where they were: (rows
    kept before them, empty lines up to there), one pair a run. DuckDB skips empty lines, so its row numbers would
    drift from the file's lines; the pairs put each row back on its line. A file with a quote is left whole: an
    empty line may be inside a quoted note, and the exact reader sorts that out."""
    if data.find(b'"', end) >= 0:
        return data, []
    view = memoryview(data)  # slices of a view are not copies: the join below makes the only one
    chunks, breaks, last, rows, blanks = [view[:end + 1]], [], end + 1, 0, 0
    for first, stop in _empty_line_runs(data, end):
        rows += data.count(b"\n", last, first)
        blanks += data.count(b"\n", first, stop)
        chunks.append(view[last:first])
        breaks.append((rows, blanks))
        last = stop
    if not breaks:
        return data, []
    chunks.append(view[last:])
    return b"".join(chunks), breaks


def _duckdb_read(con: duckdb.DuckDBPyConnection, data: bytes, breaks: list[tuple[int, int]], grid: Grid,
                 body_lines: int) -> bool:
    """Read a regular file with DuckDB into `_grid`; False (and no `_grid`) when the file is not regular. `breaks`
    says where `_without_blank_lines` took empty lines out of `data` (`body_lines` counts them)."""
    # One column more than the header: a row with an extra cell, even an empty one (`9,5,` with a decimal comma),
    # fills it, and the file goes to the exact reader, which reports the row. Empty cells read as '' (nullstr is
    # a text no cell holds), so a trailing empty cell is told apart from a cell that is not there (NULL).
    names = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(grid.width + 1))
    delim = {",": ",", ";": ";", "\t": "\\t"}[grid.separator]
    # Only this module's constants and the header's width enter the SQL; the path is a bound parameter. No
    # rejects table: the first irregular row raises and the file goes to the exact reader. Storing rejects kept one
    # row per extra cell, each with the whole line (10 lines of 10,000 cells: 19 s and 2.4 GB).
    read = (f"read_csv($path, header = false, skip = 1, columns = {{{names}}}, delim = '{delim}', quote = '\"', "
            f"escape = '\"', auto_detect = false, strict_mode = true, null_padding = true, "
            f"nullstr = '\\x00no-cell')")
    with _readable(data) as path:
        try:
            con.execute(f"CREATE TEMP TABLE _grid_read AS SELECT * FROM {read}", {"path": path})
        except duckdb.InterruptException:
            raise
        except duckdb.Error:
            return False
    rows, extra = con.execute(f"SELECT count(*), count(c{grid.width}) FROM _grid_read").fetchone()
    if extra or rows + (breaks[-1][1] if breaks else 0) != body_lines:
        con.execute("DROP TABLE _grid_read")
        return False
    # Insertion order is file order (DuckDB preserves it by default), so a row's rowid (its position from 0) + 2
    # is its file line, plus the empty lines taken out before it. A view, not a copy: numbering in the read itself
    # would make the parallel read serial.
    cells = ", ".join(f"c{i}" for i in range(grid.width))
    if not breaks:
        con.execute(f"CREATE TEMP VIEW _grid AS SELECT rowid + 2 AS line, {cells} FROM _grid_read")
        return True
    if len(breaks) <= FEW_BREAKS:
        # A few runs (a file ending in empty lines, one after the header): the offset is a short CASE, cheaper than
        # a join over a million rows. Only counts this module worked out enter the SQL.
        offset = " ".join(f"WHEN rowid >= {int(row)} THEN {int(blanks)}" for row, blanks in reversed(breaks))
        con.execute(f"CREATE TEMP VIEW _grid AS SELECT rowid + 2 + CASE {offset} ELSE 0 END AS line, {cells} "
                    "FROM _grid_read")
        return True
    con.execute("CREATE TEMP TABLE _grid_breaks AS SELECT unnest($rows) AS row, unnest($blanks) AS blanks",
                {"rows": [row for row, _ in breaks], "blanks": [blank for _, blank in breaks]})
    con.execute(f"CREATE TEMP VIEW _grid AS SELECT g.r + 2 + coalesce(b.blanks, 0) AS line, {cells} "
                "FROM (SELECT rowid AS r, * FROM _grid_read) g ASOF LEFT JOIN _grid_breaks b ON g.r >= b.row")
    return True


#: Fed to the exact reader after the file's last line: NUL cannot be in a decoded file, so this line is read as a
#: record of its own unless a quote is still open, which takes it into its cell.
_END = "\x00\n"
#: A quoted stretch of a line (`""` inside one is two stretches): what `_separators_outside_quotes` leaves out.
_QUOTED = re.compile(r'"[^"]*"')


class _TooWide(Exception):
    """A line with more cells than `max_columns`, found before the csv module splits it."""


def _separators_outside_quotes(line: str, separator: str) -> int:
    return _QUOTED.sub("", line).count(separator) if '"' in line else line.count(separator)


def _bounded_lines(text: io.TextIOWrapper, separator: str, max_columns: int) -> Iterator[str]:
    """The lines of `text`, then `_END`. A line with more than `max_columns` cells raises `_TooWide` before the
    csv module makes a list of them (a 200 MB line of commas would be 100 million cells). Only a line long enough
    to hold that many separators is counted."""
    for line in text:
        if len(line) > max_columns and _separators_outside_quotes(line, separator) >= max_columns:
            raise _TooWide
        yield line
    yield _END


def _python_read(con: duckdb.DuckDBPyConnection, data: bytes, grid: Grid, limits: Limits, deadline: Deadline,
                 ) -> list[Problem]:
    """Read the records after the header of `data` (UTF-8) with Python's csv module into `_grid`, each with its
    first line. Rows with more cells than the header are problems (a decimal comma in a comma file, an unquoted
    comma), listed up to MAX_PROBLEMS and the rest counted; so are a line wider than `max_columns` and a quote
    still open at the end of the file (it would swallow every row after it into one cell), which stop the read."""
    width = grid.width
    writer = GridWriter(con, width, numbers=False)
    # Decoded as it is read, a line at a time: no second copy of the whole file as text.
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
    for _ in range(grid.header_line):
        text.readline()
    reader = csv.reader(_bounded_lines(text, grid.separator, limits.max_columns), delimiter=grid.separator)
    problems: list[Problem] = []
    end, extra = grid.header_line, 0
    try:
        for record in reader:
            start, end = end + 1, grid.header_line + reader.line_num
            if record and record[-1].endswith(_END):
                # Still inside quotes at the end: the quote opened on the line where this cell begins.
                opened = start + sum(cell.count("\n") for cell in record[:-1])
                column = grid.header[len(record) - 1] if len(record) <= width else None
                problems.append(Problem("unclosed_quote", line=opened, column=column))
                break
            if record == [_END.rstrip("\n")]:
                break
            if len(record) > width:
                extra += 1
                if extra <= MAX_PROBLEMS:  # the rest are counted: 200,000 such rows printed 41 MB
                    problems.append(Problem("extra_cells", line=start, params={"n": len(record), "expected": width}))
                continue
            if not record:  # a blank line
                continue
            if len(record) < width:
                record += [None] * (width - len(record))
            if writer.add(start, record):
                deadline.check()
    except _TooWide:
        problems.append(Problem("too_many_cells", line=grid.header_line + reader.line_num + 1,
                                params={"limit": limits.max_columns}))
    except csv.Error as exc:
        problems.append(Problem("bad_csv", line=end + 1, params={"detail": str(exc)[:120]}))
    if extra > MAX_PROBLEMS:
        problems.append(Problem("too_many", params={"n": extra - MAX_PROBLEMS, "limit": MAX_PROBLEMS}))
    writer.close()
    return problems
