"""Read a submitted file into a table of text cells with their file line numbers and canonical column names.

Detects the encoding (UTF-8 with or without BOM, UTF-16, Windows-1258) and the separator (`,` `;` tab), and maps
English or Vietnamese headers onto `unit, indicator, period, value, note`. Nothing here judges the values.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

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


def read_table(data: bytes) -> RawTable:
    """Read a long-format CSV file's bytes into a RawTable; file-level problems are listed, not raised."""
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
    positions = header_map([str(c) for c in frame.columns])
    headers = {name: str(frame.columns[i]).strip() for name, i in positions.items()}
    frame = frame.iloc[:, list(positions.values())].set_axis(list(positions), axis=1)
    problems = [Problem("missing_column", line=header_index + 1, column=name) for name in REQUIRED
                if name not in headers]
    problems += extra_problems
    # Each row's own file line (header = line 1 when nothing comes before it); pandas keeps blank lines as rows.
    first = header_index + 2
    frame.insert(0, "line", starts if len(starts) == len(frame) else range(first, first + len(frame)))
    cell_columns = [c for c in frame.columns if c != "line"]
    for column in cell_columns:
        frame[column] = frame[column].str.strip()
    if cell_columns:
        frame = frame[(frame[cell_columns] != "").any(axis=1)]
    if frame.empty and not problems:
        problems.append(Problem("empty_file"))
    for name in OPTIONAL:
        if name not in frame.columns:
            frame[name] = ""
    return RawTable(frame.reset_index(drop=True), headers, encoding, separator, problems)
