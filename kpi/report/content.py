"""What a review report (sơ kết, tổng kết) says for a period, before any file format: the province's targets, then
each unit's, then the reports that have not come in. Every figure and status is the evaluation's (`kpi.evaluate`),
the sentences are `kpi.report.sentences`'; the workbook, the document and the page only lay this out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from kpi.access import descendants
from kpi.compare import change_on_last_year, share_of_plan
from kpi.completeness import completeness, unit_receipts
from kpi.emulation import emulation_ranking
from kpi.evaluate import evaluate_stored
from kpi.i18n import status_label, t
from kpi.periods import Period, parse_period
from kpi.plan import Plan
from kpi.report.sentences import target_sentence
from kpi.scorecard import target_text
from kpi.store import Store, data_as_of
from kpi.values import number_or_none

#: The columns of a section's table, in the order of the report's table (DOMAIN.md, "Reviews and commendation").
COLUMNS = ("indicator", "name", "measure", "plan_target", "period_value", "cumulative", "qualifier",
           "pct_of_plan", "pct_of_last_year", "status", "status_text", "note", "sentence")


@dataclass(frozen=True)
class Section:
    """One unit's part of the report: `rows` has COLUMNS, one row per target the unit holds or reports;
    `evaluated` the same targets as the evaluation gives them (`kpi.evaluate` columns), which the app's chart
    builders take (`kpi.charts.attainment_bullets`)."""

    unit: str
    rows: pd.DataFrame
    evaluated: pd.DataFrame


@dataclass(frozen=True)
class Review:
    """A review report's content: the plan, the period (`2024-H1`), the unit chosen, the language, when it was
    made (UTC) and the data's date, the sections (the chosen unit first, then the units below it), and the reports
    still missing (columns unit, indicator, period, due); for the province's report, the emulation ranking of
    every cluster."""

    plan: Plan
    period: str
    unit: str  # the unit chosen: the first section's, when it has any
    lang: str
    made_at: datetime
    as_of: datetime | None
    sections: list[Section]
    not_reported: pd.DataFrame
    ranking: pd.DataFrame  # kpi.emulation.emulation_ranking of the clusters; empty unless the report is the plan's

    @property
    def has_data(self) -> bool:
        """True when any section holds a figure for the period."""
        return any(section.rows["cumulative"].notna().any() for section in self.sections)


def _row(record: dict, plan: Plan, period: Period, lang: str) -> dict:
    """A report row from one evaluated row: figures as numbers (None where there is none), words beside them."""
    ind = plan.indicator(str(record["indicator"]))
    actual = number_or_none(record["actual"])
    # A quarter's own figure for a flow; a level (and a reduction worked out from rates) stands where it stands.
    own = number_or_none(record.get("period_value")) if ind.flow == "flow" and not period.view else actual
    change = change_on_last_year(record, plan, period)
    share = share_of_plan(record, plan)
    return {
        "indicator": ind.code, "name": ind.name(lang), "measure": ind.measure(lang),
        "plan_target": target_text(record, plan, lang) if number_or_none(record.get("target")) is not None else "",
        "period_value": own, "cumulative": actual,
        "qualifier": record.get("actual_qualifier") if isinstance(record.get("actual_qualifier"), str) else "",
        "pct_of_plan": None if share is None else round(share, 1),
        # "So với cùng kỳ (%)": this year's figure as a share of last year's, as reports write 107,0%; none for a
        # rate, a rank, or a figure still missing reports (kpi.compare.change_on_last_year).
        "pct_of_last_year": (round(change.ratio, 1) if change is not None and change.ratio is not None
                             and ind.kind != "rank_gain" else None),
        "status": str(record["status"]),
        "status_text": status_label(str(record["status"]), lang, bool(record.get("estimate"))),
        "note": t("kind.estimate", lang) if bool(record.get("estimate")) and actual is not None else "",
        "sentence": target_sentence(record, plan, lang),
    }


def _sections(plan: Plan, result: pd.DataFrame, units: list[str], period: Period, lang: str) -> list[Section]:
    """A section per unit of `units` that holds a target or sent a figure, in the plan's unit order."""
    sections = []
    for unit in units:
        rows = result[result["unit"] == unit]
        # A unit's part lists the targets it holds and the figures it sent without a target of its own.
        rows = rows[(rows["status"] != "no_target") | rows["actual"].notna()]
        if rows.empty:
            continue
        table = pd.DataFrame([_row(r, plan, period, lang) for r in rows.to_dict("records")], columns=COLUMNS)
        sections.append(Section(unit, table, rows.reset_index(drop=True)))
    return sections


def _not_reported(store: Store, plan: Plan, period: Period, unit: str, units: set[str]) -> pd.DataFrame:
    """The reports due by the end of `period` that have not come in, for `units` (`unit` and the units below it):
    unit, indicator, period, due. Only their receipts leave the database."""
    with store.connect() as conn:
        received = unit_receipts(conn, plan, unit)
    report = completeness(plan, received, period.through_quarter, units=units)
    missing = report[report["state"] == "missing"]
    order = plan.unit_positions()
    return missing.sort_values(["unit", "period", "indicator"], key=lambda c: c.map(order) if c.name == "unit"
                               else c)[["unit", "indicator", "period", "due"]].reset_index(drop=True)


def build_review(store: Store, plans: dict[int, Plan], period: str, unit: str | None = None,
                 lang: str = "vi") -> Review:
    """The review report of `period` (`2024-Q2`, `2024-H1`, `2024-9M`, `2024`) for `unit` (default: the plan's
    scope unit, the province) and the units below it. ValueError, in `lang`, for a period without a plan or a unit
    the plan does not know."""
    p = parse_period(period)
    if p.year not in plans:
        raise ValueError(t("review.no_plan", lang, year=p.year, years=", ".join(map(str, sorted(plans)))))
    plan = plans[p.year]
    unit = unit or plan.plan.scope_unit
    if unit not in {u.code for u in plan.units}:
        raise ValueError(t("review.unknown_unit", lang, unit=unit, year=p.year))
    covered = descendants(plan, [unit])
    order = [u.code for u in plan.units if u.code in covered and u.code != unit]
    with store.connect() as conn:
        as_of = data_as_of(conn)
        result = evaluate_stored(conn, plan, str(p), [unit, *order])
    # The ranking compares every unit of a cluster: only the report of the whole plan holds them all.
    ranking = emulation_ranking(result, plan) if unit == plan.plan.scope_unit else emulation_ranking(
        result.iloc[0:0], plan)
    return Review(plan=plan, period=str(p), unit=unit, lang=lang, made_at=datetime.now(UTC), as_of=as_of,
                  sections=_sections(plan, result, [unit, *order], p, lang),
                  not_reported=_not_reported(store, plan, p, unit, covered), ranking=ranking)
