"""Overview for leadership: every target of the plan for one unit and period, with status, chart and table.

The default page of `app.py`'s frame. It reads the filters, asks `kpi` for the evaluation, and draws.
"""

from __future__ import annotations

import streamlit as st

from kpi.charts import attainment_bullets
from kpi.export import to_csv_bytes
from kpi.i18n import t
from kpi.periods import period_label
from kpi.scorecard import display_table
from kpi.wording import status_counts
from ui import data
from ui.frame import as_of_text, current
from ui.markdown import md_escape

ctx = current()
lang, plan = ctx.lang, ctx.plan
result = data.scorecard(ctx.store, ctx.version, ctx.period)
rows = result[result["unit"] == ctx.unit].reset_index(drop=True)
unit = plan.unit(ctx.unit)
unit_name = unit.name(lang)

st.title(t("overview.title", lang))
st.caption(md_escape(t("overview.caption", lang, unit=unit_name, period=period_label(ctx.period, lang), n=len(rows))))
st.caption(as_of_text(ctx.as_of, lang))

st.subheader(t("overview.summary", lang))
shown = status_counts(rows, lang)
for column, (label, n) in zip(st.columns(max(len(shown), 1)), shown):
    column.metric(label, n)

st.subheader(t("overview.chart", lang))
st.plotly_chart(attainment_bullets(rows, plan, lang), width="stretch", config={"displaylogo": False})

st.subheader(t("overview.table", lang))
table = display_table(rows, plan, lang)
st.dataframe(table, hide_index=True, width="stretch", height=35 * (len(table) + 1) + 3)  # every row, no scroll
st.download_button(
    t("overview.download", lang),
    to_csv_bytes(table),
    file_name=f"tong-quan-{ctx.unit}-{ctx.period}.csv",
    mime="text/csv",
)
