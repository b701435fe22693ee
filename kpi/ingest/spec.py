"""The plans as look-up tables in the check's DuckDB connection. Every check joins with these.

`_k_years` (year, plan_year) says which plan governs a year (its own year or its baseline year). The other tables
are kept once per plan: `_k_units` (code, plan_year) and its index `_k_unit_index` (code, plan_years);
`_k_indicators` (code, min, max, integer, censorable, plan_year); `_k_reported_by` (indicator, name, plan_year)
with `_k_groups` (name, unit, plan_year), and the view `_k_reporters` (unit, indicator, year) of who usually
reports what. `_k_periods` holds every period spelling.
"""

from __future__ import annotations

import functools

import duckdb

from kpi.periods import SPELLING_YEARS, period_spellings
from kpi.plan import Plan, governing_plans

_TABLES = """
CREATE OR REPLACE TEMP TABLE _k_years (year INTEGER, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_units (code VARCHAR, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_indicators (code VARCHAR, min DOUBLE, max DOUBLE, integer BOOLEAN,
                                            censorable BOOLEAN, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_reported_by (indicator VARCHAR, name VARCHAR, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_groups (name VARCHAR, unit VARCHAR, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_periods (key VARCHAR, period VARCHAR, year INTEGER, quarter INTEGER,
                                         storable BOOLEAN);
CREATE OR REPLACE TEMP VIEW _k_reporters AS
  SELECT coalesce(g.unit, r.name) AS unit, r.indicator, y.year
  FROM _k_reported_by r JOIN _k_years y ON y.plan_year = r.plan_year
  LEFT JOIN _k_groups g ON g.plan_year = r.plan_year AND g.name = r.name;
"""


@functools.cache
def _spellings() -> tuple[list, ...]:
    rows = period_spellings(SPELLING_YEARS)
    return tuple(list(column) for column in zip(*rows))


def _insert_codes(con: duckdb.DuckDBPyConnection, table: str, codes: list[str], *fixed: object) -> None:
    # Unit and group codes are checked by the plan's schema (letters, digits, `_`), so a comma joins them safely
    # into one bound parameter that DuckDB splits: far cheaper than binding tens of thousands of values.
    if not codes:
        return
    extra = "".join(f", ${i + 2}" for i in range(len(fixed)))
    con.execute(f"INSERT INTO {table} SELECT unnest(string_split($1, ','))" + extra, [",".join(codes), *fixed])


def load_spec(con: duckdb.DuckDBPyConnection, plans: dict[int, Plan]) -> None:
    """Create the look-up tables described above for `plans`."""
    con.execute(_TABLES)
    governing = governing_plans(plans)
    con.execute("INSERT INTO _k_years SELECT unnest($1), unnest($2)",
                [list(governing), [plan.year for plan in governing.values()]])
    con.execute("INSERT INTO _k_periods SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5)",
                list(_spellings()))
    for plan in {plan.year: plan for plan in plans.values()}.values():
        _insert_codes(con, "_k_units", [u.code for u in plan.units], plan.year)
        for name, members in plan.groups.items():
            _insert_codes(con, "_k_groups (unit, name, plan_year)", members, name, plan.year)
        indicators = plan.indicators
        con.execute("INSERT INTO _k_indicators SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5), $6",
                    [[i.code for i in indicators], [float(i.min) for i in indicators],
                     [float(i.max) for i in indicators], [i.integer for i in indicators],
                     [i.kind == "rank_gain" for i in indicators], plan.year])
        pairs = [(i.code, name) for i in indicators for name in i.reported_by]
        con.execute("INSERT INTO _k_reported_by SELECT unnest($1), unnest($2), $3",
                    [[p[0] for p in pairs], [p[1] for p in pairs], plan.year])
    # One row per unit code with the plan years that know it: one join answers "known?" and "known that year?".
    con.execute("CREATE OR REPLACE TEMP TABLE _k_unit_index AS SELECT code, list(plan_year) AS plan_years "
                "FROM _k_units GROUP BY code")


def known_codes(plans: dict[int, Plan]) -> tuple[list[str], list[str]]:
    """Every unit code and every indicator code of `plans` (for "did you mean …?" hints)."""
    units = sorted({u.code for p in plans.values() for u in p.units})
    indicators = sorted({i.code for p in plans.values() for i in p.indicators})
    return units, indicators
