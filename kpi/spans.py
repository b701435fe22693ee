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
   the roll-up does, or when its own answer is an estimate and the roll-up is complete and official (rule 1). A
   roll-up combines each child's own best figure for the span (one child's year figure with another's quarters)
   and is incomplete when a child that reports the indicator lacks it.

`missing` names what a span lacks, as (unit, period code) pairs: the quarters a unit did not send, the children a
roll-up waited for.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Protocol

import numpy as np
import pandas as pd

from kpi.periods import cumulative_flags
from kpi.plan import Plan

BEST_COLUMNS = ["unit", "indicator", "value", "qualifier", "estimate", "complete", "missing", "as_of", "source"]
_KEY = ["unit", "indicator"]
_OWN_COLUMNS = [*_KEY, "value", "qualifier", "estimate", "as_of", "gaps"]


def _prepared(figures: pd.DataFrame, year: int) -> pd.DataFrame:
    """The figures of `year` with `end` (last quarter covered), `cumulative` and `estimate`."""
    year_figures = figures[figures["year"] == year]
    frame = year_figures[["unit", "indicator", "period", "quarter", "value", "qualifier"]].copy()
    frame["estimate"] = (year_figures["estimate"].fillna(False).astype(bool) if "estimate" in year_figures
                         else False)
    frame["end"] = frame["quarter"].where(frame["quarter"] > 0, 4).astype("int64")
    frame["cumulative"] = cumulative_flags(frame["period"]) | (frame["end"] == 1)
    return frame


def _flow_own(frame: pd.DataFrame, through: int) -> pd.DataFrame:
    """Per unit × indicator: the latest cumulative figure up to `through` plus the quarter figures after it."""
    if frame.empty:
        return pd.DataFrame(columns=_OWN_COLUMNS)
    cumulative = frame[frame["cumulative"]].sort_values("end", kind="stable")
    # The last row itself (groupby.last() would take each column's last non-null value: a rank's ">" from an
    # earlier figure would stick to a later plain one).
    anchor = cumulative.drop_duplicates(_KEY, keep="last")[[*_KEY, "end", "value", "qualifier", "estimate"]]
    anchor = anchor.rename(columns={"end": "anchor", "value": "anchor_value", "estimate": "anchor_estimate"})
    quarters = frame[~frame["cumulative"]].merge(anchor[[*_KEY, "anchor"]], on=_KEY, how="left")
    quarters = quarters[quarters["end"] > quarters["anchor"].fillna(0)]
    # The quarters present as bits (Q1 = 1, Q2 = 2, Q3 = 4, Q4 = 8): one period per quarter, so a sum is an OR.
    quarters = quarters.assign(bit=np.left_shift(1, quarters["end"].to_numpy() - 1))
    summed = quarters.groupby(_KEY, as_index=False).agg(
        quarter_sum=("value", "sum"), quarter_estimate=("estimate", "any"), quarters=("bit", "sum"),
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
    own["gaps"] = _span_bits(own["anchor"].to_numpy(), through) & ~own["quarters"].fillna(0).astype("int64").to_numpy()
    # A censored flow makes no sense; a qualifier survives only where the anchor alone is the answer.
    own["qualifier"] = own["qualifier"].where(own["quarter_sum"].isna(), None)
    return own[[*_KEY, "value", "qualifier", "estimate", "as_of", "gaps"]]


def _level_own(frame: pd.DataFrame, through: int) -> pd.DataFrame:
    """Per unit × indicator: the figure ending at `through` (cumulative first), else the latest earlier one."""
    if frame.empty:
        return pd.DataFrame(columns=_OWN_COLUMNS)
    ordered = frame.assign(_cum=frame["cumulative"].astype(int)).sort_values(["end", "_cum"], kind="stable")
    own = ordered.drop_duplicates(_KEY, keep="last").copy()  # the row itself, as in _flow_own
    own["as_of"] = own["end"].astype("int64")
    # A level needs only the figure that ends at the span's end: that quarter is its one gap (an earlier quarter
    # left out changes nothing once the last one is in).
    own["gaps"] = np.where(own["as_of"].to_numpy() < through, 1 << (through - 1), 0)
    return own[[*_KEY, "value", "qualifier", "estimate", "as_of", "gaps"]]


def _span_bits(after: np.ndarray, through: int) -> np.ndarray:
    """Bits of the quarters after quarter `after` up to `through` (after 1, through 3: Q2 and Q3 = 0b110)."""
    return (1 << through) - np.left_shift(1, after.astype("int64"))


def _quarters_of(bits: int) -> list[int]:
    """The quarters (1–4) whose bits are set in `bits`."""
    return [q for q in (1, 2, 3, 4) if bits >> (q - 1) & 1]


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
    official = official[official["gaps"] == 0]
    # Official where it covers the span; otherwise what estimates make of it.
    both = [part for part in (official, anything) if not part.empty]
    if not both:
        return pd.DataFrame(columns=_OWN_COLUMNS)
    chosen = pd.concat(both, ignore_index=True).drop_duplicates(_KEY, keep="first")
    return chosen


def sent_by_quarter(plan: Plan) -> dict[str, bool]:
    """Per indicator: True when its units send quarters (a gap in them is a missing report), False for one sent
    or published once a year."""
    return {i.code: i.reporting == "quarterly" and i.publication == "quarterly" for i in plan.indicators}


def needed_quarters(flow: bool, through: int) -> list[int]:
    """The quarters (1–4) a unit with nothing for the span through `through` owes: every one for a flow, the
    last one for a level (its answer is the figure that ends there)."""
    return list(range(1, through + 1)) if flow else [through]


def missing_reports(unit: str, gaps: list[int], year: int, through: int, quarterly: bool) -> list[tuple[str, str]]:
    """The reports a unit's gaps stand for: its missing quarters, or the year figure of an annual indicator."""
    if quarterly:
        return [(unit, f"{year}-Q{q}") for q in gaps]
    return [(unit, f"{year}")] if through == 4 and gaps else []


def in_plan_order(reports: Iterable[tuple[str, str]], plan: Plan) -> list[tuple[str, str]]:
    """Missing reports (unit, period code) sorted by the unit's place in the plan, then the period: one order
    whichever engine gathered them."""
    order = plan.unit_positions()
    return sorted(reports, key=lambda report: (order.get(report[0], len(order)), report[0], report[1]))


class Answers(Protocol):
    """What the evaluation asks of the figures; `Spans` answers in pandas, `kpi.stored_spans.StoreSpans` in SQL."""

    def best(self, year: int, through: int) -> pd.DataFrame:
        """`BEST_COLUMNS` per unit × indicator for the span of `year` through quarter `through`."""

    def reported_pairs(self, year: int) -> pd.DataFrame:
        """unit × indicator pairs with a current figure in `year`."""

    def sent_quarters(self, year: int, quarter: int) -> pd.DataFrame:
        """unit, indicator, value of the figures sent for `quarter` of `year` on its own."""


class Spans:
    """The answers for one table of figures, worked out once per year and span: a view needs several spans (its
    own, the one before it, the baseline year's), and each reads the same year's figures."""

    def __init__(self, plan: Plan, figures: pd.DataFrame) -> None:
        self.plan = plan
        self.figures = figures
        self._years: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._best: dict[tuple[int, int], pd.DataFrame] = {}

    def _year(self, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        if year not in self._years:
            self._years[year] = (_prepared(self.figures, year),
                                 _reporting_children(self.plan, self.figures[self.figures["year"] == year]))
        return self._years[year]

    def reported_pairs(self, year: int) -> pd.DataFrame:
        """unit × indicator pairs with a current figure in `year`."""
        return self.figures.loc[self.figures["year"] == year, _KEY].drop_duplicates()

    def sent_quarters(self, year: int, quarter: int) -> pd.DataFrame:
        """unit, indicator, value: the current figure sent for `quarter` of `year` on its own (not cumulative)."""
        sent = self.figures[(self.figures["year"] == year) & (self.figures["period"] == f"{year}-Q{quarter}")]
        return sent[[*_KEY, "value"]]

    def best(self, year: int, through: int) -> pd.DataFrame:
        """`best_figures` for `year` through quarter `through` (1–4); the same frame on every call."""
        if (year, through) not in self._best:
            prepared, expected = self._year(year)
            self._best[(year, through)] = _best(self.plan, prepared[prepared["end"] <= through], expected, year,
                                                through)
        return self._best[(year, through)]


def best_figures(plan: Plan, figures: pd.DataFrame, year: int, through: int) -> pd.DataFrame:
    """The answer per unit × indicator for the span of `year` from 1 January to the end of quarter `through` (1–4).

    Columns (`BEST_COLUMNS`): value (in the indicator's measure), qualifier, estimate (bool), complete (bool),
    missing (list of (unit, period code) reports the span lacks), as_of (the last quarter the figures reach),
    source ('own' or 'rollup'). `figures` are current figures (store.current_figures columns).
    """
    return Spans(plan, figures).best(year, through)


def _best(plan: Plan, prepared: pd.DataFrame, expected: pd.DataFrame, year: int, through: int) -> pd.DataFrame:
    quarterly = sent_by_quarter(plan)
    own = _own(plan, prepared, through)
    gaps = own["gaps"].to_numpy()
    missing: list[list[tuple[str, str]]] = [[]] * len(own)  # one shared empty list, never mutated
    units, indicators = own["unit"].to_numpy(), own["indicator"].to_numpy()
    for n in np.flatnonzero(gaps):  # only the rows with a gap build a list
        missing[n] = missing_reports(units[n], _quarters_of(int(gaps[n])), year, through,
                                    quarterly.get(indicators[n], True))
    own["missing"] = missing
    own["complete"] = own["gaps"] == 0
    own = own.drop(columns="gaps").assign(source="own")
    best = _with_rollups(plan, own, expected, year, through, quarterly)
    return best.astype({"value": "float64", "estimate": bool, "complete": bool})


def _reporting_children(plan: Plan, year_figures: pd.DataFrame) -> pd.DataFrame:
    """The children each parent's roll-up waits for: its usual reporters and children with figures that year, and
    (offices → department → province) a child that is itself a rolling-up parent. Columns: parent, indicator,
    child, level (the parent's depth in the tree, 0 = the root)."""
    parent = {u.code: u.parent for u in plan.units}
    rolled = [i.code for i in plan.indicators if i.rollup != "none"]
    pairs = [(unit, ind.code) for ind in plan.indicators if ind.rollup != "none" for unit in plan.reporters(ind)]
    sent = year_figures.loc[year_figures["indicator"].isin(rolled), _KEY].drop_duplicates()
    frame = pd.concat([pd.DataFrame(pairs, columns=_KEY), sent], ignore_index=True).drop_duplicates()
    frame = frame.assign(parent=frame["unit"].map(parent)).dropna(subset=["parent"])
    depth = _depths(plan)
    found = [frame]
    while not frame.empty:  # each level's parents become children one level up
        up = frame[["parent", "indicator"]].drop_duplicates().rename(columns={"parent": "unit"})
        frame = up.assign(parent=up["unit"].map(parent)).dropna(subset=["parent"])
        found.append(frame)
    expected = pd.concat(found, ignore_index=True).drop_duplicates(["parent", "indicator", "unit"])
    expected = expected.rename(columns={"unit": "child"})
    return expected.assign(level=expected["parent"].map(depth).astype("int64"))


def _depths(plan: Plan) -> dict[str, int]:
    parent = {u.code: u.parent for u in plan.units}
    depth: dict[str, int] = {}
    for code in parent:
        d, node = 0, parent[code]
        while node is not None:
            d, node = d + 1, parent[node]
        depth[code] = d
    return depth


def _with_rollups(plan: Plan, own: pd.DataFrame, expected: pd.DataFrame, year: int, through: int,
                  quarterly: dict[str, bool]) -> pd.DataFrame:
    """`own` with each parent's roll-up (`expected`: see `_reporting_children`) where its own figures do not cover
    the span, deepest parents first."""
    best = own.reindex(columns=BEST_COLUMNS)
    if expected.empty:
        return best
    # Missing children are named in the plan's order.
    expected = expected.assign(_order=expected["child"].map(plan.unit_positions())).sort_values("_order",
                                                                                                 kind="stable")
    how = {i.code: i.rollup for i in plan.indicators}
    for level in sorted(expected["level"].unique(), reverse=True):
        rolled = _roll_up(expected[expected["level"] == level], best, how, year, through, quarterly, plan)
        mine = best.merge(rolled[_KEY], on=_KEY, how="inner")
        # A parent's own figures first; its roll-up where it has none, where only the roll-up is complete, or
        # where the parent's own answer is an estimate and the roll-up is complete and official (official before
        # estimate comes first of all: a province's "ước cả năm" gives way to its localities' official figures).
        chosen = rolled.merge(mine[[*_KEY, "complete", "estimate"]].rename(
            columns={"complete": "_own_complete", "estimate": "_own_estimate"}), on=_KEY, how="left")
        own_complete = chosen["_own_complete"].astype("boolean").fillna(False)
        own_estimate = chosen["_own_estimate"].astype("boolean").fillna(False)
        chosen = chosen[chosen["_own_complete"].isna() | (~own_complete & chosen["complete"])
                        | (own_estimate & chosen["complete"] & ~chosen["estimate"])]
        replaced = best.set_index(_KEY).index.isin(chosen.set_index(_KEY).index)
        best = pd.concat([best[~replaced], chosen[BEST_COLUMNS]], ignore_index=True)
    return best


_AGGREGATE = {"sum": "sum", "mean": "mean", "min": "min"}


def _roll_up(expected: pd.DataFrame, best: pd.DataFrame, how: dict[str, str], year: int, through: int,
             quarterly: dict[str, bool], plan: Plan) -> pd.DataFrame:
    """Each parent's figure combined from its children's best figures (`BEST_COLUMNS`), for parents with at
    least one child's figure; incomplete when a child lacks its figure or its figure is incomplete."""
    joined = expected.merge(best.rename(columns={"unit": "child"}), on=["child", "indicator"], how="left")
    present = joined["value"].notna()
    # A child with nothing for the span lacks every report in it.
    missing = list(joined["missing"])
    children, indicators = joined["child"].to_numpy(), joined["indicator"].to_numpy()
    flows = {i.code for i in plan.indicators if i.flow == "flow"}
    for n in np.flatnonzero(~present.to_numpy()):
        missing[n] = missing_reports(children[n], needed_quarters(indicators[n] in flows, through), year, through,
                                    quarterly.get(indicators[n], True))
    joined["missing"] = missing
    joined = joined.assign(present=present, child_complete=joined["complete"].astype("boolean").fillna(False),
                           estimate=joined["estimate"].astype("boolean").fillna(False).astype(bool))
    parts = []
    for method, group in joined.groupby(joined["indicator"].map(how)):
        parts.append(group.groupby(["parent", "indicator"], as_index=False, sort=False).agg(
            value=("value", _AGGREGATE[method]), n_present=("present", "sum"), n=("child", "size"),
            all_complete=("child_complete", "all"), estimate=("estimate", "any"), as_of=("as_of", "max"),
            missing=("missing", lambda lists: in_plan_order(itertools.chain.from_iterable(lists), plan))))
    rolled = pd.concat(parts, ignore_index=True)
    rolled = rolled[rolled["n_present"] > 0]
    rolled = rolled.assign(unit=rolled["parent"], qualifier=None, source="rollup",
                           complete=rolled["all_complete"].astype(bool) & (rolled["n_present"] == rolled["n"]))
    return rolled[BEST_COLUMNS]


def quarter_values(plan: Plan, spans: Answers, year: int, quarter: int) -> pd.DataFrame:
    """Per unit × indicator: the value of `quarter` of `year` on its own (`value`, in the indicator's measure):
    the quarter's own figure where one was sent; otherwise, for a flow, the complete span through it less the
    complete span before it, so a quarter follows from consecutive cumulative figures (9 months less 6 months)
    and a roll-up from its children; for a level, the figure that ends at it. `spans` answers the questions
    (`Spans` in pandas, `kpi.stored_spans.StoreSpans` in the database)."""
    sent = spans.sent_quarters(year, quarter)
    done = spans.best(year, quarter)
    done = done.loc[done["complete"].astype(bool), [*_KEY, "value"]]
    if quarter > 1:
        before = spans.best(year, quarter - 1)
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
