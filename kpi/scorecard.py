"""The scorecard as users see it: evaluation loaded from the store, and its rows labelled and formatted."""

from __future__ import annotations

import pandas as pd

from kpi.evaluate import evaluate_stored
from kpi.fmt import format_figure, format_number
from kpi.i18n import t
from kpi.periods import parse_period
from kpi.plan import Indicator, Plan
from kpi.store import Store, latest_period
from kpi.values import number_or_none
from kpi.wording import actual_text, attainment_text, missing_text, row_status


def plan_for_period(plans: dict[int, Plan], period: str) -> Plan:
    """The plan of `period`'s year; KeyError naming the years available when there is none."""
    year = parse_period(period).year
    if year not in plans:
        raise KeyError(f"no plan for {year} (plans: {', '.join(map(str, sorted(plans)))})")
    return plans[year]


def default_period(store: Store, plans: dict[int, Plan]) -> str:
    """The latest period with figures in a plan year, else the latest plan's year."""
    with store.connect() as conn:
        latest = latest_period(conn)
    if latest and parse_period(latest).year in plans:
        return latest
    return str(max(plans))


def load_scorecard(store: Store, plans: dict[int, Plan], period: str | None = None,
                   units: list[str] | None = None, indicators: list[str] | None = None) -> tuple[str, pd.DataFrame]:
    """(period, evaluation) for `units` (None: every unit with a row) and `indicators` (None: all) in `period`
    (default: latest with data)."""
    period = period or default_period(store, plans)
    plan = plan_for_period(plans, period)
    with store.connect() as conn:
        return period, evaluate_stored(conn, plan, period, units, indicators)


def met_label(met: object, stretch_met: object, lang: str = "vi", estimate: bool = False) -> str:
    """The full-year verdict in words: Đạt / Đạt mức phấn đấu / Không đạt / Chưa kết luận; on an `estimate`
    Dự kiến đạt / Dự kiến không đạt."""
    if met is True and stretch_met is True:
        return t("met.stretch", lang)
    if met is True:
        return t("status.achieved.estimate", lang) if estimate else t("met.true", lang)
    if met is False:
        return t("status.not_met.estimate", lang) if estimate else t("met.false", lang)
    return t("met.none", lang)


def target_text(row: pd.Series, plan: Plan, lang: str = "vi") -> str:
    """The target as the plan states it for this row: `≥ 10`, `> 63,7`, `hạng 38`, `3–4`, `< 127`."""
    ind = plan.indicator(row["indicator"])
    target = number_or_none(row["target"])
    if target is None:
        return "—"
    digits = ind.decimals
    if ind.kind == "rank_gain":
        if row["target_qualifier"] == "≤":  # a censored baseline: what is known is the rank that surely meets it
            return t("target.rank_sure", lang, rank=format_number(target, lang, 0))
        rank = format_figure(target, row["target_qualifier"], lang, 0)
        return t("target.rank", lang, rank=rank)
    if ind.kind == "reduce_vs_baseline":
        return t("target.reduce_vs_baseline", lang, baseline=format_number(target, lang, digits))
    return _level_target(ind, target, number_or_none(row["stretch"]), lang)


def _level_target(ind: Indicator, target: float, stretch: float | None, lang: str) -> str:
    """`3–4` for a reduction with a stretch, else `> 63,7` (strict) or `≥ 1.700.000`."""
    digits = ind.decimals
    if ind.kind == "reduce_by" and stretch is not None:
        return f"{format_number(target, lang, digits)}–{format_number(stretch, lang, digits)}"
    sign = ">" if ind.kind == "more_than" else "≥"
    return f"{sign} {format_number(target, lang, digits)}"


def plan_target_text(ind: Indicator, lang: str = "vi") -> str:
    """The plan's target as written, independent of any unit: `≥ 1.700.000`, `> 63,7`, `+5 bậc`, `3–4`, `< 2023`."""
    if ind.kind == "reduce_vs_baseline":
        return t("target.below_baseline_year", lang)
    if ind.target is None:
        return "—"
    if ind.kind == "rank_gain":
        return t("target.rank_gain", lang, n=format_number(ind.target, lang, 0))
    return _level_target(ind, float(ind.target), None if ind.stretch is None else float(ind.stretch), lang)


#: Which column a view leaves out because every row would repeat it: one unit's targets, or one indicator's units.
REPEATED = {"unit": "col.unit", "indicator": "col.indicator"}


def display_table(result: pd.DataFrame, plan: Plan, lang: str = "vi", *, one: str | None = None) -> pd.DataFrame:
    """The evaluation as text columns for people: status (symbol and word) and name first, then the figure, the
    target, the attainment (%) and the year's verdict, then projection, measure and the reports a status is missing
    (`kpi.wording`); numbers in the language's format, "(ước)" on estimates. `one` = 'unit' or 'indicator' leaves
    out that column, which would repeat on every row of a view of one unit or one indicator."""
    rows = []
    for row in result.to_dict("records"):
        ind = plan.indicator(row["indicator"])
        # What matters first, so that a 1366-px laptop shows it without scrolling sideways.
        rows.append({
            t("col.status", lang): row_status(row, lang),
            t("col.indicator", lang): ind.name(lang),
            t("col.unit", lang): plan.unit(row["unit"]).name(lang),
            t("col.actual", lang): actual_text(row, plan, lang),
            t("col.target", lang): target_text(pd.Series(row), plan, lang),
            t("col.attainment", lang): attainment_text(row, plan, lang),
            t("col.met", lang): met_label(row["met"], row["stretch_met"], lang, bool(row.get("estimate"))),
            t("col.projection", lang): format_number(number_or_none(row["projection"]), lang, ind.decimals),
            t("col.measure", lang): ind.measure(lang),
            t("col.missing", lang): missing_text(row.get("missing"), plan, lang),
        })
    table = pd.DataFrame(rows, columns=[t(key, lang) for key in (
        "col.status", "col.indicator", "col.unit", "col.actual", "col.target", "col.attainment", "col.met",
        "col.projection", "col.measure", "col.missing")])
    return table.drop(columns=t(REPEATED[one], lang)) if one else table


def export_table(result: pd.DataFrame, plan: Plan, lang: str = "vi", *, one: str | None = None) -> pd.DataFrame:
    """The evaluation for a spreadsheet: the columns of `display_table`, but every figure a number (the actual, the
    target's value, the attainment in %, the same span last year, the projection; each rounded to the indicator's
    decimals, attainment to 0,1) beside its words (the censoring sign, "ước"/"chính thức", the target as the plan
    states it), so that Excel can sum and sort them. `one` leaves out a repeated column as in `display_table`."""
    def rounded(values: pd.Series, digits: list[int]) -> list[float | None]:
        return [None if number_or_none(v) is None else round(float(v), d) for v, d in zip(values, digits)]

    digits = [plan.indicator(i).decimals for i in result["indicator"]]
    table = pd.DataFrame({
        t("col.status", lang): [row_status(r, lang) for r in result.to_dict("records")],
        t("col.indicator", lang): [plan.indicator(i).name(lang) for i in result["indicator"]],
        t("col.unit", lang): [plan.unit(u).name(lang) for u in result["unit"]],
        t("col.actual", lang): rounded(result["actual"], digits),
        t("col.qualifier", lang): [q if isinstance(q, str) else "" for q in result["actual_qualifier"]],
        t("template.kind", lang): [t("kind.estimate" if e else "kind.official", lang) if number_or_none(a) is not None
                                   else "" for e, a in zip(result["estimate"], result["actual"])],
        t("col.target", lang): [target_text(row, plan, lang) for _, row in result.iterrows()],
        t("col.target_value", lang): rounded(result["target"], digits),
        t("col.attainment", lang): rounded(result["attainment"], [1] * len(result)),
        t("col.same_span", lang): rounded(result["same_span_last_year"], digits),
        t("col.met", lang): [met_label(m, s, lang, bool(e)) for m, s, e in zip(
            result["met"], result["stretch_met"], result["estimate"])],
        t("col.projection", lang): rounded(result["projection"], digits),
        t("col.measure", lang): [plan.indicator(i).measure(lang) for i in result["indicator"]],
        t("col.missing", lang): [missing_text(m, plan, lang) for m in result["missing"]],
    })
    return table.drop(columns=t(REPEATED[one], lang)) if one else table


def machine_table(result: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """The evaluation for programs (the CLI's json and csv): `missing` as a list of {"unit", "period"} for json,
    as `UNIT PERIOD; …` text for csv; every other column as evaluated."""
    pairs = [list(m) if isinstance(m, (list, tuple)) else [] for m in result["missing"]]
    if fmt == "json":
        missing: list = [[{"unit": u, "period": p} for u, p in m] for m in pairs]
    else:
        missing = ["; ".join(f"{u} {p}" for u, p in m) for m in pairs]
    return result.assign(missing=missing)
