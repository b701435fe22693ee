"""Check a whole submitted table against the plans: every problem at once, with file line and column.

The checks themselves are SQL (`kpi.checks`), run here in an in-memory DuckDB over the file's text cells. Output:
the typed figures (`line, unit, indicator, period, year, quarter, value, qualifier, note`), the problems, and the
decimal mark the file was read with. A table with any blocking problem must not be written.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from kpi.checks import decide_decimal, evidence_counts, load_spec, typed_select
from kpi.plan import Plan, governing_plans
from kpi.problems import Problem
from kpi.readers import RawTable
from kpi.values import plain_number

#: At most this many problems are listed for one file; the rest are counted.
MAX_PROBLEMS = 1000
FIGURE_COLUMNS = ["line", "unit", "indicator", "period", "year", "quarter", "value", "qualifier", "note",
                  "value_column"]


@dataclass
class Validated:
    """Typed figures ready to store, the problems found, and the decimal mark used; `ok` when nothing blocks."""

    figures: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    decimal: str = "none"

    @property
    def ok(self) -> bool:
        """True when no problem blocks the file."""
        return not any(p.blocking for p in self.problems)


def closest(value: str, candidates: list[str]) -> str | None:
    """The candidate most like `value` (case-insensitive), or None when nothing is close."""
    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


# One query per kind of problem over the typed table `t`: (code, column as the file names it, SQL condition).
_ROW_CHECKS: list[tuple[str, str, str]] = [
    ("bad_period", "period", "period IS NULL"),
    ("view_period", "period", "period IS NOT NULL AND NOT storable"),
    ("period_outside_plan", "period", "period IS NOT NULL AND storable AND NOT year_ok"),
    ("unknown_unit", "unit", "NOT unit_known OR (year_ok AND NOT unit_ok)"),
    ("unknown_indicator", "indicator", "NOT indicator_known OR (year_ok AND NOT indicator_ok)"),
    ("empty_value", "value", "evidence = 'empty'"),
    ("not_a_number", "value",
     "evidence = 'nan' OR (number IS NULL AND evidence IN ('comma', 'dot') AND evidence = '{decimal}')"),
    ("ambiguous_number", "value", "number IS NULL AND evidence = 'ambiguous'"),
    ("decimal_conflict", "value", "number IS NULL AND evidence IN ('comma', 'dot') AND evidence <> '{decimal}'"),
    ("censored_not_allowed", "value",
     "number IS NOT NULL AND indicator_ok AND qualifier IS NOT NULL AND NOT censorable"),
    ("below_min", "value", "number IS NOT NULL AND indicator_ok AND number < min"),
    ("above_max", "value", "number IS NOT NULL AND indicator_ok AND number > max"),
    ("not_integer", "value",
     "number IS NOT NULL AND indicator_ok AND integer AND number <> floor(number) AND number BETWEEN min AND max"),
]

_SHOWN = {"period": "period_text", "unit": "unit", "indicator": "indicator", "value": "value_text"}


def _row_problems(con: duckdb.DuckDBPyConnection, decimal: str, headers: dict[str, str], plans: dict[int, Plan],
                  ) -> tuple[list[Problem], int]:
    all_units = sorted({u.code for p in plans.values() for u in p.units})
    all_indicators = sorted({i.code for p in plans.values() for i in p.indicators})
    years = ", ".join(str(y) for y in sorted(governing_plans(plans)))
    parts = []
    for code, column, condition in _ROW_CHECKS:
        cond = condition.format(decimal=decimal)
        extra = "min" if code == "below_min" else "max" if code == "above_max" else "NULL"
        cell = "value_column" if column in ("value", "period") else "NULL"  # a wide file names the period column
        parts.append(f"SELECT line, '{code}' AS code, '{column}' AS col, {_SHOWN[column]} AS shown, "  # noqa: S608
                     f"{extra} AS bound, {cell} AS cell FROM t WHERE bad AND ({cond})")
    # Every figure after the first of a unit × indicator × period with another value; in a wide file two columns of
    # one line can name the same quarter (`Quý I/2024` and `2024-Q1`), so the position counts, not the line.
    dup = """SELECT line, 'duplicate', 'value', value_text, first_line, value_column FROM (
               SELECT line, value_text, number, value_column,
                      min(line) OVER w AS first_line,
                      row_number() OVER (w ORDER BY line, value_column) AS position,
                      count(DISTINCT (number, coalesce(qualifier, ''))) OVER w AS versions
               FROM t WHERE period IS NOT NULL AND number IS NOT NULL
               WINDOW w AS (PARTITION BY unit, indicator, period))
             WHERE versions > 1 AND position > 1"""
    # DISTINCT: a wide row's unit or indicator problem comes once from each of its period cells; list it once.
    union = "SELECT DISTINCT * FROM (" + " UNION ALL ".join(parts + [dup]) + ")"  # noqa: S608
    total = con.execute(f"SELECT count(*) FROM ({union})").fetchone()[0]  # noqa: S608
    rows = con.execute(f"SELECT * FROM ({union}) ORDER BY line, col, cell, code "  # noqa: S608
                       f"LIMIT {MAX_PROBLEMS}").fetchall()
    suggestions: dict[tuple[str, str], str | None] = {}
    problems = []
    for line, code, column, shown, bound, cell in rows:
        params: dict[str, object] = {}
        if code in ("unknown_unit", "unknown_indicator"):
            key = (code, shown)
            if key not in suggestions:
                suggestions[key] = closest(shown, all_units if code == "unknown_unit" else all_indicators)
            params["suggestion"] = suggestions[key]
        elif code == "below_min":
            params["min"] = plain_number(bound)
        elif code == "above_max":
            params["max"] = plain_number(bound)
        elif code == "duplicate":
            params["other"] = int(bound)
        elif code == "decimal_conflict":
            params["decimal"] = decimal
        elif code == "period_outside_plan":
            params["years"] = years
        problems.append(Problem(code, int(line), cell or headers.get(column, column), shown, params))
    return problems, int(total)


def validate(raw: RawTable, plans: dict[int, Plan], decimal: str | None = None) -> Validated:
    """Check every cell of `raw` against `plans`; return the typed figures and all problems found.

    `decimal` forces the decimal mark ('comma' or 'dot'); by default the file's own numbers decide it.
    """
    if raw.problems:
        return Validated(pd.DataFrame(columns=FIGURE_COLUMNS), list(raw.problems))
    con = duckdb.connect()
    try:
        load_spec(con, plans)
        con.register("raw_cells", raw.cells)
        mark = decide_decimal(evidence_counts(con, "raw_cells"), decimal)
        con.execute(f"CREATE TEMP TABLE t AS {typed_select('raw_cells', mark)}")
        problems, total = _row_problems(con, mark, raw.headers, plans)
        if total > len(problems):
            problems.append(Problem("too_many", params={"n": total - len(problems)}))
        if problems:
            return Validated(pd.DataFrame(columns=FIGURE_COLUMNS), problems, mark)
        figures = con.execute("""
            SELECT line, unit, indicator, period, year, quarter, number AS value, qualifier, note, value_column FROM t
            QUALIFY row_number() OVER (PARTITION BY unit, indicator, period ORDER BY line) = 1
            ORDER BY line""").df()
    finally:
        con.close()
    figures = figures.astype({"year": "int64", "quarter": "int64", "value": "float64", "line": "int64"})
    for column in ("qualifier", "note"):
        figures[column] = figures[column].astype(object).where(figures[column].notna(), None)
    return Validated(figures, [], mark)
