"""Quarter-by-quarter views of one unit: each quarter's own figure, the year to date against the pace to the annual
target, the projection, and the change on the previous quarter and on the same quarter a year before."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi.evaluate import effective_figures, evaluate
from kpi.plan import Plan


def quarter_series(plan: Plan, figures: pd.DataFrame, unit: str) -> pd.DataFrame:
    """One row per indicator × quarter (1–4) of the plan year for `unit`.

    Columns: the evaluation's (actual = year to date, target, status, projection, …) plus `quarter`,
    `annual_actual`, `annual_reported`, `annual_status` (a figure stored for the whole year, if any),
    `expected_value` (year-to-date figure on pace to the annual target, flow indicators; in the measure),
    `last_year` (the same quarter's figure in the baseline year), `qoq` and `yoy` (% change of the quarter's own
    figure on the previous quarter and on last year's).
    """
    frames = [evaluate(plan, figures, f"{plan.year}-Q{q}", [unit]).assign(quarter=q) for q in (1, 2, 3, 4)]
    series = pd.concat(frames, ignore_index=True)
    # A figure stored for the whole year (a published rank, the year-end poverty survey) belongs on the chart too.
    year = evaluate(plan, figures, str(plan.year), [unit])
    annual = year[year["as_of"] == 0][["indicator", "actual", "actual_qualifier", "reported", "status", "target"]]
    series = series.merge(annual.add_prefix("annual_").rename(columns={"annual_indicator": "indicator"}),
                          on="indicator", how="left")
    # Where the year to date should stand at the end of each quarter on the way to the annual target.
    share = [plan.indicator(i).cumulative_share(q) for i, q in zip(series["indicator"], series["quarter"])]
    series["expected_value"] = (series["target"] * pd.Series(share, index=series.index)).where(
        series["expected"].notna())
    eff = effective_figures(plan, figures)
    before = eff[(eff["unit"] == unit) & (eff["year"] == plan.baseline_year) & (eff["quarter"] > 0)]
    before = before[["indicator", "quarter", "value"]].rename(columns={"value": "last_year"})
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


def unit_ranking(result: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Units ranked by the share (%) of their judged targets that are achieved or on track, within each cluster.

    Targets awaiting publication, without data, without a target or undetermined are not judged. Columns: unit,
    cluster, judged, good (achieved or on track), share (%), rank (1 = best, within the cluster; ties share a rank).
    """
    judged = result[result["status"].isin(["achieved", "on_track", "at_risk", "off_track"])]
    members = {m: c.code for c in plan.clusters for m in c.members}
    judged = judged.assign(good=judged["status"].isin(["achieved", "on_track"]).astype("int64"))
    table = judged.groupby("unit", as_index=False).agg(judged=("status", "size"), good=("good", "sum"))
    table = table.astype({"judged": "int64", "good": "int64"})
    table = table[table["unit"].isin(members)]
    table["cluster"] = table["unit"].map(members)
    table["share"] = table["good"] / table["judged"] * 100
    table["rank"] = table.groupby("cluster")["share"].rank(ascending=False, method="min").astype(int)
    cluster_order = {c.code: n for n, c in enumerate(plan.clusters)}
    return table.sort_values(["cluster", "rank", "unit"], key=lambda c: c.map(cluster_order) if c.name == "cluster"
                             else c).reset_index(drop=True)
