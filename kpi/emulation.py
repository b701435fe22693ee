"""The emulation ranking (xếp hạng thi đua): each unit's score under the plan's rules (`Plan.emulation`), target by
target, its place within its cluster, and the title the rules would propose to the commendation council.

One rule for every view: the by-unit page, the projector, the review report and its proposal table all call
`emulation_ranking`. The statuses are the evaluation's (`kpi.evaluate`); "improved" is `kpi.compare.improved`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi.compare import improved
from kpi.i18n import JUDGED
from kpi.plan import Plan

#: A status that leaves a target without its reports: the unit's figures are not complete.
_INCOMPLETE = "incomplete"


def _has_gaps(missing: object) -> bool:
    return isinstance(missing, (list, tuple)) and len(missing) > 0


def score_breakdown(result: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """How each cluster member's score is made, one row per unit × target it holds: unit, indicator, status,
    judged (scored), weight, points (the status's points × weight), improved (True/False/None: better than last
    year's figure), bonus (the plan's `improved` points × weight when improved), total (points + bonus), best
    (the most the target could score: the best status's points × weight, plus the improved points × weight where
    a comparison with last year is possible; a target with reports missing counts its best too, so that holding
    back a weak report never raises a share) and incomplete (a report of it is missing, whatever its status).
    Points are the plan's units (điểm)."""
    rules = plan.emulation
    members = {m for c in plan.clusters for m in c.members}
    rows = result[result["unit"].isin(members) & (result["status"] != "no_target")]
    records = []
    for row in rows.to_dict("records"):
        status, weight = str(row["status"]), rules.weight(str(row["indicator"]))
        judged = status in JUDGED
        incomplete = status == _INCOMPLETE or _has_gaps(row.get("missing"))
        better = improved(row, plan) if judged else None
        points = rules.points.get(status, 0.0) * weight if judged else 0.0
        bonus = rules.improved * weight if better else 0.0
        # The bonus counts in the maximum only where it could be earned (a figure to compare with last year's).
        best = (rules.best + (rules.improved if better is not None or incomplete else 0.0)) * weight
        records.append({
            "unit": row["unit"], "indicator": row["indicator"], "status": status, "judged": judged,
            "weight": weight, "points": points, "improved": better, "bonus": bonus, "total": points + bonus,
            "best": best if judged or incomplete else 0.0, "incomplete": incomplete,
            "estimated": judged and bool(row.get("estimate")),
        })
    return pd.DataFrame(records, columns=["unit", "indicator", "status", "judged", "weight", "points", "improved",
                                          "bonus", "total", "best", "incomplete", "estimated"])


def _tie_values(table: pd.DataFrame, ties: list[str]) -> list[pd.Series]:
    """The columns that order units of equal share, each larger-is-better, in the plan's tie order."""
    column = {"score": table["score"], "achieved": table["achieved"], "improved": table["improved"],
              "missing": -table["incomplete"]}
    return [column[rule] for rule in ties]


def _ranks(table: pd.DataFrame, plan: Plan) -> pd.Series:
    """Rank within the cluster (1 = best) by share, then the plan's tie rules; units equal on all share a rank;
    a unit with nothing judged, or with a report missing, has no rank (its figures cannot be compared)."""
    keys = [table["share"].fillna(-1), *_tie_values(table, plan.emulation.ties)]
    order = pd.DataFrame({f"k{n}": k.to_numpy() for n, k in enumerate(keys)}, index=table.index)
    ranks = pd.Series(pd.NA, index=table.index, dtype="Int64")
    for _, group in order[(table["judged"] > 0) & table["complete"]].groupby(table["cluster"]):
        ordered = group.sort_values(list(group.columns), ascending=False)
        tuples = list(ordered.itertuples(index=False, name=None))
        place = 0
        for n, (index, key) in enumerate(zip(ordered.index, tuples)):
            if n == 0 or key != tuples[n - 1]:
                place = n + 1
            ranks[index] = place
    return ranks


def _proposals(table: pd.DataFrame, plan: Plan) -> list[str | None]:
    """The code of the first title each unit qualifies for, None when none or when its figures are incomplete."""
    proposed: list[str | None] = []
    for row in table.to_dict("records"):
        choice = None
        if row["complete"] and not pd.isna(row["rank"]):
            for title in plan.emulation.titles:
                if title.clusters and row["cluster"] not in title.clusters:
                    continue
                if row["share"] >= title.min_share and (title.top is None or row["rank"] <= title.top):
                    choice = title.code
                    break
        proposed.append(choice)
    return proposed


def emulation_ranking(result: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The units of the plan's clusters ranked within their cluster by the plan's scoring rules.

    Columns: unit, cluster, judged (targets scored), achieved, good (achieved or on track), improved (targets
    better than last year), incomplete (targets with a report missing), complete (none), estimated (targets
    judged on estimates: scored as they stand, counted so the council sees them), waiting (the indicator codes
    of the incomplete targets), score and max_score (points, rounded to 1e-9 so that sums of fractional
    weights compare as people expect), share (score as % of max_score), rank (1 = best within the cluster among
    the complete units; None for a unit with a report missing or nothing judged), tied (another unit of the
    cluster has the same rank) and proposal (a title code of `plan.emulation.titles`, or None). A unit that sent
    nothing for its targets is listed, not dropped; a unit with a report missing is listed without a place and
    never proposed, and it neither takes a place nor uses up a title's `top`. Sorted by cluster, then rank.
    """
    members = {m: c.code for c in plan.clusters for m in c.members}
    parts = score_breakdown(result, plan)
    parts = parts.assign(good=parts["status"].isin(["achieved", "on_track"]) & parts["judged"],
                         achieved=parts["status"].eq("achieved") & parts["judged"],
                         better=parts["improved"].eq(True) & parts["judged"])
    table = parts.groupby("unit", as_index=False).agg(
        judged=("judged", "sum"), achieved=("achieved", "sum"), good=("good", "sum"), improved=("better", "sum"),
        incomplete=("incomplete", "sum"), estimated=("estimated", "sum"), score=("total", "sum"),
        max_score=("best", "sum"))
    table = table[(table["judged"] > 0) | (table["incomplete"] > 0)].reset_index(drop=True)
    for column in ("judged", "achieved", "good", "improved", "incomplete", "estimated"):
        table[column] = table[column].astype("int64")
    table["cluster"] = table["unit"].map(members)
    table["complete"] = table["incomplete"] == 0
    # 0.1 + 0.2 is not 0.3 in floating point: rounded, equal units tie and a perfect score is 100%.
    table["score"], table["max_score"] = table["score"].round(9), table["max_score"].round(9)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["share"] = np.where(table["max_score"] > 0, (table["score"] / table["max_score"] * 100).round(9),
                                  np.nan)
    table["rank"] = _ranks(table, plan)
    counts = table.groupby(["cluster", "rank"])["unit"].transform("count")
    table["tied"] = table["rank"].notna() & (counts > 1)
    waiting = parts[parts["incomplete"].astype(bool)].groupby("unit")["indicator"].agg(list)
    order = {i.code: n for n, i in enumerate(plan.indicators)}  # the plan's order, whatever the rows' order
    table["waiting"] = [sorted(waiting.get(unit, []), key=order.__getitem__) for unit in table["unit"]]
    table["proposal"] = pd.Series(_proposals(table, plan), index=table.index, dtype=object)  # None, not NaN
    cluster_order = {c.code: n for n, c in enumerate(plan.clusters)}
    return table.sort_values(["cluster", "rank", "unit"], key=lambda c: c.map(cluster_order) if c.name == "cluster"
                             else c, na_position="last").reset_index(drop=True)
