"""Showing user text safely in Streamlit's Markdown elements (st.markdown, st.success, st.error, st.info …)."""

from __future__ import annotations


def md_escape(text: str) -> str:
    """`text` with Markdown's special characters escaped, for user-supplied names shown through st.markdown."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in text)
