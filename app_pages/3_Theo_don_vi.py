"""By unit: attainment heatmap of units × indicators, the emulation ranking by cluster, and one unit in detail."""

from __future__ import annotations

import streamlit as st

from kpi.charts import quarter_chart, ranking_chart, unit_heatmap
from kpi.emulation import emulation_ranking, score_breakdown
from kpi.emulation_view import breakdown_table, ranking_table, rules_text
from kpi.i18n import t
from kpi.periods import parse_period, period_label
from ui import data
from ui.frame import ALL, as_of_text, current
from ui.markdown import md_escape
from ui.tables import show_proposals, show_targets

ctx = current()
lang, plan = ctx.lang, ctx.plan
# The units that compete in the emulation: the chosen cluster's, or every cluster's.
members = [m for c in plan.clusters if ctx.cluster in (ALL, c.code) for m in c.members]
result = data.scorecard(ctx.store, ctx.version, ctx.period, tuple(members))

st.title(t("units.title", lang))
st.caption(f"{period_label(ctx.period, lang)} · {as_of_text(ctx.as_of, lang)}")

st.subheader(t("units.heatmap", lang))
st.caption(t("units.heatmap_help", lang))
st.plotly_chart(unit_heatmap(result, plan, lang), width="stretch", config={"displaylogo": False})

st.subheader(t("units.ranking", lang))
st.caption(md_escape(f"{rules_text(plan, lang)} {t('emu.click', lang)}"))
ranking = emulation_ranking(result, plan)
event = st.plotly_chart(ranking_chart(ranking, plan, lang), width="stretch", on_select="rerun",
                        selection_mode="points", key="ranking_chart", config={"displaylogo": False})
points = (event or {}).get("selection", {}).get("points", []) if event else []
# A static table that wraps (an interactive grid cut its last two columns at 1366 px). Rank, unit and score read
# first; the cluster is named only when several are shown (the chart's legend has its colour).
show_targets(ranking_table(ranking, plan, lang, with_cluster=ctx.cluster == ALL))
with st.expander(t("emu.proposals", lang)):
    st.caption(t("emu.proposals_help", lang))
    show_proposals(ranking, plan, lang, ctx.period)

# The unit in detail: the one clicked in the ranking, else the one chosen in the sidebar; the province is the
# overview's job, so with the province chosen the page asks rather than picking a unit by itself.
choices = ranking["unit"].tolist()
if ctx.unit != plan.plan.scope_unit and ctx.unit not in choices:
    choices.insert(0, ctx.unit)  # the unit chosen in the sidebar, even outside the cluster shown
if points:  # the bar's position in the ranking, whatever the list of choices holds
    st.session_state["drill_unit"] = ranking["unit"].iloc[points[0]["point_index"]]
elif st.session_state.get("drill_unit") not in choices:
    st.session_state["drill_unit"] = ctx.unit if ctx.unit in choices else None
drill = st.selectbox(t("units.drill_choose", lang), choices, key="drill_unit", placeholder=t("units.drill_ask", lang),
                     format_func=lambda c: plan.unit(c).name(lang))
if drill is None:
    st.info(t("units.drill_ask", lang))
    st.stop()
st.subheader(md_escape(t("units.drill", lang, unit=plan.unit(drill).name(lang))))
if drill in set(ranking["unit"]):  # how its emulation score is made, target by target
    with st.expander(md_escape(t("emu.breakdown", lang, unit=plan.unit(drill).name(lang)))):
        show_targets(breakdown_table(score_breakdown(result[result["unit"] == drill], plan), plan, drill, lang))
series = data.quarters(ctx.store, ctx.version, plan, drill)
through = parse_period(ctx.period).through_quarter  # no quarter after the chosen period is drawn
held = series[~series["status"].isin(["no_target"])]["indicator"].unique().tolist()
if not held:
    st.info(t("units.none", lang))
for left, right in zip(held[::2], [*held[1::2], None]):
    columns = st.columns(2)
    columns[0].plotly_chart(quarter_chart(series, plan, left, lang, through=through), width="stretch",
                            key=f"drill_{left}")
    if right:
        columns[1].plotly_chart(quarter_chart(series, plan, right, lang, through=through), width="stretch",
                                key=f"drill_{right}")
