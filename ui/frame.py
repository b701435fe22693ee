"""The app's frame: `app.py` calls `run_app()`, which declares every page (`st.navigation`), signs the user in,
decides which pages that user sees, draws the shared filters (kept in the URL) and then runs the chosen page.

A page opened directly by its URL passes through the same frame: a new session with empty session_state gets the
same sign-in check, navigation and filters, read back from the query string. Pages read the result with
`current()` and draw; they decide nothing about who may see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import streamlit as st

from kpi.access import Actor, Permission
from kpi.fmt import format_time
from kpi.i18n import LANGS, t
from kpi.periods import period_label
from kpi.plan import Plan, PlanError
from kpi.sample import load_sample
from kpi.settings import Settings
from kpi.store import DatabaseBusy, Store
from ui import data, signin


@dataclass(frozen=True)
class PageSpec:
    """A page of the app: its file, title key, icon, the permission it needs, and which filters it uses. Its URL is
    derived by Streamlit from the file name (`3_Theo_don_vi.py` → /Theo_don_vi), as before the frame existed."""

    path: str
    title_key: str
    icon: str
    needs: Permission | None = Permission.VIEW  # None: anyone (the sign-in page)
    unit: bool = True
    indicator: bool = False
    cluster: bool = False
    period: bool = True  # False: the page does not depend on the period, so no period filter is shown
    default: bool = False  # the page at the app's root URL


PAGES = (
    PageSpec("app_pages/0_Tong_quan.py", "nav.overview", ":material/dashboard:", default=True),
    PageSpec("app_pages/3_Theo_don_vi.py", "nav.units", ":material/grid_view:", cluster=True),
    PageSpec("app_pages/4_Theo_quy.py", "nav.quarters", ":material/timeline:"),
    PageSpec("app_pages/5_Chi_tieu.py", "nav.indicator", ":material/query_stats:", indicator=True),
    PageSpec("app_pages/6_Tinh_hinh_bao_cao.py", "nav.completeness", ":material/fact_check:"),
    PageSpec("app_pages/10_Bao_cao.py", "nav.reports", ":material/summarize:"),
    PageSpec("app_pages/2_Nap_so_lieu.py", "nav.upload", ":material/upload_file:", Permission.UPLOAD,
             unit=False),
    PageSpec("app_pages/7_Phe_duyet.py", "nav.approvals", ":material/verified:", Permission.APPROVE,
             unit=False),
    PageSpec("app_pages/1_Ke_hoach.py", "nav.plan", ":material/list_alt:", unit=False),
    PageSpec("app_pages/8_Quan_tri.py", "nav.admin", ":material/admin_panel_settings:", Permission.ADMIN,
             unit=False, period=False),
    PageSpec("app_pages/9_Dang_nhap.py", "nav.signin", ":material/login:", None, unit=False,
             period=False),
)
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}
FILTER_KEYS = ("lang", "period", "unit", "indicator", "cluster")
ALL = "*"  # the "all clusters" choice
_FRAME_KEY = "_frame"
#: The tab icon, from the app's own folder: a Material icon name would make every browser fetch it from Google's
#: font service, which an intranet without internet cannot reach.
FAVICON = str(Path(__file__).with_name("favicon.png"))
#: Seconds between checks for the database while it cannot be reached.
RETRY_SECONDS = 5


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
    actor: Actor = Actor("(anonymous)")
    settings: Settings = Settings()

    @property
    def plan(self) -> Plan:
        """The plan of the chosen period's year."""
        return self.plans[int(self.period[:4])]


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


def _navigation(container, pages: dict[str, st.Page], store: Store, actor: Actor, lang: str) -> None:
    """Links to the pages `actor` may open, carrying the current filters so the next page opens on the same view,
    and under them who is signed in (with a sign-out button)."""
    container.markdown(f"### {t('app.title', lang)}")
    carry = {k: st.session_state[f"f_{k}"] for k in FILTER_KEYS if f"f_{k}" in st.session_state}
    for spec in PAGES:
        if spec.needs is None and actor.signed_in:
            continue  # the sign-in page: the user box below offers signing out instead
        if spec.needs is None or actor.may(spec.needs):
            container.page_link(pages[spec.path], label=t(spec.title_key, lang), icon=spec.icon,
                                query_params=carry)
    signin.user_box(container, store, actor, lang)


def _empty_state(store: Store, plans: dict[int, Plan], actor: Actor, lang: str) -> None:
    st.title(t("app.title", lang))
    st.info(f"**{t('empty.title', lang)}**\n\n{t('empty.body', lang)}")
    # Loading the sample writes figures for every unit: an administrator's decision.
    if actor.is_admin and st.button(t("empty.load_sample", lang), type="primary"):
        load_sample(store, plans, max(plans), actor=actor)
        st.rerun()
    st.stop()


def _filters(spec: PageSpec, store: Store, plans: dict[int, Plan], version: int, lang: str) -> tuple[str, ...]:
    """Draw the filters `spec` uses in the sidebar; returns (period, unit, indicator, cluster)."""
    sidebar = st.sidebar
    if spec.period or spec.unit or spec.indicator or spec.cluster:
        sidebar.divider()  # above the filters; a page with none shows one divider, above the language
    periods = period_options(plans)
    period = _from_query("period", periods, data.latest(store, version))
    if spec.period:
        period = _filter(sidebar.selectbox, t("filter.period", lang), "period", periods,
                         format_func=lambda p: period_label(p, lang))
    plan = plans[int(period[:4])]
    units = [u.code for u in plan.units]
    unit = _from_query("unit", units, plan.plan.scope_unit)
    if spec.unit:
        names = {u.code: u.name(lang) for u in plan.units}
        unit = _filter(sidebar.selectbox, t("filter.unit", lang), "unit", units,
                       format_func=lambda c: f"{c} — {names[c]}")
    indicators = [i.code for i in plan.indicators]
    indicator = _from_query("indicator", indicators, indicators[0])
    if spec.indicator:
        indicator = _filter(sidebar.selectbox, t("filter.indicator", lang), "indicator", indicators,
                            format_func=lambda c: plan.indicator(c).name(lang))
    clusters = [ALL] + [c.code for c in plan.clusters]
    cluster = _from_query("cluster", clusters, ALL)
    if spec.cluster:
        cluster = _filter(sidebar.selectbox, t("filter.cluster", lang), "cluster", clusters,
                          format_func=lambda c: t("filter.all_clusters", lang) if c == ALL
                          else next(k.name(lang) for k in plan.clusters if k.code == c))
    return period, unit, indicator, cluster


def _open_store(lang: str) -> tuple[Store, dict[int, Plan], int, tuple[bool, datetime | None, bool]]:
    try:
        store, plans = data.store_and_plans(data.database_url())
        version = data.version(store)
        return store, plans, version, data.facts(store, version)
    except PlanError as exc:
        st.error(str(exc))
        st.stop()
    except DatabaseBusy:
        st.warning(t("busy", lang))
        st.button("↻")
        st.stop()
    raise AssertionError("unreachable")


def run_app() -> None:
    """The whole app: the projector route, or sign-in, navigation, filters and the chosen page."""
    lang = _from_query("lang", list(LANGS), "vi")
    if st.query_params.get("view") == "projector":
        from ui.projector import projector

        projector(signin.projector_gate)
        return
    st.set_page_config(page_title=t("app.title", lang), page_icon=FAVICON, layout="wide")
    try:
        _run_page(lang)
    except (sa.exc.OperationalError, sa.exc.InterfaceError):  # the server went away: restarted, network down
        _database_lost(lang)


def _reachable() -> bool:
    try:
        store, _ = data.store_and_plans(data.database_url())
        data.version(store)
        return True
    except (sa.exc.OperationalError, sa.exc.InterfaceError, DatabaseBusy):
        return False


def _database_lost(lang: str) -> None:
    """A calm message while the database cannot be reached, and a check every few seconds that reloads the page
    once it is back (the engine's pool replaces its dead connections then: `pool_pre_ping`)."""
    st.warning(t("db.unreachable", lang), icon=":material/cloud_off:")

    @st.fragment(run_every=RETRY_SECONDS)
    def _retry() -> None:
        if _reachable():
            st.rerun()

    _retry()
    st.button(t("db.retry", lang))


def _run_page(lang: str) -> None:
    pages = {spec.path: st.Page(spec.path, title=t(spec.title_key, lang), icon=spec.icon, default=spec.default)
             for spec in PAGES}
    chosen = st.navigation(list(pages.values()), position="hidden")
    spec = next(s for s in PAGES if pages[s.path] is chosen)
    store, plans, version, (sample, as_of, has_data) = _open_store(lang)
    actor, settings = signin.current_actor(store, lang)
    navigation = st.sidebar.container()  # drawn once the filters are known, but shown first
    if spec.needs is not None and not actor.may(spec.needs):
        _navigation(navigation, pages, store, actor, lang)
        signin.refuse(store, actor, lang)  # the sign-in form, or "not allowed": never the page
        st.stop()
    if not has_data and spec.needs is not None:
        _navigation(navigation, pages, store, actor, lang)
        _empty_state(store, plans, actor, lang)
    period, unit, indicator, cluster = _filters(spec, store, plans, version, lang) if has_data else (
        str(max(plans)), "", "", ALL)
    st.sidebar.divider()
    _filter(st.sidebar.radio, t("filter.language", lang), "lang", list(LANGS), horizontal=True,
            format_func=LANG_NAMES.__getitem__)
    for key in FILTER_KEYS:
        if f"f_{key}" in st.session_state:
            st.query_params[key] = st.session_state[f"f_{key}"]
    _navigation(navigation, pages, store, actor, lang)
    if sample:
        st.warning(t("sample.banner", lang), icon=":material/science:")
    st.session_state[_FRAME_KEY] = Frame(lang, store, plans, version, period, unit or plans[int(period[:4])].plan
                                         .scope_unit, as_of, indicator, cluster, actor, settings)
    chosen.run()


def current() -> Frame:
    """What the frame decided for this run (language, store, filters, who is signed in): pages call this first."""
    return st.session_state[_FRAME_KEY]


def as_of_text(as_of: datetime | None, lang: str) -> str:
    """The 'data as of' stamp in Vietnam time, e.g. `Số liệu cập nhật đến 25/11/2026 16:41 (UTC+7)`."""
    if as_of is None:
        return ""
    return t("data_as_of", lang, when=format_time(as_of))
