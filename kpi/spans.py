"""One answer per unit × indicator × year-to-date span: the precedence rule, written once (README, "Which figure
counts"). Every view (a quarter, 6 or 9 months, the year), the baseline and the same span a year before read their
figures through `best_figures`, so the Q4 view and the year view cannot disagree: both are the span through Q4.

A stored figure covers the quarters up to its `quarter` column (0 = the year, so 4): a quarter figure (`2024-Q3`)
covers that quarter alone, a cumulative figure (`2024-H1`, `2024-9M`, the year `2024`, and `2024-Q1`, which starts
on 1 January) covers everything from 1 January. For the span through quarter q, in order:

1. Official figures before estimates: the span is built from official figures alone when they cover it; otherwise
   estimates may fill it, and the answer is an estimate (`estimate` true).
2. The unit's own figure for the span: a flow takes the latest cumulative figure up to q (the year, 9 months,
   6 months, Q1) plus the quarter figures after it, so a year figure beats the sum of its quarters; a level takes
   the figure that ends at q (a cumulative or year figure before a quarter's), else the latest earlier one, which
   leaves the span incomplete.
3. A parent's own figures before any roll-up; its roll-up is used when its own figures do not cover the span and
   the roll-up does. A roll-up combines each child's own best figure for the span (one child's year figure with
   another's quarters) and is incomplete when a child that reports the indicator lacks it.

`missing` names what a span lacks, as (unit, period code) pairs: the quarters a unit did not send, the children a
roll-up waited for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi.periods import is_cumulative
from kpi.plan import Plan

BEST_COLUMNS = ["unit", "indicator", "value", "qualifier", "estimate", "complete", "missing", "as_of", "source"]
_KEY = ["unit", "indicator"]
_OWN_COLUMNS = [*_KEY, "value", "qualifier", "estimate", "as_of", "gaps"]


def _prepared(figures: pd.DataFrame, year: int, through: int) -> pd.DataFrame:
    """The figures of `year` that end by `through`, with `end` (last quarter covered) and `cumulative`."""
    year_figures = figures[figures["year"] == year]
    frame = year_figures[["unit", "indicator", "period", "quarter", "value", "qualifier"]].copy()
    frame["estimate"] = (year_figures["estimate"].fillna(False).astype(bool) if "estimate" in year_figures
                         else False)
    frame["end"] = frame["quarter"].where(frame["quarter"] > 0, 4).astype("int64")
    frame["cumulative"] = [is_cumulative(p) or q == 1 for p, q in zip(frame["period"], frame["end"])]
    return frame[frame["end"] <= through]


def _flow_own(frame: pd.DataFrame, through: int) -> pd.DataFrame:
    """Per unit × indicator: the latest cumulative figure up to `through` plus the quarter figures after it."""
    if frame.empty:
        return pd.DataFrame(columns=_OWN_COLUMNS)
    cumulative = frame[frame["cumulative"]].sort_values("end", kind="stable")
    anchor = cumulative.groupby(_KEY, as_index=False).last()[[*_KEY, "end", "value", "qualifier", "estimate"]]
    anchor = anchor.rename(columns={"end": "anchor", "value": "anchor_value", "estimate": "anchor_estimate"})
    quarters = frame[~frame["cumulative"]].merge(anchor[[*_KEY, "anchor"]], on=_KEY, how="left")
    quarters = quarters[quarters["end"] > quarters["anchor"].fillna(0)]
    summed = quarters.groupby(_KEY, as_index=False).agg(
        quarter_sum=("value", "sum"), quarter_estimate=("estimate", "any"), quarters=("end", lambda s: set(s)),
        last_quarter=("end", "max"))
    if anchor.empty or summed.empty:  # an outer join with an empty side: the other side alone
        own = (summed if anchor.empty else anchor).reindex(columns=[*anchor.columns, *summed.columns[2:]])
    else:
        own = anchor.merge(summed, on=_KEY, how="outer")
    own["anchor"] = own["anchor"].fillna(0).astype("int64")
    own["value"] = own["anchor_value"].fillna(0) + own["quarter_sum"].fillna(0)
    own["estimate"] = (own["anchor_estimate"].astype("boolean").fillna(False).astype(bool)
                       | own["quarter_estimate"].astype("boolean").fillna(False).astype(bool))
    own["as_of"] = np.maximum(own["anchor"], own["last_quarter"].fillna(0)).astype("int64")
    own["gaps"] = [
        [q for q in range(int(a) + 1, through + 1) if not isinstance(have, set) or q not in have]
        for a, have in zip(own["anchor"], own["quarters"])
    ]
    # A censored flow makes no sense; a qualifier survives only where the anchor alone is the answer.
    own["qualifier"] = own["qualifier"].where(own["quarter_sum"].isna(), None)
    return own[[*_KEY, "value", "qualifier", "estimate", "as_of", "gaps"]]


def _level_own(frame: pd.DataFrame, through: int) -> pd.DataFrame:
    """Per unit × indicator: the figure ending at `through` (cumulative first), else the latest earlier one."""
    if frame.empty:
        return pd.DataFrame(columns=_OWN_COLUMNS)
    ordered = frame.assign(_cum=frame["cumulative"].astype(int)).sort_values(["end", "_cum"], kind="stable")
    own = ordered.groupby(_KEY, as_index=False).last()
    own["as_of"] = own["end"].astype("int64")
    own["gaps"] = [list(range(int(end) + 1, through + 1)) for end in own["end"]]
    return own[[*_KEY, "value", "qualifier", "estimate", "as_of", "gaps"]]


def _own(plan: Plan, frame: pd.DataFrame, through: int) -> pd.DataFrame:
    """Each unit's own answer for the span, official figures first (see the module docstring)."""
    flows = {i.code for i in plan.indicators if i.flow == "flow"}
    parts = []
    for subset in (frame[~frame["estimate"]], frame):
        is_flow = subset["indicator"].isin(flows)
        found = [part for part in (_flow_own(subset[is_flow], through), _level_own(subset[~is_flow], through))
                 if not part.empty]
        parts.append(pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=_OWN_COLUMNS))
    official, anything = parts
    official = official[[not gaps for gaps in official["gaps"]]]
    # Official where it covers the span; otherwise what estimates make of it.
    both = [part for part in (official, anything) if not part.empty]
    if not both:
        return pd.DataFrame(columns=_OWN_COLUMNS)
    chosen = pd.concat(both, ignore_index=True).drop_duplicates(_KEY, keep="first")
    return chosen


def _expected_quarters(plan: Plan, through: int) -> dict[str, bool]:
    """Per indicator: True when its units send quarters (a gap in them is a missing report)."""
    return {i.code: i.reporting == "quarterly" and i.publication == "quarterly" for i in plan.indicators}


def _missing_pairs(unit: str, gaps: list[int], year: int, through: int, quarterly: bool) -> list[tuple[str, str]]:
    """The reports a unit's gaps stand for: its missing quarters, or the year figure of an annual indicator."""
    if quarterly:
        return [(unit, f"{year}-Q{q}") for q in gaps]
    return [(unit, f"{year}")] if through == 4 and gaps else []


def best_figures(plan: Plan, figures: pd.DataFrame, year: int, through: int) -> pd.DataFrame:
    """The answer per unit × indicator for the span of `year` from 1 January to the end of quarter `through` (1–4).

    Columns (`BEST_COLUMNS`): value (in the indicator's measure), qualifier, estimate (bool), complete (bool),
    missing (list of (unit, period code) reports the span lacks), as_of (the last quarter the figures reach),
    source ('own' or 'rollup'). `figures` are current figures (store.current_figures columns).
    """
    quarterly = _expected_quarters(plan, through)
    own = _own(plan, _prepared(figures, year, through), through)
    own["missing"] = [_missing_pairs(u, g, year, through, quarterly.get(i, True))
                      for u, i, g in zip(own["unit"], own["indicator"], own["gaps"])]
    own["complete"] = [not gaps for gaps in own["gaps"]]
    own = own.drop(columns="gaps").assign(source="own")
    best = _with_rollups(plan, own, figures, year, through, quarterly)
    return best.astype({"value": "float64", "estimate": bool, "complete": bool})


def _reporting_children(plan: Plan, year_figures: pd.DataFrame) -> dict[tuple[str, str], set[str]]:
    """(parent, indicator) → the children expected in its roll-up: usual reporters and children with figures."""
    parent = {u.code: u.parent for u in plan.units}
    expected: dict[tuple[str, str], set[str]] = {}
    for ind in plan.indicators:
        if ind.rollup == "none":
            continue
        for unit in plan.reporters(ind):
            if parent.get(unit):
                expected.setdefault((parent[unit], ind.code), set()).add(unit)
    rolled = {i.code for i in plan.indicators if i.rollup != "none"}
    pairs = year_figures.loc[year_figures["indicator"].isin(rolled), _KEY].drop_duplicates()
    for unit, indicator in pairs.itertuples(index=False):
        if parent.get(unit):
            expected.setdefault((parent[unit], indicator), set()).add(unit)
    # A parent that rolls up is itself a child its own parent waits for (offices → department → province).
    depth = _depths(plan)
    for level in range(max(depth.values(), default=0), 0, -1):
        for unit, indicator in [key for key in expected if depth.get(key[0]) == level]:
            if parent.get(unit):
                expected.setdefault((parent[unit], indicator), set()).add(unit)
    return expected


def _depths(plan: Plan) -> dict[str, int]:
    parent = {u.code: u.parent for u in plan.units}
    depth: dict[str, int] = {}
    for code in parent:
        d, node = 0, parent[code]
        while node is not None:
            d, node = d + 1, parent[node]
        depth[code] = d
    return depth


_AGGREGATE = {"sum": np.sum, "mean": np.mean, "min": np.min}


def _with_rollups(plan: Plan, own: pd.DataFrame, figures: pd.DataFrame, year: int, through: int,
                  quarterly: dict[str, bool]) -> pd.DataFrame:
    """`own` with each parent's roll-up where its own figures do not cover the span, deepest parents first."""
    expected = _reporting_children(plan, figures[figures["year"] == year])
    if not expected:
        return own.reindex(columns=BEST_COLUMNS)
    how = {i.code: i.rollup for i in plan.indicators}
    depth = _depths(plan)
    order = {u.code: n for n, u in enumerate(plan.units)}  # missing children are named in the plan's order
    best = {(r["unit"], r["indicator"]): r for r in own.to_dict("records")}
    for (parent, indicator), children in sorted(expected.items(), key=lambda kv: -depth.get(kv[0][0], 0)):
        mine = best.get((parent, indicator))
        if mine is not None and mine["complete"]:
            continue  # a parent's own figures first
        rolled = _roll_up(parent, indicator, sorted(children, key=order.__getitem__), best, how[indicator], year,
                          through, quarterly.get(indicator, True))
        if rolled is not None and (mine is None or rolled["complete"]):
            best[(parent, indicator)] = rolled
    return pd.DataFrame(list(best.values()), columns=BEST_COLUMNS)


def _roll_up(parent: str, indicator: str, children: list[str], best: dict, method: str, year: int, through: int,
             quarterly: bool) -> dict | None:
    """A parent's figure combined from each child's best figure, or None when no child has one."""
    present = [best[(child, indicator)] for child in children if (child, indicator) in best]
    if not present:
        return None
    missing = [pair for row in present for pair in row["missing"]]
    for child in children:
        if (child, indicator) not in best:  # a child with nothing for the span lacks every report in it
            missing += _missing_pairs(child, list(range(1, through + 1)), year, through, quarterly)
    values = [float(row["value"]) for row in present]
    return {"unit": parent, "indicator": indicator, "value": float(_AGGREGATE[method](values)), "qualifier": None,
            "estimate": any(row["estimate"] for row in present),
            "complete": len(present) == len(children) and all(row["complete"] for row in present),
            "missing": missing, "as_of": max(int(row["as_of"]) for row in present), "source": "rollup"}


def quarter_values(plan: Plan, figures: pd.DataFrame, year: int, quarter: int) -> pd.DataFrame:
    """Per unit × indicator: the value of `quarter` of `year` on its own (`value`, in the indicator's measure):
    the quarter's own figure where one was sent; otherwise, for a flow, the complete span through it less the
    complete span before it, so a quarter follows from consecutive cumulative figures (9 months less 6 months)
    and a roll-up from its children; for a level, the figure that ends at it."""
    sent = figures[(figures["year"] == year) & (figures["quarter"] == quarter)]
    quarter_only = pd.Series([not is_cumulative(p) for p in sent["period"]], index=sent.index, dtype=bool)
    sent = sent.loc[quarter_only, [*_KEY, "value"]]
    done = best_figures(plan, figures, year, quarter)
    done = done.loc[done["complete"].astype(bool), [*_KEY, "value"]]
    if quarter > 1:
        before = best_figures(plan, figures, year, quarter - 1)
        before = before.loc[before["complete"].astype(bool), [*_KEY, "value"]]
        both = done.merge(before.rename(columns={"value": "before"}), on=_KEY, how="left")
        flows = {i.code for i in plan.indicators if i.flow == "flow"}
        both["value"] = np.where(both["indicator"].isin(flows), both["value"] - both["before"], both["value"])
        done = both[[*_KEY, "value"]].dropna()
    found = [part for part in (sent, done) if not part.empty]
    if not found:
        return pd.DataFrame({"unit": pd.Series(dtype=str), "indicator": pd.Series(dtype=str),
                             "value": pd.Series(dtype="float64")})
    values = pd.concat(found, ignore_index=True).drop_duplicates(_KEY, keep="first").reset_index(drop=True)
    return values.astype({"value": "float64"})
