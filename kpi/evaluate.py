"""Evaluate every indicator × unit for a period against the plan: actual, baseline, target, attainment, gap, pace,
year-end projection, status and the full-year verdict `met`. Pure: figures in, DataFrame out; vectorised in pandas.

Which figure counts for a unit, an indicator and a span is decided in `kpi.spans` (official before estimate, the
unit's own figure before a roll-up); this module judges it. Rules (DOMAIN.md, "Comparing with the target"; the
README's "Statuses" table), written down where the domain is silent:
- The actual is the year to date through the period's last quarter, so `2024-Q4` and `2024` are the same span and
  give the same answer; `2024-Q2` and `2024-H1` likewise.
- Baseline: the unit's complete figure for the baseline year, else the plan file's `baselines` entry. `last_year`
  is the baseline year's complete figure for the same span (cùng kỳ).
- Pace (flows): the year to date against the share of the annual target expected by the end of the span (quarter
  profile, else 1/4 a quarter), in %, whether or not every quarter is in; the projection divides by that share
  ("fewer than last year": last year's total × this year's count / last year's count for the same span). A span
  that reaches the year's end, or lacks a report, has no projection.
- Verdict (`met`): decided for a complete year; early where a flow can only grow (already reached, or already over
  last year's total for "fewer than last year").
- Status: `achieved` / `not_met` when decided; `incomplete` when a report the span needs is missing (named in
  `missing`); otherwise a level is `on_track` when its latest value meets the target (strictly where the target is
  strict), `at_risk` when it misses by at most the indicator's `tolerance` (in its measure), `off_track` beyond;
  a flow is `on_track` when its projection reaches the plan's `on_track` share of the target (100: meets it),
  `at_risk` when its pace reaches the plan's at-risk threshold, `off_track` below; "fewer than last year"
  compares the year to date with the same span last year (else with the baseline's share). An annual index with
  no figure yet is `awaiting`, never red; a target that cannot be computed (no baseline, censored ranks that leave
  the verdict open) is `undetermined`; a unit without a target is `no_target`; no figure at all is `no_data`.
- A censored rank (`>30`: ranked below 30th) is an interval; the gain is known only when both ends agree, and the
  verdict is decided only when the whole interval falls on one side of the target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection

from kpi.periods import Period, parse_period
from kpi.plan import Plan
from kpi.spans import Answers, Spans, missing_reports, needed_quarters, quarter_values, sent_by_quarter
from kpi.stored_spans import StoreSpans
from kpi.values import parse_censored

RESULT_COLUMNS = [
    "indicator", "unit", "period", "actual", "actual_qualifier", "reported", "estimate", "baseline",
    "baseline_qualifier", "same_span_last_year", "target", "target_qualifier", "stretch", "attainment", "gap", "pace",
    "projection", "status", "met", "stretch_met", "complete", "missing", "as_of", "source", "period_value",
    "expected",
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
            "on_track": th.on_track, "at_risk": th.at_risk, "tolerance": float(ind.tolerance or 0),
        })
    return pd.DataFrame(rows)


def _interval(value: pd.Series, qualifier: pd.Series, low: pd.Series, high: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Bounds of a possibly censored whole-number figure: `>30` is [31, high], `<5` is [low, 4]."""
    q = qualifier.fillna("")
    lo = np.where(q == ">", value + 1, np.where(q == "<", low, value))
    hi = np.where(q == ">", high, np.where(q == "<", value - 1, value))
    return pd.Series(lo, index=value.index, dtype="float64"), pd.Series(hi, index=value.index, dtype="float64")


def candidate_pairs(plan: Plan, reported: pd.DataFrame, answers: pd.DataFrame | None = None,
                    units: list[str] | None = None) -> pd.DataFrame:
    """Indicator × unit pairs worth a row: the scope unit for every indicator, each usual reporter, every pair
    with a figure in the plan's year (`reported`: unit, indicator), and every pair of `answers` (roll-ups
    included); of `units` only where given (a province's rows are found without listing the country's)."""
    scope = plan.plan.scope_unit
    if units is None:
        rows = [(i.code, scope) for i in plan.indicators]
        rows += [(i.code, u) for i in plan.indicators for u in plan.reporters(i)]
        rows += [(i.code, u) for i in plan.indicators for u in i.unit_targets]
    else:
        wanted = [u for u in dict.fromkeys(units) if plan.has_unit(u)]
        rows = [(i.code, u) for i in plan.indicators for u in wanted
                if u == scope or plan.reports(i, u) or u in i.unit_targets]
    known_ind = {i.code for i in plan.indicators}
    data = reported[["indicator", "unit"]]
    if answers is not None:
        data = pd.concat([data, answers[["indicator", "unit"]]], ignore_index=True)
    data = data.drop_duplicates()
    data = data[data["indicator"].isin(known_ind) & data["unit"].map(plan.has_unit).astype(bool)]
    if units is not None:
        data = data[data["unit"].isin(units)]
    pairs = pd.concat([pd.DataFrame(rows, columns=["indicator", "unit"]), data], ignore_index=True)
    order_i = {i.code: n for n, i in enumerate(plan.indicators)}
    pairs = pairs.drop_duplicates()
    return pairs.assign(_i=pairs["indicator"].map(order_i), _u=pairs["unit"].map(plan.unit_positions())).sort_values(
        ["_i", "_u"]).drop(columns=["_i", "_u"]).reset_index(drop=True)


def _baselines(plan: Plan, spans: Answers) -> pd.DataFrame:
    """Per unit × indicator: the baseline year's complete figure, else the plan file's `baselines` entry."""
    base = spans.best(plan.baseline_year, 4)
    base = base.loc[base["complete"].astype(bool), ["unit", "indicator", "value", "qualifier"]]
    base = base.rename(columns={"value": "baseline", "qualifier": "baseline_qualifier"})
    plan_rows = [
        (i.code, unit, *parse_censored(raw)) for i in plan.indicators for unit, raw in i.baselines.items()
    ]
    from_plan = pd.DataFrame(plan_rows, columns=["indicator", "unit", "baseline", "baseline_qualifier"])
    both = pd.concat([base.assign(_p=0), from_plan.assign(_p=1)], ignore_index=True)
    return both.sort_values("_p").drop_duplicates(["unit", "indicator"], keep="first").drop(columns="_p")


def _same_span_last_year(plan: Plan, spans: Answers, through: int) -> pd.DataFrame:
    """Per unit × indicator: the baseline year's complete figure for the same span (cùng kỳ), as
    `same_span_last_year`."""
    last = spans.best(plan.baseline_year, through)
    last = last.loc[last["complete"].astype(bool), ["unit", "indicator", "value"]]
    return last.rename(columns={"value": "same_span_last_year"})


def _period_values(plan: Plan, spans: Answers, p: Period, ytd: pd.DataFrame) -> pd.DataFrame:
    """Per unit × indicator: the value of the period itself (`period_value`): a quarter's own value
    (`kpi.spans.quarter_values`), the year's answer for a year; none for the 6- and 9-month views."""
    if p.view:
        return pd.DataFrame(columns=["unit", "indicator", "period_value"])
    if p.is_year:
        done = ytd[ytd["complete"].astype(bool)][["unit", "indicator", "value"]]
        return done.rename(columns={"value": "period_value"})
    return quarter_values(plan, spans, p.year, p.quarter).rename(columns={"value": "period_value"})


def _no_report(plan: Plan, df: pd.DataFrame, p: Period) -> list:
    """For rows without any figure: the quarters a usual reporter of a quarterly indicator owes for the span
    (`kpi.spans.needed_quarters`: every quarter of a flow, the last of a level)."""
    quarterly = sent_by_quarter(plan)
    by_code = {i.code: i for i in plan.indicators if quarterly[i.code]}
    needed = {flow: needed_quarters(flow, p.through_quarter) for flow in (True, False)}
    return [
        missing if isinstance(missing, list)
        else missing_reports(u, needed[by_code[i].flow == "flow"], p.year, p.through_quarter, True)
        if i in by_code and plan.reports(by_code[i], u) else []
        for u, i, missing in zip(df["unit"], df["indicator"], df["missing"])
    ]


def evaluate(plan: Plan, figures: pd.DataFrame | Answers, period: str | Period,
             units: list[str] | None = None, indicators: list[str] | None = None) -> pd.DataFrame:
    """The scorecard: one row per indicator × unit for `period` (columns `RESULT_COLUMNS`).

    `figures` are the current figures (store.current_figures) of the plan's year and its baseline year, or
    the answers chosen from them: `kpi.spans.Spans` (reuses what another period worked out) or
    `kpi.stored_spans.StoreSpans` (inside the database; see `evaluate_stored`).
    Units default to every unit with a row (see `candidate_pairs`); `indicators` (None: all) keeps the rows of
    those indicators only (an indicator's rows never depend on another's). Percentages (attainment, pace) are in %;
    actual, baseline, target, gap, projection and last_year are in the indicator's measure (places for ranks' gap
    and target rank). The actual is the year to date through the period's last quarter, chosen by `kpi.spans`.
    """
    p = parse_period(period) if isinstance(period, str) else period
    if p.year != plan.year:
        raise ValueError(f"period {p} is not in the {plan.year} plan")
    through = p.through_quarter
    spans = Spans(plan, figures) if isinstance(figures, pd.DataFrame) else figures
    ytd = spans.best(plan.year, through)
    # A parent with only rolled-up figures gets its rows too.
    rows = candidate_pairs(plan, spans.reported_pairs(plan.year), ytd, units)
    if units is not None:
        rows = rows[rows["unit"].isin(units)]
    if indicators is not None:
        rows = rows[rows["indicator"].isin(indicators)]
    specs = _spec_frame(plan).assign(share=[i.cumulative_share(through) for i in plan.indicators])
    df = rows.merge(specs, on="indicator", how="left")
    answers = ytd.rename(columns={"value": "actual", "qualifier": "actual_qualifier"})
    df = df.merge(answers, on=["unit", "indicator"], how="left")
    df = df.merge(_baselines(plan, spans), on=["unit", "indicator"], how="left")
    df = df.merge(_same_span_last_year(plan, spans, through), on=["unit", "indicator"], how="left")
    df = df.merge(_period_values(plan, spans, p, ytd), on=["unit", "indicator"], how="left")
    df["period"] = str(p)
    df["complete"] = df["complete"].fillna(False).astype(bool)
    df["estimate"] = df["estimate"].fillna(False).astype(bool)
    df["missing"] = _no_report(plan, df, p)
    return _judge(plan, df, p)[RESULT_COLUMNS].reset_index(drop=True)


def spans_needed(plan: Plan, period: str | Period) -> list[tuple[int, int]]:
    """The spans (year, last quarter) `evaluate` reads for `period`: its own, the quarter before (a quarter's own
    value), the baseline year's whole year and its same span."""
    p = parse_period(period) if isinstance(period, str) else period
    through = p.through_quarter
    spans = [(plan.year, through), (plan.baseline_year, 4), (plan.baseline_year, through)]
    if not p.view and not p.is_year and through > 1:
        spans.append((plan.year, through - 1))
    return spans


def evaluate_stored(conn: Connection, plan: Plan, period: str | Period,
                    units: list[str] | None = None, indicators: list[str] | None = None) -> pd.DataFrame:
    """`evaluate` with the figures chosen inside the database (`kpi.spans_sql`): only the rows of `units` (None:
    every unit) and `indicators` (None: every indicator) leave it, however many figures their subtrees hold, and
    only those indicators' figures are read. Same columns and rules as `evaluate`."""
    answers = StoreSpans(conn, plan, units, spans_needed(plan, period), indicators)
    return evaluate(plan, answers, period, units, indicators)


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
    """Fill target, attainment, gap, pace, projection, verdict and status for every row of `df`."""
    kind = df["kind"]
    goal = _unit_goals(plan, df)
    held_to_plan = (df["applies_to"] == "each") | (df["unit"] == plan.plan.scope_unit)
    is_below = kind == "reduce_vs_baseline"
    df["_has_goal"] = goal.notna() | (is_below & held_to_plan)
    for column in ("actual_qualifier", "baseline_qualifier"):
        df[column] = df[column].astype(object).where(df[column].notna(), None)
    scores = _scores(df, goal)
    _targets(df, goal, scores)
    _pace(df, goal, scores, p)
    _verdict(df, scores, p)
    df["status"] = _status(df, scores)
    return df


def _scores(df: pd.DataFrame, goal: pd.Series) -> dict[str, np.ndarray | pd.Series]:
    """The score (higher is better) of each row and the goal it is held to, as intervals where ranks are censored:
    score_lo/score_hi, target_goal, sure_yes (the whole interval reaches the goal), sure_no (none of it does),
    score (known exactly, else NaN), strict, reduce_from_level."""
    kind = df["kind"]
    actual, baseline = df["actual"].astype("float64"), df["baseline"].astype("float64")
    a_lo, a_hi = _interval(actual, df["actual_qualifier"], df["min"], df["max"])
    b_lo, b_hi = _interval(baseline, df["baseline_qualifier"], df["min"], df["max"])
    is_rank, is_reduce_by, is_below = kind == "rank_gain", kind == "reduce_by", kind == "reduce_vs_baseline"
    reduce_from_level = is_reduce_by & (df["reported_as"] == "level")
    score_lo = np.select([is_rank, reduce_from_level, is_below], [b_lo - a_hi, baseline - actual, -actual], actual)
    score_hi = np.select([is_rank, reduce_from_level, is_below], [b_hi - a_lo, baseline - actual, -actual], actual)
    # 12,3 − 9,3 must equal 3 exactly at the "at least" boundary: drop float noise from differences.
    score_lo, score_hi = np.round(score_lo, 9), np.round(score_hi, 9)
    target_goal = np.where(is_below, -baseline, goal).astype("float64")
    strict = kind.isin(["more_than", "reduce_vs_baseline"]).to_numpy()
    with np.errstate(invalid="ignore"):
        sure_yes = _reaches(score_lo, target_goal, strict) & ~np.isnan(score_lo) & ~np.isnan(target_goal)
        sure_no = ~_reaches(score_hi, target_goal, strict) & ~np.isnan(score_hi) & ~np.isnan(target_goal)
    score = pd.Series(np.where(score_lo == score_hi, score_lo, np.nan), index=df.index)
    return {"score_lo": score_lo, "score_hi": score_hi, "target_goal": target_goal, "strict": strict,
            "sure_yes": sure_yes, "sure_no": sure_no, "score": score, "reduce_from_level": reduce_from_level,
            "b_lo": b_lo}


def _reaches(score: np.ndarray, goal: np.ndarray, strict: np.ndarray) -> np.ndarray:
    """Where `score` reaches `goal` (strictly where `strict`)."""
    with np.errstate(invalid="ignore"):
        return np.where(strict, score > goal, score >= goal)


def _targets(df: pd.DataFrame, goal: pd.Series, scores: dict) -> None:
    """The target as users read it (the level to reach, the target rank, or last year's total), its qualifier,
    `target_sure` (for a censored rank baseline: the rank at or above which the target is surely met), gap."""
    kind, baseline = df["kind"], df["baseline"].astype("float64")
    is_rank, is_below = kind == "rank_gain", kind == "reduce_vs_baseline"
    df["target"] = np.select([is_rank, is_below], [baseline - goal, baseline], goal)
    df["target_qualifier"] = df["baseline_qualifier"].where(is_rank & df["_has_goal"], None)
    # `>30` less 5 places: a rank of 26 or better surely meets it (31 − 26 = 5), so the target shows as "≤ 26".
    censored = is_rank & df["target_qualifier"].eq(">")
    df.loc[censored, "target"] = scores["b_lo"][censored] - goal[censored]
    df["target_qualifier"] = np.where(censored, "≤", None)
    df.loc[~df["_has_goal"], "target"] = np.nan
    df["stretch"] = df["stretch"].where(kind == "reduce_by")
    df["gap"] = scores["score"] - scores["target_goal"]


def _pace(df: pd.DataFrame, goal: pd.Series, scores: dict, p: Period) -> None:
    """Attainment (% of the target; none for "fewer than last year", which compares counts), pace (% of the share
    of the target due by the span's end), projection (none once the span reaches the year's end), expected."""
    kind, actual = df["kind"], df["actual"].astype("float64")
    baseline = df["baseline"].astype("float64")
    is_below, flow = kind == "reduce_vs_baseline", df["flow"] == "flow"
    share = df["share"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        projected = np.where(flow, actual / share, actual)
        # "Fewer than last year" follows last year's own shape where it is known: last year's total scaled by this
        # year's count against the same span then (accidents are seasonal; a straight line is not).
        last_span = df["same_span_last_year"].astype("float64")
        seasonal = is_below & (last_span > 0) & baseline.notna()
        projected = np.where(seasonal, baseline * actual / last_span, projected)
        df["_projected"] = projected
        df["projection"] = np.where(scores["reduce_from_level"], np.round(baseline - actual, 9), projected)
        df["attainment"] = np.where(~is_below & (goal > 0), scores["score"] / goal * 100, np.nan)
        needed = np.where(flow & ~is_below, goal * share, np.nan)
        df["pace"] = np.where(flow, np.where(needed > 0, actual / needed * 100, np.nan), df["attainment"])
    df["expected"] = np.where(flow & ~is_below & df["_has_goal"], share * 100, np.nan)
    df.loc[df["actual"].isna(), ["pace", "projection"]] = np.nan
    if p.through_quarter == 4:  # the span is the whole year: nothing left to project
        df["projection"] = np.nan
    # A span with reports missing has no honest projection: the sum so far is not the span's figure.
    df.loc[df["missing"].map(len) > 0, "projection"] = np.nan


def _verdict(df: pd.DataFrame, scores: dict, p: Period) -> None:
    """`met` (True/False/None) and `stretch_met`: decided for a complete year, or early where a flow can only grow
    (an at-least target already reached; "fewer than last year" already at last year's total)."""
    kind, flow = df["kind"], df["flow"] == "flow"
    full_year = (p.through_quarter == 4) & df["complete"]
    monotone = flow & (df["min"] >= 0)
    early_yes = monotone & kind.isin(["at_least", "more_than"]) & scores["sure_yes"]
    early_no = monotone & (kind == "reduce_vs_baseline") & scores["sure_no"]
    decided_yes = (full_year & scores["sure_yes"]) | early_yes
    decided_no = (full_year & scores["sure_no"]) | early_no
    df["met"] = pd.Series(np.where(decided_yes, True, np.where(decided_no, False, None)), index=df.index,
                          dtype="object")
    score = scores["score"]
    with np.errstate(invalid="ignore"):
        stretch_reached = score >= df["stretch"]
    df["stretch_met"] = pd.Series(np.where((kind == "reduce_by") & full_year & score.notna(), stretch_reached,
                                           None), index=df.index, dtype="object")
    df.loc[df["stretch"].isna(), "stretch_met"] = None
    df["reported"] = df["actual"].astype("float64")
    df["actual"] = np.where(scores["reduce_from_level"], np.round(df["baseline"].astype("float64")
                                                                  - df["reported"], 9), df["reported"])


def _status(df: pd.DataFrame, scores: dict) -> np.ndarray:
    """The status word of each row (see the module docstring)."""
    has_actual = df["reported"].notna()
    has_goal = df["_has_goal"]
    decided_yes, decided_no = df["met"].eq(True), df["met"].eq(False)
    undecidable = has_actual & has_goal & (np.isnan(scores["score"]) | np.isnan(scores["target_goal"]))
    incomplete = df["missing"].map(len) > 0
    return np.select(
        [~has_goal, ~has_actual & df["annual_only"], ~has_actual, decided_yes, decided_no, incomplete,
         undecidable | np.isnan(scores["target_goal"])],
        ["no_target", "awaiting", "no_data", "achieved", "not_met", "incomplete", "undetermined"],
        default=_on_the_way(df, scores),
    )


def _on_the_way(df: pd.DataFrame, scores: dict) -> np.ndarray:
    """on_track / at_risk / off_track for a row not yet decided, with its figures complete."""
    kind, flow = df["kind"], (df["flow"] == "flow").to_numpy()
    is_below = (kind == "reduce_vs_baseline").to_numpy()
    actual = df["reported"].astype("float64").to_numpy()
    # A level: its latest value against the target, with `tolerance` (in the indicator's measure) for at risk.
    with np.errstate(invalid="ignore"):
        short_by = scores["target_goal"] - scores["score_hi"]
        level = np.where(scores["sure_yes"], "on_track",
                         np.where(short_by <= df["tolerance"].to_numpy(), "at_risk", "off_track"))
    # A flow with an at-least target: on track when the projection reaches the plan's on-track share of it (100%
    # in the shipped plan: the projection meets the target, as DOMAIN.md says); at risk down to the at-risk pace.
    on_track_goal = scores["target_goal"] * df["on_track"].to_numpy(dtype="float64") / 100
    projected_ok = _reaches(df["_projected"].to_numpy(), on_track_goal, scores["strict"])
    pace = df["pace"].astype("float64").to_numpy()
    with np.errstate(invalid="ignore"):
        flow_status = np.where(projected_ok, "on_track",
                               np.where(pace >= df["at_risk"].to_numpy(), "at_risk", "off_track"))
    # Fewer than last year: this year's count so far against last year's for the same span (else the baseline's
    # share of the year); at risk while within the at-risk ratio of it.
    compare = df["same_span_last_year"].astype("float64").fillna(df["baseline"].astype("float64")
                                                        * df["share"].astype("float64")).to_numpy()
    # Multiplied out rather than divided: no accidents this year and none last year is level with last year (at
    # risk), where 0 / 0 would have fallen through to off track.
    with np.errstate(invalid="ignore"):
        below_status = np.where(actual < compare, "on_track",
                                np.where(compare * 100 >= df["at_risk"].to_numpy() * actual, "at_risk", "off_track"))
    return np.where(is_below, below_status, np.where(flow, flow_status, level))
