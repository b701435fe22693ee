"""Every problem a typed file can have, as one query per kind over the typed table `t`, listed with the file line,
the column as the file names it, the value and the reason. A file with any blocking problem writes nothing;
warnings (a note's control characters removed) do not block.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
from rapidfuzz import fuzz, process

from kpi.ingest.limits import Limits
from kpi.ingest.spec import Names, name_key
from kpi.problems import Problem
from kpi.values import plain_number

#: At most this many problems are listed for one file; the rest are counted.
MAX_PROBLEMS = 1000
SHOWN_CHARS = 80  # a value is echoed in a message up to this length


def closest(value: str, candidates: Names) -> str | None:
    """The code of the unit or indicator among `candidates` whose code or name is most like `value`, or None when
    nothing is close: `Thành phố Kon Tum`, `TP Kon Tum` and `TPK` all lead to `TPKT`."""
    key = name_key(value)
    if key in candidates.everything:
        return candidates.everything[key]
    # A single word is a mistyped code (`TPK`), compared with the codes; words are a name, compared with the names
    # as well. The ratio is 2·(letters in common, in order) / (letters in both), at least 60 %; of equal ratios
    # the first in the plan's order wins.
    pool = candidates.everything if " " in key else candidates.codes
    match = process.extractOne(key, list(pool), scorer=fuzz.ratio, score_cutoff=60)
    return pool[match[0]] if match else None


# (code, column as the file names it, SQL condition over `t`, blocking).
ROW_CHECKS: list[tuple[str, str, str, bool]] = [
    ("cell_too_long", "unit", "long_column = 'unit'", True),
    ("cell_too_long", "indicator", "long_column = 'indicator'", True),
    ("cell_too_long", "period", "long_column = 'period'", True),
    ("cell_too_long", "value", "long_column = 'value'", True),
    ("note_too_long", "note", "long_column = 'note'", True),
    ("cell_too_long", "kind", "long_column = 'kind'", True),
    ("bad_period", "period", "long_column IS NULL AND period IS NULL", True),
    ("period_outside_plan", "period", "period IS NOT NULL AND NOT year_ok", True),
    ("unknown_unit", "unit", "long_column IS NULL AND (NOT unit_known OR (year_ok AND NOT unit_ok))", True),
    ("unknown_indicator", "indicator",
     "long_column IS NULL AND (NOT indicator_known OR (year_ok AND NOT indicator_ok))", True),
    ("empty_value", "value", "evidence = 'empty'", True),
    ("bad_kind", "kind", "long_column IS NULL AND kind_estimate IS NULL", True),
    ("kind_conflict", "kind", "long_column IS NULL AND kind_conflict", True),
    ("not_a_number", "value",
     "long_column IS NULL AND (evidence = 'nan' OR (number IS NULL AND evidence IN ('comma', 'dot') "
     "AND evidence = $decimal))", True),
    ("ambiguous_number", "value", "number IS NULL AND evidence = 'ambiguous'", True),
    ("decimal_conflict", "value", "number IS NULL AND evidence IN ('comma', 'dot') AND evidence <> $decimal", True),
    ("censored_form", "value", "number IS NOT NULL AND qualifier = '<'", True),
    ("censored_not_allowed", "value",
     "number IS NOT NULL AND indicator_ok AND qualifier = '>' AND NOT censorable", True),
    ("censored_out_of_range", "value",
     "number IS NOT NULL AND indicator_ok AND qualifier = '>' AND censorable AND number >= max", True),
    ("percent_on_count", "value", "number IS NOT NULL AND indicator_ok AND integer AND percent", True),
    ("below_min", "value", "number IS NOT NULL AND indicator_ok AND number < min", True),
    ("above_max", "value", "number IS NOT NULL AND indicator_ok AND number > max", True),
    ("not_integer", "value",
     "number IS NOT NULL AND indicator_ok AND integer AND number <> floor(number) AND number BETWEEN min AND max",
     True),
    ("note_cleaned", "note", "note_dirty", False),
]

_SHOWN = {"period": "period_text", "unit": "unit", "indicator": "indicator", "value": "value_text",
          "note": "note", "kind": "kind_text"}

# Every figure after the first of a unit × indicator × period that differs in value, note or kind (estimate or
# official); in a wide file two columns of one line can name the same quarter (`Quý I/2024` and `2024-Q1`), so the
# position counts, not the line.
# Only the keys that repeat are looked at (a semi-join first: the window then sorts a handful of rows).
_DUPLICATES = f"""
SELECT line, 'duplicate' AS code, 'value' AS col, left(value_text, {SHOWN_CHARS}) AS shown, first_line AS bound,
       value_column AS cell, true AS blocking FROM (
  SELECT line, value_text, value_column,
         min(line) OVER w AS first_line,
         row_number() OVER (w ORDER BY line, value_column) AS position,
         count(DISTINCT (number, coalesce(qualifier, ''), coalesce(note, ''), estimate)) OVER w AS versions
  FROM t SEMI JOIN (SELECT unit, indicator, period FROM t WHERE period IS NOT NULL AND number IS NOT NULL
                    GROUP BY ALL HAVING count(*) > 1) r USING (unit, indicator, period)
  WHERE number IS NOT NULL
  WINDOW w AS (PARTITION BY unit, indicator, period))
WHERE versions > 1 AND position > 1
"""


def _union() -> str:
    parts = []
    for code, column, condition, blocking in ROW_CHECKS:
        bound = "min" if code == "below_min" else "max" if code in ("above_max", "censored_out_of_range") else "NULL"
        cell = "value_column" if column in ("value", "period") else "NULL"  # a wide file names the period column
        where = condition if not blocking else f"bad AND ({condition})"
        parts.append(f"SELECT line, '{code}' AS code, '{column}' AS col, left({_SHOWN[column]}, {SHOWN_CHARS}) "
                     f"AS shown, {bound} AS bound, {cell} AS cell, {str(blocking).lower()} AS blocking "
                     f"FROM _flagged WHERE {where}")
    # DISTINCT: a wide row's unit or indicator problem comes once from each of its period cells; list it once.
    return "SELECT DISTINCT * FROM (" + " UNION ALL ".join(parts) + ")"


_UNION = _union()
#: Unknown codes get a "did you mean …?" for this many distinct values at most (each is compared with every code).
MAX_SUGGESTIONS = 20


def repeated_keys(con: duckdb.DuckDBPyConnection) -> int:
    """How many unit × indicator × period keys of `t` occur more than once (same figure sent twice or more)."""
    figures = "FROM t WHERE period IS NOT NULL AND number IS NOT NULL"
    # Distinct hashes of a million keys count faster than the keys: when every hash differs no key repeats, and
    # only a file with a repeat (or, rarely, two keys of one hash) pays for counting the keys themselves.
    if not con.execute(f"SELECT count(*) - count(DISTINCT hash(unit, indicator, period)) {figures}").fetchone()[0]:
        return 0
    return con.execute(f"SELECT count(*) FROM (SELECT 1 {figures} GROUP BY unit, indicator, period "
                       "HAVING count(*) > 1)").fetchone()[0]


def has_problems(con: duckdb.DuckDBPyConnection, repeats: int) -> bool:
    """True when `t` has a bad row, a note to clean, or `repeats` (repeated figures): the cheap test first."""
    bad, dirty = con.execute("SELECT count(*) FILTER (bad), count(*) FILTER (note_dirty) FROM t").fetchone()
    return bool(bad or dirty or repeats)


def row_problems(con: duckdb.DuckDBPyConnection, decimal: str, headers: dict[str, str], years: list[int],
                 known: Callable[[], tuple[Names, Names]], limits: Limits,
                 repeats: int) -> list[Problem]:
    """The problems of `t` in `con` (blocking ones and warnings), in file order, at most MAX_PROBLEMS listed and a
    `too_many` line counting the rest. `known` gives `kpi.ingest.spec.known_names(plans)` (units, indicators) for
    suggestions, called only when a code is unknown; `repeats` is `repeated_keys(con)`."""
    if not has_problems(con, repeats):
        return []
    # One scan of `t` keeps the rows with anything to say; the checks then read those few rows, once.
    con.execute("CREATE OR REPLACE TEMP TABLE _flagged AS SELECT * FROM t WHERE bad OR note_dirty")
    found = _UNION if not repeats else f"SELECT * FROM ({_UNION}) UNION ALL {_DUPLICATES}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _problems AS {found}", {"decimal": decimal})
    total = con.execute("SELECT count(*) FROM _problems").fetchone()[0]
    rows = con.execute(f"SELECT * FROM _problems ORDER BY line, col, cell, code LIMIT {MAX_PROBLEMS}").fetchall()
    suggestions: dict[tuple[str, str], str | None] = {}
    names: tuple[Names, Names] | None = None
    problems = []
    for line, code, column, shown, bound, cell, blocking in rows:
        param: dict[str, object] = {}
        if code in ("unknown_unit", "unknown_indicator"):
            key = (code, shown)
            if key not in suggestions and len(suggestions) < MAX_SUGGESTIONS:
                names = names or known()
                suggestions[key] = closest(shown, names[0] if code == "unknown_unit" else names[1])
            param["suggestion"] = suggestions.get(key)
        elif code == "below_min":
            param["min"] = plain_number(bound)
        elif code in ("above_max", "censored_out_of_range"):
            param["max"] = plain_number(bound)
        elif code == "duplicate":
            param["other"] = int(bound)
        elif code == "decimal_conflict":
            param["decimal"] = decimal
        elif code == "period_outside_plan":
            param["years"] = ", ".join(str(y) for y in years)
        elif code in ("cell_too_long", "note_too_long"):
            shown = shown + "…"
            param["limit"] = limits.max_note_chars if code == "note_too_long" else limits.max_cell_chars
        problems.append(Problem(code, int(line), cell or headers.get(column, column), shown, param,
                                blocking=bool(blocking)))
    if total > len(problems):
        problems.append(Problem("too_many", params={"n": int(total) - len(problems), "limit": MAX_PROBLEMS}))
    return problems


def capped(problems: list[Problem]) -> list[Problem]:
    """`problems` from every step in file order, at most MAX_PROBLEMS listed and one `too_many` counting the rest,
    including those a step's own cap already counted (each reader and check lists at most MAX_PROBLEMS)."""
    more = sum(int(p.params["n"]) for p in problems if p.code == "too_many")
    listed = sorted((p for p in problems if p.code != "too_many"), key=lambda p: p.line or 0)
    more += max(0, len(listed) - MAX_PROBLEMS)
    if not more:
        return listed
    return [*listed[:MAX_PROBLEMS], Problem("too_many", params={"n": more, "limit": MAX_PROBLEMS})]


def split_number_problems(con: duckdb.DuckDBPyConnection, value_at: int, note_at: int, column: str,
                          ) -> list[Problem]:
    """Rows of `_grid` whose whole-number value is followed by a note of nothing but 1–3 digits: in a comma file
    that is one number cut in two at its comma (`9,5` stored as 9 with the note "5", `1,700` as 1), and the row
    has exactly as many cells as the header, so the extra-cell check cannot see it. Call it only for a
    comma-separated long file whose note column (`note_at`) directly follows its value column (`value_at`)."""
    # The note's length first: the regular expressions then run on the few rows with a note of 1–3 characters.
    rows = con.execute(
        f"SELECT line, trim(c{value_at}) || ',' || c{note_at}, count(*) OVER () FROM _grid "
        f"WHERE length(c{note_at}) BETWEEN 1 AND 3 AND regexp_full_match(c{note_at}, '[0-9]{{1,3}}') "
        f"AND regexp_full_match(trim(c{value_at}), '[+-]?[0-9]+') ORDER BY line LIMIT {MAX_PROBLEMS}").fetchall()
    problems = [Problem("split_number", int(line), column, shown) for line, shown, _ in rows]
    if rows and rows[0][2] > len(rows):
        problems.append(Problem("too_many", params={"n": int(rows[0][2]) - len(rows), "limit": MAX_PROBLEMS}))
    return problems
