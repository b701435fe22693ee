"""`check`: one file, from bytes to a `Checked`, in one DuckDB connection of its own.

read (CSV or workbook) → `_grid` → columns and layout → `_cells` → `_typed` (the one pass over the text) → decimal
mark → `t` → problems → `figures` (one per unit × indicator × period) → stored figures `_before` → warnings →
new / revised / unchanged.
Every path into the store (CLI, upload page, sample data; DuckDB and PostgreSQL) runs these steps and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from kpi.access import Actor, whoami
from kpi.ingest.checked import CHANGE_UNCHANGED, CHANGES, Checked
from kpi.ingest.csv_grid import read_csv_grid
from kpi.ingest.deadline import Deadline, TimeLimit
from kpi.ingest.decode import decode
from kpi.ingest.grid import Grid, drop_grid
from kpi.ingest.header import Columns, cells_sql, map_columns, wide_parameters
from kpi.ingest.limits import Limits
from kpi.ingest.permitted import permission_problems
from kpi.ingest.rules import capped, repeated_keys, row_problems, split_number_problems
from kpi.ingest.source import Source
from kpi.ingest.spec import known_names, load_spec
from kpi.ingest.stored import load_before
from kpi.ingest.typed import clean_select, decide_decimal, evidence_counts, judged_select, number_sql, typed_table
from kpi.ingest.warnings import plausibility_warnings
from kpi.plan import Plan, governing_plans
from kpi.problems import Problem
from kpi.store import Store

if TYPE_CHECKING:
    import pyarrow as pa

XLSX_MAGIC = b"PK\x03\x04"
#: Buffer memory of the check's own DuckDB (it spills to the temp folder beyond it): a million rows fit.
SCRATCH_MEMORY = "200MB"

# The codes, periods and changes leave as Arrow dictionaries (ENUM types): a million rows repeat a few thousand
# codes, and the export is the check's largest allocation (99 MB as plain text columns, 56 MB so).
_CODES = """
CREATE TYPE _unit_codes AS ENUM (SELECT DISTINCT unit FROM figures);
CREATE TYPE _indicator_codes AS ENUM (SELECT DISTINCT indicator FROM figures);
CREATE TYPE _periods AS ENUM (SELECT DISTINCT period FROM figures);
CREATE TYPE _changes AS ENUM ('new', 'revised', 'unchanged');
"""
# One figure per unit × indicator × period (a repeat with the same value, note and kind is the same figure),
# compared with the stored one. Equal means equal value, qualifier, note and kind: a changed note is a revision, and
# so is the official figure that replaces an estimate of the same value (or an estimate sent over it again).
_CLASSIFY = """
CREATE TEMP VIEW changes AS
SELECT f.line, f.unit::_unit_codes AS unit, f.indicator::_indicator_codes AS indicator, f.period::_periods AS period,
       f.year, f.quarter, f.value, f.qualifier, f.note, f.estimate,
       b.value AS previous_value, b.qualifier AS previous_qualifier, b.note AS previous_note,
       b.estimate AS previous_estimate,
       (CASE WHEN b.unit IS NULL THEN 'new'
             WHEN f.value = b.value AND f.qualifier IS NOT DISTINCT FROM b.qualifier
                  AND f.note IS NOT DISTINCT FROM b.note AND f.estimate = b.estimate THEN 'unchanged'
             ELSE 'revised' END)::_changes AS change
FROM figures f LEFT JOIN _before b ON b.unit = f.unit AND b.indicator = f.indicator AND b.period = f.period
"""


def _scratch() -> duckdb.DuckDBPyConnection:
    # An in-memory database per check; spilling goes to the system's temp folder, never the working directory.
    import tempfile

    return duckdb.connect(config={"temp_directory": tempfile.gettempdir(), "memory_limit": SCRATCH_MEMORY})


def read_grid(con: duckdb.DuckDBPyConnection, source: Source, limits: Limits, deadline: Deadline) -> Grid | Problem:
    """Fill `_grid` from `source` (an .xlsx workbook, or an OLE file, by its signature or name, else CSV text)."""
    from kpi.ingest.xlsx_grid import OLE_MAGIC, read_xlsx_grid

    # An OLE file (a password-protected workbook, an old .xls) goes to the workbook reader, which says what it is.
    if source.data.startswith((XLSX_MAGIC, OLE_MAGIC)) or source.name.lower().endswith(".xlsx"):

        return read_xlsx_grid(con, source.data, limits, deadline)
    decoded = decode(source.data)
    if isinstance(decoded, Problem):
        return decoded
    return read_csv_grid(con, decoded, limits, deadline)


def check(store: Store, plans: dict[int, Plan], source: Source, *, decimal: str | None = None,
          limits: Limits | None = None, actor: Actor | None = None) -> Checked:
    """Check `source` as a whole against `plans` and the figures in `store`, for `actor` (default: the local
    administrator): rows for units the actor may not write for, or for approved quarters, are problems like any
    other. Writes nothing. `decimal` forces the decimal mark ('comma' or 'dot'); by default the file's numbers
    decide it."""
    limits = limits or Limits.from_env()
    if actor is None:
        actor = Actor.local_admin(whoami())
    checked = Checked(source, decimal, actor=actor)
    if source.size > limits.max_file_bytes:
        checked.problems = [Problem("file_too_large", params={"n": source.size, "limit": limits.max_file_bytes})]
        return checked
    deadline = Deadline(limits.max_check_seconds)
    con = _scratch()
    try:
        with deadline.watch(con):
            _check(con, store, plans, checked, limits, deadline)
    except TimeLimit:
        checked.problems = [Problem("time_limit", params={"limit": limits.max_check_seconds})]
        checked.rows, checked.counts = None, {}
    except duckdb.OutOfMemoryException:
        checked.problems = [Problem("out_of_memory", params={"limit": SCRATCH_MEMORY})]
        checked.rows, checked.counts = None, {}
    finally:
        con.close()
    return checked


def _check(con: duckdb.DuckDBPyConnection, store: Store, plans: dict[int, Plan], checked: Checked,
           limits: Limits, deadline: Deadline) -> None:
    grid = read_grid(con, checked.source, limits, deadline)
    if isinstance(grid, Problem):
        checked.problems = [grid]
        return
    checked.encoding, checked.separator, checked.reader = grid.encoding, grid.separator, grid.reader
    columns = map_columns(grid)
    if not isinstance(columns, Columns):
        checked.problems = capped(grid.problems + columns)
        return
    checked.layout = columns.layout
    positions = columns.positions
    if grid.separator == "," and columns.layout == "long" and positions.get("note") == positions["value"] + 1:
        grid.problems += split_number_problems(con, positions["value"], positions["note"], columns.headers["value"])
    # A wide file's period headers are bound parameters, which a view cannot keep: its cells are a table.
    kind = "VIEW" if columns.layout == "long" else "TABLE"
    con.execute(f"CREATE TEMP {kind} _cells AS {cells_sql(grid, columns)}", wide_parameters(grid, columns))
    load_spec(con, plans)
    # The one pass over the text: every cell cleaned and typed, with both readings of a decimal mark.
    clean = f"({clean_select('_cells', limits)})"
    con.execute(f"CREATE TEMP TABLE _typed AS {typed_table(clean)}")
    con.execute(f"DROP {kind} _cells")
    drop_grid(con, grid)  # the typed table holds everything from here on
    evidence = evidence_counts(con, "_typed")
    if not sum(evidence.values()) and not grid.problems:
        checked.problems = [Problem("empty_file")]
        return
    deadline.check()
    checked.decimal = decide_decimal(evidence, checked.decimal_option)
    con.execute(f"CREATE TEMP VIEW t AS {judged_select('_typed', checked.decimal)}")
    repeats = repeated_keys(con)
    checked.problems = capped(grid.problems + list(columns.warnings)
                              + row_problems(con, checked.decimal, columns.headers, sorted(governing_plans(plans)),
                                             lambda: known_names(plans), limits, repeats))
    refused, rights_version = permission_problems(con, store, plans, checked.actor, columns.headers)
    checked.problems += refused
    if not checked.ok:
        return
    _keep_figures(con, checked.decimal, repeats)
    with store.connect() as conn:
        # The older of the two readings: if anything (an approval, a change of rights) landed after the rights
        # were read, committing against it fails and the file is checked again.
        checked.data_version = min(load_before(conn, con), rights_version)
    deadline.check()
    con.execute("CREATE TEMP VIEW incoming AS SELECT * FROM figures")
    con.execute("CREATE TEMP VIEW before AS SELECT * FROM _before")
    checked.problems += plausibility_warnings(con, columns.headers)
    checked.problems.sort(key=lambda p: (p.line or 0, p.code))
    con.execute(_CODES)
    con.execute(_CLASSIFY)
    # In the order the join gives (sorting a million rows costs more memory than anything else here); the
    # preview sorts the rows it shows. The counts come from the rows themselves: one pass of the join, not two.
    checked.rows = con.sql("SELECT * FROM changes WHERE change <> 'unchanged'").to_arrow_table()
    counts = _change_counts(checked.rows)
    counts[CHANGE_UNCHANGED] = con.execute("SELECT count(*) FROM figures").fetchone()[0] - checked.rows.num_rows
    checked.counts = {change: int(counts.get(change, 0)) for change in CHANGES}


#: What the figures need of `_typed`: everything else goes once the checks have passed.
FIGURE_COLUMNS = ("line", "unit", "indicator", "period", "year", "quarter", "qualifier", "note", "value_column",
                  "estimate", "number_plain", "number_comma", "number_dot")


def _keep_figures(con: duckdb.DuckDBPyConnection, decimal: str, repeats: int) -> None:
    """`figures` (one per unit × indicator × period) from the checked `_typed`. A figure sent twice with the same
    value, note and kind is one figure (the first line speaks for it): then the figures are a table of their own.
    Otherwise they are a view over `_typed` stripped to what they need (dropping a column costs nothing and frees
    its memory, where a copy would hold a second million rows)."""
    figures = (f"SELECT line, unit, indicator, period, year, quarter, {number_sql(decimal)} AS value, qualifier, "
               "note, value_column, estimate FROM _typed")
    con.execute("DROP VIEW t")
    if repeats:
        con.execute(f"CREATE TEMP TABLE figures AS {figures} "
                    "QUALIFY row_number() OVER (PARTITION BY unit, indicator, period ORDER BY line) = 1")
        con.execute("DROP TABLE _typed")
        return
    unneeded = con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = '_typed' "
                           "AND NOT list_contains($keep, column_name)", {"keep": list(FIGURE_COLUMNS)}).fetchall()
    for (column,) in unneeded:
        con.execute(f'ALTER TABLE _typed DROP COLUMN "{column}"')
    con.execute(f"CREATE TEMP VIEW figures AS {figures}")


def _change_counts(rows: pa.Table) -> dict[str, int]:
    """How many of `rows` (the figures to write) are new and how many revised."""
    import pyarrow.compute as pc

    return {entry["values"].as_py(): entry["counts"].as_py() for entry in pc.value_counts(rows.column("change"))}
