"""The emulation ranking (xếp hạng thi đua): each unit's score under the plan's rules (`Plan.emulation`), target by
target, its place within its cluster, and the title the rules would propose to the commendation council.

One rule for every view: the by-unit page, the projector, the review report and its proposal table all call
`emulation_ranking`. The statuses are the evaluation's (`kpi.evaluate`); "improved" is `kpi.compare.improved`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi.compare import improved
from kpi.plan import SCORED_STATUSES, Plan

#: A status that leaves a target without its reports: the unit's figures are not complete.
_INCOMPLETE = "incomplete"


def _has_gaps(missing: object) -> bool:
    return isinstance(missing, (list, tuple)) and len(missing) > 0


def score_breakdown(result: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """How each cluster member's score is made, one row per unit × target it holds: unit, indicator, status,
    judged (scored), weight, points (the status's points × weight), improved (True/False/None: better than last
    year's figure), bonus (the plan's `improved` points × weight when improved), total (points + bonus), best
    (the most the target could score: (best status points + improved points) × weight, 0 when not judged),
    incomplete (its status rests on missing reports) and gaps (any of its reports is missing, whatever the
    status). Points are the plan's units (điểm)."""
    rules = plan.emulation
    members = {m for c in plan.clusters for m in c.members}
    rows = result[result["unit"].isin(members) & (result["status"] != "no_target")]
    records = []
    for row in rows.to_dict("records"):
        status, weight = str(row["status"]), rules.weight(str(row["indicator"]))
        judged = status in SCORED_STATUSES
        better = improved(row, plan) if judged else None
        points = rules.points.get(status, 0.0) * weight if judged else 0.0
        bonus = rules.improved * weight if better else 0.0
        records.append({
            "unit": row["unit"], "indicator": row["indicator"], "status": status, "judged": judged,
            "weight": weight, "points": points, "improved": better, "bonus": bonus, "total": points + bonus,
            "best": (rules.best + rules.improved) * weight if judged else 0.0,
            "incomplete": status == _INCOMPLETE, "gaps": _has_gaps(row.get("missing")),
        })
    return pd.DataFrame(records, columns=["unit", "indicator", "status", "judged", "weight", "points", "improved",
                                          "bonus", "total", "best", "incomplete", "gaps"])


def _tie_values(table: pd.DataFrame, ties: list[str]) -> list[pd.Series]:
    """The columns that order units of equal share, each larger-is-better, in the plan's tie order."""
    column = {"score": table["score"], "achieved": table["achieved"], "improved": table["improved"],
              "missing": -table["incomplete"]}
    return [column[rule] for rule in ties]


def _ranks(table: pd.DataFrame, plan: Plan) -> pd.Series:
    """Rank within the cluster (1 = best) by share, then the plan's tie rules; units equal on all share a rank;
    a unit with nothing judged has no rank."""
    keys = [table["share"].fillna(-1), *_tie_values(table, plan.emulation.ties)]
    order = pd.DataFrame({f"k{n}": k.to_numpy() for n, k in enumerate(keys)}, index=table.index)
    ranks = pd.Series(pd.NA, index=table.index, dtype="Int64")
    for _, group in order[table["judged"] > 0].groupby(table["cluster"]):
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
    better than last year), incomplete (targets whose status waits for missing reports), complete (no report of
    any target it holds is missing), waiting (the indicator codes of the incomplete targets), score and max_score
    (points), share (score as % of max_score), rank (1 = best within the cluster; None when nothing is judged),
    tied (another unit of the cluster has the same rank) and proposal (a title code of `plan.emulation.titles`,
    or None). Units with incomplete figures keep the place their judged targets give them, flagged by
    `complete`, and are never proposed for a title. Sorted by cluster (the plan's order), then rank.
    """
    members = {m: c.code for c in plan.clusters for m in c.members}
    parts = score_breakdown(result, plan)
    parts = parts.assign(good=parts["status"].isin(["achieved", "on_track"]) & parts["judged"],
                         achieved=parts["status"].eq("achieved") & parts["judged"],
                         better=parts["improved"].eq(True) & parts["judged"])
    table = parts.groupby("unit", as_index=False).agg(
        judged=("judged", "sum"), achieved=("achieved", "sum"), good=("good", "sum"), improved=("better", "sum"),
        incomplete=("incomplete", "sum"), gaps=("gaps", "sum"), score=("total", "sum"), max_score=("best", "sum"))
    table = table[(table["judged"] > 0) | (table["incomplete"] > 0)].reset_index(drop=True)
    for column in ("judged", "achieved", "good", "improved", "incomplete"):
        table[column] = table[column].astype("int64")
    table["cluster"] = table["unit"].map(members)
    table["complete"] = (table["incomplete"] == 0) & (table.pop("gaps") == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["share"] = np.where(table["max_score"] > 0, table["score"] / table["max_score"] * 100, np.nan)
    table["rank"] = _ranks(table, plan)
    counts = table.groupby(["cluster", "rank"])["unit"].transform("count")
    table["tied"] = table["rank"].notna() & (counts > 1)
    waiting = parts[parts["incomplete"].astype(bool)].groupby("unit")["indicator"].agg(list)
    table["waiting"] = [waiting.get(unit, []) for unit in table["unit"]]
    table["proposal"] = pd.Series(_proposals(table, plan), index=table.index, dtype=object)  # None, not NaN
    cluster_order = {c.code: n for n, c in enumerate(plan.clusters)}
    return table.sort_values(["cluster", "rank", "unit"], key=lambda c: c.map(cluster_order) if c.name == "cluster"
                             else c, na_position="last").reset_index(drop=True)
