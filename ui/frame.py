"""The frame every page runs inside: page config, translated navigation, language, shared filters in the URL.

Each page calls `frame(...)` first, so a page opened directly by its URL (a new session with empty session_state)
gets the same navigation and filters, read back from the query string.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from kpi.i18n import LANGS, t
from kpi.periods import period_label
from kpi.plan import Plan, PlanError
from kpi.sample import load_sample
from kpi.store import DatabaseBusy, Store
from ui import data

PAGES = (
    ("app.py", "nav.overview", ":material/dashboard:"),
    ("pages/3_Theo_don_vi.py", "nav.units", ":material/grid_view:"),
    ("pages/4_Theo_quy.py", "nav.quarters", ":material/timeline:"),
    ("pages/5_Chi_tieu.py", "nav.indicator", ":material/query_stats:"),
    ("pages/6_Tinh_hinh_bao_cao.py", "nav.completeness", ":material/fact_check:"),
    ("pages/2_Nap_so_lieu.py", "nav.upload", ":material/upload_file:"),
    ("pages/1_Ke_hoach.py", "nav.plan", ":material/list_alt:"),
)
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}
FILTER_KEYS = ("lang", "period", "unit", "indicator", "cluster")
ALL = "*"  # the "all clusters" choice


@dataclass
class Frame:
    """What a page needs after the frame ran: language, store, plan, data version and the chosen filters."""

    lang: str
    store: Store
    plans: dict[int, Plan]
    version: int
    period: str
    unit: str
    as_of: datetime | None
    indicator: str = ""
    cluster: str = ALL

    @property
    def plan(self) -> Plan:
        """The plan of the chosen period's year."""
        return self.plans[int(self.period[:4])]


def md_escape(text: str) -> str:
    """`text` with Markdown's special characters escaped, for user-supplied names shown through st.markdown."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in text)


def _from_query(key: str, valid: list[str], default: str) -> str:
    """The filter `key` (kept in session_state["f_<key>"]): seeded from the URL once per session, falling back to
    `default` when absent or invalid, and kept across pages."""
    name = f"f_{key}"
    if name not in st.session_state or st.session_state[name] not in valid:
        wanted = st.query_params.get(key)
        st.session_state[name] = wanted if wanted in valid else default
    return st.session_state[name]


def _keep(key: str) -> None:
    st.session_state[f"f_{key}"] = st.session_state[f"w_{key}"]


def _filter(widget, label: str, key: str, options: list[str], **kwargs) -> str:
    """Draw a filter widget bound to the kept value `f_<key>`. Streamlit drops a widget's own state when another
    page runs, so the value lives in a plain key and the widget (`w_<key>`) is re-seeded from it on every page."""
    st.session_state[f"w_{key}"] = st.session_state[f"f_{key}"]
    widget(label, options, key=f"w_{key}", on_change=_keep, args=(key,), **kwargs)
    return st.session_state[f"f_{key}"]


def period_options(plans: dict[int, Plan]) -> list[str]:
    """Every period a user can pick, per plan year: quarters, the 6- and 9-month views, and the year."""
    options = []
    for year in sorted(plans, reverse=True):
        options += [f"{year}", f"{year}-Q4", f"{year}-9M", f"{year}-Q3", f"{year}-H1", f"{year}-Q2", f"{year}-Q1"]
    return options


def _navigation(container, lang: str) -> None:
    """Links to every page, carrying the current filters so the next page opens on the same view."""
    container.markdown(f"### {t('app.title', lang)}")
    carry = {k: st.session_state[f"f_{k}"] for k in FILTER_KEYS if f"f_{k}" in st.session_state}
    for path, key, icon in PAGES:
        container.page_link(path, label=t(key, lang), icon=icon, query_params=carry)


def _empty_state(store: Store, plans: dict[int, Plan], lang: str) -> None:
    st.title(t("app.title", lang))
    st.info(f"**{t('empty.title', lang)}**\n\n{t('empty.body', lang)}")
    if st.button(t("empty.load_sample", lang), type="primary"):
        load_sample(store, plans, max(plans))
        st.rerun()
    st.stop()


def frame(title_key: str, *, with_unit: bool = True, with_indicator: bool = False,
          with_cluster: bool = False) -> Frame:
    """Run the shared frame for a page titled `title_key`; stops the page with a clear message when the
    database is busy, a plan file is wrong, or there is nothing to show yet."""
    lang = _from_query("lang", list(LANGS), "vi")
    st.set_page_config(page_title=t(title_key, lang), page_icon=":material/flag:", layout="wide")
    try:
        store, plans = data.store_and_plans(data.database_url())
        version = data.version(store)
        sample, as_of, has_data = data.facts(store, version)
    except PlanError as exc:
        st.error(str(exc))
        st.stop()
    except DatabaseBusy:
        st.warning(t("busy", lang))
        st.button("↻")
        st.stop()
    navigation = st.sidebar.container()  # drawn last, once the filters are known, but shown first
    if not has_data:
        _navigation(navigation, lang)
        _empty_state(store, plans, lang)

    sidebar = st.sidebar
    sidebar.divider()
    periods = period_options(plans)
    _from_query("period", periods, data.latest(store, version))
    period = _filter(sidebar.selectbox, t("filter.period", lang), "period", periods,
                     format_func=lambda p: period_label(p, lang))
    plan = plans[int(period[:4])]
    units = [u.code for u in plan.units]
    unit = _from_query("unit", units, plan.plan.scope_unit)
    if with_unit:
        names = {u.code: u.name(lang) for u in plan.units}
        unit = _filter(sidebar.selectbox, t("filter.unit", lang), "unit", units,
                       format_func=lambda c: f"{c} — {names[c]}")
    indicators = [i.code for i in plan.indicators]
    indicator = _from_query("indicator", indicators, indicators[0])
    if with_indicator:
        indicator = _filter(sidebar.selectbox, t("filter.indicator", lang), "indicator", indicators,
                            format_func=lambda c: plan.indicator(c).name(lang))
    clusters = [ALL] + [c.code for c in plan.clusters]
    cluster = _from_query("cluster", clusters, ALL)
    if with_cluster:
        cluster = _filter(sidebar.selectbox, t("filter.cluster", lang), "cluster", clusters,
                          format_func=lambda c: t("filter.all_clusters", lang) if c == ALL
                          else next(k.name(lang) for k in plan.clusters if k.code == c))
    sidebar.divider()
    _filter(sidebar.radio, t("filter.language", lang), "lang", list(LANGS), horizontal=True,
            format_func=LANG_NAMES.__getitem__)
    for key in FILTER_KEYS:
        st.query_params[key] = st.session_state[f"f_{key}"]
    _navigation(navigation, lang)
    if sample:
        st.warning(t("sample.banner", lang), icon=":material/science:")
    return Frame(lang, store, plans, version, period, unit, as_of, indicator, cluster)


def as_of_text(as_of: datetime | None, lang: str) -> str:
    """The 'data as of' stamp, e.g. `Số liệu cập nhật đến 25/11/2026 09:41 (UTC)`."""
    if as_of is None:
        return ""
    return t("data_as_of", lang, when=as_of.strftime("%d/%m/%Y %H:%M") + " (UTC)")
