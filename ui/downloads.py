"""The download buttons every page offers under a table: the same table as CSV for Vietnamese Excel and as .xlsx.

The files come from `kpi.export` (pure functions, tested without Streamlit); this module only draws the buttons.
"""

from __future__ import annotations

from functools import cache, partial

import pandas as pd
import streamlit as st

from kpi.export import to_csv_bytes, to_xlsx_bytes
from kpi.i18n import t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def download_table(frame: pd.DataFrame, stem: str, lang: str, *, sheet: str | None = None,
                   key: str | None = None) -> None:
    """Draw two buttons side by side that download `frame` as `<stem>.csv` (`;`-separated, UTF-8 with a BOM) and
    `<stem>.xlsx` (one sheet, named `sheet` or "Dữ liệu"), both formula-safe. `key` tells apart two tables on one
    page. The files are made when a button is first clicked, not with the page (a country's list to chase, 291,538
    rows, took 40 s as .xlsx), and kept for the next click. Returns None."""
    csv_file = cache(partial(to_csv_bytes, frame, lang))
    xlsx_file = cache(partial(to_xlsx_bytes, frame, sheet or t("export.sheet", lang)))
    with st.container(horizontal=True):
        # "ignore": a download changes nothing on the page, so it does not rerun it (and lose a half-filled form).
        st.download_button(t("export.csv", lang), csv_file, f"{stem}.csv", "text/csv",
                           key=f"{key}_csv" if key else None, help=t("export.csv_help", lang), on_click="ignore")
        st.download_button(t("export.xlsx", lang), xlsx_file, f"{stem}.xlsx", XLSX_MIME,
                           key=f"{key}_xlsx" if key else None, on_click="ignore")
