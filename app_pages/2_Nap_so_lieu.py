"""Upload page for analysts: check a file, see every problem and what will change, then write; templates;
recent uploads with undo; the history of a figure. The frame lets only users with the upload permission in; the
file is checked and written as the signed-in user (their units, the approved quarters)."""

from __future__ import annotations

import hashlib

import streamlit as st

from kpi.i18n import t
from kpi.ingest import Outdated, Source, check, commit
from kpi.review import changes_table, history_table, problems_table, uploads_table
from kpi.revisions import UndoError, history, recent_uploads, undo_upload
from kpi.store import DatabaseBusy
from kpi.template import template_csv, template_frame, template_xlsx
from ui.frame import current
from ui.markdown import md_escape

ctx = current()
lang, plan, store = ctx.lang, ctx.plan, ctx.store
st.title(t("upload.title", lang))

with st.expander(t("upload.template", lang)):
    periods = [f"{plan.year}-Q{q}" for q in (1, 2, 3, 4)] + [str(plan.year), str(plan.baseline_year)]
    chosen = st.selectbox(t("upload.template_period", lang), periods, key="template_period")
    blank = template_frame(plan, chosen, lang)
    left, right = st.columns(2)
    left.download_button(t("upload.template_csv", lang), template_csv(blank), f"mau-so-lieu-{chosen}.csv", "text/csv")
    right.download_button(t("upload.template_xlsx", lang), template_xlsx(blank), f"mau-so-lieu-{chosen}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

upload = st.file_uploader(t("upload.file", lang), type=["csv", "txt", "tsv", "xlsx"], key="upload_file")
decimals = {"auto": None, "comma": "comma", "dot": "dot"}
decimal_choice = st.radio(t("upload.decimal", lang), list(decimals), horizontal=True, key="upload_decimal",
                          format_func=lambda k: t(f"upload.decimal.{k}", lang))
actor = ctx.actor

#: The preview lists at most this many changed figures; the counts above it cover all of them.
PREVIEW_ROWS = 500

if upload is not None:
    data = upload.getvalue()
    check_key = (hashlib.sha256(data).hexdigest(), decimal_choice, actor.name)
    progress = st.progress(0, text=t("upload.step.read", lang))
    if st.session_state.get("upload_check_key") != check_key:
        progress.progress(30, text=t("upload.step.check", lang))
        # The page keeps this Checked and commits exactly it: what is written is what the preview shows.
        try:
            st.session_state["upload_check"] = check(store, ctx.plans, Source(upload.name, data),
                                                     decimal=decimals[decimal_choice], actor=actor)
        except DatabaseBusy:
            st.warning(t("busy", lang))
            st.stop()
        st.session_state["upload_check_key"] = check_key
    progress.progress(100, text=t("upload.step.done", lang))
    checked = st.session_state["upload_check"]
    if st.session_state.pop("upload_outdated", False):
        st.warning(t("upload.outdated", lang))
    # A rejected file's figures are not counted (nothing was classified): no "0 số liệu" beside its problems.
    figures = t("upload.detected.figures", lang, rows=sum(checked.counts.values())) if checked.ok else ""
    st.caption(t("upload.detected", lang, encoding=checked.encoding or "—", separator=repr(checked.separator or "—"),
                 decimal=t(f"decimal.{checked.decimal or 'none'}", lang), layout=t(f"layout.{checked.layout}", lang))
               + figures)
    if checked.blocking:
        st.error(t("upload.rejected", lang))
        st.subheader(t("upload.problems", lang, n=len(checked.blocking)))
        st.dataframe(problems_table(checked.blocking, lang), hide_index=True, width="stretch")
    if checked.warnings:
        st.subheader(t("upload.warnings", lang, n=len(checked.warnings)))
        st.dataframe(problems_table(checked.warnings, lang), hide_index=True, width="stretch")
    if checked.ok:
        st.subheader(t("upload.changes", lang))
        counts = st.columns(3)
        for column, change in zip(counts, ("new", "revised", "unchanged")):
            column.metric(t(f"upload.{change}", lang), checked.count(change))
        st.dataframe(changes_table(checked, lang, limit=PREVIEW_ROWS), hide_index=True, width="stretch")
        if st.button(t("upload.confirm", lang), type="primary", disabled=checked.to_write == 0, key="upload_confirm"):
            progress.progress(60, text=t("upload.step.write", lang))
            try:
                done = commit(store, ctx.plans, checked, source="app")
            except Outdated as stale:
                st.session_state["upload_check"] = stale.fresh  # show what the file would write now
                st.session_state["upload_outdated"] = True
                st.rerun()
            except DatabaseBusy:
                st.warning(t("busy", lang))
            else:
                progress.progress(100, text=t("upload.step.done", lang))
                st.success(md_escape(done.summary(lang)))  # the file name is the user's
                st.session_state.pop("upload_check_key", None)

st.subheader(t("upload.recent", lang))
with store.connect() as conn:
    recent = recent_uploads(conn, 30)
if recent.empty:
    st.info(t("upload.none", lang))
else:
    st.dataframe(uploads_table(recent, lang), hide_index=True, width="stretch")
    # Only the uploads this user may undo (their own; an administrator any) are offered.
    mine = recent["author"].map(lambda author: actor.may_undo(author if isinstance(author, str) else None))
    live = recent[recent["undone_at"].isna() & mine.astype(bool)]
    with st.expander(t("upload.undo", lang)):
        target = st.selectbox(t("col.upload", lang), live["id"].tolist(), key="undo_id",
                              format_func=lambda i: f"#{i} — {live.set_index('id').loc[i, 'file_name']}")
        sure = st.checkbox(t("upload.undo_confirm", lang), key="undo_sure")
        if st.button(t("upload.undo_button", lang), disabled=not sure or target is None, key="undo_button"):
            try:
                done = undo_upload(store, int(target), actor, ctx.plans)
                st.success(t("undo.done", lang, upload=done.upload_id, withdrawn=done.withdrawn,
                             restored=done.restored))
            except UndoError as exc:
                st.error(md_escape(t(f"undo.{exc.code}", lang, upload=exc.upload_id, **exc.params)))

with st.expander(t("upload.history", lang)):
    cols = st.columns(3)
    unit = cols[0].selectbox(t("col.unit", lang), [u.code for u in plan.units], key="history_unit",
                             format_func=lambda c: f"{c} — {plan.unit(c).name(lang)}")
    indicator = cols[1].selectbox(t("col.indicator", lang), [i.code for i in plan.indicators], key="history_indicator",
                                  format_func=lambda c: plan.indicator(c).name(lang))
    period = cols[2].selectbox(t("col.period", lang), ["", *periods], key="history_period")
    with store.connect() as conn:
        revisions = history(conn, unit, indicator, period or None)
    st.dataframe(history_table(revisions, lang), hide_index=True, width="stretch")
