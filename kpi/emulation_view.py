"""The emulation ranking for people: the page's ranking table, the council's proposal table (with the reasons) and
a unit's score target by target, labelled in vi or en. The numbers are `kpi.emulation`'s; this module only words
and formats them."""

from __future__ import annotations

import pandas as pd

from kpi.fmt import format_number, format_percent
from kpi.i18n import JUDGED, status_label, t
from kpi.plan import Plan


def rules_text(plan: Plan, lang: str) -> str:
    """The plan's scoring rules in one paragraph: points per status, weights, the bonus, the tie order."""
    rules = plan.emulation
    points = ", ".join(t("emu.points_each", lang, status=status_label(status, lang), n=format_number(value, lang, 2))
                       for status, value in rules.points.items())
    if len(rules.points) < len(JUDGED):
        points += ", " + t("emu.others_zero", lang)
    weights = (t("emu.rules.weights", lang, items=", ".join(
        f"{plan.indicator(code).name(lang)} × {format_number(w, lang, 2)}" for code, w in rules.weights.items()))
        if rules.weights else "")
    bonus = t("emu.rules.bonus", lang, n=format_number(rules.improved, lang, 2)) if rules.improved else ""
    ties = ", ".join(t(f"emu.tie.{rule}", lang) for rule in rules.ties) or "—"
    return t("emu.rules", lang, points=points, weights=weights, bonus=bonus, ties=ties)


def _rank_text(rank: object, tied: bool, lang: str) -> str:
    """`1`, `1 (đồng hạng)`, or `—` for a unit with nothing judged."""
    if pd.isna(rank):
        return "—"
    return f"{int(rank)} ({t('emu.tied', lang)})" if tied else str(int(rank))


def _points(value: float) -> float | int:
    """Points as a whole number when they are one (4, not 4.0)."""
    return int(value) if float(value).is_integer() else round(float(value), 2)


def proposal_text(row: dict, plan: Plan, lang: str) -> str:
    """The title proposed, or why none is: `Tập thể lao động xuất sắc`, `Chưa đề xuất: thiếu số liệu`, `—`."""
    if not row["complete"]:
        return t("emu.not_proposed_incomplete", lang)
    if row["proposal"] is None:
        return "—"
    return next(title.name(lang) for title in plan.emulation.titles if title.code == row["proposal"])


def _reason(row: dict, plan: Plan, lang: str) -> str:
    """Why the rules propose what they do: the share and place against the title's thresholds."""
    if not row["complete"]:
        return t("emu.reason_incomplete", lang, n=row["incomplete"])
    share = format_percent(row["share"], lang, 1)
    if row["proposal"] is None:
        return t("emu.reason_none", lang, share=share)
    title = next(title for title in plan.emulation.titles if title.code == row["proposal"])
    reason = t("emu.reason_share", lang, share=share, min=format_percent(title.min_share, lang, 0))
    if title.top is not None:
        reason += "; " + t("emu.reason_top", lang, rank=_rank_text(row["rank"], row["tied"], lang), top=title.top)
    if row.get("estimated"):  # the council should know the proposal rests partly on estimates
        reason += "; " + t("emu.reason_estimated", lang, n=row["estimated"])
    return reason


def ranking_table(ranking: pd.DataFrame, plan: Plan, lang: str, *, with_cluster: bool) -> pd.DataFrame:
    """The by-unit page's table: rank (with "đồng hạng" on a shared place), unit, score of its maximum, share (%),
    targets good and judged, targets missing reports, the title proposed; the cluster when several are shown."""
    records = ranking.to_dict("records")
    table = pd.DataFrame({
        t("col.rank", lang): [_rank_text(r["rank"], r["tied"], lang) for r in records],
        t("col.unit", lang): [plan.unit(r["unit"]).name(lang) for r in records],
        t("emu.col.score", lang): [f"{format_number(r['score'], lang, 2)}/{format_number(r['max_score'], lang, 2)}"
                                   for r in records],
        t("col.share", lang): [format_percent(r["share"], lang, 0) for r in records],
        t("col.good", lang): [str(r["good"]) for r in records],
        t("col.judged", lang): [str(r["judged"]) for r in records],
        t("col.incomplete", lang): [str(r["incomplete"]) for r in records],
        t("emu.col.proposal", lang): [proposal_text(r, plan, lang) for r in records],
    })
    if with_cluster:
        table[t("col.cluster", lang)] = [plan.cluster_of(r["unit"]).name(lang) for r in records]
    return table


def proposal_table(ranking: pd.DataFrame, plan: Plan, lang: str) -> pd.DataFrame:
    """The commendation council's table: per unit its cluster, place, score and maximum (points), share (%),
    targets achieved, good, improved and missing reports, the title the plan's rules propose and the reason.
    Figures are numbers, for a spreadsheet."""
    records = ranking.to_dict("records")
    return pd.DataFrame({
        t("col.cluster", lang): [plan.cluster_of(r["unit"]).name(lang) for r in records],
        t("col.rank", lang): [_rank_text(r["rank"], r["tied"], lang) for r in records],
        t("col.unit", lang): [plan.unit(r["unit"]).name(lang) for r in records],
        t("emu.col.score_only", lang): [_points(r["score"]) for r in records],
        t("emu.col.max", lang): [_points(r["max_score"]) for r in records],
        t("col.share", lang): [None if pd.isna(r["share"]) else round(float(r["share"]), 1) for r in records],
        t("emu.col.achieved", lang): [int(r["achieved"]) for r in records],
        t("col.good", lang): [int(r["good"]) for r in records],
        t("emu.col.improved", lang): [int(r["improved"]) for r in records],
        t("col.incomplete", lang): [int(r["incomplete"]) for r in records],
        t("emu.col.proposal", lang): [proposal_text(r, plan, lang) for r in records],
        t("emu.col.reason", lang): [_reason(r, plan, lang) for r in records],
    })


def proposals_shown(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`proposal_table` as text for a screen or paper: numbers in the language's format (points to 2 decimals,
    the share to 1), a share that cannot be worked out as `—`."""
    def cell(value: object, column: str) -> object:
        if value is None or (isinstance(value, float) and value != value):
            return "—"
        if isinstance(value, (int, float)):
            return format_number(value, lang, 1 if column == t("col.share", lang) else 2)
        return value

    return table.apply(lambda col: [cell(v, col.name) for v in col])


def breakdown_table(parts: pd.DataFrame, plan: Plan, unit: str, lang: str) -> pd.DataFrame:
    """How `unit`'s score is made, target by target (`kpi.emulation.score_breakdown` rows): status, weight, the
    status's points, improved on last year (Có / Không / —), the bonus, the total and the most it could score."""
    rows = parts[parts["unit"] == unit]
    yes_no = {True: t("emu.yes", lang), False: t("emu.no", lang)}
    return pd.DataFrame({
        t("col.status", lang): [status_label(s, lang) for s in rows["status"]],  # status first, as every target table
        t("col.indicator", lang): [plan.indicator(i).name(lang) for i in rows["indicator"]],
        t("emu.col.weight", lang): [format_number(w, lang, 2) for w in rows["weight"]],
        t("emu.col.points", lang): [format_number(p, lang, 2) if j else "—" for p, j in
                                    zip(rows["points"], rows["judged"])],
        t("emu.col.improved_short", lang): [yes_no.get(i, "—") if j else "—" for i, j in
                                            zip(rows["improved"], rows["judged"])],
        t("emu.col.bonus", lang): [format_number(b, lang, 2) if j else "—" for b, j in
                                   zip(rows["bonus"], rows["judged"])],
        t("emu.col.total", lang): [format_number(x, lang, 2) if j else "—" for x, j in
                                   zip(rows["total"], rows["judged"])],
        t("emu.col.max", lang): [format_number(b, lang, 2) if j else "—" for b, j in
                                 zip(rows["best"], rows["judged"])],
    })
