"""Tables of targets on screen: what a director reads first (status, name, figure, target, attainment, verdict)
fits a 1366×768 laptop without scrolling sideways, and long names wrap instead of being cut."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.emulation_view import proposal_table, proposals_shown
from kpi.plan import Plan
from ui.downloads import download_table
from ui.markdown import md_escape


def show_targets(table: pd.DataFrame) -> None:
    """Draw a table of text cells (a `kpi.scorecard.display_table`, the ranking) as a static table that fits the
    page width: every cell wraps, so no name, target or verdict is cut and nothing scrolls sideways (an interactive
    grid cuts text at its column width). Cells are Markdown-escaped: st.table renders Markdown, and a target such
    as "> 63,7" must not become a quotation. Returns None."""
    shown = table.rename(columns=md_escape).map(lambda cell: md_escape(cell) if isinstance(cell, str) else cell)
    st.table(shown, hide_index=True)


def show_proposals(ranking: pd.DataFrame, plan: Plan, lang: str, period: str) -> None:
    """Draw the commendation council's table (`kpi.emulation_view.proposal_table`) for a screen, with its CSV and
    .xlsx downloads (numbers as numbers). Returns None."""
    proposals = proposal_table(ranking, plan, lang)
    show_targets(proposals_shown(proposals, lang))
    download_table(proposals, f"de-xuat-khen-thuong-{period}", lang, key="proposals")
