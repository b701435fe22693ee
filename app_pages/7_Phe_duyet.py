"""Period approval for approvers: lock a quarter for a unit, a unit and the units below it, or every unit; reopen
an approval with a reason. Every approval and reopening is in the audit."""

from __future__ import annotations

import streamlit as st

from kpi.approval import ApprovalError, Lock, approve, locks_frame, reopen
from kpi.i18n import t
from kpi.periods import parse_period, period_label
from kpi.review import approvals_table
from ui.frame import current

ctx = current()
lang, plan, store, actor = ctx.lang, ctx.plan, ctx.store, ctx.actor
st.title(t("approvals.title", lang))
st.caption(t("approvals.caption", lang))
names = {u.code: u.name(lang) for u in plan.units}
if "approval_done" in st.session_state:  # the outcome of the last approval or reopening, after the rerun
    st.success(st.session_state.pop("approval_done"))


def _announce(key: str, lock: Lock) -> None:
    """Say what was done once the page has been drawn again with the new list."""
    st.session_state["approval_done"] = t(key, lang, lock=lock.id, period=period_label(lock.period, lang),
                                          unit=_unit_text(lock.unit))
    st.rerun()


def _unit_text(unit: object) -> str:
    return names.get(unit, str(unit)) if isinstance(unit, str) else t("approvals.scope.all", lang)


with st.form("approve"):
    cols = st.columns(3)
    quarters = [f"{year}-Q{q}" for year in (plan.year, plan.baseline_year) for q in (1, 2, 3, 4)]
    shown = f"{ctx.period[:4]}-Q{parse_period(ctx.period).through_quarter}"  # the quarter the filter reaches
    period = cols[0].selectbox(t("approvals.period", lang), quarters, format_func=lambda p: period_label(p, lang),
                               index=quarters.index(shown) if shown in quarters else 0)
    scope = cols[1].radio(t("approvals.scope", lang), ["all", "subtree", "unit"],
                          format_func=lambda s: t(f"approvals.scope.{s}", lang))
    unit = cols[2].selectbox(t("col.unit", lang), list(names), format_func=lambda c: f"{c} — {names[c]}")
    if st.form_submit_button(t("approvals.approve", lang), type="primary"):
        try:
            lock = approve(store, ctx.plans, actor, period, None if scope == "all" else unit, scope == "subtree")
        except ApprovalError as exc:
            st.error(t(f"approval.{exc.code}", lang, **exc.params))
        else:
            _announce("approval.done", lock)

with store.connect() as conn:
    locks = locks_frame(conn)

st.subheader(t("approvals.list", lang))
if locks.empty:
    st.info(t("approvals.none", lang))
    st.stop()
st.dataframe(approvals_table(locks, plan, lang), hide_index=True, width="stretch")



active = locks[locks["active"]]
if not active.empty:
    with st.form("reopen"):
        by_id = active.set_index("id", drop=False)
        chosen = st.selectbox(t("approvals.reopen", lang), active["id"].tolist(),
                              format_func=lambda i: f"#{i} — {period_label(by_id.loc[i, 'period'], lang)} — "
                              f"{_unit_text(by_id.loc[i, 'unit'])}")
        reason = st.text_area(t("approvals.reason", lang), max_chars=500)
        if st.form_submit_button(t("approvals.reopen", lang)):
            try:
                lock = reopen(store, actor, int(chosen), reason)
            except ApprovalError as exc:
                st.error(t(f"approval.{exc.code}", lang, **exc.params))
            else:
                _announce("approval.reopened", lock)
