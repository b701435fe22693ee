"""Reporting completeness: which unit has sent which indicator for which quarter, what is missing, what came late.

Expected: every usual reporter (`reported_by`) of every indicator reported each quarter (a cumulative figure, such
as "6 tháng đầu năm", reports the quarters it covers), for the quarters up to the
one asked about; an indicator reported once a year (`reporting = "annual"`) is expected as a year figure once the
year is over. Indices published by others (`publication = "annual"`) are not expected from the units. A report is
due `report_due_days` after its quarter ends (the plan file's setting).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from kpi.periods import cumulative_flags, span_end
from kpi.plan import Plan
from kpi.store import receipts

LOCAL_TIME = "Asia/Ho_Chi_Minh"

STATES = ("on_time", "late", "missing", "not_due")
#: The most reporting units a tracking matrix draws (a heading and a row per indicator each): beyond it the rows
#: could not be read, and a country's 10,000 communes made a figure of 140,000 rows that took 47 s to build.
MATRIX_UNITS = 60
#: The most reports to chase a page lists on screen (missing first, oldest first); the downloads hold them all. A
#: country's root has 291,538, tens of megabytes for the browser to hold.
LIST_ROWS = 1_000


def due_date(year: int, quarter: int, due_days: int) -> date:
    """The day a report for `quarter` (0 = the whole year) of `year` is due."""
    end = date(year, 12, 31) if quarter in (0, 4) else date(year, 3 * quarter + 1, 1) - timedelta(days=1)
    return end + timedelta(days=due_days)


def expected_reports(plan: Plan, through_quarter: int, units: Collection[str] | None = None) -> pd.DataFrame:
    """Unit × indicator × period expected by the end of `through_quarter` (4 = the year is over), of `units`
    only where given."""
    rows = []
    for ind in plan.indicators:
        if ind.publication == "annual":
            continue
        for unit in plan.reporters(ind):
            if units is not None and unit not in units:
                continue
            if ind.reporting == "annual":
                if through_quarter == 4:
                    rows.append((unit, ind.code, f"{plan.year}", 0))
            else:
                rows += [(unit, ind.code, f"{plan.year}-Q{q}", q) for q in range(1, through_quarter + 1)]
    return pd.DataFrame(rows, columns=["unit", "indicator", "period", "quarter"])


def unit_receipts(conn: Connection, plan: Plan, unit: str) -> pd.DataFrame:
    """`kpi.store.receipts` of the plan's year for `unit` and every unit below it, by the plan's own tree (the one
    the expected reports follow); the scope unit's are every receipt, read without a list of codes."""
    return receipts(conn, plan.year, None if unit == plan.plan.scope_unit else plan.subtree(unit))


def covered_reports(receipts: pd.DataFrame) -> pd.DataFrame:
    """`receipts` as the quarter and year reports they stand for: a cumulative figure (6 months, 9 months, the
    year) is the report of every quarter it covers that was not sent on its own, received when it arrived; a year
    figure is also the year's report. Columns as `receipts`; the earliest arrival per report wins."""
    if receipts.empty:
        return receipts
    cumulative = cumulative_flags(receipts["period"])
    rows = [receipts]
    for unit, indicator, period, received in receipts.loc[cumulative, ["unit", "indicator", "period",
                                                                      "received"]].itertuples(index=False):
        year = period[:4]
        rows.append(pd.DataFrame({"unit": unit, "indicator": indicator, "received": received,
                                  "period": [f"{year}-Q{q}" for q in range(1, span_end(period) + 1)],
                                  "quarter": list(range(1, span_end(period) + 1))}))
    covered = pd.concat(rows, ignore_index=True).sort_values("received", kind="stable")
    return covered.drop_duplicates(["unit", "indicator", "period"], keep="first").reset_index(drop=True)


def completeness(plan: Plan, receipts: pd.DataFrame, through_quarter: int, today: date | None = None,
                 units: Collection[str] | None = None) -> pd.DataFrame:
    """Each expected report (of `units` only where given) with its state: on_time, late (received after the due
    date; `days_late`), missing (overdue and not received) or not_due (not received, not yet due). Columns: unit,
    indicator, period, quarter, due, received, state, days_late."""
    today = today or datetime.now(ZoneInfo(LOCAL_TIME)).date()
    expected = expected_reports(plan, through_quarter, None if units is None else set(units))
    # A half-year, 9-month or year figure is the report of the quarters it covers (DOMAIN.md: units report
    # cumulatively), so a unit that sent "6 tháng đầu năm" is not chased for Q1 and Q2.
    covered = covered_reports(receipts)
    merged = expected.merge(covered[["unit", "indicator", "period", "received"]], on=["unit", "indicator", "period"],
                            how="left")
    # Worked out per distinct quarter, then column by column: a country expects 436,000 reports by Q3.
    dues = {q: due_date(plan.year, q, plan.plan.report_due_days) for q in merged["quarter"].unique()}
    merged["due"] = merged["quarter"].map(dues).astype(object)
    due = pd.to_datetime(merged["due"])
    # Uploads are stamped in UTC; deadlines are days in Vietnam (UTC+7).
    received = pd.to_datetime(merged["received"]).dt.tz_localize("UTC").dt.tz_convert(LOCAL_TIME).dt.tz_localize(
        None).dt.normalize()
    late_days = (received - due).dt.days  # NaN where nothing was received
    merged["days_late"] = late_days.astype("Int64").astype(object).where(late_days > 0, None)
    arrived = received.notna()
    merged["state"] = np.select([arrived & (late_days > 0), arrived, due < pd.Timestamp(today)],
                                ["late", "on_time", "missing"], "not_due")
    return merged


def missing_list(report: pd.DataFrame) -> pd.DataFrame:
    """The reports an analyst has to chase: missing first, then late, oldest due date first."""
    order = {"missing": 0, "late": 1}
    todo = report[report["state"].isin(order)]
    return todo.sort_values(["state", "due", "unit", "indicator"], key=lambda c: c.map(order) if c.name == "state"
                            else c).reset_index(drop=True)


def counts_below(report: pd.DataFrame, plan: Plan, unit: str) -> pd.DataFrame:
    """The reports of `report` counted by state for `unit` itself and for each unit directly under it (its whole
    subtree's reports), in registry order; units with no report expected are left out. Columns: unit, then one
    count per state of `STATES`."""
    owner = {unit: unit}
    for child in plan.children(unit):
        owner.update(dict.fromkeys(plan.subtree(child), child))
    rows = report.assign(_owner=report["unit"].map(owner)).dropna(subset=["_owner"])
    counts = pd.crosstab(rows["_owner"], rows["state"]).reindex(columns=list(STATES), fill_value=0)
    order = plan.unit_positions()
    counts = counts.loc[sorted(counts.index, key=order.__getitem__)]
    return counts.rename_axis(index="unit", columns=None).reset_index()
