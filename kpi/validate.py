"""Check a whole submitted table against the plans, vectorised: every problem at once, with line and column.

Input is a `RawTable` of text cells; output is the typed figures (`unit, indicator, period, year, quarter, value,
qualifier, note, line`) and the problems. A table with any blocking problem must not be written.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpi.periods import parse_period
from kpi.plan import Plan
from kpi.problems import Problem
from kpi.readers import RawTable

_NUMBER = re.compile(r"^(?P<q>[<>])?\s*(?P<num>[+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*%?$")


@dataclass
class Validated:
    """Typed figures ready to store and the problems found; `ok` when nothing blocks."""

    figures: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem blocks the file."""
        return not any(p.blocking for p in self.problems)


def plans_by_year(plans: dict[int, Plan]) -> dict[int, Plan]:
    """Which plan governs figures of each year: its own year, or the baseline year of the next plan."""
    governing = {plan.baseline_year: plan for plan in plans.values()}
    governing.update({plan.year: plan for plan in plans.values()})
    return governing


def closest(value: str, candidates: list[str]) -> str | None:
    """The candidate most like `value` (case-insensitive), or None when nothing is close."""
    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def _indicator_specs(plans: dict[int, Plan]) -> pd.DataFrame:
    rows = []
    for year, plan in plans_by_year(plans).items():
        for ind in plan.indicators:
            rows.append(
                {
                    "year": year,
                    "indicator": ind.code,
                    "min": float(ind.min),
                    "max": float(ind.max),
                    "integer": ind.integer,
                    "censorable": ind.kind == "rank_gain",
                }
            )
    return pd.DataFrame(rows)


def parse_periods(texts: pd.Series) -> pd.DataFrame:
    """Year, quarter and canonical code for each text (NaN where it is not a period); parsed once per distinct text."""
    unique = texts.unique()
    parsed = {}
    for text in unique:
        try:
            p = parse_period(text)
        except ValueError:
            continue
        parsed[text] = (p.year, p.quarter, str(p), p.storable)
    table = pd.DataFrame.from_dict(parsed, orient="index", columns=["year", "quarter", "period", "storable"])
    return table.reindex(texts.values).set_index(texts.index)


def parse_numbers(texts: pd.Series) -> pd.DataFrame:
    """`value` (float, NaN where unparseable) and `qualifier` ('>' / '<' / None) for each text."""
    cleaned = texts.str.replace(r"\s+", "", regex=True)
    parts = cleaned.str.extract(_NUMBER)
    value = pd.to_numeric(parts["num"], errors="coerce")
    qualifier = parts["q"].where(parts["q"].notna(), None)
    return pd.DataFrame({"value": value, "qualifier": qualifier}, index=texts.index)


def _cell_problems(frame: pd.DataFrame, mask: pd.Series, code: str, column: str, label: str,
                   **params: object) -> list[Problem]:
    """Problems for the cells of canonical `column` where `mask` holds, named by the file's own header `label`."""
    bad = frame.loc[mask, ["line", column]]
    return [Problem(code, int(line), label, str(value), dict(params)) for line, value in bad.itertuples(index=False)]


def validate(raw: RawTable, plans: dict[int, Plan]) -> Validated:
    """Check every cell of `raw` against `plans`; return the typed figures and all problems found."""
    problems = list(raw.problems)
    if problems:
        return Validated(pd.DataFrame(), problems)
    df = raw.cells.copy()
    header = raw.headers  # canonical -> file's own header, for messages
    col = {name: header.get(name, name) for name in ("unit", "indicator", "period", "value", "note")}
    df["unit"] = df["unit"].str.upper()
    df["indicator"] = df["indicator"].str.lower()
    governing = plans_by_year(plans)

    # Period.
    periods = parse_periods(df["period"])
    bad_period = periods["year"].isna()
    problems += [
        Problem("bad_period", int(line), col["period"], str(value))
        for line, value in df.loc[bad_period, ["line", "period"]].itertuples(index=False)
    ]
    view = periods["storable"].eq(False)
    problems += [
        Problem("view_period", int(line), col["period"], str(value))
        for line, value in df.loc[view, ["line", "period"]].itertuples(index=False)
    ]
    df["year"] = periods["year"]
    df["quarter"] = periods["quarter"]
    df["period_code"] = periods["period"]
    outside = ~bad_period & ~df["year"].isin(list(governing))
    years_text = ", ".join(str(y) for y in sorted(governing))
    problems += [
        Problem("period_outside_plan", int(line), col["period"], str(value), {"years": years_text})
        for line, value in df.loc[outside, ["line", "period"]].itertuples(index=False)
    ]

    # Unit and indicator: known in the plan that governs the row's year (any plan when the period is unusable).
    all_units = sorted({u.code for p in plans.values() for u in p.units})
    all_indicators = sorted({i.code for p in plans.values() for i in p.indicators})
    known_pairs = pd.DataFrame(
        [(y, u.code) for y, p in governing.items() for u in p.units], columns=["year", "unit"]
    ).assign(unit_ok=True)
    df = df.merge(known_pairs, on=["year", "unit"], how="left")
    df = df.merge(_indicator_specs(plans), on=["year", "indicator"], how="left")
    year_known = df["year"].isin(list(governing))
    unit_bad = np.where(year_known, df["unit_ok"].isna(), ~df["unit"].isin(all_units))
    ind_bad = np.where(year_known, df["min"].isna(), ~df["indicator"].isin(all_indicators))
    for mask, code, column, candidates in (
        (unit_bad, "unknown_unit", "unit", all_units),
        (ind_bad, "unknown_indicator", "indicator", all_indicators),
    ):
        for value, group in df.loc[mask].groupby(column, sort=False):
            params = {"suggestion": closest(str(value), candidates)}
            problems += [Problem(code, int(line), col[column], str(value), params) for line in group["line"]]

    # Value.
    numbers = parse_numbers(df["value"])
    empty = df["value"].eq("")
    problems += [Problem("empty_value", int(line), col["value"], "") for line in df.loc[empty, "line"]]
    nan = numbers["value"].isna() & ~empty
    problems += _cell_problems(df, nan, "not_a_number", "value", col["value"])
    df["number"] = numbers["value"]
    df["qualifier"] = numbers["qualifier"]
    checkable = df["number"].notna() & df["min"].notna()
    censored_bad = checkable & df["qualifier"].notna() & ~df["censorable"].astype(bool)
    problems += _cell_problems(df, censored_bad, "censored_not_allowed", "value", col["value"])
    below = checkable & (df["number"] < df["min"])
    above = checkable & (df["number"] > df["max"])
    fractional = checkable & df["integer"].astype(bool) & (df["number"] != np.floor(df["number"]))
    for mask, code, bound in ((below, "below_min", "min"), (above, "above_max", "max")):
        bad = df.loc[mask, ["line", "value", bound]]
        problems += [Problem(code, int(line), col["value"], str(value), {bound: _plain(limit)})
                     for line, value, limit in bad.itertuples(index=False)]
    problems += _cell_problems(df, fractional & ~below & ~above, "not_integer", "value", col["value"])

    # The same figure twice with different values; an identical repeat is harmless and dropped.
    key = ["unit", "indicator", "period_code"]
    usable = df[df["number"].notna() & df["period_code"].notna()]
    first = usable.groupby(key, sort=False).agg(
        first_line=("line", "first"), first_value=("number", "first"), first_q=("qualifier", "first")
    )
    joined = usable.join(first, on=key)
    differs = (joined["line"] != joined["first_line"]) & (
        (joined["number"] != joined["first_value"])
        | (joined["qualifier"].fillna("") != joined["first_q"].fillna(""))
    )
    problems += [Problem("duplicate", int(line), col["value"], str(value), {"other": int(other)})
                 for line, value, other in joined.loc[differs, ["line", "value", "first_line"]]
                 .itertuples(index=False)]

    problems.sort(key=lambda p: (p.line or 0, p.column or ""))
    if any(p.blocking for p in problems):
        return Validated(pd.DataFrame(), problems)
    figures = (
        df.drop_duplicates(subset=key, keep="first")
        .assign(period=lambda d: d["period_code"], year=lambda d: d["year"].astype("int64"),
                quarter=lambda d: d["quarter"].astype("int64"), value=lambda d: d["number"].astype("float64"))
        .loc[:, ["line", "unit", "indicator", "period", "year", "quarter", "value", "qualifier", "note"]]
        .reset_index(drop=True)
    )
    figures["note"] = figures["note"].where(figures["note"] != "", None)
    return Validated(figures, problems)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
