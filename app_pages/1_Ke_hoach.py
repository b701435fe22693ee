"""The plan as declared: its targets with the plan's own wording, the reporting units and emulation clusters."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.i18n import t
from kpi.scorecard import plan_target_text
from ui.frame import current
from ui.markdown import md_escape

ctx = current()
lang, plan = ctx.lang, ctx.plan
names = {u.code: u.name(lang) for u in plan.units}

st.title(t("plan.title", lang))
st.caption(md_escape(plan.plan.title_en if lang == "en" else plan.plan.title_vi))

st.subheader(t("plan.indicators", lang))
st.dataframe(
    pd.DataFrame(
        {
            t("plan.code", lang): i.code,
            t("col.indicator", lang): i.name(lang),
            t("plan.kind", lang): t(f"kind.{i.kind}", lang),
            t("col.target", lang): plan_target_text(i, lang),
            t("col.measure", lang): i.measure(lang),
            t("plan.reported_by", lang): ", ".join(plan.reporters(i)),
            t("plan.clause", lang): i.clause,
            t("plan.wording", lang): i.wording_vi,
            t("col.source", lang): i.source_vi,
        }
        for i in plan.indicators
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(t("plan.units", lang))
st.dataframe(
    pd.DataFrame(
        {
            t("plan.code", lang): u.code,
            t("plan.name", lang): names[u.code],
            t("plan.parent", lang): names.get(u.parent or "", ""),
            t("plan.cluster", lang): c.name(lang) if (c := plan.cluster_of(u.code)) else "",
        }
        for u in plan.units
    ),
    hide_index=True,
    width="stretch",
)

st.subheader(t("plan.clusters", lang))
st.dataframe(
    pd.DataFrame(
        {
            t("plan.code", lang): c.code,
            t("plan.name", lang): c.name(lang),
            t("plan.members", lang): ", ".join(names[m] for m in c.members),
        }
        for c in plan.clusters
    ),
    hide_index=True,
    width="stretch",
)
