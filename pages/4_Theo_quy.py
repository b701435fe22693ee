"""By quarter: for one unit, each indicator's quarters against the pace to its target, with the changes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.charts import quarter_chart
from kpi.fmt import format_figure, format_number
from kpi.i18n import t
from ui import data
from ui.frame import as_of_text, frame, md_escape

ctx = frame("nav.quarters")
lang, plan = ctx.lang, ctx.plan
series = data.quarters(ctx.store, ctx.version, plan, ctx.unit)

st.title(t("quarters.title", lang))
st.caption(md_escape(f"{t('quarters.caption', lang, unit=plan.unit(ctx.unit).name(lang), year=plan.year)} · "
                     f"{as_of_text(ctx.as_of, lang)}"))
shown = [i.code for i in plan.indicators if series[(series["indicator"] == i.code)]["period_value"].notna().any()
         or i.kind == "rank_gain" and ctx.unit == plan.plan.scope_unit]
for left, right in zip(shown[::2], [*shown[1::2], None]):
    columns = st.columns(2)
    columns[0].plotly_chart(quarter_chart(series, plan, left, lang), width="stretch", key=f"q_{left}")
    if right:
        columns[1].plotly_chart(quarter_chart(series, plan, right, lang), width="stretch", key=f"q_{right}")

st.subheader(t("quarters.changes", lang))
rows = series[series["indicator"].isin(shown) & series["period_value"].notna()]
st.dataframe(pd.DataFrame({
    t("col.indicator", lang): [plan.indicator(i).name(lang) for i in rows["indicator"]],
    t("col.quarter", lang): [f"Q{q}" for q in rows["quarter"]],
    t("col.period_value", lang): [format_figure(v, None, lang, plan.indicator(i).decimals)
                                  for v, i in zip(rows["period_value"], rows["indicator"])],
    t("col.ytd", lang): [format_figure(v, q, lang, plan.indicator(i).decimals)
                         for v, q, i in zip(rows["actual"], rows["actual_qualifier"], rows["indicator"])],
    t("col.last_year", lang): [format_figure(v, None, lang, plan.indicator(i).decimals)
                               for v, i in zip(rows["last_year"], rows["indicator"])],
    t("col.qoq", lang): [format_number(v, lang, 1) for v in rows["qoq"]],
    t("col.yoy", lang): [format_number(v, lang, 1) for v in rows["yoy"]],
}), hide_index=True, width="stretch")
