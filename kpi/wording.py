"""How one evaluated row reads, in every place that shows it (tables, chart labels and hover text, the projector,
the CLI): the status with its symbol (a verdict on an estimate is "expected"), the figure with "(ước)" when an
estimate governs, attainment (or this year's count against last year's for "fewer than last year"), and the
reports a status is missing. One module, so that no view words a row differently from another.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

import pandas as pd

from kpi.compare import last_year_base
from kpi.fmt import format_figure, format_percent
from kpi.i18n import JUDGED, STATUS_ORDER, STATUS_SYMBOL, status_label, t
from kpi.periods import period_label
from kpi.plan import Plan

#: Reports named in a hover text or table cell before "and N more".
MISSING_SHOWN = 6


def _number(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def rests_on_gaps(row: Mapping) -> bool:
    """True when a judged status (an early verdict, say) was reached with reports missing."""
    missing = row.get("missing")
    return row["status"] in JUDGED and isinstance(missing, (list, tuple)) and len(missing) > 0


def row_status(row: Mapping, lang: str = "vi") -> str:
    """`✔ Đã đạt`, `✖ Dự kiến không đạt`, `◐ Thiếu số liệu`: the row's status as symbol and words, followed by
    `◐` when it was reached with reports missing."""
    text = status_label(str(row["status"]), lang, bool(row.get("estimate", False)))
    return text + (" " + STATUS_SYMBOL["incomplete"] if rests_on_gaps(row) else "")


def actual_text(row: Mapping, plan: Plan, lang: str = "vi") -> str:
    """The row's actual in the language's number format (`1.715.000`, `63,7`, `>30`), with `(ước)` when an
    estimate governs it; `—` when there is none."""
    ind = plan.indicator(str(row["indicator"]))
    text = format_figure(_number(row["actual"]), row.get("actual_qualifier"), lang, ind.decimals)
    if row.get("estimate") and _number(row["actual"]) is not None:
        text += " " + t("estimate.mark", lang)
    return text


def attainment_text(row: Mapping, plan: Plan, lang: str = "vi") -> str:
    """Attainment in % (`96,2%`); for "fewer than last year" this year's count against last year's for the same
    span (`95 so với 102 cùng kỳ`); a strict target met exactly says it must be exceeded."""
    ind = plan.indicator(str(row["indicator"]))
    if ind.kind == "reduce_vs_baseline":
        actual, last = _number(row["actual"]), last_year_base(row, plan)[0]  # the one rule for "last year"
        if actual is None or last is None:
            return "—"
        # The year view compares with last year's whole year, a shorter span with the same span (cùng kỳ).
        key = "same_span.year" if str(row.get("period", "")).isdigit() else "same_span"
        return t(key, lang, actual=format_figure(actual, None, lang, ind.decimals),
                 last=format_figure(last, None, lang, ind.decimals))
    attainment = _number(row["attainment"])
    text = format_percent(attainment, lang, 1)
    if ind.kind == "more_than" and _number(row.get("gap")) == 0:
        text += f" ({t('attainment.strict_equal', lang)})"
    return text


def missing_text(missing: Sequence | None, plan: Plan, lang: str = "vi", shown: int = MISSING_SHOWN) -> str:
    """The reports a row lacks, by unit: `Thiếu: Đắk Hà (Quý I/2024, Quý II/2024); Sa Thầy (Năm 2024)`, the first
    `shown` units named and the rest counted; empty when nothing is missing."""
    if missing is None or (isinstance(missing, float) and math.isnan(missing)) or not len(missing):
        return ""
    by_unit: dict[str, list[str]] = {}
    for unit, period in missing:
        by_unit.setdefault(str(unit), []).append(period_label(str(period), lang))
    names = [f"{_unit_name(plan, unit, lang)} ({', '.join(periods)})" for unit, periods in by_unit.items()]
    text = "; ".join(names[:shown])
    rest = sum(len(periods) for periods in list(by_unit.values())[shown:])
    if rest:
        text += "; " + t("missing.more", lang, n=rest)
    return t("missing.list", lang, items=text)


def _unit_name(plan: Plan, code: str, lang: str) -> str:
    try:
        return plan.unit(code).name(lang)
    except KeyError:
        return code


def status_counts(rows: pd.DataFrame, lang: str = "vi") -> list[tuple[str, int]]:
    """How many rows show each status wording (`row_status`), in the statuses' order: an estimate's verdict
    ("✔ Dự kiến đạt") and a verdict reached with reports missing ("✔ Đã đạt ◐") are counted apart from a final one."""
    counts = Counter((STATUS_ORDER.index(r["status"]), row_status(r, lang)) for r in rows.to_dict("records"))
    return [(label, n) for (_, label), n in sorted(counts.items())]
