"""Submission templates: every unit × indicator a unit usually reports for one period, ready to fill in.

Headers are the Vietnamese ones the reader accepts, plus name columns the reader ignores, so an analyst sees what
each row is. The kind column (`Loại số liệu`) is left empty, which means official; an analyst writes `ước` for an
estimate. Offered as CSV (UTF-8 with BOM, for Excel on Windows) and as .xlsx.
"""

from __future__ import annotations

import io

import pandas as pd

from kpi.export import safe_frame, to_csv_bytes
from kpi.i18n import t
from kpi.plan import Plan


def template_frame(plan: Plan, period: str, lang: str = "vi") -> pd.DataFrame:
    """One empty row per unit × indicator that the unit usually reports, for `period`, in registry order."""
    rows = []
    for ind in plan.indicators:
        for code in plan.reporters(ind):
            rows.append({
                t("template.unit", lang): code,
                t("template.indicator", lang): ind.code,
                t("template.period", lang): period,
                t("template.value", lang): "",
                t("template.note", lang): "",
                t("template.kind", lang): "",
                t("template.unit_name", lang): plan.unit(code).name(lang),
                t("template.indicator_name", lang): ind.name(lang),
                t("template.measure", lang): ind.measure(lang),
            })
    return pd.DataFrame(rows)


def template_csv(frame: pd.DataFrame) -> bytes:
    """The template as CSV bytes (UTF-8 with BOM, formulas neutralised)."""
    return to_csv_bytes(frame)


def template_xlsx(frame: pd.DataFrame) -> bytes:
    """The template as an .xlsx workbook (one sheet, value column as text-free numbers to fill in)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, index=False, sheet_name="So lieu")
        sheet = writer.sheets["So lieu"]
        for column, width in zip("ABCDEFGHI", (12, 26, 12, 14, 24, 14, 34, 52, 14)):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
    return buffer.getvalue()
