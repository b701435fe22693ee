"""Upload page for analysts: check a file, see every problem and what will change, then write; templates;
recent uploads with undo; the history of a figure. The frame lets only users with the upload permission in; the
file is checked and written as the signed-in user (their units, the approved quarters).

Each action (writing, undoing) reruns the page once it is done, so everything on it — the preview, the recent
uploads, what may still be undone — shows the database as the action left it; the action's outcome is kept in
`st.session_state` for that run."""

from __future__ import annotations

import hashlib
import math

import streamlit as st

from kpi.fmt import format_number
from kpi.i18n import t
from kpi.ingest import Checked, Limits, Outdated, Source, check, commit
from kpi.periods import period_label
from kpi.plan import Plan
from kpi.problems import Problem
from kpi.review import changes_table, format_size, history_table, problems_table, uploads_table
from kpi.revisions import UndoError, history, recent_uploads, undo_upload
from kpi.store import DatabaseBusy
from kpi.template import template_csv, template_frame, template_xlsx
from ui.downloads import XLSX_MIME
from ui.frame import current
from ui.markdown import md_escape

#: The preview lists at most this many changed figures; the counts above it cover all of them.
PREVIEW_ROWS = 500
FILE_TYPES = ["csv", "txt", "tsv", "xlsx"]
#: The undo controls, emptied after an undo so that nothing stays armed for the next one.
UNDO_KEYS = ("undo_id", "undo_sure")
#: A problem's reason wraps in its row instead of being cut. The columns have fixed widths that fit the page on a
#: 1366-px screen (about 900 px), the reason taking what the others leave; rows are as tall as the longest reason
#: needs, counting fewer characters a line than fit in 600 px (~85) so that a narrower window still shows every word,
#: and these pixels a line plus the row's padding. Streamlit wraps cell text only in rows taller than 64 px.
COLUMN_PX = {"line": 60, "column": 110, "value": 110, "reason": 600}
REASON_CHARS_PER_LINE = 60
LINE_PX, ROW_PAD_PX, WRAPPING_ROW_PX = 20, 12, 68
#: The problems table shows at most this many rows before it scrolls.
PROBLEM_ROWS_SHOWN = 8


def announce(where: str, kind: str, text: str) -> None:
    """Keep an action's outcome for the run `st.rerun` starts: `kind` is success, warning or error, `where` the
    part of the page it belongs to (upload or undo), `text` Markdown-safe. Returns None."""
    st.session_state["upload_outcome"] = (where, kind, text)


def show_outcome(where: str) -> None:
    """Show the outcome kept for `where`, once: the next action's rerun has its own. Returns None."""
    # Always a slot, filled or not: the elements below keep their place from run to run, so an open expander (the
    # undo form) stays open when the message is gone on the next run.
    slot = st.empty()
    outcome = st.session_state.get("upload_outcome")
    if outcome and outcome[0] == where:
        del st.session_state["upload_outcome"]
        {"success": slot.success, "warning": slot.warning, "error": slot.error}[outcome[1]](outcome[2])


def decimal_words(checked: Checked, lang: str) -> str:
    """The caption's words for the file's decimal mark: the mark, "not needed" only when every number is whole,
    "undecided" when some number reads two ways, '—' when the file was refused before its numbers were read."""
    if not checked.decimal:
        return "—"
    if checked.decimal == "none" and any(p.code == "ambiguous_number" for p in checked.problems):
        return t("upload.decimal_undecided", lang)
    return t(f"decimal.{checked.decimal}", lang)


def show_problems(title: str, problems: list[Problem], plan: Plan, lang: str) -> None:
    """A subheader and the problems table, units and indicators named from `plan`, every reason whole (wrapped in
    tall enough rows). Returns None."""
    st.subheader(title)
    table = problems_table(problems, lang, plan)
    reason = t("col.reason", lang)
    lines = math.ceil(max(len(r) for r in table[reason]) / REASON_CHARS_PER_LINE)
    row_height = max(WRAPPING_ROW_PX, ROW_PAD_PX + LINE_PX * lines) if lines > 1 else None
    st.dataframe(table, hide_index=True, width="stretch", row_height=row_height,
                 height=35 + (row_height or 35) * min(len(table), PROBLEM_ROWS_SHOWN) + 3,
                 column_config={t("col.line", lang): st.column_config.NumberColumn(width=COLUMN_PX["line"]),
                                t("col.column", lang): st.column_config.TextColumn(width=COLUMN_PX["column"]),
                                t("col.value", lang): st.column_config.TextColumn(width=COLUMN_PX["value"]),
                                reason: st.column_config.TextColumn(width=COLUMN_PX["reason"])})


ctx = current()
lang, plan, store, actor = ctx.lang, ctx.plan, ctx.store, ctx.actor
if st.session_state.pop("undo_reset", False):
    for key in UNDO_KEYS:  # before the widgets exist in this run: the only time their values may be cleared
        st.session_state.pop(key, None)

st.title(t("upload.title", lang))

with st.expander(t("upload.template", lang)):
    periods = [f"{plan.year}-Q{q}" for q in (1, 2, 3, 4)] + [str(plan.year), str(plan.baseline_year)]
    chosen = st.selectbox(t("upload.template_period", lang), periods, key="template_period")
    blank = template_frame(plan, chosen, lang)
    left, right = st.columns(2)
    left.download_button(t("upload.template_csv", lang), template_csv(blank), f"mau-so-lieu-{chosen}.csv", "text/csv")
    right.download_button(t("upload.template_xlsx", lang), template_xlsx(blank), f"mau-so-lieu-{chosen}.xlsx",
                          XLSX_MIME)

max_bytes = Limits.from_env().max_file_bytes
# Streamlit's drop zone says "Upload" and "… per file" in English whatever the app does (no option in 1.67): the
# Vietnamese line above it gives the accepted types and the limit the check holds files to.
st.caption(t("upload.accepts", lang, size=format_size(max_bytes, lang)))
# A new key after each write gives an empty uploader: the written file is not offered for writing again.
nonce = st.session_state.get("upload_nonce", 0)
upload = st.file_uploader(t("upload.file", lang), type=FILE_TYPES, key=f"upload_file_{nonce}",
                          help=t("upload.file_help", lang),
                          # The browser refuses a file over the limit before sending it (Streamlit counts a MB as
                          # 1000² bytes, 1024² in a browser on Windows); the check still holds the exact limit.
                          max_upload_size=max(1, math.ceil(max_bytes / 1_000_000)))
decimals = {"auto": None, "comma": "comma", "dot": "dot"}
decimal_choice = st.radio(t("upload.decimal", lang), list(decimals), horizontal=True, key="upload_decimal",
                          format_func=lambda k: t(f"upload.decimal.{k}", lang))
show_outcome("upload")

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
    st.caption(f"{md_escape(upload.name)} · {format_size(len(data), lang)} · "  # the file name is the user's
               + t("upload.detected", lang, encoding=checked.encoding or "—",
                   separator=repr(checked.separator) if checked.separator else "—",
                   decimal=decimal_words(checked, lang), layout=t(f"layout.{checked.layout}", lang))
               + figures)
    if checked.blocking:
        st.error(t("upload.rejected", lang))
        show_problems(t("upload.problems", lang, n=len(checked.blocking)), checked.blocking, plan, lang)
    if checked.warnings:
        show_problems(t("upload.warnings", lang, n=len(checked.warnings)), checked.warnings, plan, lang)
    if checked.ok:
        st.subheader(t("upload.changes", lang))
        counts = st.columns(3)
        for column, change in zip(counts, ("new", "revised", "unchanged")):
            column.metric(t(f"upload.{change}", lang), format_number(checked.count(change), lang, 0))
        st.dataframe(changes_table(checked, lang, limit=PREVIEW_ROWS, plan=plan), hide_index=True, width="stretch",
                     column_config={t("col.line", lang): st.column_config.NumberColumn(width=COLUMN_PX["line"])})
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
                announce("upload", "success", md_escape(done.summary(lang)))  # the file name is the user's
                # Nothing of the written preview stays on the page to be confirmed a second time.
                for key in ("upload_check", "upload_check_key"):
                    st.session_state.pop(key, None)
                st.session_state["upload_nonce"] = nonce + 1
                st.rerun()

st.subheader(t("upload.recent", lang))
show_outcome("undo")
with store.connect() as conn:
    recent = recent_uploads(conn, 30)
if recent.empty:
    st.info(t("upload.none", lang))
else:
    st.dataframe(uploads_table(recent, lang), hide_index=True, width="stretch",
                 column_config={t("col.upload", lang): st.column_config.NumberColumn(width=COLUMN_PX["line"])})
    # Only the uploads this user may undo (their own; an administrator any) and still in effect are offered.
    mine = recent["author"].map(lambda author: actor.may_undo(author if isinstance(author, str) else None))
    live = recent[recent["undone_at"].isna() & mine.astype(bool)]
    names = dict(zip(live["id"], live["file_name"]))
    with st.expander(t("upload.undo", lang)):
        if live.empty:
            st.caption(t("upload.undo_nothing", lang))
        else:
            target = st.selectbox(t("col.upload", lang), list(names), key="undo_id",
                                  format_func=lambda i: f"#{i} — {names[i]}")
            sure = st.checkbox(t("upload.undo_confirm", lang), key="undo_sure")
            if st.button(t("upload.undo_button", lang), disabled=not sure or target is None, key="undo_button"):
                try:
                    done = undo_upload(store, int(target), actor, ctx.plans)
                except UndoError as exc:
                    st.error(md_escape(t(f"undo.{exc.code}", lang, upload=exc.upload_id, **exc.params)))
                except DatabaseBusy:
                    st.warning(t("busy", lang))
                else:
                    announce("undo", "success", t("undo.done", lang, upload=done.upload_id, withdrawn=done.withdrawn,
                                                  restored=done.restored))
                    st.session_state["undo_reset"] = True
                    # A file still on the page is compared again with the figures the undo made current.
                    st.session_state.pop("upload_check_key", None)
                    st.rerun()

with st.expander(t("upload.history", lang)):
    cols = st.columns(3)
    unit = cols[0].selectbox(t("col.unit", lang), [u.code for u in plan.units], key="history_unit",
                             format_func=lambda c: f"{c} — {plan.unit(c).name(lang)}")
    indicator = cols[1].selectbox(t("col.indicator", lang), [i.code for i in plan.indicators], key="history_indicator",
                                  format_func=lambda c: plan.indicator(c).name(lang))
    period = cols[2].selectbox(t("col.period", lang), ["", *periods], key="history_period",
                               format_func=lambda p: period_label(p, lang) if p else t("admin.any", lang))
    with store.connect() as conn:
        revisions = history(conn, unit, indicator, period or None)
    # The unit and the indicator are the ones chosen just above: without them the table fits a 1366-px screen.
    st.dataframe(history_table(revisions, lang, plan).drop(columns=[t("col.unit", lang), t("col.indicator", lang)]),
                 hide_index=True, width="stretch")
