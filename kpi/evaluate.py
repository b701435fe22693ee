"""Evaluate every indicator × unit for a period against the plan: actual, baseline, target, attainment, gap, pace,
year-end projection, status and the full-year verdict `met`. Pure: figures in, DataFrame out; vectorised in pandas.

Rules (DOMAIN.md, "Comparing with the target"), written down where the domain is silent:
- A unit's own figure for a period wins over the roll-up of its children (sum, mean or min; `none` never rolls up).
- Year-to-date: a flow indicator sums the quarters reported up to the period's last quarter; a level indicator takes
  the latest reported quarter. For a year, a stored annual figure wins over the quarters.
- Baseline: the unit's complete figure for the baseline year, else the plan file's `baselines` entry.
- Pace (quarters, or a year not yet complete): for a flow indicator, the year-to-date actual against the share of
  the annual target expected for the quarters reported (quarter profile, else 1/4 each), in %; the projection
  divides by that share. For a level indicator, the latest value is the projection and pace is its attainment.
- Status: achieved when the year's verdict is met; off_track when it is decided as not met; otherwise by pace
  against the plan's thresholds (on_track ≥ on_track %, at_risk ≥ at_risk %, else off_track). An annual index
  with no figure yet is `awaiting`, never red; a target that cannot be computed (no baseline, censored ranks
  that leave the verdict open) is `undetermined`; a unit without a target for a scope-only indicator is `no_target`.
- A censored rank (`>30`: ranked below 30th) is an interval; the gain is known only when both ends agree, and the
  verdict is decided only when the whole interval falls on one side of the target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi.periods import Period, parse_period
from kpi.plan import Plan
from kpi.values import parse_censored

RESULT_COLUMNS = [
    "indicator", "unit", "period", "actual", "actual_qualifier", "reported", "baseline", "baseline_qualifier", "target",
    "target_qualifier", "stretch", "attainment", "gap", "pace", "projection", "status", "met", "stretch_met",
    "complete", "as_of", "source", "period_value", "expected",
]


def _spec_frame(plan: Plan) -> pd.DataFrame:
    rows = []
    for ind in plan.indicators:
        th = plan.thresholds_for(ind)
        rows.append({
            "indicator": ind.code, "kind": ind.kind, "flow": ind.flow, "rollup": ind.rollup,
            "applies_to": ind.applies_to, "goal": np.nan if ind.target is None else float(ind.target),
            "stretch": np.nan if ind.stretch is None else float(ind.stretch), "reported_as": ind.reported_as,
            "annual_only": ind.publication == "annual", "min": float(ind.min), "max": float(ind.max),
            "on_track": th.on_track, "at_risk": th.at_risk,
        })
    return pd.DataFrame(rows)


def _depths(plan: Plan) -> dict[str, int]:
    parent = {u.code: u.parent for u in plan.units}
    depth: dict[str, int] = {}
    for code in parent:
        d, node = 0, parent[code]
        while node is not None:
            d, node = d + 1, parent[node]
        depth[code] = d
    return depth


def effective_figures(plan: Plan, figures: pd.DataFrame) -> pd.DataFrame:
    """Figures per unit × indicator × stored period, each unit's own figure or else its children's roll-up.

    Adds `source` ('own' or 'rollup') and `partial`: a roll-up is partial when a child that reports the indicator
    in that year (in any of its periods) is missing from this period, or a child's own figure is partial. Rolls up
    level by level from the deepest parents, so a roll-up can feed the next one up.
    """
    cols = ["unit", "indicator", "year", "quarter", "value", "qualifier"]
    eff = figures[cols].assign(source="own", partial=False)
    parent = {u.code: u.parent for u in plan.units}
    depth = _depths(plan)
    how = {i.code: i.rollup for i in plan.indicators if i.rollup != "none"}
    key = ["parent", "indicator", "year", "quarter"]
    for level in range(max(depth.values(), default=0) - 1, -1, -1):
        parents = {code for code, d in depth.items() if d == level}
        children = eff[eff["unit"].map(parent).isin(parents) & eff["indicator"].isin(how)]
        if children.empty:
            continue
        children = children.assign(parent=children["unit"].map(parent), how=children["indicator"].map(how))
        rolled = [
            group.groupby(key, as_index=False).agg(value=("value", method), present=("unit", "nunique"),
                                                   partial=("partial", "any"))
            for method, group in children.groupby("how")
        ]
        rolled_frame = pd.concat(rolled, ignore_index=True)
        # The children expected in a period: those that report the indicator in any period of that year.
        expected = (children.groupby(["parent", "indicator", "year"])["unit"].nunique().rename("expected")
                    .reset_index())
        rolled_frame = rolled_frame.merge(expected, on=["parent", "indicator", "year"], how="left")
        rolled_frame["partial"] = rolled_frame["partial"] | (rolled_frame["present"] < rolled_frame["expected"])
        rolled_frame = rolled_frame.drop(columns=["present", "expected"]).rename(columns={"parent": "unit"})
        own = eff.loc[eff["unit"].isin(parents), ["unit", "indicator", "year", "quarter"]].assign(_own=True)
        rolled_frame = rolled_frame.merge(own, on=["unit", "indicator", "year", "quarter"], how="left")
        rolled_frame = rolled_frame[rolled_frame["_own"].isna()].drop(columns="_own")
        eff = pd.concat([eff, rolled_frame.assign(qualifier=None, source="rollup")], ignore_index=True)
    return eff


def _quarter_shares(plan: Plan) -> pd.DataFrame:
    return pd.DataFrame(
        [(i.code, q, i.cumulative_share(q) - i.cumulative_share(q - 1)) for i in plan.indicators for q in (1, 2, 3, 4)],
        columns=["indicator", "quarter", "share"],
    )


_YTD_COLUMNS = ["unit", "indicator", "actual", "actual_qualifier", "as_of", "complete", "share", "source"]


def year_to_date(plan: Plan, eff: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Per unit × indicator: the year-to-date `actual` for `period`, its qualifier, `share` of the year it covers
    (flow), the last quarter it reaches (`as_of`, 0 for an annual figure), `complete`, `source`, `period_value`."""
    specs = _spec_frame(plan).set_index("indicator")
    year = eff[eff["year"] == period.year]
    quarters = year[(year["quarter"] >= 1) & (year["quarter"] <= period.through_quarter)]
    quarters = quarters.merge(_quarter_shares(plan), on=["indicator", "quarter"], how="left")
    is_flow = quarters["indicator"].map(specs["flow"]).eq("flow")
    q = period.through_quarter

    flow = quarters[is_flow].groupby(["unit", "indicator"], as_index=False).agg(
        actual=("value", "sum"), share=("share", "sum"), n=("quarter", "nunique"), as_of=("quarter", "max"),
        source=("source", "min"), partial=("partial", "any"),
    )
    flow = flow.assign(complete=(flow["n"] == q) & ~flow["partial"], actual_qualifier=None)
    level = quarters[~is_flow].sort_values("quarter").groupby(["unit", "indicator"], as_index=False).last()
    level = level.rename(columns={"value": "actual", "qualifier": "actual_qualifier", "quarter": "as_of"})
    level = level.assign(complete=(level["as_of"] == q) & ~level["partial"].astype(bool), share=1.0)
    parts = [flow, level]
    if period.is_year:
        annual = year[year["quarter"] == 0].rename(columns={"value": "actual", "qualifier": "actual_qualifier"})
        parts.append(annual.assign(as_of=0, complete=~annual["partial"].astype(bool), share=1.0))
    parts = [part.reindex(columns=_YTD_COLUMNS) for part in parts if not part.empty]
    ytd = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_YTD_COLUMNS)
    # An annual figure (as_of 0) wins over the quarters for the year.
    ytd = ytd.assign(_annual=(ytd["as_of"] == 0).astype(int)).sort_values("_annual", kind="stable")
    ytd = ytd.drop_duplicates(["unit", "indicator"], keep="last").drop(columns="_annual")
    # The figure stored for exactly this period (none for the cumulative views H1 and 9M).
    this = year[(year["quarter"] == period.quarter) & (not period.view)][["unit", "indicator", "value"]]
    ytd = ytd.merge(this.rename(columns={"value": "period_value"}), on=["unit", "indicator"], how="left")
    return ytd


def _interval(value: pd.Series, qualifier: pd.Series, low: pd.Series, high: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Bounds of a possibly censored whole-number figure: `>30` is [31, high], `<5` is [low, 4]."""
    q = qualifier.fillna("")
    lo = np.where(q == ">", value + 1, np.where(q == "<", low, value))
    hi = np.where(q == ">", high, np.where(q == "<", value - 1, value))
    return pd.Series(lo, index=value.index, dtype="float64"), pd.Series(hi, index=value.index, dtype="float64")


def candidate_pairs(plan: Plan, figures: pd.DataFrame) -> pd.DataFrame:
    """Indicator × unit pairs worth a row: the scope unit for every indicator, each usual reporter, and every pair
    with a figure in the plan's year."""
    rows = [(i.code, plan.plan.scope_unit) for i in plan.indicators]
    rows += [(i.code, u) for i in plan.indicators for u in plan.reporters(i)]
    rows += [(i.code, u) for i in plan.indicators for u in i.unit_targets]
    known_units = {u.code for u in plan.units}
    known_ind = {i.code for i in plan.indicators}
    data = figures.loc[figures["year"] == plan.year, ["indicator", "unit"]].drop_duplicates()
    data = data[data["indicator"].isin(known_ind) & data["unit"].isin(known_units)]
    pairs = pd.concat([pd.DataFrame(rows, columns=["indicator", "unit"]), data], ignore_index=True)
    order_i = {i.code: n for n, i in enumerate(plan.indicators)}
    order_u = {u.code: n for n, u in enumerate(plan.units)}
    pairs = pairs.drop_duplicates()
    return pairs.assign(_i=pairs["indicator"].map(order_i), _u=pairs["unit"].map(order_u)).sort_values(
        ["_i", "_u"]).drop(columns=["_i", "_u"]).reset_index(drop=True)


def _baselines(plan: Plan, eff: pd.DataFrame) -> pd.DataFrame:
    base = year_to_date(plan, eff, Period(plan.baseline_year))
    base = base.loc[base["complete"].astype(bool), ["unit", "indicator", "actual", "actual_qualifier"]]
    base = base.rename(columns={"actual": "baseline", "actual_qualifier": "baseline_qualifier"})
    plan_rows = [
        (i.code, unit, *parse_censored(raw)) for i in plan.indicators for unit, raw in i.baselines.items()
    ]
    from_plan = pd.DataFrame(plan_rows, columns=["indicator", "unit", "baseline", "baseline_qualifier"])
    both = pd.concat([base.assign(_p=0), from_plan.assign(_p=1)], ignore_index=True)
    return both.sort_values("_p").drop_duplicates(["unit", "indicator"], keep="first").drop(columns="_p")


def evaluate(plan: Plan, figures: pd.DataFrame, period: str | Period, units: list[str] | None = None) -> pd.DataFrame:
    """The scorecard: one row per indicator × unit for `period` (columns `RESULT_COLUMNS`).

    `figures` are the current figures (store.current_figures) of the plan's year and its baseline year. Units
    default to every unit with a row (see `candidate_pairs`). Percentages (attainment, pace) are in %; actual,
    baseline, target, gap and projection are in the indicator's measure (places for ranks' gap and target rank).
    """
    p = parse_period(period) if isinstance(period, str) else period
    if p.year != plan.year:
        raise ValueError(f"period {p} is not in the {plan.year} plan")
    eff = effective_figures(plan, figures)
    rows = candidate_pairs(plan, eff)  # a parent with only rolled-up figures (the department) gets its rows too
    if units is not None:
        rows = rows[rows["unit"].isin(units)]
    specs = _spec_frame(plan)
    df = rows.merge(specs, on="indicator", how="left")
    df = df.merge(year_to_date(plan, eff, p), on=["unit", "indicator"], how="left")
    df = df.merge(_baselines(plan, eff), on=["unit", "indicator"], how="left")
    df["period"] = str(p)
    df["complete"] = df["complete"].fillna(False).astype(bool)
    return _judge(plan, df, p)[RESULT_COLUMNS].reset_index(drop=True)


def _unit_goals(plan: Plan, df: pd.DataFrame) -> pd.Series:
    """The plan's number for each row's unit: a unit target, the plan target for the scope unit or for 'each'."""
    unit_targets = pd.DataFrame(
        [(i.code, u, float(v)) for i in plan.indicators for u, v in i.unit_targets.items()],
        columns=["indicator", "unit", "unit_goal"],
    )
    merged = df[["indicator", "unit"]].merge(unit_targets, on=["indicator", "unit"], how="left")
    general = df["goal"].where((df["applies_to"] == "each") | (df["unit"] == plan.plan.scope_unit))
    chosen = np.where(merged["unit_goal"].notna(), merged["unit_goal"], general)
    return pd.Series(chosen, index=df.index, dtype="float64")


def _judge(plan: Plan, df: pd.DataFrame, p: Period) -> pd.DataFrame:
    kind = df["kind"]
    goal = _unit_goals(plan, df)
    held_to_plan = (df["applies_to"] == "each") | (df["unit"] == plan.plan.scope_unit)
    has_goal = goal.notna() | ((kind == "reduce_vs_baseline") & held_to_plan)
    actual, baseline = df["actual"].astype("float64"), df["baseline"].astype("float64")
    for column in ("actual_qualifier", "baseline_qualifier"):
        df[column] = df[column].astype(object).where(df[column].notna(), None)
    has_actual = actual.notna()

    # Score (higher is better) against its goal, as an interval where ranks are censored.
    a_lo, a_hi = _interval(actual, df["actual_qualifier"], df["min"], df["max"])
    b_lo, b_hi = _interval(baseline, df["baseline_qualifier"], df["min"], df["max"])
    is_rank, is_reduce_by, is_below = kind == "rank_gain", kind == "reduce_by", kind == "reduce_vs_baseline"
    reduce_from_level = is_reduce_by & (df["reported_as"] == "level")
    score_lo = np.select([is_rank, reduce_from_level, is_below], [b_lo - a_hi, baseline - actual, -actual], actual)
    score_hi = np.select([is_rank, reduce_from_level, is_below], [b_hi - a_lo, baseline - actual, -actual], actual)
    # 12,3 − 9,3 must equal 3 exactly at the "at least" boundary: drop float noise from differences.
    score_lo, score_hi = np.round(score_lo, 9), np.round(score_hi, 9)
    target_goal = np.where(is_below, -baseline, goal).astype("float64")
    strict = kind.isin(["more_than", "reduce_vs_baseline"])

    def reaches(score: np.ndarray) -> np.ndarray:
        return np.where(strict, score > target_goal, score >= target_goal)

    with np.errstate(invalid="ignore"):
        sure_yes = reaches(score_lo) & ~np.isnan(score_lo) & ~np.isnan(target_goal)
        sure_no = ~reaches(score_hi) & ~np.isnan(score_hi) & ~np.isnan(target_goal)
    score = pd.Series(np.where(score_lo == score_hi, score_lo, np.nan), index=df.index)

    # Target as users read it: the level to reach, the target rank, or the baseline to stay under.
    df["target"] = np.select([is_rank, is_below], [baseline - goal, baseline], goal)
    df["target_qualifier"] = df["baseline_qualifier"].where(is_rank & has_goal, None)
    df.loc[~has_goal, "target"] = np.nan
    df["stretch"] = df["stretch"].where(is_reduce_by)
    df["gap"] = score - target_goal

    # Projection and pace. A lower-is-better flow is judged on its projection until the year is complete.
    flow = df["flow"] == "flow"
    share = df["share"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        projected = np.where(flow, actual / share, actual)
        df["projection"] = np.where(reduce_from_level, np.round(baseline - actual, 9), projected)
        numerator = np.where(is_below, baseline, score)
        denominator = np.where(is_below, projected, goal)
        df["attainment"] = np.where(denominator > 0, numerator / denominator * 100, np.nan)
        needed = np.where(flow & ~is_below, goal * share, np.nan)
        flow_pace = np.where(is_below, df["attainment"], np.where(needed > 0, actual / needed * 100, np.nan))
    df["pace"] = np.where(flow, flow_pace, df["attainment"])
    # Where a flow should stand by now, in % of the annual target (the pace line on charts).
    df["expected"] = np.where(flow & ~is_below & has_goal, share * 100, np.nan)
    df.loc[~has_actual, ["pace", "projection"]] = np.nan

    # The verdict: decided for a complete year, or early where a flow can only grow (reached, or already over).
    full_year = (p.through_quarter == 4) & df["complete"]  # the year view, or Q4 with every quarter in
    monotone = flow & (df["min"] >= 0)
    early_yes = monotone & kind.isin(["at_least", "more_than"]) & sure_yes
    early_no = monotone & is_below & sure_no
    decided_yes = (full_year & sure_yes) | early_yes
    decided_no = (full_year & sure_no) | early_no
    df["met"] = pd.Series(np.where(decided_yes, True, np.where(decided_no, False, None)), index=df.index,
                          dtype="object")
    with np.errstate(invalid="ignore"):
        stretch_reached = score >= df["stretch"]
    df["stretch_met"] = pd.Series(np.where(is_reduce_by & full_year & score.notna(), stretch_reached, None),
                                  index=df.index, dtype="object")
    df.loc[df["stretch"].isna(), "stretch_met"] = None

    df["reported"] = actual
    df["actual"] = np.where(reduce_from_level, np.round(baseline - actual, 9), actual)

    # Status.
    ratio = df["pace"].astype("float64")
    projected_ok = reaches(np.where(flow, np.where(is_below, -projected, projected), score_lo))
    by_pace = np.select(
        [ratio >= df["on_track"], ratio >= df["at_risk"], ratio.notna()], ["on_track", "at_risk", "off_track"],
        default=np.where(projected_ok, "on_track", "off_track"),
    )
    # "Fewer than last year" is on track only if the projection stays below last year; near misses are at risk.
    by_pace = np.where(is_below & (by_pace == "on_track") & ~projected_ok, "at_risk", by_pace)
    undecidable = has_actual & has_goal & (np.isnan(score) | np.isnan(target_goal)) & ~decided_yes & ~decided_no
    df["status"] = np.select(
        [
            ~has_goal,
            ~has_actual & df["annual_only"],
            ~has_actual,
            decided_yes,
            decided_no,
            undecidable | np.isnan(target_goal),
        ],
        ["no_target", "awaiting", "no_data", "achieved", "off_track", "undetermined"],
        default=by_pace,
    )
    return df
