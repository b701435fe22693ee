"""By quarter: for one unit, each indicator's quarters against the pace to its target, with the changes."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.charts import quarter_chart
from kpi.fmt import format_figure, format_number
from kpi.i18n import t
from kpi.wording import actual_text, missing_text, row_status
from ui import data
from ui.frame import as_of_text, current
from ui.markdown import md_escape

ctx = current()
lang, plan = ctx.lang, ctx.plan
series = data.quarters(ctx.store, ctx.version, plan, ctx.unit)

st.title(t("quarters.title", lang))
st.caption(md_escape(f"{t('quarters.caption', lang, unit=plan.unit(ctx.unit).name(lang), year=plan.year)} · "
                     f"{as_of_text(ctx.as_of, lang)}"))
# An indicator sent only as half-year, 9-month or year totals has no quarter of its own but a year to date.
shown = [i.code for i in plan.indicators
         if series.loc[series["indicator"] == i.code, ["period_value", "actual"]].notna().any().any()
         or i.kind == "rank_gain" and ctx.unit == plan.plan.scope_unit]
for left, right in zip(shown[::2], [*shown[1::2], None]):
    columns = st.columns(2)
    columns[0].plotly_chart(quarter_chart(series, plan, left, lang), width="stretch", key=f"q_{left}")
    if right:
        columns[1].plotly_chart(quarter_chart(series, plan, right, lang), width="stretch", key=f"q_{right}")

st.subheader(t("quarters.changes", lang))
# A quarter with reports missing stays in the table, its status naming them, rather than vanishing.
reached = series["as_of"].fillna(0).astype(int) >= series["quarter"]
rows = series[series["indicator"].isin(shown) & (series["period_value"].notna() | reached)]
records = rows.to_dict("records")
st.dataframe(pd.DataFrame({
    t("col.indicator", lang): [plan.indicator(i).name(lang) for i in rows["indicator"]],
    t("col.quarter", lang): [f"Q{q}" for q in rows["quarter"]],
    t("col.period_value", lang): [format_figure(v, None, lang, plan.indicator(i).decimals)
                                  for v, i in zip(rows["period_value"], rows["indicator"])],
    t("col.ytd", lang): [actual_text(r, plan, lang) for r in records],
    t("col.last_year", lang): [format_figure(v, None, lang, plan.indicator(i).decimals)
                               for v, i in zip(rows["last_year"], rows["indicator"])],
    t("col.qoq", lang): [format_number(v, lang, 1) for v in rows["qoq"]],
    t("col.yoy", lang): [format_number(v, lang, 1) for v in rows["yoy"]],
    t("col.status", lang): [row_status(r, lang) for r in records],
    t("col.missing", lang): [missing_text(r["missing"], plan, lang) for r in records],
}), hide_index=True, width="stretch")
