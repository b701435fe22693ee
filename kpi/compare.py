"""Which of last year's figures a figure is compared with, and whether it improved on it: one rule for the review
report's "tăng/giảm so với cùng kỳ" and the emulation score's "improved on the previous year"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from kpi.periods import Period, parse_period
from kpi.plan import Plan
from kpi.values import number_or_none

#: How the figure compared with is named: the same span of the baseline year (cùng kỳ), or its whole year.
Base = Literal["same_span", "year", ""]


def last_year_base(row: Mapping, plan: Plan, period: Period | None = None) -> tuple[float | None, Base]:
    """(the baseline year's figure to compare the row's actual with, which one it is). The same span (cùng kỳ)
    when the baseline year has it complete; the year view compares whole years; a level indicator without a
    same-span figure compares with the baseline year's figure unless that is censored (">30"); else (None, "").
    A reduction target (`reduce_by`) has none: its figure is already the change on last year's rate."""
    period = period or parse_period(str(row["period"]))
    ind = plan.indicator(str(row["indicator"]))
    if ind.kind == "reduce_by":
        return None, ""
    same = number_or_none(row.get("same_span_last_year"))
    if period.is_year:
        whole = same if same is not None else number_or_none(row.get("baseline"))
        return whole, "year" if whole is not None else ""
    if same is not None:
        return same, "same_span"
    qualifier = row.get("baseline_qualifier")
    base = number_or_none(row.get("baseline"))
    if ind.flow == "level" and not (isinstance(qualifier, str) and qualifier) and base is not None:
        return base, "year"
    return None, ""


def improved(row: Mapping, plan: Plan) -> bool | None:
    """True when the row's actual is better than last year's figure it is compared with (`last_year_base`), in
    the indicator's direction (fewer accidents, a higher rank number is worse); False when not; None when either is
    missing or censored. A rank compares with the baseline rank: 38 improves on 43 and on ">43"."""
    ind = plan.indicator(str(row["indicator"]))
    actual = number_or_none(row.get("actual"))
    if actual is None or (isinstance(row.get("actual_qualifier"), str) and row.get("actual_qualifier")):
        return None
    if ind.kind == "rank_gain":
        base = number_or_none(row.get("baseline"))
        if base is None:
            return None
        # ">30" is 31st or worse: any rank up to 30 beats it; beyond that it cannot be told.
        if row.get("baseline_qualifier") == ">":
            return True if actual <= base else None
        return actual < base
    before, _ = last_year_base(row, plan)  # None for a reduction target: its figure is already a change
    if before is None:
        return None
    return actual < before if ind.lower_is_better else actual > before


#: Measures in percent: a change of a rate is said in percentage points, and a rate as a share of another rate
#: (or of a target rate) means nothing.
PERCENT_MEASURES = frozenset({"%", "điểm %"})


@dataclass(frozen=True)
class Change:
    """This year's figure against last year's (`last_year_base`): `before`, which one it is (`base`), the
    `difference` (now − before, in the measure) and `ratio` (now as % of before; None for a rate or a base ≤ 0)."""

    before: float
    base: Base
    difference: float
    ratio: float | None


def change_on_last_year(row: Mapping, plan: Plan, period: Period | None = None) -> Change | None:
    """How the row's actual compares with last year's figure, or None when there is nothing sound to compare: no
    figure, a censored one, no base, or reports still missing (a partial year to date set against a whole one
    would claim a fall that is only a gap)."""
    actual = number_or_none(row.get("actual"))
    missing = row.get("missing")
    if actual is None or (isinstance(missing, (list, tuple)) and len(missing) > 0):
        return None
    if isinstance(row.get("actual_qualifier"), str) and row.get("actual_qualifier"):
        return None
    before, base = last_year_base(row, plan, period)
    if before is None:
        return None
    ind = plan.indicator(str(row["indicator"]))
    rate = ind.measure("vi") in PERCENT_MEASURES
    return Change(before, base, actual - before, None if rate or before <= 0 else actual / before * 100)


def share_of_plan(row: Mapping, plan: Plan) -> float | None:
    """The actual as % of the annual target, where that means something: a target to reach (at least, more than)
    in a measure that is not itself a rate; None otherwise (a growth rate of 9,06% is not "90,6% of the plan")."""
    ind = plan.indicator(str(row["indicator"]))
    if ind.kind not in ("at_least", "more_than") or ind.measure("vi") in PERCENT_MEASURES:
        return None
    return number_or_none(row.get("attainment"))
