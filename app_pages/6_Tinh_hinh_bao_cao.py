"""Reporting status: which unit has sent which indicator for which quarter; what is missing or late."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from kpi.approval import locks_frame
from kpi.charts import completeness_matrix
from kpi.completeness import LIST_ROWS, MATRIX_UNITS, STATES, completeness, counts_below, missing_list
from kpi.fmt import format_day, format_number
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
unit_name = plan.unit(ctx.unit).name(lang)
whose = t("completeness.with_units", lang, unit=unit_name) if plan.children(ctx.unit) else unit_name
st.caption(md_escape(t("completeness.caption", lang, whose=whose, period=period_label(ctx.period, lang),
                       days=plan.plan.report_due_days)))
counts = report["state"].value_counts()
for column, state in zip(st.columns(len(STATES)), STATES):
    column.metric(t(f"report.{state}", lang), format_number(int(counts.get(state, 0)), lang, 0))

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
    def each(column: str, word: Callable[[Any], str]) -> list[str]:
        """`word` of every value of `column` ("—" for none), worked out once per distinct value (a country's list
        is 291,538 rows of a few thousand units and a handful of periods)."""
        values = todo[column].astype(object)
        words = {value: word(value) for value in values.dropna().unique()}
        return [words.get(value, "—") for value in values]

    table = pd.DataFrame({
        t("col.state", lang): each("state", lambda s: t(f"report.{s}", lang)),
        t("col.unit", lang): each("unit", lambda u: plan.unit(u).name(lang)),
        t("col.indicator", lang): each("indicator", lambda i: plan.indicator(i).name(lang)),
        t("col.period", lang): each("period", lambda p: period_label(p, lang)),
        t("col.due", lang): each("due", lambda d: d.strftime("%d/%m/%Y")),
        # Stamped in UTC; the day in Vietnam is the one the lateness counts from.
        t("col.received", lang): each("received", lambda r: format_day(r.to_pydatetime())),
        t("col.days_late", lang): each("days_late", lambda d: str(int(d))),
    })
    if len(table) > LIST_ROWS:  # the browser gets the first rows; the files hold every one
        st.caption(t("completeness.first_rows", lang, shown=format_number(LIST_ROWS, lang, 0),
                     n=format_number(len(table), lang, 0)))
    st.dataframe(table.head(LIST_ROWS), hide_index=True, width="stretch")
    download_table(table, f"can-don-doc-{ctx.period}", lang)

st.subheader(t("completeness.matrix", lang))
reporting_units = report["unit"].nunique()
if reporting_units <= MATRIX_UNITS:
    st.plotly_chart(completeness_matrix(report, plan, lang), width="stretch", config={"displaylogo": False})
else:  # a country's communes: counts per unit directly under the one chosen, each a choice of unit away
    st.caption(t("completeness.too_many", lang, n=format_number(reporting_units, lang, 0),
                 most=format_number(MATRIX_UNITS, lang, 0)))
    below = counts_below(report, plan, ctx.unit)
    shown = pd.DataFrame({t("col.unit", lang): [plan.unit(u).name(lang) for u in below["unit"]],
                          **{t(f"report.{state}", lang): [format_number(n, lang, 0) for n in below[state]]
                             for state in STATES}})
    st.dataframe(shown, hide_index=True, width="stretch")
