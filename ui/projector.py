"""Projector mode for the meeting room: `/?view=projector&slides=overview,units,quarters&every=20&theme=dark`.

A full-screen 16:9 slideshow that advances by itself, sized in viewport units so the same layout fills 1920×1080 and
1280×720 (body text 2.6vh = 28 px at 1080 lines), with no Streamlit chrome. Each slide re-reads the store's data
version, so new uploads show within one slide; a database that cannot be reached shows a calm "retrying" panel and
the show goes on by itself. Only this module's own CSS is injected as HTML; every figure and name goes through
Streamlit's escaped elements.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from kpi.charts import quarter_chart, ranking_chart
from kpi.i18n import LANGS, t
from kpi.periods import period_label
from kpi.plan import Plan
from kpi.scorecard import target_text
from kpi.series import unit_ranking
from kpi.store import DatabaseBusy
from kpi.wording import actual_text, missing_text, row_status
from ui import data
from ui.markdown import md_escape

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
SLIDES = ("overview", "units", "quarters", "ranking")
DEFAULT_SLIDES = ("overview", "units", "quarters")
TILES_PER_SLIDE = 8
CHARTS_PER_SLIDE = 2
CHART_HEIGHT = 520  # px
BEHIND = ("not_met", "off_track", "at_risk")
#: Statuses of a unit that owes reports: listed as "chưa báo cáo", never ranked on what it sent before.
SILENT = ("incomplete", "no_data")
#: Rows of the "units behind" slide: what fits a 768-px-high screen with two-line status cells.
BEHIND_ROWS = 6

# Text colours per status with enough contrast on each theme (the status word and symbol always come too).
TEXT_COLOUR = {
    "dark": {"achieved": "#3FD8A5", "on_track": "#6CC4F5", "at_risk": "#F5C451", "off_track": "#FF8A5B",
             "not_met": "#FF8A5B", "incomplete": "#D0D0D0",
             "undetermined": "#F0A8DA", "awaiting": "#D0D0D0", "no_target": "#D0D0D0", "no_data": "#D0D0D0"},
    "light": {"achieved": "#00664A", "on_track": "#00507D", "at_risk": "#7A4F00", "off_track": "#A33600",
              "not_met": "#A33600", "incomplete": "#3A3A3A",
              "undetermined": "#8A2F6E", "awaiting": "#3A3A3A", "no_target": "#3A3A3A", "no_data": "#3A3A3A"},
}
THEMES = {"dark": {"bg": "#0B0D10", "panel": "#181C22", "fg": "#FFFFFF", "muted": "#D9D9D9"},
          "light": {"bg": "#FFFFFF", "panel": "#F1F3F5", "fg": "#000000", "muted": "#2B2B2B"}}


def _css(theme: str) -> str:
    c = THEMES[theme]
    status_rules = "\n".join(
        f"[class*='st-key-tile-{s}-'] {{ border-left: 1.2vh solid {colour} !important; }}\n"
        f"[class*='st-key-tile-{s}-'] [class*='st-key-status-'] p {{ color: {colour} !important; }}"
        for s, colour in TEXT_COLOUR[theme].items()
    )
    return f"""<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"], footer,
[data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stSidebarNav"] {{ display: none !important; }}
html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  overflow: hidden !important; background: {c["bg"]} !important; color: {c["fg"]} !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 2vh 2.5vw 0 2.5vw !important; max-width: 100% !important; }}
[data-stale="true"] {{ opacity: 1 !important; }}
.stApp p, .stApp li, .stApp td, .stApp th {{ font-size: 2.6vh; line-height: 1.25; color: {c["fg"]}; }}
.st-key-slide-head p {{ color: {c["muted"]}; text-align: right; }}
.st-key-slide-head h1, .st-key-slide-head [data-testid="stHeading"] h1 {{ font-size: 5vh !important;
  line-height: 1.15 !important; padding: 0 !important; color: {c["fg"]} !important; font-weight: 700; }}
.st-key-slide-body {{ height: 80vh; overflow: hidden; }}
[class*="st-key-tile-"] {{ background: {c["panel"]}; border-radius: 1vh; padding: 1.4vh 1.2vw; height: 36vh;
  overflow: hidden; }}
[class*="st-key-name-"] p {{ font-size: 2.8vh; font-weight: 600; display: -webkit-box;
  -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }}
[class*="st-key-figure-"] p {{ font-size: 7vh; font-weight: 700; line-height: 1.05; }}
[class*="st-key-status-"] p {{ font-size: 3.2vh; font-weight: 700; }}
.stApp table {{ width: 100%; border-collapse: collapse; }}
.stApp th {{ font-weight: 700; border-bottom: 0.3vh solid {c["fg"]}; text-align: left; }}
.stApp td, .stApp th {{ padding: 0.8vh 0.8vw !important; }}
.st-key-offline {{ margin-top: 25vh; text-align: center; }}
.st-key-offline p {{ font-size: 4vh; }}
{status_rules}
</style>"""


def _options() -> tuple[list[str], int, str, str]:
    """slides, seconds per slide, theme and language from the URL, each checked, with safe defaults."""
    query = st.query_params
    wanted = [s.strip() for s in query.get("slides", ",".join(DEFAULT_SLIDES)).split(",") if s.strip()]
    slides = [s for s in wanted if s in SLIDES or s.startswith("indicator:")] or list(DEFAULT_SLIDES)
    try:
        every = min(max(int(query.get("every", "20")), 5), 600)
    except ValueError:
        every = 20
    theme = query.get("theme", "dark") if query.get("theme") in THEMES else "dark"
    lang = query.get("lang") if query.get("lang") in LANGS else "vi"
    return slides, every, theme, lang


def _pages(slides: list[str], plan: Plan) -> list[tuple[str, int]]:
    """The slideshow's pages: the overview spans as many pages as its tiles need."""
    pages = []
    for slide in slides:
        if slide == "overview":
            pages += [("overview", n) for n in range(-(-len(plan.indicators) // TILES_PER_SLIDE))]
        elif slide == "quarters":
            pages += [("quarters", n) for n in range(-(-len(_headline(plan)) // CHARTS_PER_SLIDE))]
        elif slide in SLIDES or slide.removeprefix("indicator:") in {i.code for i in plan.indicators}:
            pages.append((slide, 0))
    return pages


def _title(page: tuple[str, int], plan: Plan, lang: str) -> str:
    kind, part = page
    if kind.startswith("indicator:"):
        return plan.indicator(kind.split(":", 1)[1]).name(lang)
    title = t(f"projector.{kind}", lang)
    parts = {"overview": -(-len(plan.indicators) // TILES_PER_SLIDE),
             "quarters": -(-len(_headline(plan)) // CHARTS_PER_SLIDE)}.get(kind, 1)
    return f"{title} ({part + 1}/{parts})" if parts > 1 else title


def _headline(plan: Plan) -> list[str]:
    known = {i.code for i in plan.indicators}
    return [code for code in plan.plan.headline if code in known]


def _big(figure, theme: str):
    """A chart restyled for the wall: larger type, the theme's ink instead of near-black lines, no fixed height."""
    ink = THEMES[theme]["fg"]
    figure.update_layout(template="plotly_dark" if theme == "dark" else "plotly_white",
                         font={"size": 22, "color": ink}, title={"font": {"size": 28, "color": ink}},
                         # Fits the slide body at 1280×720 (76% of 720 px) and stays large at 1920×1080.
                         height=CHART_HEIGHT, paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                         margin={"l": 10, "r": 30, "t": 60, "b": 110},
                         legend={"font": {"size": 20, "color": ink}, "orientation": "h", "y": -0.2, "x": 0,
                                 "yanchor": "top"})
    for shape in figure.layout.shapes:
        if shape.line.color == "#222222":
            shape.line.color = ink
    for annotation in figure.layout.annotations:
        annotation.font = {"size": 22, "color": ink}
    figure.for_each_trace(lambda trace: trace.update(line_color=ink) if getattr(trace, "line", None) is not None
                          and trace.line.color == "#222222" else None)
    return figure


def _chart(figure, key: str, big: bool = False) -> None:
    with st.container(key=f"{'chart-big' if big else 'chart'}-{key}"):
        st.plotly_chart(figure, theme=None, config={"staticPlot": True}, key=f"projector-{key}")


def _text(text: str, key: str) -> None:
    """A line of text (escaped, never HTML) in a keyed container the CSS can size."""
    with st.container(key=key):
        st.markdown(md_escape(text))


def _overview(result: pd.DataFrame, plan: Plan, part: int, lang: str) -> None:
    rows = result[result["unit"] == plan.plan.scope_unit].reset_index(drop=True)
    shown = rows.iloc[part * TILES_PER_SLIDE:(part + 1) * TILES_PER_SLIDE].to_dict("records")
    for start in range(0, len(shown), 4):
        for column, row in zip(st.columns(4, gap="small"), shown[start:start + 4]):
            ind = plan.indicator(row["indicator"])
            actual = actual_text(row, plan, lang)
            with column.container(key=f"tile-{row['status']}-{row['indicator']}"):
                _text(ind.name(lang), f"name-{row['indicator']}")
                _text(actual, f"figure-{row['indicator']}")
                _text(f"{ind.measure(lang)} · {t('col.target', lang)}: {target_text(pd.Series(row), plan, lang)}",
                      f"target-{row['indicator']}")
                _text(row_status(row, lang), f"status-{row['indicator']}")
                missing = missing_text(row.get("missing"), plan, lang, shown=2)
                if missing:
                    _text(missing, f"missing-{row['indicator']}")


def _units_behind(result: pd.DataFrame, plan: Plan, lang: str) -> None:
    """Units behind on their targets, worst first, then the units that have not reported (never ranked on old
    figures): `chưa báo cáo` with the reports missing."""
    others = result[result["unit"] != plan.plan.scope_unit]
    silent = others[others["status"].isin(SILENT) & (others["missing"].map(len) > 0)]
    behind = others[others["status"].isin(BEHIND)].sort_values("attainment").head(BEHIND_ROWS - min(len(silent), 3))
    shown = pd.concat([behind, silent.head(BEHIND_ROWS - len(behind))])
    if shown.empty:
        _text(t("projector.none_behind", lang), "none-behind")
        return
    records = shown.to_dict("records")
    st.table(pd.DataFrame({
        t("col.unit", lang): [plan.unit(r["unit"]).name(lang) for r in records],
        t("col.indicator", lang): [plan.indicator(r["indicator"]).name(lang) for r in records],
        t("col.actual", lang): ["—" if r["status"] in SILENT else actual_text(r, plan, lang) for r in records],
        t("col.target", lang): [target_text(pd.Series(r), plan, lang) for r in records],
        t("col.status", lang): [t("not_reported", lang) + " · " + missing_text(r["missing"], plan, lang, shown=1)
                                if r["status"] in SILENT else row_status(r, lang) for r in records],
    }).set_index(t("col.unit", lang)))


def _quarters(series: pd.DataFrame, plan: Plan, part: int, theme: str, lang: str) -> None:
    codes = _headline(plan)[part * CHARTS_PER_SLIDE:(part + 1) * CHARTS_PER_SLIDE]
    for column, code in zip(st.columns(CHARTS_PER_SLIDE), codes):
        with column:
            _chart(_big(quarter_chart(series, plan, code, lang), theme), code, big=True)


def _ranking(result: pd.DataFrame, plan: Plan, theme: str, lang: str) -> None:
    ranking = unit_ranking(result, plan)
    _chart(_big(ranking_chart(ranking, plan, lang), theme), "ranking", big=True)


def _indicator(series: pd.DataFrame, code: str, plan: Plan, theme: str, lang: str) -> None:
    _chart(_big(quarter_chart(series, plan, code, lang), theme), f"big-{code}", big=True)


def _header(title: str, position: int, total: int, as_of: datetime | None, lang: str) -> None:
    with st.container(key="slide-head"):
        left, right = st.columns([3, 1])
        left.title(title, anchor=False)
        clock = datetime.now(UTC).astimezone(LOCAL_TIME)
        stamp = as_of.replace(tzinfo=UTC).astimezone(LOCAL_TIME).strftime("%d/%m/%Y %H:%M") if as_of else "—"
        right.markdown(md_escape(f"{clock:%H:%M} · {'●' * (position + 1)}{'○' * (total - position - 1)} "
                                 f"{position + 1}/{total}"))
        right.markdown(md_escape(t("data_as_of", lang, when=stamp)))


def _offline(lang: str) -> None:
    with st.container(key="offline"):
        st.markdown(md_escape(t("projector.offline", lang)))


def projector(gate: Callable[[], bool] = lambda: True) -> None:
    """Run the projector view (call before anything else draws). `gate` says whether the figures may be shown
    (anonymous viewing, a kiosk token, a signed-in session); it is asked on every slide, so a revoked kiosk token
    or anonymous viewing switched off stops the show at the next slide."""
    slides, every, theme, lang = _options()
    st.set_page_config(page_title=t("app.title", lang), layout="wide", initial_sidebar_state="collapsed")
    st.html(_css(theme))

    @st.fragment(run_every=every)
    def show() -> None:
        count = st.session_state.get("_projector_count", -1) + 1
        st.session_state["_projector_count"] = count
        try:
            if not gate():
                st.error(t("kiosk.needed", lang))
                return
            store, plans = data.store_and_plans(data.database_url())
            version = data.version(store)
            _, as_of, _ = data.facts(store, version)
            period = data.latest(store, version)
            plan = plans[int(period[:4])]
            result = data.scorecard(store, version, period)
        except (DatabaseBusy, sa.exc.DBAPIError, OSError):
            _offline(lang)
            return
        pages = _pages(slides, plan) or _pages(list(DEFAULT_SLIDES), plan)  # nothing left to show: the defaults
        page = pages[count % len(pages)]
        _header(f"{_title(page, plan, lang)} · {period_label(period, lang)}", count % len(pages), len(pages),
                as_of, lang)
        with st.container(key="slide-body"):
            kind, part = page
            if kind == "overview":
                _overview(result, plan, part, lang)
            elif kind == "units":
                _units_behind(result, plan, lang)
            elif kind == "quarters":
                _quarters(data.quarters(store, version, plan, plan.plan.scope_unit), plan, part, theme, lang)
            elif kind == "ranking":
                _ranking(result[result["unit"] != plan.plan.scope_unit], plan, theme, lang)
            else:
                _indicator(data.quarters(store, version, plan, plan.plan.scope_unit), kind.split(":", 1)[1], plan,
                           theme, lang)

    show()
