"""Indicator detail: one indicator across units and quarters, its definition and wording, the figures to download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.charts import attainment_by_unit
from kpi.fmt import format_figure
from kpi.i18n import t
from kpi.periods import period_label
from kpi.scorecard import display_table, plan_target_text
from ui import data
from ui.downloads import download_table
from ui.frame import as_of_text, current
from ui.markdown import md_escape
from ui.tables import show_targets

ctx = current()
lang, plan = ctx.lang, ctx.plan
ind = plan.indicator(ctx.indicator)

st.title(ind.name(lang))
st.caption(f"{t('indicator.title', lang)} · {as_of_text(ctx.as_of, lang)}")
st.subheader(t("indicator.definition", lang))
st.markdown(t("indicator.facts", lang, kind=t(f"kind.{ind.kind}", lang), target=md_escape(plan_target_text(ind, lang)),
              measure=md_escape(ind.measure(lang)), lead=md_escape(plan.unit(ind.lead_unit).name(lang)),
              clause=md_escape(ind.clause)))
st.text(f"{t('plan.wording', lang)}: {ind.wording_vi}\n{t('col.source', lang)}: {ind.source_vi}")

# The unit chosen and its own units: siblings side by side with their parent, however large the registry; the
# units below them are one choice of unit away.
units = tuple(plan.with_children(ctx.unit))
rows = data.scorecard(ctx.store, ctx.version, ctx.period, units, (ind.code,)).reset_index(drop=True)
st.subheader(t("indicator.by_unit", lang, period=period_label(ctx.period, lang)))
if plan.children(ctx.unit):  # a unit with none shows itself alone: nothing to explain
    st.caption(md_escape(t("indicator.units_shown", lang, unit=plan.unit(ctx.unit).name(lang))))
st.plotly_chart(attainment_by_unit(rows, plan, lang), width="stretch", config={"displaylogo": False})
show_targets(display_table(rows, plan, lang, one="indicator"))  # one indicator: its name is the title

st.subheader(t("indicator.figures", lang))
figures = data.figures(ctx.store, ctx.version, plan, units, ind.code)
# Downloads keep numbers as numbers (with the censoring sign apart); the screen shows them as people write them.
table = pd.DataFrame({
    t("col.unit", lang): figures["unit"],
    t("plan.name", lang): [plan.unit(u).name(lang) if plan.has_unit(u) else u for u in figures["unit"]],
    t("col.period", lang): figures["period"],
    t("col.value", lang): figures["value"],
    t("col.qualifier", lang): figures["qualifier"],
    t("template.note", lang): figures["note"].fillna(""),
    # The same words a file uses for the kind column, so a download can be sent back as it is.
    t("template.kind", lang): [t("kind.estimate" if e else "kind.official", lang) for e in figures["estimate"]],
    t("col.upload", lang): figures["upload_id"],
}).sort_values([t("col.unit", lang), t("col.period", lang)])
shown = table.assign(**{t("col.value", lang): [format_figure(v, q, lang, 4) for v, q in zip(
    table[t("col.value", lang)], table[t("col.qualifier", lang)])]}).drop(columns=t("col.qualifier", lang))
st.dataframe(shown, hide_index=True, width="stretch")
download_table(table, ind.code, lang)
