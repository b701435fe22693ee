"""Overview for leadership: every target of the plan for one unit and period, with status, chart and table.

The default page of `app.py`'s frame. It reads the filters, asks `kpi` for the evaluation, and draws.
"""

from __future__ import annotations

import streamlit as st

from kpi.charts import attainment_bullets
from kpi.fmt import format_number
from kpi.i18n import t
from kpi.periods import period_label
from kpi.scorecard import display_table, export_table
from kpi.wording import status_counts
from ui import data
from ui.downloads import download_table
from ui.frame import as_of_text, current
from ui.markdown import md_escape
from ui.tables import show_targets

ctx = current()
lang, plan = ctx.lang, ctx.plan
rows = data.scorecard(ctx.store, ctx.version, ctx.period, (ctx.unit,)).reset_index(drop=True)
unit = plan.unit(ctx.unit)
unit_name = unit.name(lang)

st.title(t("overview.title", lang))
st.caption(md_escape(t("overview.caption", lang, unit=unit_name, period=period_label(ctx.period, lang), n=len(rows))))
st.caption(as_of_text(ctx.as_of, lang))

st.subheader(t("overview.summary", lang))
shown = status_counts(rows, lang)
for column, (label, n) in zip(st.columns(max(len(shown), 1)), shown):
    column.metric(label, format_number(n, lang, 0))

st.subheader(t("overview.chart", lang))
st.plotly_chart(attainment_bullets(rows, plan, lang), width="stretch", config={"displaylogo": False})

st.subheader(t("overview.table", lang))
table = display_table(rows, plan, lang, one="unit")  # one unit: its name is in the caption, not on every row
show_targets(table)
# The download keeps figures as numbers (Excel can sum them); the screen shows them as people write them.
download_table(export_table(rows, plan, lang, one="unit"), f"tong-quan-{ctx.unit}-{ctx.period}", lang)
