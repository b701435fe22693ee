"""Read a submitted file into a table of text cells with their file line numbers and canonical column names.

Detects the encoding (UTF-8 with or without BOM, UTF-16, Windows-1258) and the separator (`,` `;` tab), and maps
English or Vietnamese headers onto `unit, indicator, period, value, note`. Nothing here judges the values.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
import pandas as pd

from kpi.periods import spelling_key, spelling_keys
from kpi.problems import Problem
from kpi.text import strip_diacritics

REQUIRED = ("unit", "indicator", "period", "value")
OPTIONAL = ("note",)

# Header spellings, compared without case, diacritics, spaces or punctuation.
_HEADER_ALIASES = {
    "unit": ["unit", "unit code", "unit_code", "ma don vi", "don vi", "ma dv", "madv"],
    "indicator": ["indicator", "indicator code", "indicator_code", "chi tieu", "ma chi tieu", "ma ct"],
    "period": ["period", "ky", "ky bao cao", "thoi ky", "quy"],
    "value": ["value", "gia tri", "so lieu", "ket qua", "thuc hien"],
    "note": ["note", "notes", "ghi chu", "comment"],
}


def fold(text: str) -> str:
    """Lower-case `text` without diacritics, spaces, `_` or `-` (so `Mã đơn vị` → `madonvi`)."""
    return "".join(ch for ch in strip_diacritics(text).lower() if ch.isalnum())


_HEADER_LOOKUP = {fold(alias): name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}


@dataclass
class RawTable:
    """Cells as text (`cells`, with a `line` column), the detected format, and file-level problems."""

    cells: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)  # canonical name -> the file's own header text
    encoding: str = ""
    separator: str = ""
    problems: list[Problem] = field(default_factory=list)
    layout: str = "long"  # or "wide": one column per period


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding it was read with; raises UnicodeError when it is not text."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise UnicodeError("binary data (NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Excel's plain CSV on Vietnamese Windows; cp1258 writes decomposed tone marks, so normalise to NFC.
        return unicodedata.normalize("NFC", data.decode("cp1258")), "windows-1258"


def header_map(header: list[str]) -> dict[str, int]:
    """Canonical column name -> position for a header row; the first of two columns with one meaning wins."""
    positions: dict[str, int] = {}
    for position, text in enumerate(header):
        name = _HEADER_LOOKUP.get(fold(text))
        if name and name not in positions:
            positions[name] = position
    return positions


def detect_separator(header_line: str) -> str:
    """The separator the header line uses most among `,` `;` and tab (`,` when none)."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _scan_records(text: str, separator: str, header_at: int) -> tuple[int, list[int], list[Problem]]:
    """The header's number of cells, the file line where each later record starts (a quoted note may span
    lines), and a problem for each row with non-empty cells beyond the header's. The header is on line
    `header_at` (1 unless blank lines come first)."""
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    n_columns, starts, problems = 0, [], []
    end = 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if start < header_at:
                continue
            if start == header_at:
                n_columns = len(record)
                continue
            starts.append(start)
            if len(record) > n_columns and any(cell.strip() for cell in record[n_columns:]):
                problems.append(Problem("extra_cells", line=start, params={"n": len(record), "expected": n_columns}))
    except csv.Error:
        return 0, [], []  # pandas reports what it cannot parse
    return n_columns, starts, problems


def read_table(data: bytes, file_name: str = "") -> RawTable:
    """Read a submitted file's bytes (CSV in any of the encodings above, or an .xlsx workbook) into a RawTable of
    text cells; file-level problems are listed, not raised."""
    if data.startswith(b"PK\x03\x04") or file_name.lower().endswith(".xlsx"):
        return read_workbook(data)
    return read_csv_text(data)


def read_csv_text(data: bytes) -> RawTable:
    """Read CSV bytes (long or wide layout) into a RawTable."""
    try:
        text, encoding = decode(data)
    except UnicodeError as exc:
        return RawTable(pd.DataFrame(), problems=[Problem("not_text", params={"detail": str(exc)})])
    text = unicodedata.normalize("NFC", text)
    lines = text.splitlines()
    header_index = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if header_index is None:
        return RawTable(pd.DataFrame(), encoding=encoding, problems=[Problem("empty_file")])
    header_line = lines[header_index]
    separator = detect_separator(header_line)
    # A row with more cells than the header (say an unquoted comma in a note) would make pandas take the first
    # column as the index and shift every cell; read exactly the header's columns and report such rows instead.
    n_columns, starts, extra_problems = _scan_records(text, separator, header_index + 1)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            skiprows=header_index,
            index_col=False,
            usecols=range(n_columns) if n_columns else None,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        detail = str(exc).strip().splitlines()[-1]
        return RawTable(pd.DataFrame(), encoding=encoding, separator=separator,
                        problems=[Problem("not_text", params={"detail": detail})])
    # Each row's own file line (header = line 1 when nothing comes before it); pandas keeps blank lines as rows.
    first = header_index + 2
    lines_of_rows = starts if len(starts) == len(frame) else list(range(first, first + len(frame)))
    table = shape(frame, lines_of_rows, header_index + 1)
    table.encoding, table.separator = encoding, separator
    table.problems = table.problems + extra_problems
    return table


def read_workbook(data: bytes) -> RawTable:
    """Read the first sheet of an .xlsx workbook: row 1 or the first non-empty row is the header; cells that
    Excel stores as numbers keep their value exactly (no decimal-mark guessing for them)."""
    try:
        grid = _sheet_grid(data)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged or foreign file
        return RawTable(pd.DataFrame(), encoding="xlsx",
                        problems=[Problem("not_text", params={"detail": f"{type(exc).__name__}: {exc}"[:200]})])
    filled = grid.notna() & grid.astype(str).apply(lambda col: col.str.strip() != "")
    nonempty = filled.any(axis=1)
    if grid.empty or not nonempty.any():
        return RawTable(pd.DataFrame(), encoding="xlsx", problems=[Problem("empty_file")])
    header_row = int(nonempty.idxmax())
    header = ["" if pd.isna(v) else str(v).strip() for v in grid.iloc[header_row]]
    body = grid.iloc[header_row + 1 :].reset_index(drop=True)
    numbers = body.apply(lambda col: col.map(lambda v: float(v) if isinstance(v, (int, float)) and not
                                               isinstance(v, bool) and pd.notna(v) else None))
    text = body.apply(lambda col: col.map(_cell_text))
    text.columns = header
    numbers.columns = header
    table = shape(text, [header_row + 2 + i for i in range(len(text))], header_row + 1, numbers=numbers)
    table.encoding = "xlsx"
    return table


# A `%` in a number format scales the shown number by 100 unless it is quoted ("%") or escaped (\%).
_LITERALS = re.compile(r'"[^"]*"|\\.')


def _sheet_grid(data: bytes) -> pd.DataFrame:
    """The first sheet's cell values by position (row 1 = index 0). A number formatted as a percentage is read
    as the analyst typed it: Excel stores `58,5%` as 0.585, and the figure is 58.5 as in a CSV."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        cells: dict[tuple[int, int], object] = {}
        for row in sheet.iter_rows():
            for cell in row:
                value = getattr(cell, "value", None)
                if value is None:
                    continue
                if (isinstance(value, (int, float)) and not isinstance(value, bool)
                        and "%" in _LITERALS.sub("", cell.number_format or "")):
                    value = float(Decimal(repr(value)) * 100)
                cells[cell.row - 1, cell.column - 1] = value
    finally:
        book.close()
    if not cells:
        return pd.DataFrame()
    grid = [[None] * (max(c for _, c in cells) + 1) for _ in range(max(r for r, _ in cells) + 1)]
    for (r, c), value in cells.items():
        grid[r][c] = value
    return pd.DataFrame(grid, dtype=object)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def shape(frame: pd.DataFrame, lines: list[int], header_line: int, numbers: pd.DataFrame | None = None) -> RawTable:
    """Turn a grid of text cells (the file's own headers) into canonical cells: `line, unit, indicator, period,
    value, note, value_column, value_number`. A file without period and value columns but with columns headed by
    periods (`Quý I/2024`, `2024-Q2` …) is the wide layout and is melted to one figure a row."""
    header = [str(c).strip() for c in frame.columns]
    positions = header_map(header)
    period_columns = [i for i, text in enumerate(header) if spelling_key(text) in spelling_keys()
                      and i not in positions.values()]
    layout = "long"
    if ("period" not in positions or "value" not in positions) and period_columns:
        layout = "wide"
    headers = {name: header[i] for name, i in positions.items()}
    required = ("unit", "indicator") if layout == "wide" else REQUIRED
    problems = [Problem("missing_column", line=header_line, column=name) for name in required if name not in headers]
    if problems:
        return RawTable(pd.DataFrame(), headers, problems=problems, layout=layout)

    def column(name: str) -> pd.Series:
        return frame.iloc[:, positions[name]].astype(str).str.strip() if name in positions else pd.Series(
            [""] * len(frame), index=frame.index)

    def number(i: int) -> pd.Series:
        return numbers.iloc[:, i] if numbers is not None else pd.Series([None] * len(frame), index=frame.index)

    base = pd.DataFrame({"line": lines, "unit": column("unit"), "indicator": column("indicator"),
                         "note": column("note")}, index=frame.index)
    if layout == "long":
        cells = base.assign(period=column("period"), value=column("value"), value_column=None,
                            value_number=number(positions["value"]))
    else:
        parts = [base.assign(period=header[i], value=frame.iloc[:, i].astype(str).str.strip(), value_column=header[i],
                             value_number=number(i)) for i in period_columns]
        cells = pd.concat(parts).sort_values("line", kind="stable")
        cells = cells[(cells["value"] != "") | cells["value_number"].notna()]  # an empty cell is no figure
    text_columns = ["unit", "indicator", "period", "value", "note"]
    cells = cells[(cells[text_columns] != "").any(axis=1) | cells["value_number"].notna()]
    cells["value_number"] = cells["value_number"].astype("float64")
    cells = cells[["line", "unit", "indicator", "period", "value", "note", "value_column", "value_number"]]
    problems = [] if len(cells) else [Problem("empty_file")]
    return RawTable(cells.reset_index(drop=True), headers, problems=problems, layout=layout)
