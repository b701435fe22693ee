"""Projector mode for the meeting room: `/?view=projector&slides=overview,units,quarters&every=20&theme=dark`.

A full-screen 16:9 slideshow that advances by itself, sized in viewport units so the same layout fills 1920×1080 and
1280×720 (body text 2.6vh = 28 px at 1080 lines), with no Streamlit chrome. The slide body takes all the height the
slide head leaves: tiles share it, charts stretch to it, and the "units behind" table holds the rows that fit it,
counting and naming the rest. Each slide re-reads the store's data version, so new uploads show within one slide; a
database that cannot be reached shows a calm "retrying" panel and the show goes on by itself. Only this module's own
CSS is injected as HTML; every figure and name goes through Streamlit's escaped elements (table cells and Markdown
escaped, chart labels HTML-escaped).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st

from kpi.charts import quarter_chart, ranking_chart
from kpi.emulation import emulation_ranking
from kpi.fmt import format_time
from kpi.i18n import LANGS, t
from kpi.periods import period_label
from kpi.plan import Plan
from kpi.scorecard import target_text
from kpi.store import DatabaseBusy
from kpi.wording import actual_text, missing_text, row_status
from ui import data
from ui.markdown import md_escape

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
SLIDES = ("overview", "units", "quarters", "ranking")
DEFAULT_SLIDES = ("overview", "units", "quarters")
TILES_PER_SLIDE = 8
TILES_PER_ROW = 4
CHARTS_PER_SLIDE = 2
#: Worst first: the order of the "units behind" slide.
BEHIND = ("not_met", "off_track", "at_risk")
#: Statuses of a unit that owes reports: listed as "chưa báo cáo", never ranked on what it sent before.
SILENT = ("incomplete", "no_data")
#: Slide body height in lines of table text (3.25vh: 2.6vh × 1.25) on a 16:9 screen: 100vh less the page's padding
#: (4vh), the slide head (7.7vh) and the gap under it (1.2vh) is 87vh, 26.8 lines; 0.8 line is left to spare.
BODY_LINES = 26
#: Average glyph width of Source Sans in em (Vietnamese text, measured in Chromium: 0.47–0.49), rounded up so that a
#: cell never takes more lines than reckoned.
GLYPH_EM = 0.52
#: Width of each column of the "units behind" table (share of the slide's width) and the cell padding (vw).
BEHIND_COLUMNS = (0.19, 0.35, 0.11, 0.11, 0.24)
CELL_PADDING_VW = 1.6
#: Units that owe reports kept on the slide however many units are behind (the rest are named on the last line).
SILENT_KEPT = 2
#: Lines of the "+N đơn vị khác: …" line at most.
MORE_LINES = 2
#: Indicator names longer than this take the body text size on a tile rather than the larger name size, so that
#: they wrap onto fewer lines; no name is ever cut.
LONG_NAME = 48
#: Plotly draws in pixels: chart text this size is 2.2vh on a 1080-line screen and still fits one of 720 lines.
CHART_FONT = 24

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
    """The projector's own style sheet for `theme`: no Streamlit chrome, sizes in viewport units, and a slide body
    that fills the screen under the slide head (a chain of flex boxes from the main container down to each chart)."""
    c = THEMES[theme]
    status_rules = "\n".join(
        f"[class*='st-key-fill-tile-{s}-'] {{ border-left: 1.2vh solid {colour} !important; }}\n"
        f"[class*='st-key-fill-tile-{s}-'] [class*='st-key-status-'] p {{ color: {colour} !important; }}"
        for s, colour in TEXT_COLOUR[theme].items()
    )
    widths = "\n".join(f".st-key-behind th:nth-child({n}) {{ width: {share * 100:g}%; }}"
                       for n, share in enumerate(BEHIND_COLUMNS, start=1))
    return f"""<style>
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"], footer,
[data-testid="stSidebarCollapsedControl"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stSidebarNav"] {{ display: none !important; }}
html, body, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  overflow: hidden !important; background: {c["bg"]} !important; color: {c["fg"]} !important; }}
[data-testid="stMainBlockContainer"] {{ padding: 2vh 2.5vw 2vh 2.5vw !important; max-width: 100% !important;
  height: 100vh; box-sizing: border-box; display: flex; flex-direction: column; }}
/* Gaps in viewport units too, so that 720 and 1080 lines show the same slide. */
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{ gap: 1.2vh !important; }}
[data-testid="stMainBlockContainer"] [data-testid="stHorizontalBlock"] {{ gap: 1vw !important; }}
/* The slide body takes the height the slide head leaves, and what is keyed `fill-…` in it (tile rows, tiles,
   charts) shares it: every block on the way down stretches. */
:is([data-testid="stVerticalBlock"], [data-testid="stLayoutWrapper"], [data-testid="stHorizontalBlock"]):has(
  :is(.st-key-slide-body, [class*="st-key-fill-"])), .st-key-slide-body, [class*="st-key-fill-"] {{
  flex: 1 1 0 !important; min-height: 0 !important; }}
.st-key-slide-body, [class*="st-key-fill-"] {{ overflow: hidden; }}
.st-key-slide-body [data-testid="stColumn"] > [data-testid="stVerticalBlock"] {{ height: 100%; }}
/* A row of tiles is half the body (less half the gap), also when it is the slide's only row. */
[data-testid="stLayoutWrapper"]:has(> [class*="st-key-fill-row-"]) {{ flex: 0 0 calc(50% - 0.6vh) !important; }}
/* The slide head keeps the height of its content. */
[data-testid="stLayoutWrapper"]:has(> .st-key-slide-head), .st-key-slide-head,
.st-key-slide-head :is([data-testid="stVerticalBlock"], [data-testid="stLayoutWrapper"],
[data-testid="stHorizontalBlock"], [data-testid="stElementContainer"]) {{ flex: 0 0 auto !important; }}
[data-stale="true"] {{ opacity: 1 !important; }}
.stApp p, .stApp li, .stApp td, .stApp th {{ font-size: 2.6vh; line-height: 1.25; color: {c["fg"]}; }}
.st-key-slide-head p {{ color: {c["muted"]}; text-align: right; }}
.st-key-slide-head h1, .st-key-slide-head [data-testid="stHeading"] h1 {{ font-size: 5vh !important;
  line-height: 1.15 !important; padding: 0 !important; color: {c["fg"]} !important; font-weight: 700; }}
[class*="st-key-fill-tile-"] {{ background: {c["panel"]}; border-radius: 1vh; padding: 1.4vh 1.2vw; overflow: hidden; }}
/* A tile's name at its top, the figure in the middle, target and status at its foot. */
[class*="st-key-fill-tile-"] > [data-testid="stLayoutWrapper"]:has(> :is([class*="st-key-figure-"],
  [class*="st-key-target-"])) {{ margin-top: auto; }}
[class*="st-key-name-"] p {{ font-size: 2.8vh; font-weight: 600; }}
[class*="st-key-name-long-"] p {{ font-size: 2.6vh; }}
[class*="st-key-figure-"] p {{ font-size: 7vh; font-weight: 700; line-height: 1.05; }}
[class*="st-key-status-"] p {{ font-size: 3.2vh; font-weight: 700; }}
.stApp table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
.stApp th {{ font-weight: 700; border-bottom: 0.3vh solid {c["fg"]}; text-align: left; }}
.stApp td, .stApp th {{ padding: 0.8vh 0.8vw !important; vertical-align: top; overflow-wrap: anywhere; }}
{widths}
/* Cells as wide as their column (Streamlit caps their content at 400 px), text in the colour its cell is given. */
.st-key-behind :is(td, th) > div {{ max-width: none !important; }}
.st-key-behind :is(td, th) p {{ color: inherit !important; font-weight: inherit; }}
/* The table keeps the proportions its rows are reckoned with on screens narrower than 16:9. */
.st-key-behind td, .st-key-behind th, .st-key-more-units p {{ font-size: min(2.6vh, 1.4625vw) !important; }}
.st-key-more-units p {{ color: {c["muted"]}; }}
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


def _big(figure: go.Figure, theme: str) -> go.Figure:
    """`figure` restyled for the wall and returned: larger type, the theme's ink instead of near-black lines, and
    no height of its own, so that it fills the slide body (st.plotly_chart with height="stretch")."""
    ink = THEMES[theme]["fg"]
    figure.update_layout(template="plotly_dark" if theme == "dark" else "plotly_white",
                         font={"size": CHART_FONT, "color": ink}, title={"font": {"size": 28, "color": ink}},
                         autosize=True, height=None, paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
                         margin={"l": 10, "r": 30, "t": 60, "b": 20},
                         legend={"font": {"size": CHART_FONT, "color": ink}, "orientation": "h", "y": -0.1, "x": 0,
                                 "yanchor": "top"})
    # Axis text sized and inked one by one: the chart's own layout font does not reach it once it stretches.
    axis = {"tickfont": {"size": CHART_FONT, "color": ink}, "title_font": {"size": CHART_FONT, "color": ink}}
    figure.update_xaxes(**axis)
    figure.update_yaxes(**axis)
    figure.update_traces(textfont={"size": CHART_FONT, "color": ink}, selector={"type": "scatter"})
    for shape in figure.layout.shapes:
        if shape.line.color == "#222222":
            shape.line.color = ink
    for annotation in figure.layout.annotations:
        annotation.font = {"size": CHART_FONT, "color": ink}
    # A title the chart wrapped onto more lines gets the room they take at the wall's size.
    title_lines = (figure.layout.title.text or "").count("<br>") + 1
    figure.update_layout(margin={"t": 24 + 36 * title_lines})
    figure.for_each_trace(lambda trace: trace.update(line_color=ink) if getattr(trace, "line", None) is not None
                          and trace.line.color == "#222222" else None)
    return figure


def _chart(figure: go.Figure, key: str) -> None:
    """Draw `figure` filling the space its container is given (the slide body, or a column of it)."""
    with st.container(key=f"fill-chart-{key}"):
        st.plotly_chart(figure, theme=None, config={"staticPlot": True}, key=f"projector-{key}", height="stretch")


def _text(text: str, key: str) -> None:
    """A line of text (escaped, never HTML) in a keyed container the CSS can size."""
    with st.container(key=key):
        st.markdown(md_escape(text))


def _overview(result: pd.DataFrame, plan: Plan, part: int, lang: str) -> None:
    """Up to 8 tiles of the scope unit's targets, two rows of four that share the slide body's height. Names are
    never cut: a long one wraps in the body text size."""
    rows = result[result["unit"] == plan.plan.scope_unit].reset_index(drop=True)
    shown = rows.iloc[part * TILES_PER_SLIDE:(part + 1) * TILES_PER_SLIDE].to_dict("records")
    for start in range(0, len(shown), TILES_PER_ROW):
        with st.container(key=f"fill-row-{start // TILES_PER_ROW}"):
            for column, row in zip(st.columns(TILES_PER_ROW, gap="small"), shown[start:start + TILES_PER_ROW]):
                ind = plan.indicator(row["indicator"])
                name = ind.name(lang)
                with column.container(key=f"fill-tile-{row['status']}-{row['indicator']}"):
                    _text(name, f"name-{'long-' if len(name) > LONG_NAME else ''}{row['indicator']}")
                    _text(actual_text(row, plan, lang), f"figure-{row['indicator']}")
                    _text(f"{ind.measure(lang)} · {t('col.target', lang)}: "
                          f"{target_text(pd.Series(row), plan, lang)}", f"target-{row['indicator']}")
                    _text(row_status(row, lang), f"status-{row['indicator']}")
                    missing = missing_text(row.get("missing"), plan, lang, shown=2)
                    if missing:
                        _text(missing, f"missing-{row['indicator']}")


def _wrapped_lines(text: str, share: float) -> int:
    """How many lines `text` takes, wrapped at word boundaries, in a column `share` of the slide's width: at least 1.
    Reckoned for a 16:9 screen (95vw of content, 2.6vh text); the table's text shrinks on narrower screens so that
    the reckoning holds there too."""
    width_vh = (share * 95 - CELL_PADDING_VW) * 16 / 9
    room = max(int(width_vh / (GLYPH_EM * 2.6)), 1)
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > room:
            lines, used = lines + 1, 0
        used += (1 if used else 0) + len(word)
        lines += (used - 1) // room  # a word longer than the line breaks inside it (overflow-wrap: anywhere)
        used = (used - 1) % room + 1
    return lines


def _row_lines(cells: list[str]) -> int:
    """Lines taken by the tallest cell of a row of the "units behind" table."""
    return max(_wrapped_lines(cell, share) for cell, share in zip(cells, BEHIND_COLUMNS))


class _Group(NamedTuple):
    """A unit's rows on the "units behind" slide: its code, each row's status and cells (plain text), and whether
    it is a unit that owes reports rather than one behind on its figures."""

    unit: str
    statuses: list[str]
    rows: list[list[str]]
    silent: bool


def _slide_units(plan: Plan) -> tuple[str, ...]:
    """The units the slides are about: the plan's scope unit, the units directly under it and every emulation
    cluster's members (a department's whole registry; a country's provinces, not its ten thousand communes)."""
    members = [m for cluster in plan.clusters for m in cluster.members]
    return tuple(dict.fromkeys([*plan.with_children(plan.plan.scope_unit), *members]))


def _behind_groups(result: pd.DataFrame, plan: Plan, lang: str) -> list[_Group]:
    """The units behind, worst first (a verdict not met before off track before at risk, then lowest attainment),
    a row for each target a unit is behind on; then each unit that owes reports as one row "Chưa báo cáo" with the
    reports missing, never ranked on what it sent before. Returns the groups in the order they are shown."""
    others = result[result["unit"] != plan.plan.scope_unit]
    behind = others[others["status"].isin(BEHIND)]
    behind = behind.assign(_severity=behind["status"].map(BEHIND.index),
                           _attainment=behind["attainment"].astype("float64").fillna(float("inf")))
    behind = behind.sort_values(["_severity", "_attainment"], kind="stable")
    groups = []
    for unit in dict.fromkeys(behind["unit"]):  # each unit where its worst row stands
        records = behind[behind["unit"] == unit].to_dict("records")
        # The unit's name on its first row only: the rows below are read as "the same unit".
        groups.append(_Group(unit, [r["status"] for r in records], [[
            plan.unit(unit).name(lang) if n == 0 else "", plan.indicator(r["indicator"]).name(lang),
            actual_text(r, plan, lang), target_text(pd.Series(r), plan, lang), row_status(r, lang),
        ] for n, r in enumerate(records)], silent=False))
    silent = others[others["status"].isin(SILENT) & (others["missing"].map(len) > 0)]
    for unit in [u.code for u in plan.units if u.code in set(silent["unit"])]:
        records = silent[silent["unit"] == unit].to_dict("records")
        missing = list(dict.fromkeys(tuple(m) for r in records for m in r["missing"]))
        one = records[0] if len(records) == 1 else None
        groups.append(_Group(unit, ["no_data"], [[
            plan.unit(unit).name(lang),
            plan.indicator(one["indicator"]).name(lang) if one else t("projector.n_indicators", lang, n=len(records)),
            "—", target_text(pd.Series(one), plan, lang) if one else "—",
            t("not_reported", lang) + " · " + missing_text(missing, plan, lang, shown=1),
        ]], silent=True))
    return groups


def _fit_groups(groups: list[_Group], header: list[str]) -> list[int]:
    """Which groups fit the slide body, as indexes into `groups`: all of them when they fit; else the worst units
    that fit whole (none after the first that does not), with room kept for up to SILENT_KEPT units that owe
    reports and for the two-line "+N đơn vị khác" line."""
    # A row's height in lines: its tallest cell, and 0.5 line of padding (0.8vh above and below, 3.25vh a line).
    sizes = [sum(_row_lines(row) + 0.5 for row in group.rows) for group in groups]
    room = BODY_LINES - (_row_lines(header) + 0.6)
    if sum(sizes) <= room:
        return list(range(len(groups)))
    # The "+N" line and the gap above it, and three quarters of a line to spare: line counts are reckoned from
    # characters, and a screen's font hinting can wrap a word sooner than the count says.
    room -= MORE_LINES + 0.4 + 0.75
    kept = [n for n, group in enumerate(groups) if group.silent][:SILENT_KEPT]
    used = sum(sizes[n] for n in kept)
    shown, stopped = [], False
    for n, size in enumerate(sizes):
        if n in kept:
            shown.append(n)
        elif not stopped and used + size <= room:
            shown.append(n)
            used += size
        else:
            stopped = True  # worst first: no unit is drawn while a worse one is left out
    return shown


def _more_units(names: list[str], lang: str) -> str:
    """The last line of the "units behind" slide: how many units did not fit, and their names, as many as fit in
    MORE_LINES lines of the slide's width (then "…"; the count always covers them all)."""
    for count in range(len(names), 0, -1):
        text = t("projector.more_units", lang, n=len(names),
                 names=", ".join(names[:count]) + (", …" if count < len(names) else ""))
        if _wrapped_lines(text, 1.0) <= MORE_LINES:
            return text
    return t("projector.more_units", lang, n=len(names), names="…")


def _units_behind(result: pd.DataFrame, plan: Plan, theme: str, lang: str) -> None:
    """Units behind on their targets, worst first, then the units that have not reported: a row for each target
    a unit is behind on, with the status as symbol, word and colour; the units that do not fit are counted and
    named on a last line "+N đơn vị khác: …"."""
    groups = _behind_groups(result, plan, lang)
    if not groups:
        _text(t("projector.none_behind", lang), "none-behind")
        return
    header = [t(key, lang) for key in ("col.unit", "col.indicator", "col.actual", "col.target", "col.status")]
    shown = _fit_groups(groups, header)
    rows = [row for n in shown for row in groups[n].rows]
    statuses = [status for n in shown for status in groups[n].statuses]
    # Table cells are Markdown: names are escaped.
    table = pd.DataFrame([[md_escape(cell) for cell in row] for row in rows], columns=header)
    colours = TEXT_COLOUR[theme]
    # Colours come from this module's own table, never from the data; the symbol and the word say the same.
    styled = (table.style
              .apply(lambda column: [f"color: {colours[s]}; font-weight: 700" for s in statuses], subset=[header[-1]])
              .apply(lambda column: ["font-weight: 700"] * len(column), subset=[header[0]]))
    with st.container(key="behind"):
        st.table(styled, hide_index=True)
    left = [plan.unit(groups[n].unit).name(lang) for n in range(len(groups)) if n not in shown]
    if left:
        _text(_more_units(left, lang), "more-units")


def _quarters(series: pd.DataFrame, plan: Plan, part: int, theme: str, lang: str) -> None:
    """Two headline indicators quarter by quarter, side by side, each filling its half of the slide body."""
    codes = _headline(plan)[part * CHARTS_PER_SLIDE:(part + 1) * CHARTS_PER_SLIDE]
    for column, code in zip(st.columns(CHARTS_PER_SLIDE), codes):
        with column:
            _chart(_big(quarter_chart(series, plan, code, lang), theme), code)


def _ranking_figure(ranking: pd.DataFrame, plan: Plan, theme: str, lang: str) -> go.Figure:
    """The emulation ranking for the wall: one row per unit under a bold heading row per cluster (instead of the
    cluster repeated on every label), every unit named, every bar labelled with its rank and `good/judged` in
    CHART_FONT-pixel type that is never shrunk to the bar's thickness."""
    figure = _big(ranking_chart(ranking, plan, lang), theme)
    ink = THEMES[theme]["fg"]
    units = list(ranking["unit"])
    order, labels = [], []
    for cluster in dict.fromkeys(ranking["cluster"]):
        order.append(f"cluster:{cluster}")
        labels.append(f"<b>{html.escape(next(c for c in plan.clusters if c.code == cluster).name(lang))}</b>")
        for unit in (u for u, c in zip(units, ranking["cluster"]) if c == cluster):
            order.append(unit)
            labels.append(html.escape(plan.unit(unit).name(lang)))
    # Unit codes as categories (names could repeat across clusters); the heading rows get an invisible point.
    figure.update_traces(y=units, textfont={"size": CHART_FONT, "color": ink}, constraintext="none",
                         selector={"type": "bar"})
    headings = [c for c in order if c.startswith("cluster:")]
    figure.add_trace(go.Scatter(x=[0] * len(headings), y=headings, mode="markers", marker={"opacity": 0},
                                hoverinfo="skip", showlegend=False))
    figure.update_yaxes(categoryorder="array", categoryarray=order, tickmode="array", tickvals=order, ticktext=labels,
                        tickfont={"size": CHART_FONT, "color": ink}, autorange="reversed", automargin=True)
    # Room right of a full bar for its label; no tick past 100%, which no share can reach.
    figure.update_xaxes(range=[0, 125], tickvals=list(range(0, 101, 20)),
                        ticktext=[f"{value}%" for value in range(0, 101, 20)],
                        tickfont={"size": CHART_FONT - 4, "color": ink},
                        title={"font": {"size": CHART_FONT - 4, "color": ink}})
    figure.update_layout(margin={"l": 10, "r": 10, "t": 10, "b": 10}, bargap=0.25)
    return figure


def _ranking(result: pd.DataFrame, plan: Plan, theme: str, lang: str) -> None:
    """The emulation ranking of the units below the scope, filling the slide body."""
    _chart(_ranking_figure(emulation_ranking(result, plan), plan, theme, lang), "ranking")


def _indicator(series: pd.DataFrame, code: str, plan: Plan, theme: str, lang: str) -> None:
    """One indicator quarter by quarter, filling the slide body."""
    _chart(_big(quarter_chart(series, plan, code, lang), theme), f"big-{code}")


def _header(title: str, position: int, total: int, as_of: datetime | None, lang: str) -> None:
    with st.container(key="slide-head"):
        left, right = st.columns([3, 1])
        left.title(title, anchor=False)
        clock = datetime.now(UTC).astimezone(LOCAL_TIME)
        stamp = format_time(as_of) if as_of else "—"  # Vietnam time, labelled, as on every page
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
            result = data.scorecard(store, version, period, _slide_units(plan))
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
                _units_behind(result, plan, theme, lang)
            elif kind == "quarters":
                _quarters(data.quarters(store, version, plan, plan.plan.scope_unit), plan, part, theme, lang)
            elif kind == "ranking":
                _ranking(result[result["unit"] != plan.plan.scope_unit], plan, theme, lang)
            else:
                _indicator(data.quarters(store, version, plan, plan.plan.scope_unit), kind.split(":", 1)[1], plan,
                           theme, lang)

    show()
