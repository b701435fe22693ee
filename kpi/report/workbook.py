"""A review report as an Excel workbook (XlsxWriter): a summary sheet for the chosen unit, one sheet per unit below
it, and a sheet of the reports that have not come in. Each unit's sheet has the report's table (figures as numbers
in number formats, so Vietnamese Excel shows 1.445.000 and 85,0), a native Excel chart of the share of the annual
plan, the generated sentences, and the sections people write (Đánh giá chung, Phương hướng) as headings. Headers
are frozen, and every sheet prints on A4 landscape, one page wide, its header row repeated.
"""

from __future__ import annotations

import io
import math

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from kpi.emulation import score_breakdown
from kpi.emulation_view import breakdown_table, proposal_table, rules_text
from kpi.export import neutralise, sheet_name
from kpi.fmt import format_figure, format_time
from kpi.i18n import t
from kpi.periods import period_label
from kpi.report.content import Review, Section
from kpi.report.sentences import report_period

#: The table's columns: (heading key, the section's column, width in characters).
TABLE = (("rcol.no", None, 5), ("col.indicator", "name", 42), ("col.measure", "measure", 11),
         ("rcol.plan", "plan_target", 16), ("rcol.period_value", "period_value", 14),
         ("rcol.cumulative", "cumulative", 14), ("rcol.pct_plan", "pct_of_plan", 12),
         ("rcol.pct_last_year", "pct_of_last_year", 12), ("col.status", "status_text", 18),
         ("rcol.note", "note", 10))
_NUMBERS = {"period_value", "cumulative", "pct_of_plan", "pct_of_last_year"}
_PAPER_A4 = 9
_TABLE_TOP = 4  # the table's header row (0-based): below the title, the period and the dates


def _sheet_name(code: str, name: str, used: set[str]) -> str:
    """A sheet name Excel accepts (`kpi.export.sheet_name`) and no other sheet has: the unit's code first."""
    base = sheet_name(f"{code} {name}")
    candidate, n = base, 2
    while candidate.lower() in used:
        candidate = f"{base[:28]} {n}"
        n += 1
    used.add(candidate.lower())
    return candidate


def _decimals_format(workbook: Workbook, decimals: int, cache: dict) -> object:
    """A cell format with thousands grouping and `decimals` decimals (Excel applies the reader's separators)."""
    if decimals not in cache:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        cache[decimals] = workbook.add_format({"num_format": pattern, "border": 1, "valign": "top"})
    return cache[decimals]


def _write_cell(sheet: Worksheet, line: int, column: int, value: object, formats: dict,
                number_format: object = None) -> None:
    """One cell: a gap (None, NaN) blank, a number as a number (in `number_format`, else the plain cell format),
    anything else as text, neutralised (a name from a plan file is never a formula)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        sheet.write_blank(line, column, None, formats["cell"])
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        sheet.write_number(line, column, value, number_format or formats["cell"])
    else:
        sheet.write_string(line, column, str(neutralise(value)), formats["wrap"])


def _write_table(workbook: Workbook, sheet: Worksheet, review: Review, section: Section, formats: dict) -> int:
    """The section's table from row _TABLE_TOP; returns the row after it."""
    lang, plan = review.lang, review.plan
    for column, (key, _, width) in enumerate(TABLE):
        sheet.set_column(column, column, width)
        sheet.write(_TABLE_TOP, column, t(key, lang), formats["head"])
    for n, row in enumerate(section.rows.to_dict("records"), start=1):
        line = _TABLE_TOP + n
        decimals = plan.indicator(row["indicator"]).decimals
        for column, (_, field, _) in enumerate(TABLE):
            value = n if field is None else row[field]
            if field in ("period_value", "cumulative") and row["qualifier"] and value is not None:
                # A censored figure (">30") is not a number Excel could sum: written as the text people read.
                sheet.write_string(line, column, format_figure(value, row["qualifier"], lang, decimals),
                                   formats["wrap"])
            else:
                digits = 1 if field is not None and field.startswith("pct") else decimals
                _write_cell(sheet, line, column, value, formats,
                            _decimals_format(workbook, digits, formats["n"]) if field in _NUMBERS else None)
    return _TABLE_TOP + len(section.rows) + 1


def _add_chart(workbook: Workbook, sheet: Worksheet, name: str, section: Section, lang: str, anchor: int) -> int:
    """A native bar chart of the share of the annual plan (%), for the targets that have one; returns the row
    after it (or `anchor` when no target has a share)."""
    rows = section.rows
    if rows["pct_of_plan"].notna().sum() == 0:
        return anchor
    first, last = _TABLE_TOP + 1, _TABLE_TOP + len(rows)
    chart = workbook.add_chart({"type": "bar"})
    quoted = name.replace("'", "''")
    chart.add_series({
        "name": t("rcol.pct_plan", lang),
        "categories": f"='{quoted}'!$B${first + 1}:$B${last + 1}",
        "values": f"='{quoted}'!$G${first + 1}:$G${last + 1}",
        "data_labels": {"value": True, "num_format": "0.0"},
        "fill": {"color": "#1f6fb2"},
    })
    chart.set_title({"name": t("rchart.title", lang), "name_font": {"size": 12}})
    chart.set_x_axis({"min": 0, "num_format": "0", "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 900, "height": 24 * len(rows) + 90})
    sheet.insert_chart(anchor + 1, 1, chart)
    return anchor + 2 + math.ceil((24 * len(rows) + 90) / 20)


def _write_breakdown(sheet: Worksheet, review: Review, section: Section, top: int, formats: dict) -> int:
    """The unit's emulation points target by target (`kpi.emulation_view.breakdown_table`) from row `top`; returns
    the row after it."""
    lang = review.lang
    table = breakdown_table(score_breakdown(section.evaluated, review.plan), review.plan, section.unit, lang)
    sheet.write_string(top, 0, t("emu.breakdown", lang, unit=review.plan.unit(section.unit).name(lang)),
                       formats["bold"])
    for column, name in enumerate(table.columns):
        sheet.write_string(top + 1, column, name, formats["head"])
    for line, row in enumerate(table.itertuples(index=False), start=top + 2):
        for column, value in enumerate(row):
            sheet.write_string(line, column, str(neutralise(value)), formats["wrap"])
    return top + 2 + len(table)


def _write_sheet(workbook: Workbook, review: Review, section: Section, name: str, formats: dict) -> None:
    """One unit's sheet: title lines, the table, the chart, the sentences, the sections people write."""
    lang, plan = review.lang, review.plan
    sheet = workbook.add_worksheet(name)
    unit = plan.unit(section.unit).name(lang)
    sheet.write_string(0, 0, neutralise(plan.plan.title_vi if lang == "vi" else plan.plan.title_en), formats["title"])
    sheet.write_string(1, 0, t("review.heading", lang, unit=unit, period=report_period(review.period, lang)),
                       formats["bold"])
    as_of = format_time(review.as_of) or "—"
    sheet.write_string(2, 0, t("review.dates", lang, made=format_time(review.made_at), as_of=as_of))
    after = _write_table(workbook, sheet, review, section, formats)
    after = _add_chart(workbook, sheet, name, section, lang, after)
    sheet.write_string(after + 1, 0, t("review.results", lang), formats["bold"])
    line = after + 2
    for sentence in section.rows["sentence"]:
        sheet.merge_range(line, 0, line, len(TABLE) - 1, f"- {sentence}", formats["text"])
        sheet.set_row(line, 30)
        line += 1
    for key in ("review.assessment", "review.next"):  # written by people: headed, left empty
        sheet.write_string(line + 1, 0, t(key, lang), formats["bold"])
        line += 3
    if section.unit in set(review.ranking["unit"]):  # a cluster member: how its emulation points are made
        line = _write_breakdown(sheet, review, section, line + 1, formats)
    sheet.freeze_panes(_TABLE_TOP + 1, 2)
    sheet.set_landscape()
    sheet.set_paper(_PAPER_A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(_TABLE_TOP)
    sheet.print_area(0, 0, line, len(TABLE) - 1)


def _write_missing(workbook: Workbook, review: Review, formats: dict) -> None:
    """The reports that have not come in, by unit: unit, indicator, period, due date."""
    lang, plan = review.lang, review.plan
    sheet = workbook.add_worksheet(_sheet_name("", t("review.not_reported", lang), set()))
    heads = (("col.unit", 40), ("col.indicator", 42), ("col.period", 16), ("col.due", 14))
    sheet.write_string(0, 0, t("review.not_reported", lang), formats["title"])
    for column, (key, width) in enumerate(heads):
        sheet.set_column(column, column, width)
        sheet.write(2, column, t(key, lang), formats["head"])
    rows = review.not_reported.to_dict("records")
    for n, row in enumerate(rows, start=3):
        sheet.write_string(n, 0, neutralise(plan.unit(row["unit"]).name(lang)), formats["wrap"])
        sheet.write_string(n, 1, neutralise(plan.indicator(row["indicator"]).name(lang)), formats["wrap"])
        sheet.write_string(n, 2, period_label(row["period"], lang), formats["wrap"])
        sheet.write_string(n, 3, row["due"].strftime("%d/%m/%Y"), formats["wrap"])
    if not rows:
        sheet.write_string(3, 0, t("review.all_reported", lang))
    sheet.freeze_panes(3, 0)
    sheet.set_paper(_PAPER_A4)
    sheet.fit_to_pages(1, 0)
    sheet.print_area(0, 0, max(3, len(rows) + 2), len(heads) - 1)


def _write_ranking(workbook: Workbook, review: Review, formats: dict) -> None:
    """The council's table: the plan's rules in words, then each unit's place, points, share and the title the
    rules propose with the reason (`kpi.emulation_view.proposal_table`), numbers as numbers."""
    lang, plan = review.lang, review.plan
    table = proposal_table(review.ranking, plan, lang)
    sheet = workbook.add_worksheet(_sheet_name("", t("emu.sheet", lang), set()))
    sheet.write_string(0, 0, t("emu.proposals", lang), formats["title"])
    sheet.merge_range(1, 0, 1, len(table.columns) - 1, rules_text(plan, lang), formats["text"])
    sheet.set_row(1, 60)
    sheet.merge_range(2, 0, 2, len(table.columns) - 1, t("emu.proposals_help", lang), formats["text"])
    sheet.set_row(2, 30)
    widths = (30, 14, 40, 8, 10, 10, 10, 10, 12, 12, 30, 44)
    for column, (name, width) in enumerate(zip(table.columns, widths)):
        sheet.set_column(column, column, width)
        sheet.write_string(4, column, name, formats["head"])
    for line, row in enumerate(table.itertuples(index=False), start=5):
        for column, value in enumerate(row):
            _write_cell(sheet, line, column, value, formats)
    sheet.freeze_panes(5, 3)
    sheet.set_landscape()
    sheet.set_paper(_PAPER_A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(4)
    sheet.print_area(0, 0, 4 + len(table), len(table.columns) - 1)


def sheet_count(review: Review) -> int:
    """How many sheets `review_workbook` writes for `review`."""
    if not review.has_data:
        return 1
    return len(review.sections) + 1 + (0 if review.ranking.empty else 1)


def review_workbook(review: Review) -> bytes:
    """The review as .xlsx bytes: a sheet per section (the first is the summary of the chosen unit), then the
    reports not received, then (for the province's report) the emulation ranking with the titles proposed. A
    period without any figure gets one sheet that says so."""
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "bold": workbook.add_format({"bold": True}),
        "head": workbook.add_format({"bold": True, "border": 1, "text_wrap": True, "valign": "vcenter",
                                     "align": "center", "bg_color": "#dde7f3"}),
        "cell": workbook.add_format({"border": 1, "valign": "top"}),
        "wrap": workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
        "text": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "n": {},
    }
    if not review.has_data:
        sheet = workbook.add_worksheet(_sheet_name("", t("review.summary", review.lang), set()))
        sheet.write_string(0, 0, t("review.no_data", review.lang, period=report_period(review.period, review.lang)),
                           formats["title"])
    else:
        used: set[str] = set()
        for n, section in enumerate(review.sections):
            name = (_sheet_name("", t("review.summary", review.lang), used) if n == 0 else
                    _sheet_name(section.unit, review.plan.unit(section.unit).name(review.lang), used))
            _write_sheet(workbook, review, section, name, formats)
        _write_missing(workbook, review, formats)
        if not review.ranking.empty:
            _write_ranking(workbook, review, formats)
    workbook.close()
    return buffer.getvalue()
