"""What the columns mean: English or Vietnamese headers onto `unit, indicator, period, value, note` and the optional
`kind` (`Loại số liệu`: estimate or official), the layout (long: one figure a row; wide: one column per period,
whose headers may be estimate phrases such as `Ước cả năm 2024`), and the SQL that turns `_grid` into `_cells`.

A header is matched without case, diacritics, spaces or punctuation. Two columns that mean the same thing
(`unit,unit`, `Giá trị` beside `value`) are refused rather than letting one silently win.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kpi.ingest.grid import Grid
from kpi.periods import parse_spelling
from kpi.problems import Problem
from kpi.text import strip_diacritics

REQUIRED = ("unit", "indicator", "period", "value")
CELL_COLUMNS = ("unit", "indicator", "period", "value", "note", "kind")

_HEADER_ALIASES = {
    "unit": ["unit", "unit code", "unit_code", "ma don vi", "don vi", "ma dv", "madv"],
    "indicator": ["indicator", "indicator code", "indicator_code", "chi tieu", "ma chi tieu", "ma ct"],
    "period": ["period", "ky", "ky bao cao", "thoi ky", "quy"],
    "value": ["value", "gia tri", "so lieu", "ket qua", "thuc hien"],
    "note": ["note", "notes", "ghi chu", "comment"],
    # Optional: `ước` (estimate) or `chính thức` (official, also when empty or absent).
    "kind": ["loai so lieu", "loai so", "loai", "kind", "type"],
}


def fold(text: str) -> str:
    """Lower-case `text` without diacritics, spaces, `_` or `-` (so `Mã đơn vị` → `madonvi`)."""
    return "".join(ch for ch in strip_diacritics(text).lower() if ch.isalnum())


_HEADER_LOOKUP = {fold(alias): name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}


#: The Vietnamese header a message suggests for a required column the file lacks.
_VIETNAMESE = {"unit": "Mã đơn vị", "indicator": "Chỉ tiêu", "period": "Kỳ báo cáo", "value": "Giá trị"}
#: A header with a year in it that is no column we read was most likely meant as a period (`QIV/2024`).
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


@dataclass(frozen=True)
class Columns:
    """Canonical name -> column position, the layout, the period columns of a wide file, the file's own header
    text for each canonical name (messages name columns as the file does), and warnings about the header."""

    positions: dict[str, int]
    layout: str
    period_columns: tuple[int, ...]
    headers: dict[str, str]
    warnings: tuple[Problem, ...] = ()


def header_positions(header: list[str]) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """Canonical name -> position, and (name, first, again) for every column that repeats a meaning."""
    positions: dict[str, int] = {}
    repeats = []
    for position, text in enumerate(header):
        name = _HEADER_LOOKUP.get(fold(text))
        if name is None:
            continue
        if name in positions:
            repeats.append((name, positions[name], position))
        else:
            positions[name] = position
    return positions, repeats


def map_columns(grid: Grid) -> Columns | list[Problem]:
    """The meaning of `grid`'s columns, or the problems with its header."""
    header = [text.strip() for text in grid.header]
    positions, repeats = header_positions(header)
    problems = [Problem("duplicate_column", line=grid.header_line, column=header[again],
                        params={"other": header[first], "position": again + 1, "other_position": first + 1})
                for _, first, again in repeats]
    taken = set(positions.values())
    period_columns = tuple(i for i, text in enumerate(header)
                           if i not in taken and parse_spelling(text) is not None)
    wide = ("period" not in positions or "value" not in positions) and bool(period_columns)
    required = ("unit", "indicator") if wide else REQUIRED
    problems += [Problem("missing_column", line=grid.header_line, column=name,
                         params={"header_vi": _VIETNAMESE[name]}) for name in required if name not in positions]
    # A column named by a period beside a period or value column: which period a figure belongs to would depend
    # on which column won (`unit,indicator,period,2024` stored every row as the year's figure).
    mixed = next((positions[name] for name in ("period", "value") if name in positions), None)
    if period_columns and mixed is not None:
        problems.append(Problem("periods_mixed", line=grid.header_line, column=header[period_columns[0]],
                                params={"other": header[mixed]}))
    if problems:
        return problems
    ignored = [text for i, text in enumerate(header)
               if i not in taken and i not in period_columns and _YEAR.search(text)]
    warnings = tuple(Problem("unread_column", line=grid.header_line, column=text, blocking=False)
                     for text in ignored)
    return Columns(positions, "wide" if wide else "long", period_columns if wide else (),
                   {name: header[i] for name, i in positions.items()}, warnings)


def cells_sql(grid: Grid, columns: Columns) -> str:
    """SQL for `_cells` (line, unit, indicator, period, value, note, kind, value_column, value_number) from `_grid`:
    one row per figure, rows with nothing in them left out. Built from column positions only, never file text
    (a wide file's period headers are bound as parameters named `$p<i>`)."""
    def text(name: str) -> str:
        return f"c{columns.positions[name]}" if name in columns.positions else "NULL"

    def number(i: int) -> str:
        return f"n{i}" if grid.numbers else "NULL::DOUBLE"

    unit, indicator, note, kind = text("unit"), text("indicator"), text("note"), text("kind")
    if columns.layout == "long":
        value_at = columns.positions["value"]
        parts = [f"SELECT line, {unit} AS unit, {indicator} AS indicator, {text('period')} AS period, "
                 f"c{value_at} AS value, {note} AS note, {kind} AS kind, NULL::VARCHAR AS value_column, "
                 f"{number(value_at)} AS value_number FROM _grid"]
    else:
        parts = [f"SELECT line, {unit} AS unit, {indicator} AS indicator, $p{i} AS period, c{i} AS value, "
                 f"{note} AS note, {kind} AS kind, $p{i} AS value_column, {number(i)} AS value_number FROM _grid "
                 f"WHERE nullif(trim(c{i}), '') IS NOT NULL OR {number(i)} IS NOT NULL"
                 for i in columns.period_columns]
    union = " UNION ALL ".join(parts)
    filled = " OR ".join(f"nullif(trim({c}), '') IS NOT NULL" for c in CELL_COLUMNS) + " OR value_number IS NOT NULL"
    return f"SELECT * FROM ({union}) WHERE {filled}"


def wide_parameters(grid: Grid, columns: Columns) -> dict[str, str]:
    """The bound parameters `cells_sql` needs: each period column's own header text."""
    return {f"p{i}": grid.header[i].strip() for i in columns.period_columns}
