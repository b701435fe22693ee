"""Review reports: the sơ kết / tổng kết of the chosen period and unit, read on screen as the office would write it,
and downloaded as a workbook (`kpi.report`); the same report `kpi report` writes."""

from __future__ import annotations

import streamlit as st

from kpi.emulation_view import rules_text
from kpi.i18n import t
from kpi.periods import period_label
from kpi.report.sentences import report_period
from ui import data
from ui.downloads import DOCX_MIME, XLSX_MIME
from ui.frame import current
from ui.markdown import md_escape
from ui.tables import show_proposals

ctx = current()
lang, plan = ctx.lang, ctx.plan
review, workbook = data.review(ctx.store, ctx.version, ctx.period, ctx.unit, lang)

st.title(t("reports.title", lang))
st.caption(md_escape(t("review.heading", lang, unit=plan.unit(ctx.unit).name(lang),
                       period=report_period(ctx.period, lang))))
# The printable report draws every chart in a browser (seconds): made on request, then kept per data version.
wanted = ("print", ctx.version, ctx.period, ctx.unit, lang)
with st.container(horizontal=True):
    st.download_button(t("reports.download", lang), workbook, f"bao-cao-{ctx.unit}-{ctx.period}.xlsx",
                       XLSX_MIME, type="primary", on_click="ignore", help=t("reports.download_help", lang))
    if st.button(t("reports.make_print", lang), help=t("reports.make_print_help", lang)):
        st.session_state["print_wanted"] = wanted
if st.session_state.get("print_wanted") == wanted:
    with st.spinner(t("reports.making", lang)):
        docx, pdf = data.printable(ctx.store, ctx.version, ctx.period, ctx.unit, lang)
    stem = f"bao-cao-{ctx.unit}-{ctx.period}"
    with st.container(horizontal=True):
        st.download_button(t("reports.docx", lang), docx, f"{stem}.docx", DOCX_MIME, on_click="ignore")
        st.download_button(t("reports.pdf", lang), pdf, f"{stem}.pdf", "application/pdf", on_click="ignore")
if not review.has_data:
    st.info(t("review.no_data", lang, period=report_period(ctx.period, lang)))
    st.stop()
st.subheader(t("review.results", lang))
for n, section in enumerate(review.sections):
    # The chosen unit first, open; each unit below it folded.
    with st.expander(md_escape(plan.unit(section.unit).name(lang))) if n else st.container():
        for sentence in section.rows["sentence"]:
            st.text(f"- {sentence}")  # text, not Markdown: names and figures are shown as they are
if not review.ranking.empty:  # the province's report: the council's table comes with it
    st.subheader(t("emu.proposals", lang))
    st.caption(md_escape(f"{rules_text(plan, lang)} {t('emu.proposals_help', lang)}"))
    show_proposals(review.ranking, plan, lang, ctx.period)
st.subheader(t("review.not_reported", lang))
if review.not_reported.empty:
    st.caption(t("review.all_reported", lang))
else:
    for unit, rows in review.not_reported.groupby("unit", sort=False):
        names = ", ".join(f"{plan.indicator(i).name(lang)} ({period_label(p, lang)})"
                          for i, p in zip(rows["indicator"], rows["period"]))
        st.text(f"- {plan.unit(unit).name(lang)}: {names}")
