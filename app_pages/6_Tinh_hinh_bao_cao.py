"""Reporting status: which unit has sent which indicator for which quarter; what is missing or late."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.approval import locks_frame
from kpi.charts import completeness_matrix
from kpi.completeness import completeness, missing_list
from kpi.i18n import t
from kpi.periods import parse_period, period_label
from kpi.review import approvals_table
from ui import data
from ui.downloads import download_table
from ui.frame import current
from ui.markdown import md_escape

ctx = current()
lang, plan = ctx.lang, ctx.plan
through = parse_period(ctx.period).through_quarter
# The reports of the unit chosen and every unit below it: the whole province from its root, one district's
# communes from that district, whatever the registry's size.
report = completeness(plan, data.received(ctx.store, ctx.version, plan.year, ctx.unit), through,
                      units=plan.subtree(ctx.unit))

st.title(t("completeness.title", lang))
st.caption(md_escape(t("completeness.caption", lang, unit=plan.unit(ctx.unit).name(lang),
                      period=period_label(ctx.period, lang), days=plan.plan.report_due_days)))
counts = report["state"].value_counts()
for column, state in zip(st.columns(4), ("on_time", "late", "missing", "not_due")):
    column.metric(t(f"report.{state}", lang), int(counts.get(state, 0)))

# Which quarters are approved (locked): their figures change only after a recorded reopening.
with ctx.store.connect() as conn:
    locks = locks_frame(conn)
locks = locks[locks["active"] & locks["period"].str.startswith(str(plan.year))]
st.subheader(t("completeness.approved", lang))
if locks.empty:
    st.caption(t("approvals.none", lang))
else:
    st.dataframe(approvals_table(locks, plan, lang).drop(columns=[t("col.reopened_by", lang),
                 t("col.reopened_at", lang), t("col.reason", lang)]), hide_index=True, width="stretch")

st.subheader(t("completeness.todo", lang))
todo = missing_list(report)
if todo.empty:
    st.success(t("completeness.all_in", lang))
else:
    table = pd.DataFrame({
        t("col.state", lang): [t(f"report.{s}", lang) for s in todo["state"]],
        t("col.unit", lang): [plan.unit(u).name(lang) for u in todo["unit"]],
        t("col.indicator", lang): [plan.indicator(i).name(lang) for i in todo["indicator"]],
        t("col.period", lang): [period_label(p, lang) for p in todo["period"]],
        t("col.due", lang): [d.strftime("%d/%m/%Y") for d in todo["due"]],
        t("col.received", lang): [r.strftime("%d/%m/%Y") if pd.notna(r) else "—" for r in todo["received"]],
        t("col.days_late", lang): [str(int(d)) if pd.notna(d) else "—" for d in todo["days_late"]],
    })
    st.dataframe(table, hide_index=True, width="stretch")
    download_table(table, f"can-don-doc-{ctx.period}", lang)

st.subheader(t("completeness.matrix", lang))
st.plotly_chart(completeness_matrix(report, plan, lang), width="stretch", config={"displaylogo": False})
