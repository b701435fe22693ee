"""A unit registry file: the units of a plan (code, names, kind, parent, validity dates, cluster, groups) kept in a
CSV or .xlsx file of their own, as a statistics office or a ministry keeps them, while the plan file keeps the
targets. The plan names it in `[plan] registry = "don-vi.csv"` (a path beside the plan file); its units join the
plan's own `[[units]]`, and the catalogue sync copies them into the database like any other.

Columns (the header row names them, in any order): `code`, `name_vi` and `kind` are required; `name_en` (default:
the Vietnamese name), `parent`, `valid_from`, `valid_to` (ISO dates), `cluster` (the code of an emulation cluster
declared in the plan) and `groups` (group names separated by `;`) are optional. Every problem is reported with
its row and column; a registry is bounded (`MAX_BYTES`, `MAX_ROWS`) so that a wrong file fails fast.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from kpi.plan import PlanError, Unit

REQUIRED = ("code", "name_vi", "kind")
OPTIONAL = ("name_en", "parent", "valid_from", "valid_to", "cluster", "groups")
#: A national registry (10,000 communes) is about 1 MB; these bounds are far above any real one.
MAX_BYTES = 64 * 1024 * 1024
MAX_ROWS = 200_000


class Registry:
    """The units read from a registry file, with the clusters and groups its rows name."""

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.clusters: dict[str, list[str]] = {}
        self.groups: dict[str, list[str]] = {}
        self.rows: dict[str, int] = {}  # the file row of each unit, for messages
        self.columns: dict[str, int] = {}  # the position (0 first) of each column


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the file's first sheet or of the CSV, as text."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise PlanError(f"{path}: the registry is {size:,} bytes, more than the {MAX_BYTES:,} allowed")
        data = path.read_bytes()
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the unit registry: {exc.strerror}") from None
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise PlanError(f"{path}: line {line}: not UTF-8 text; save the registry as CSV UTF-8") from None
    header = text.split("\n", 1)[0]  # the header names the columns: its separator is the file's
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:  # a field past csv's size limit, a stray NUL
        raise PlanError(f"{path}: not a readable CSV file ({exc})") from None
    if not table:
        raise PlanError(f"{path}: the unit registry is empty")
    return table[0], table[1:]


def _xlsx_rows(path: Path, data: bytes) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same message
        raise PlanError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    table = []
    try:  # read-only openpyxl parses the sheet only here
        for row in book.worksheets[0].iter_rows(values_only=True):
            if len(table) > MAX_ROWS + 1:
                break
            table.append([_cell_text(v) for v in row])
    except Exception as exc:  # noqa: BLE001 - a damaged sheet gets the same message as a damaged workbook
        raise PlanError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__})") from None
    finally:
        book.close()
    if not table:
        raise PlanError(f"{path}: the unit registry is empty")
    return table[0], table[1:]


def _cell_text(value: object) -> str:
    """A cell as the registry's text: a date cell as its ISO date, a whole number without `.0`."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(path: Path, header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    known = set(REQUIRED) | set(OPTIONAL)
    for position, name in enumerate(names, start=1):
        if name and name not in known:
            raise PlanError(f"{path}: row 1, column {position} ({header[position - 1]!r}): unknown column; "
                            f"expected {', '.join(REQUIRED + OPTIONAL)}")
        if name and names.index(name) != position - 1:
            raise PlanError(f"{path}: row 1, column {position}: column {name!r} appears twice")
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise PlanError(f"{path}: row 1: missing column(s) {', '.join(missing)}")
    return {name: names.index(name) for name in names if name}


def read_registry(path: str | Path) -> Registry:
    """The units of the registry file at `path` (CSV UTF-8 or .xlsx); PlanError naming the row and column of the
    first problem (an unknown or missing column, a unit that fails the plan's rules, a code listed twice)."""
    path = Path(path)
    header, rows = _rows(path)
    columns = _header(path, header)
    if len(rows) > MAX_ROWS:
        raise PlanError(f"{path}: more than {MAX_ROWS:,} units")
    registry, seen = Registry(), set()
    registry.columns = columns
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        fields = {name: cells[name] or None for name in ("code", "name_vi", "kind", "parent", "valid_from",
                                                         "valid_to") if name in cells}
        fields["name_en"] = cells.get("name_en") or cells["name_vi"]
        try:
            unit = Unit(**fields)
        except ValidationError as exc:
            error = exc.errors()[0]
            column = str(error["loc"][0]) if error["loc"] else "?"
            where = f"column {columns[column] + 1} ({column})" if column in columns else column
            raise PlanError(f"{path}: row {number}, {where}: {error['msg'].removeprefix('Value error, ')}") from None
        if unit.code in seen:
            raise PlanError(f"{path}: row {number}, column {columns['code'] + 1} (code): {unit.code} is listed twice")
        seen.add(unit.code)
        registry.units.append(unit)
        registry.rows[unit.code] = number
        if cells.get("cluster"):
            registry.clusters.setdefault(cells["cluster"], []).append(unit.code)
        for group in filter(None, (g.strip() for g in (cells.get("groups") or "").split(";"))):
            registry.groups.setdefault(group, []).append(unit.code)
    return registry


def merged(raw: dict, registry: Registry, path: Path) -> dict:
    """The plan dict `raw` (as read from TOML) with the registry's units, cluster members and group members
    added; PlanError when the registry names a cluster the plan does not declare."""
    known = {u.get("code") for u in raw.get("units", []) if isinstance(u, dict)} | set(registry.rows)
    for unit in registry.units:
        if unit.parent is not None and unit.parent not in known:
            raise PlanError(f"{path}: row {registry.rows[unit.code]}, column {registry.columns['parent'] + 1} "
                            f"(parent): unknown unit {unit.parent!r}")
    declared = {c.get("code"): c for c in raw.get("clusters", []) if isinstance(c, dict)}
    for code in registry.clusters:
        if code not in declared:
            raise PlanError(f"{path}: cluster {code!r} is not declared in the plan's [[clusters]]")
    clusters = [{**c, "members": [*c.get("members", []), *registry.clusters.get(c.get("code"), [])]}
                for c in raw.get("clusters", [])]
    groups = dict(raw.get("groups", {}))
    for name, members in registry.groups.items():
        groups[name] = [*groups.get(name, []), *members]
    return {**raw, "units": [*raw.get("units", []), *registry.units], "clusters": clusters, "groups": groups}
