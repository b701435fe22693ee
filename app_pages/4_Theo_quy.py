"""By quarter: for one unit, each indicator's quarters up to the chosen period against the pace to its target, with
the changes. The rank indices, published once a year, share one chart."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from kpi.charts import quarter_chart, rank_chart
from kpi.fmt import format_figure, format_number
from kpi.i18n import t
from kpi.periods import parse_period, period_label
from kpi.wording import actual_text, missing_text, row_status
from ui import data
from ui.frame import as_of_text, current
from ui.markdown import md_escape


def _shown(series: pd.DataFrame, codes: list[str]) -> list[str]:
    """The indicators (of `codes`) with a figure in the quarters of `series`. An indicator sent only as half-year,
    9-month or year totals has no quarter of its own but a year to date."""
    has_figure = series[["period_value", "actual"]].notna().any(axis=1)
    present = set(series.loc[has_figure, "indicator"])
    return [code for code in codes if code in present]


# Figures are built once per data version, unit, period end and language, and shared as they are: building the
# page's thirteen takes ~0,3 s and a pickled copy (st.cache_data) costs ~0,2 s to read back, while Streamlit only
# reads a figure it is given (it draws from a copy), so a shared one is never changed.
@st.cache_resource(show_spinner=False, max_entries=64)
def _figures(url: str, version: int, year: int, unit: str, through: int, lang: str) -> list[tuple[str, go.Figure]]:
    """(key, figure) for each chart of the page: an indicator's quarters, then the ranks for the province."""
    store, plans = data.store_and_plans(url)
    plan = plans[year]
    series = data.quarters(store, version, plan, unit)
    upto = series[series["quarter"] <= through]
    codes = _shown(upto, [i.code for i in plan.indicators if i.kind != "rank_gain"])
    figures = [(f"q_{code}", quarter_chart(series, plan, code, lang, through=through)) for code in codes]
    if unit == plan.plan.scope_unit and any(i.kind == "rank_gain" for i in plan.indicators):
        figures.append(("q_ranks", rank_chart(series, plan, lang, through=through)))  # awaited or published
    return figures


ctx = current()
lang, plan = ctx.lang, ctx.plan
through = parse_period(ctx.period).through_quarter  # the page shows the quarters the chosen period covers
series = data.quarters(ctx.store, ctx.version, plan, ctx.unit)
upto = series[series["quarter"] <= through]

st.title(t("quarters.title", lang))
st.caption(md_escape(f"{t('quarters.caption', lang, unit=plan.unit(ctx.unit).name(lang), year=plan.year)} · "
                     f"{t('chart.through', lang, period=period_label(ctx.period, lang))} · "
                     f"{as_of_text(ctx.as_of, lang)}"))
figures = _figures(ctx.store.url, ctx.version, plan.year, ctx.unit, through, lang)
by_quarter = [(key, figure) for key, figure in figures if key != "q_ranks"]
for n in range(0, len(by_quarter), 2):
    for column, (key, figure) in zip(st.columns(2), by_quarter[n:n + 2]):
        column.plotly_chart(figure, width="stretch", config={"displaylogo": False}, key=key)
for key, figure in figures:
    if key == "q_ranks":  # a row a rank index: the page's whole width
        st.plotly_chart(figure, width="stretch", config={"displaylogo": False}, key=key)

st.subheader(t("quarters.changes", lang))
# A quarter with reports missing stays in the table, its status naming them, rather than vanishing.
shown = _shown(upto, [i.code for i in plan.indicators])
reached = upto["as_of"].fillna(0).astype(int) >= upto["quarter"]
rows = upto[upto["indicator"].isin(shown) & (upto["period_value"].notna() | reached)]
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
