"""The sentence a review report writes for one target, as a provincial office writes it:

    Lượt khách du lịch đến tỉnh 6 tháng đầu năm đạt 1.445.000 lượt, bằng 85,0% kế hoạch năm, tăng 51,1% so với
    cùng kỳ, đúng tiến độ.

One function per kind of target, each from one row of the evaluation (`kpi.evaluate`): the figures and the status
are the evaluation's, never worked out again here; this module only words them. An estimate says "ước".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kpi.compare import PERCENT_MEASURES, change_on_last_year, last_year_base, share_of_plan
from kpi.fmt import format_figure, format_number
from kpi.i18n import JUDGED, t
from kpi.periods import Period, parse_period
from kpi.plan import Indicator, Plan
from kpi.scorecard import target_text
from kpi.values import number_or_none
from kpi.wording import missing_text

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
#: Below this many (communes, accidents…) a change is said as a number, not as a percentage.
_SMALL_COUNT = 100
#: Verdicts a sentence ends with; "awaiting" and "no_data" are said by the sentence itself.
_VERDICTS = {*JUDGED, "undetermined"}


def span_phrase(period: Period, lang: str = "vi") -> str:
    """The span a period's figure covers, as a sentence says it: `quý III`, `6 tháng đầu năm`, `năm 2024`."""
    if period.is_year:
        return t("rspan.year", lang, year=period.year)
    if period.view:
        return t("rspan.months", lang, n=3 * period.through_quarter)
    return t("rspan.quarter", lang, roman=_ROMAN[period.quarter], q=period.quarter)


def report_period(period: Period | str, lang: str = "vi") -> str:
    """A period as a report's heading names it: `6 tháng đầu năm 2024`, `quý III năm 2024`, `năm 2024`."""
    p = parse_period(period) if isinstance(period, str) else period
    if p.is_year:
        return t("rperiod.year", lang, year=p.year)
    if p.view:
        return t("rperiod.months", lang, n=3 * p.through_quarter, year=p.year)
    return t("rperiod.quarter", lang, roman=_ROMAN[p.quarter], q=p.quarter, year=p.year)


def _ytd_phrase(period: Period, lang: str) -> str:
    """`lũy kế 9 tháng đầu năm`: the year to date at the end of a quarter after the first."""
    if period.quarter == 4:
        return t("rspan.ytd_year", lang)
    return t("rspan.ytd", lang, n=3 * period.quarter)


def amount(value: float | None, ind: Indicator, lang: str, qualifier: object = None) -> str:
    """A figure with its measure: `1.445.000 lượt`, `9,06%`, `>30`."""
    text = format_figure(value, qualifier, lang, ind.decimals)
    measure = ind.measure(lang)
    return text + measure if measure == "%" else f"{text} {measure}"


def _change(row: Mapping, plan: Plan, ind: Indicator, lang: str, period: Period) -> str | None:
    """`tăng 51,1% so với cùng kỳ`, `giảm 4 vụ so với cùng kỳ (11 vụ)`, `tăng 0,44 điểm % so với năm 2023`, from
    `kpi.compare.change_on_last_year`; None when there is nothing sound to compare."""
    change = change_on_last_year(row, plan, period)
    if change is None:
        return None
    than = comparison_base(row, plan, lang, period)[1]
    counting = ind.kind == "reduce_vs_baseline"
    # A rate changes in points, a count to bring down in its own unit, and so does a small count: "tăng 2 xã" says
    # more than "tăng 200,0%" for 3 communes against 1.
    if change.ratio is None or counting or (ind.integer and change.before < _SMALL_COUNT):
        size = abs(change.difference)
        words = (t("rs.points", lang, n=format_number(size, lang, ind.decimals))
                 if ind.measure("vi") in PERCENT_MEASURES else amount(size, ind, lang))
        zero = format_number(size, lang, ind.decimals) == "0"
    else:
        size = abs(change.ratio - 100)
        words = format_number(size, lang, 1, fixed=True) + "%"
        zero = format_number(size, lang, 1) == "0"
    said = t("rs.same", lang, than=than) if zero else t("rs.up" if change.difference > 0 else "rs.down", lang,
                                                        change=words, than=than)
    return said + (f" ({amount(change.before, ind, lang)})" if counting else "")


def comparison_base(row: Mapping, plan: Plan, lang: str, period: Period) -> tuple[float | None, str]:
    """(last year's figure to compare with, how a sentence names it: `cùng kỳ`, `năm 2023`), by
    `kpi.compare.last_year_base`."""
    value, base = last_year_base(row, plan, period)
    if base == "same_span":
        return value, t("rs.same_span", lang)
    return value, t("rs.last_year", lang, year=plan.baseline_year) if base == "year" else ""


def _verdict(row: Mapping, plan: Plan, lang: str) -> str | None:
    """The sentence's last clause: the reports still missing when any are (the figure is then partial, whatever
    its status), else the status in words."""
    status = str(row["status"])
    missing = row.get("missing")
    if isinstance(missing, (list, tuple)) and missing:
        return t("rs.missing", lang, units=missing_text(missing, plan, lang).split(": ", 1)[-1])
    if status not in _VERDICTS:
        return None
    estimate = bool(row.get("estimate")) and status in ("achieved", "not_met")
    return t(f"rv.{status}" + (".estimate" if estimate else ""), lang)


def _rank_sentence(row: Mapping, plan: Plan, ind: Indicator, lang: str, subject: str) -> list[str]:
    """`xếp hạng 38/63, tăng 5 bậc so với năm 2023`; unpublished: `chưa được công bố (năm 2023 xếp hạng 43/63)`."""
    out_of = re.search(r"/\s*(\d+)", ind.measure("vi"))
    suffix = f"/{out_of.group(1)}" if out_of else ""
    year = plan.baseline_year
    base, base_q = number_or_none(row.get("baseline")), row.get("baseline_qualifier")
    base_q = base_q if isinstance(base_q, str) and base_q else None
    base_text = format_figure(base, base_q, lang, 0) + suffix if base is not None else None
    actual, actual_q = number_or_none(row.get("actual")), row.get("actual_qualifier")
    actual_q = actual_q if isinstance(actual_q, str) and actual_q else None
    if actual is None:
        before = t("rs.rank_before", lang, year=year, base=base_text) if base_text else ""
        return [t("rs.awaiting", lang, subject=subject, before=before).replace(" ()", "")]
    parts = [f"{subject} " + t("rs.rank", lang, rank=format_figure(actual, actual_q, lang, 0) + suffix)]
    if base is None:
        return parts
    if actual_q is None and base_q is None:
        gain = int(base - actual)
        key = "rs.places_up" if gain > 0 else "rs.places_down" if gain < 0 else "rs.places_same"
        parts.append(t(key, lang, n=abs(gain), year=year))
    elif actual_q is None and base_q == ">" and actual <= base:
        # ">30" is 31st or worse: from 31st the gain is at least 31 − rank.
        parts.append(t("rs.places_up_least", lang, n=int(base + 1 - actual), year=year, base=base_text))
    else:
        parts.append(t("rs.rank_before", lang, year=year, base=base_text))
    return parts


def _amount_sentence(row: Mapping, plan: Plan, ind: Indicator, lang: str, period: Period,
                     subject: str) -> list[str]:
    """The sentence of a figure against a target: flows say the share of the annual plan, levels the plan itself,
    counts to bring below last year's say by how much they fell."""
    estimate = bool(row.get("estimate"))
    counting = ind.kind == "reduce_vs_baseline"
    verb = t(("rverb.count" if counting else "rverb.reach") + (".estimate" if estimate else ""), lang)
    actual = number_or_none(row.get("actual"))
    own = number_or_none(row.get("period_value"))
    figure = amount(actual, ind, lang, row.get("actual_qualifier"))
    if period.quarter > 1 and not period.view and ind.flow == "flow":
        # A flow's verdict is about the year to date: a quarter after the first says the quarter's own figure (when
        # every report for it is in), then the year to date; a level is simply where it stands.
        # On an estimate the row does not say which quarter was estimated: the quarter's own figure is left out
        # rather than called "ước" (or official) without knowing.
        ytd = f"{_ytd_phrase(period, lang)} {verb} {figure}"
        quarter_known = own is not None and not estimate
        parts = [f"{subject} {verb} {amount(own, ind, lang)}", ytd] if quarter_known else [f"{ind.name(lang)} {ytd}"]
    else:
        parts = [f"{subject} {verb} {figure}"]
    share = share_of_plan(row, plan)
    if share is not None:
        parts.append(t("rs.share_of_plan", lang, pct=format_number(share, lang, 1, fixed=True)))
    elif number_or_none(row.get("target")) is not None and not counting:  # a unit without a target still reports
        parts.append(t("rs.plan", lang, target=_target_words(row, plan, ind, lang)))
    change = _change(row, plan, ind, lang, period)
    if change:
        parts.append(change)
    return parts


def _target_words(row: Mapping, plan: Plan, ind: Indicator, lang: str) -> str:
    """The target in words with its measure, as prose says it: `từ 10% trở lên`, `trên 63,7 triệu đồng`; other
    kinds as the table states them (`3–4 điểm %`)."""
    target = number_or_none(row.get("target"))
    if ind.kind in ("at_least", "more_than") and target is not None:
        return t(f"rs.target.{ind.kind}", lang, value=amount(target, ind, lang))
    text = target_text(row, plan, lang)  # reads row["…"] only: a dict serves as well as a pandas row
    measure = ind.measure(lang)
    return text + measure if measure == "%" else f"{text} {measure}"


def target_sentence(row: Mapping, plan: Plan, lang: str = "vi") -> str:
    """The report's sentence for one row of the evaluation (one unit, one target, one period), ending with its
    verdict: e.g. `Lượt khách du lịch đến tỉnh 6 tháng đầu năm đạt 1.445.000 lượt, bằng 85,0% kế hoạch năm, tăng
    51,1% so với cùng kỳ, đúng tiến độ.` Returns the sentence, with its full stop."""
    ind = plan.indicator(str(row["indicator"]))
    period = parse_period(str(row["period"]))
    # An index published once a year is the year's, whatever the period of the report.
    said = Period(period.year) if ind.publication == "annual" else period
    subject = f"{ind.name(lang)} {span_phrase(said, lang)}"
    if ind.kind == "rank_gain":
        parts = _rank_sentence(row, plan, ind, lang, subject)
    elif number_or_none(row.get("actual")) is None:
        parts = [t("rs.no_data", lang, subject=subject)]
    else:
        parts = _amount_sentence(row, plan, ind, lang, period, subject)
    verdict = _verdict(row, plan, lang)
    if verdict:
        parts.append(verdict)
    return ", ".join(parts) + "."
