"""Quarter-by-quarter views of one unit: each quarter's own figure, the year to date against the pace to the annual
target, the projection, and the change on the previous quarter and on the same quarter a year before."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from kpi.evaluate import evaluate
from kpi.plan import Plan
from kpi.spans import Answers, Spans, quarter_values
from kpi.stored_spans import StoreSpans


def quarter_spans(plan: Plan) -> list[tuple[int, int]]:
    """The spans (year, last quarter) `quarter_series` reads: every quarter of the plan year and its baseline."""
    return [(year, q) for year in (plan.year, plan.baseline_year) for q in (1, 2, 3, 4)]


def stored_quarter_series(conn: Connection, plan: Plan, unit: str) -> pd.DataFrame:
    """`quarter_series` with the figures chosen inside the database, for `unit` only (kpi.spans_sql)."""
    return quarter_series(plan, StoreSpans(conn, plan, [unit], quarter_spans(plan)), unit)


def quarter_series(plan: Plan, figures: pd.DataFrame | Answers, unit: str) -> pd.DataFrame:
    """One row per indicator × quarter (1–4) of the plan year for `unit`.

    Columns: the evaluation's (actual = year to date, target, status, projection, …; the Q4 row is the year's
    answer) plus `quarter`, `annual_actual`, `annual_actual_qualifier`, `annual_reported`, `annual_status` (the
    year's answer of an indicator sent or published once a year: a rank, the year-end poverty survey),
    `expected_value` (year-to-date figure on pace to the annual target, flow indicators; in the measure),
    `last_year` (the same quarter's own value in the baseline year), `qoq` and `yoy` (% change of the quarter's
    own value on the previous quarter and on last year's).
    """
    # The four views share their spans (Q2's "before" is Q1's own).
    spans = Spans(plan, figures) if isinstance(figures, pd.DataFrame) else figures
    frames = [evaluate(plan, spans, f"{plan.year}-Q{q}", [unit]).assign(quarter=q) for q in (1, 2, 3, 4)]
    series = pd.concat(frames, ignore_index=True)
    yearly = {i.code for i in plan.indicators if i.reporting == "annual" or i.publication == "annual"}
    year = frames[3][frames[3]["indicator"].isin(yearly) & frames[3]["actual"].notna() & frames[3]["complete"]]
    annual = year[["indicator", "actual", "actual_qualifier", "reported", "status", "target"]]
    series = series.merge(annual.add_prefix("annual_").rename(columns={"annual_indicator": "indicator"}),
                          on="indicator", how="left")
    # Where the year to date should stand at the end of each quarter on the way to the annual target.
    share = [plan.indicator(i).cumulative_share(q) for i, q in zip(series["indicator"], series["quarter"])]
    series["expected_value"] = (series["target"] * pd.Series(share, index=series.index)).where(
        series["expected"].notna())
    before = pd.concat([quarter_values(plan, spans, plan.baseline_year, q).assign(quarter=q)
                        for q in (1, 2, 3, 4)], ignore_index=True)
    before = before[before["unit"] == unit][["indicator", "quarter", "value"]].rename(columns={"value": "last_year"})
    series = series.merge(before, on=["indicator", "quarter"], how="left")
    series = series.sort_values(["indicator", "quarter"], kind="stable")
    previous = series.groupby("indicator")["period_value"].shift(1)
    # The first quarter's previous quarter is last year's fourth.
    last_q4 = before[before["quarter"] == 4].set_index("indicator")["last_year"]
    first = series["quarter"] == 1
    previous = previous.where(~first, series["indicator"].map(last_q4))
    with np.errstate(divide="ignore", invalid="ignore"):
        series["qoq"] = np.where(previous > 0, (series["period_value"] / previous - 1) * 100, np.nan)
        series["yoy"] = np.where(series["last_year"] > 0, (series["period_value"] / series["last_year"] - 1) * 100,
                                 np.nan)
    order = {i.code: n for n, i in enumerate(plan.indicators)}
    return series.sort_values(["indicator", "quarter"], key=lambda c: c.map(order) if c.name == "indicator" else c,
                              kind="stable").reset_index(drop=True)
