"""Whole-file checks as DuckDB SQL: one validator for every path into the store.

`load_spec` puts the plans' look-up tables into a DuckDB connection; `typed_select` turns a relation of text cells
(`line, unit, indicator, period, value, note`) into typed figures with one flag per kind of problem. The careful
path materialises it and lists every problem with its line; the fast path (`kpi.fastload`) inserts straight from
it and raises on the first bad row, falling back to the careful path.

Numbers: spaces, a leading `>`/`<` (a censored rank) and a trailing `%` are dropped. The decimal mark is decided
per file from the evidence: `63,7` or `1.700.000` say comma, `63.7` or `1,700,000` say dot; `1,700` and `1.700`
say nothing (ambiguous), and a file with only ambiguous numbers must be told (`--decimal`).
"""

from __future__ import annotations

import functools

import duckdb
import pandas as pd

from kpi.periods import SPELLING_YEARS, period_spellings
from kpi.plan import Plan, governing_plans

DECIMALS = ("comma", "dot")


def _plan_frames(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Units, indicators and usual reporters of one plan (without years)."""
    units = pd.DataFrame({"code": [u.code for u in plan.units]})
    indicators = pd.DataFrame(
        [(i.code, float(i.min), float(i.max), i.integer, i.kind == "rank_gain") for i in plan.indicators],
        columns=["code", "min", "max", "integer", "censorable"],
    )
    reporters = pd.concat(
        [pd.DataFrame({"unit": plan.reporters(i), "indicator": i.code}) for i in plan.indicators], ignore_index=True
    )
    return units, indicators, reporters


@functools.cache
def _spellings() -> pd.DataFrame:
    return pd.DataFrame(period_spellings(SPELLING_YEARS), columns=["key", "period", "year", "quarter", "storable"])


def load_spec(con: duckdb.DuckDBPyConnection, plans: dict[int, Plan]) -> None:
    """Create the temporary look-up tables the checks join with: units, indicators, periods, reporters, years."""
    governing = governing_plans(plans)
    frames: dict[int, tuple[pd.DataFrame, ...]] = {}
    for plan in governing.values():  # a plan governs two years: build its frames once
        if id(plan) not in frames:
            frames[id(plan)] = _plan_frames(plan)
    per_year = [(year, frames[id(plan)]) for year, plan in governing.items()]
    tables = {
        name: pd.concat([parts[n].assign(year=year) for year, parts in per_year], ignore_index=True)
        for n, name in enumerate(("units", "indicators", "reporters"))
    }
    tables["periods"] = _spellings()
    tables["years"] = pd.DataFrame({"year": sorted(governing)})
    for name, frame in tables.items():
        con.register(f"_k_{name}_df", frame)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _k_{name} AS SELECT * FROM _k_{name}_df")
        con.unregister(f"_k_{name}_df")


# Per-row evidence about the decimal mark of `body` (the number without spaces, qualifier or %).
_EVIDENCE = r"""
CASE
  WHEN body = '' THEN 'empty'
  WHEN regexp_full_match(body, '[+-]?[0-9]+') THEN 'plain'
  WHEN NOT regexp_full_match(body, '[+-]?[0-9.,]*[0-9][0-9.,]*') THEN 'nan'
  WHEN contains(body, '.') AND contains(body, ',') THEN
    CASE WHEN strpos(reverse(body), ',') < strpos(reverse(body), '.') THEN 'comma' ELSE 'dot' END
  WHEN contains(body, ',') THEN
    CASE WHEN length(body) - length(replace(body, ',', '')) > 1 THEN 'dot'
         WHEN regexp_full_match(body, '[+-]?[0-9]{1,3},[0-9]{3}') THEN 'ambiguous' ELSE 'comma' END
  ELSE
    CASE WHEN length(body) - length(replace(body, '.', '')) > 1 THEN 'comma'
         WHEN regexp_full_match(body, '[+-]?[0-9]{1,3}\.[0-9]{3}') THEN 'ambiguous' ELSE 'dot' END
END
"""

_PARSE = {
    "comma": r"""CASE WHEN regexp_full_match(body, '[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?')
                 THEN TRY_CAST(replace(replace(body, '.', ''), ',', '.') AS DOUBLE) END""",
    "dot": r"""CASE WHEN regexp_full_match(body, '[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?')
               THEN TRY_CAST(replace(body, ',', '') AS DOUBLE) END""",
    "none": "NULL",
}

# Text cells cleaned and classified. Most cells are already clean (a plain number, a canonical period), and a
# cheap pattern test lets them skip the costlier clean-ups.
_CELLS = r"""
SELECT line, unit, indicator, period_text, value_text, note, qualifier, body, value_column, value_number,
       CASE WHEN value_number IS NOT NULL THEN 'number' ELSE {evidence} END AS evidence, period_key
FROM (
  SELECT line, value_column, value_number,
         upper(trim(coalesce(unit, ''))) AS unit,
         lower(trim(coalesce(indicator, ''))) AS indicator,
         trim(coalesce(period, '')) AS period_text,
         trim(coalesce(value, '')) AS value_text,
         -- NFC and white space as the careful path's reader leaves them: a UTF-8 file typed with decomposed
         -- tone marks (Unikey's "Unicode tổ hợp", macOS) must store the same note on the fast path.
         nfc_normalize(nullif(trim(note, ' ' || chr(9) || chr(10) || chr(13) || chr(160)), '')) AS note,
         CASE WHEN regexp_full_match(value, '[0-9]+(\.[0-9]+)?') THEN NULL
              ELSE nullif(regexp_extract(regexp_replace(coalesce(value, ''), '\s', '', 'g'), '^([<>]?)', 1), '')
         END AS qualifier,
         CASE WHEN regexp_full_match(value, '[0-9]+(\.[0-9]+)?') THEN value
              ELSE regexp_replace(regexp_replace(coalesce(value, ''), '\s', '', 'g'), '^[<>]|%$', '', 'g')
         END AS body,
         CASE WHEN regexp_full_match(period, '[0-9]{{4}}(-Q[1-4])?') THEN lower(period)
              ELSE regexp_replace(strip_accents(replace(lower(coalesce(period, '')), 'đ', 'd')), '\s+', '', 'g')
         END AS period_key
  FROM {source}
)
"""


def evidence_counts(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    """How many values of `source` speak for each decimal mark (comma, dot, ambiguous, plain, nan, empty)."""
    sql = f"SELECT evidence, count(*) FROM ({_CELLS.format(source=source, evidence=_EVIDENCE)}) GROUP BY 1"
    return {kind: int(n) for kind, n in con.execute(sql).fetchall()}


def decide_decimal(counts: dict[str, int], forced: str | None = None) -> str:
    """The file's decimal mark: `forced` if given, else the mark most values speak for; 'none' when no value says."""
    if forced:
        return forced
    comma, dot = counts.get("comma", 0), counts.get("dot", 0)
    if comma == dot == 0:
        return "none"
    return "comma" if comma > dot else "dot"


def typed_select(source: str, decimal: str) -> str:
    """SQL for typed figures from the cells of `source` (line, unit, indicator, period, value, note,
    value_column, value_number — the last set where a workbook cell holds a real number), reading text numbers
    with the decimal mark `decimal` (comma/dot/none).

    Columns: line, unit, indicator, period_text, value_text, note, qualifier, evidence, number, period, year,
    quarter, storable, year_ok, unit_known, unit_ok, indicator_known, indicator_ok, min, max, integer, censorable,
    and `bad`, true when any check fails.
    """
    if decimal not in _PARSE:
        raise ValueError(f"decimal must be one of {', '.join(_PARSE)}")
    cells = _CELLS.format(source=source, evidence=_EVIDENCE)
    # Built only from this module's constants and a relation name chosen by the caller's code; cell values
    # never enter the SQL text.
    return rf"""
WITH cells AS ({cells}),
typed AS (
  SELECT c.*,
         CASE WHEN c.evidence = 'number' THEN c.value_number
              WHEN c.evidence = 'plain' THEN TRY_CAST(c.body AS DOUBLE)
              WHEN c.evidence IN ('comma', 'dot', 'ambiguous') THEN {_PARSE[decimal]} END AS number,
         p.period, p.year, p.quarter, coalesce(p.storable, false) AS storable,
         y.year IS NOT NULL AS year_ok,
         au.code IS NOT NULL AS unit_known, u.code IS NOT NULL AS unit_ok,
         ai.code IS NOT NULL AS indicator_known, i.code IS NOT NULL AS indicator_ok,
         i.min, i.max, coalesce(i.integer, false) AS integer, coalesce(i.censorable, false) AS censorable
  FROM cells c
  LEFT JOIN _k_periods p ON p.key = c.period_key
  LEFT JOIN _k_years y ON y.year = p.year
  LEFT JOIN (SELECT DISTINCT code FROM _k_units) au ON au.code = c.unit
  LEFT JOIN _k_units u ON u.year = p.year AND u.code = c.unit
  LEFT JOIN (SELECT DISTINCT code FROM _k_indicators) ai ON ai.code = c.indicator
  LEFT JOIN _k_indicators i ON i.year = p.year AND i.code = c.indicator
)
SELECT *,
       -- A number that contradicts the file's decimal mark, or is ambiguous without one, parses to NULL.
       NOT coalesce(storable AND year_ok AND unit_ok AND indicator_ok AND number IS NOT NULL
                    AND (qualifier IS NULL OR censorable) AND number >= min AND number <= max
                    AND (NOT integer OR number = floor(number)), false) AS bad
FROM typed
"""
