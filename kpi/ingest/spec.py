"""The plans as look-up tables in the check's DuckDB connection. Every check joins with these.

`_k_years` (year, plan_year) says which plan governs a year (its own year or its baseline year). The other tables
are kept once per plan: `_k_units` (code, plan_year) and its index `_k_unit_index` (code, plan_years);
`_k_indicators` (code, min, max, integer, censorable, flow, decimals, plan_year); `_k_reported_by` (indicator, name,
plan_year) with `_k_groups` (name, unit, plan_year) and `_k_scope` (unit, plan_year), and the view `_k_reporters`
(unit, indicator, year) of who usually reports what. `_k_periods` (key, period, year, quarter, estimate) holds every
period spelling (`kpi.periods.spelling_forms`). The macros `span_end(quarter)` and `is_cumulative(period)` are the
SQL twins of `kpi.periods.span_end` and `kpi.periods.is_cumulative` for stored figures.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import duckdb

from kpi.periods import SPELLING_YEARS, spelling_forms
from kpi.plan import Plan, governing_plans
from kpi.text import strip_diacritics

_TABLES = """
CREATE OR REPLACE TEMP TABLE _k_years (year INTEGER, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_units (code VARCHAR, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_indicators (code VARCHAR, min DOUBLE, max DOUBLE, integer BOOLEAN,
                                            censorable BOOLEAN, flow BOOLEAN, decimals INTEGER, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_reported_by (indicator VARCHAR, name VARCHAR, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_groups (name VARCHAR, unit VARCHAR, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_scope (unit VARCHAR, plan_year INTEGER);
CREATE OR REPLACE TEMP TABLE _k_period_forms (form VARCHAR, part VARCHAR, quarter INTEGER, estimate BOOLEAN);
-- The scope unit (KT) may report any of its plan's indicators: the province's own figure is never unusual.
CREATE OR REPLACE TEMP VIEW _k_reporters AS
  SELECT coalesce(g.unit, r.name) AS unit, r.indicator, y.year
  FROM _k_reported_by r JOIN _k_years y ON y.plan_year = r.plan_year
  LEFT JOIN _k_groups g ON g.plan_year = r.plan_year AND g.name = r.name
  UNION ALL
  SELECT s.unit, i.code, y.year
  FROM _k_scope s JOIN _k_years y ON y.plan_year = s.plan_year
  JOIN _k_indicators i ON i.plan_year = s.plan_year;
-- A stored figure's `quarter` is the last quarter it covers, 0 for a year; only quarter codes carry `-Q`.
CREATE OR REPLACE TEMP MACRO span_end(quarter) AS CASE WHEN quarter = 0 THEN 4 ELSE quarter END;
CREATE OR REPLACE TEMP MACRO is_cumulative(period) AS NOT contains(period, '-Q');
"""

# Every spelling of every year is ~100,000 keys: DuckDB writes them out from the ~1,000 forms (the year put in
# where `{y}` stands, as `kpi.periods.period_spellings` does) far faster than Python could hand them over.
_PERIODS = f"""
CREATE OR REPLACE TEMP TABLE _k_periods AS
SELECT replace(f.form, '{{y}}', y::VARCHAR) AS key, y::VARCHAR || f.part AS period, y::INTEGER AS year, f.quarter,
       f.estimate
FROM _k_period_forms f, range({SPELLING_YEARS.start}, {SPELLING_YEARS.stop}) r(y)
"""


@functools.cache
def _forms() -> list[list]:
    forms = spelling_forms()
    return [list(forms), [v[0] for v in forms.values()], [v[1] for v in forms.values()],
            [v[2] for v in forms.values()]]


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
    con.execute("INSERT INTO _k_period_forms SELECT unnest($1), unnest($2), unnest($3), unnest($4)", _forms())
    con.execute(_PERIODS)
    for plan in {plan.year: plan for plan in plans.values()}.values():
        _insert_codes(con, "_k_units", [u.code for u in plan.units], plan.year)
        _insert_codes(con, "_k_scope", [plan.plan.scope_unit], plan.year)
        for name, members in plan.groups.items():
            _insert_codes(con, "_k_groups (unit, name, plan_year)", members, name, plan.year)
        indicators = plan.indicators
        con.execute("INSERT INTO _k_indicators SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5), "
                    "unnest($6), unnest($7), $8",
                    [[i.code for i in indicators], [float(i.min) for i in indicators],
                     [float(i.max) for i in indicators], [i.integer for i in indicators],
                     [i.kind == "rank_gain" for i in indicators], [i.flow == "flow" for i in indicators],
                     [i.decimals for i in indicators], plan.year])
        pairs = [(i.code, name) for i in indicators for name in i.reported_by]
        con.execute("INSERT INTO _k_reported_by SELECT unnest($1), unnest($2), $3",
                    [[p[0] for p in pairs], [p[1] for p in pairs], plan.year])
    # One row per unit code with the plan years that know it: one join answers "known?" and "known that year?".
    con.execute("CREATE OR REPLACE TEMP TABLE _k_unit_index AS SELECT code, list(plan_year) AS plan_years "
                "FROM _k_units GROUP BY code")


#: Abbreviations in unit names as analysts type them (`TP Kon Tum`, `H. Đắk Hà`), as name-key words.
_ABBREVIATIONS = {"tp": "thanh pho", "tx": "thi xa", "tt": "thi tran", "h": "huyen"}
#: Words that name a unit's kind rather than the unit: `Huyện Đắk Hà` is also known as `Đắk Hà`.
_KIND_WORDS = ("huyen", "thanh pho", "thi xa", "tinh", "district", "city", "province", "town")


_NOT_WORD = re.compile(r"[\W_]")  # what is not a letter or a digit (str.isalnum) separates words


def name_key(text: str) -> str:
    """A code or a name as it is compared for "did you mean …?": lower case, no diacritics or punctuation, the
    abbreviations spelled out (`TP. Kon Tum` → `thanh pho kon tum`)."""
    words = _NOT_WORD.sub(" ", strip_diacritics(unicodedata.normalize("NFC", text)).lower()).split()
    # Only a first word abbreviates a unit's kind (`H. Đắk Hà`); the `H` of `Ia H'Drai` is part of a name.
    return " ".join([_ABBREVIATIONS.get(words[0], words[0]), *words[1:]] if words else [])


def _without_kind(key: str) -> str:
    for word in _KIND_WORDS:
        if key.startswith(word + " "):
            return key[len(word) + 1:]
        if key.endswith(" " + word):
            return key[: -len(word) - 1]
    return key


@dataclass(frozen=True)
class Names:
    """Units or indicators for "did you mean …?", as {name key (`name_key`): code}: `codes` by their codes alone,
    `everything` by their codes and their Vietnamese and English names (with and without the kind word)."""

    codes: dict[str, str]
    everything: dict[str, str]


def _names(entries: list[tuple[str, list[str]]]) -> Names:
    # A key that two codes share (`kon tum`: the province and the city) is left out: it must never suggest the
    # wrong one.
    owners: dict[str, set[str]] = {}
    for code, names in entries:
        named = {name_key(n) for n in names}
        keys = {name_key(code)} | named | {_without_kind(key) for key in named}
        for key in keys - {""}:
            owners.setdefault(key, set()).add(code)
    everything = {key: codes.pop() for key, codes in owners.items() if len(codes) == 1}
    return Names({name_key(code): code for code, _ in entries}, everything)


def known_names(plans: dict[int, Plan]) -> tuple[Names, Names]:
    """For "did you mean …?" hints: every unit and every indicator of `plans` by code and by name, units first."""
    units = [(u.code, [u.name_vi, u.name_en]) for p in plans.values() for u in p.units]
    indicators = [(i.code, [i.name_vi, i.name_en]) for p in plans.values() for i in p.indicators]
    return _names(units), _names(indicators)
