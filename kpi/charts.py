"""Plotly chart builders: pure functions from evaluation DataFrames to figures, tested without Streamlit.

Status colours are the Okabe–Ito palette (safe for colour-blind viewers) and every mark also carries the status
symbol and word, so colour is never the only signal.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from kpi.compare import last_year_base
from kpi.fmt import PLOTLY_SEPARATORS, format_figure, format_number, format_percent
from kpi.i18n import STATUS_ORDER, STATUS_SYMBOL, status_label, t
from kpi.periods import period_label
from kpi.plan import Indicator, Plan
from kpi.wording import actual_text, attainment_text, missing_text, rests_on_gaps, row_status

STATUS_COLOUR = {
    "achieved": "#009E73",
    "on_track": "#0072B2",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    "not_met": "#9E3A00",
    "incomplete": "#8C8C8C",
    "undetermined": "#CC79A7",
    "awaiting": "#7F7F7F",
    "no_target": "#A6A6A6",
    "no_data": "#A6A6A6",
}
FONT = "Noto Sans, Segoe UI, Roboto, Arial, sans-serif"
FONT_SIZE = 14  # px, the body text's size: no chart text is smaller
INK = "#1F1F1F"  # text colour: 16:1 on white, where Streamlit's theme would draw 12-px grey
LINE = "#222222"  # near-black lines and marks; the projector swaps exactly this colour for its theme's ink
AXIS_CAP = 150.0  # attainment beyond this is drawn at the edge and labelled with its true value
CAPTION = "caption"  # the `name` of the annotation that explains a chart's marks in words
def _status_words(row: Mapping, lang: str) -> str:
    """The row's status as the charts print it: symbol (a text glyph) and words, e.g. `⧗ Chờ công bố`."""
    return row_status(row, lang)


def font(size: int = FONT_SIZE, colour: str = INK) -> dict:
    """A Plotly font spec in the charts' family; `size` in px."""
    return {"family": FONT, "size": size, "color": colour}


def base_layout(figure: go.Figure, lang: str, height: int) -> go.Figure:
    """Apply the shared look: the language's number separators, font, margins, transparent background. Returns
    `figure` (height in px).

    Streamlit's theme gives axes and legends its own 12-px grey type unless the figure sets them itself, so every
    axis and the legend get the body font explicitly."""
    figure.update_layout(
        separators=PLOTLY_SEPARATORS[lang],
        font=font(),
        height=height,
        margin={"l": 10, "r": 20, "t": 30, "b": 40},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        showlegend=False,
        legend={"font": font()},
        hoverlabel={"font": {"family": FONT, "size": FONT_SIZE}},
    )
    figure.update_xaxes(tickfont=font(), title_font=font())
    figure.update_yaxes(tickfont=font(), title_font=font())
    return figure


def _axis_floor(values: pd.Series) -> float:
    """Where an attainment axis starts (%): 0, or below it only as far as the most negative value needs (in steps
    of 25, at most a third of the cap)."""
    lowest = values.min(skipna=True)
    if pd.isna(lowest) or lowest >= 0:
        return 0.0
    return max(math.floor(lowest / 25) * 25, -AXIS_CAP / 3)


def _wrap(text: str, width: int) -> str:
    """`text` broken into lines of at most `width` characters at spaces, escaped for Plotly's HTML-like text."""
    return "<br>".join(html.escape(line) for line in textwrap.wrap(text, width)) or html.escape(text)


def _caption(figure: go.Figure, lines: list[str], shift: int) -> int:
    """Write `lines` under the plot, `shift` px below its bottom edge, as the chart's caption; returns the px the
    caption needs (for the bottom margin). Plotly does not make room for annotations by itself."""
    # Lines of at most 85 characters fit the plot's width beside the page's sidebar at 1366 px.
    text = "<br>".join(_wrap(line, 85) for line in lines)
    figure.add_annotation(text=text, name=CAPTION, xref="paper", yref="paper", x=0, y=0, xanchor="left",
                          yanchor="top", yshift=-shift, align="left", showarrow=False, font=font())
    return shift + 22 * (text.count("<br>") + 1)


def _beyond_markers(figure: go.Figure, attainment: pd.Series, drawn: pd.Series, names: list[str], low: float,
                    name: str) -> pd.Series:
    """Mark with ▶ (or ◀) at the axis edge every bar that runs past it, as a trace called `name` that tells where
    the true value is printed. Returns the boolean mask of the rows marked (none marked: no trace)."""
    beyond = attainment.notna() & ((attainment > AXIS_CAP) | (attainment < low))
    if beyond.any():
        figure.add_trace(
            go.Scatter(
                x=drawn[beyond], y=[n for n, past in zip(names, beyond) if past], mode="markers", hoverinfo="skip",
                name=name, marker={"symbol": ["triangle-right" if a > AXIS_CAP else "triangle-left"
                                              for a in attainment[beyond]], "size": 16, "color": LINE},
            )
        )
    return beyond


def attainment_bullets(result: pd.DataFrame, plan: Plan, lang: str = "vi") -> go.Figure:
    """A bullet chart: one bar per indicator (attainment, % of the year's target) coloured and named by status, a
    line at the target (100%), and a tick where a flow indicator should stand by now. Returns the figure; the
    status words and values stand in a column of their own on the right, so no mark ever covers them.

    The bands of the status thresholds are not drawn: a flow is judged on its pace (its bar against its own tick),
    a level on its value against the target, so no band on one shared attainment axis would mean what its colour
    says for every row. Bars past the axis end stop at its edge with ▶ and the true value in the column."""
    rows = result.reset_index(drop=True)
    names = [plan.indicator(code).name(lang) for code in rows["indicator"]]
    attainment = rows["attainment"].astype("float64")
    low = _axis_floor(attainment)
    drawn = attainment.clip(lower=low, upper=AXIS_CAP).fillna(0)
    records = rows.to_dict("records")
    labels = [_label(row, plan, lang) for row in records]
    hover = [_hover(row, plan, lang) for row in records]
    colours = [STATUS_COLOUR[s] for s in rows["status"]]
    figure = go.Figure()
    # The label stays on the bar trace for whoever reads the figure (tests, exports) but is printed in the
    # right-hand column instead: at a bar's end it would run into the pace tick.
    figure.add_trace(
        go.Bar(
            x=drawn, y=names, orientation="h", marker={"color": colours, "line": {"width": 0}},
            text=labels, textposition="none", width=0.6, showlegend=False,
            customdata=hover, hovertemplate="%{y}<br>%{customdata}<extra></extra>", name=t("col.attainment", lang),
        )
    )
    # Rows as tall as the longest name's lines need (18 px a line), so that no two names touch.
    ticktext = [_wrap(name, 32) for name in names]
    row_px = max(46, 18 * max((text.count("<br>") + 1 for text in ticktext), default=1) + 10)
    expected = rows["expected"].astype("float64")
    if expected.notna().any():
        figure.add_trace(
            go.Scatter(
                x=expected, y=names, mode="markers", name=t("chart.expected", lang),
                # As tall as the bar (0,6 of the row), so that the tick reads against it.
                marker={"symbol": "line-ns", "size": round(0.6 * row_px), "line": {"width": 3, "color": LINE},
                        "color": LINE},
                hovertemplate="%{y}<br>" + t("chart.expected", lang) + ": %{x:.1f}%<extra></extra>",
            )
        )
    _beyond_markers(figure, attainment, drawn, names, low, t("chart.beyond_axis", lang,
                                                              cap=format_percent(AXIS_CAP, lang, 0)))
    # One legend swatch per status that has a bar: its colour beside its symbol and word.
    for status in STATUS_ORDER:
        if (rows["status"].eq(status) & attainment.notna()).any():
            figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=status_label(status, lang),
                                        marker={"symbol": "square", "size": 14, "color": STATUS_COLOUR[status]},
                                        hoverinfo="skip"))
    figure.add_trace(
        go.Scatter(
            x=[0] * len(rows), y=names, xaxis="x2", mode="text", text=[_column_label(r, plan, lang) for r in records],
            textposition="middle right", textfont=font(), hoverinfo="skip", showlegend=False, name="",
        )
    )
    figure.add_vline(x=100, line={"color": LINE, "width": 3}, name=t("chart.target", lang), showlegend=True)
    captions = [t("chart.bars_caption", lang)] + ([t("chart.pace_caption", lang)] if expected.notna().any() else [])
    bottom = _caption(figure, captions, shift=62)
    ticks = [v for v in range(-50, int(AXIS_CAP) + 1, 25) if v >= low]
    figure.update_layout(
        xaxis={"domain": [0, 0.7], "range": [low, AXIS_CAP + 6], "tickvals": ticks,
               "ticktext": [format_percent(v, lang, 0) for v in ticks],
               "title": {"text": t("chart.attainment_axis", lang)}, "zeroline": low < 0, "zerolinecolor": "#888888",
               "gridcolor": "rgba(128,128,128,0.25)"},
        xaxis2={"domain": [0.72, 1], "range": [0, 1], "anchor": "y", "visible": False, "fixedrange": True},
    )
    figure.update_yaxes(autorange="reversed", automargin=True, tickmode="array", tickvals=names, ticktext=ticktext)
    figure = base_layout(figure, lang, height=row_px * len(rows) + 110 + bottom)
    figure.update_layout(showlegend=True, barmode="overlay", margin={"b": bottom, "t": 20},
                         legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                                 "traceorder": "normal"})
    return figure


def _column_label(row: dict, plan: Plan, lang: str) -> str:
    """A row's words in the bullet chart's right-hand column: the status, then the attainment (true value, even past
    the axis end), on one line when short and on two otherwise."""
    status, attainment = _status_words(row, lang), attainment_text(row, plan, lang)
    if attainment == "—":
        return html.escape(status)
    if len(status) + len(attainment) > 24:
        return f"{html.escape(status)}<br>{html.escape(attainment)}"
    return html.escape(f"{status} · {attainment}")


def _label(row: dict, plan: Plan, lang: str) -> str:
    """A bar's label: the status words and the attainment (or the count against last year's), with the shared
    status symbols."""
    attainment = attainment_text(row, plan, lang)
    return row_status(row, lang) + ("" if attainment == "—" else f" · {attainment}")


def _hover(row: dict, plan: Plan, lang: str) -> str:
    """Hover text for a row: status, actual (with "(ước)"), attainment and the missing reports. Plotly renders
    hover text as HTML, so user-given names are escaped."""
    parts = [_status_words(row, lang), f"{t('col.actual', lang)}: {actual_text(row, plan, lang)}",
             f"{t('col.attainment', lang)}: {attainment_text(row, plan, lang)}"]
    missing = missing_text(row.get("missing"), plan, lang)
    # One unit a line: a hover box is as wide as its longest line, and a long one is cut at the chart's edge.
    parts += missing.split("; ") if missing else []
    return "<br>".join(html.escape(part) for part in parts)


def _heat_value(row: dict, plan: Plan) -> float:
    """A cell's colour value: attainment (%), or for "fewer than last year" last year's count (the same span,
    `kpi.compare.last_year_base`) over this year's (%, 100 = as many; higher is better, like attainment)."""
    if row.get("kind") == "reduce_vs_baseline" or math.isnan(row["attainment"]):
        last, actual = last_year_base(row, plan)[0], row.get("actual")
        if last is not None and actual is not None and not math.isnan(actual):
            return AXIS_CAP if actual == 0 else last / actual * 100
    return row["attainment"]


def _cell_text(row: dict, plan: Plan, lang: str) -> str:
    """A heatmap cell: the status symbol (with `◐` when reached with reports missing, `~` on an estimate) and the
    attainment, or this year's count against last year's (`4/62`) for "fewer than last year"."""
    attainment = row["attainment"]
    percent = "" if attainment is None or math.isnan(attainment) else "<br>" + format_percent(attainment, lang, 0)
    ind = plan.indicator(row["indicator"])
    last = last_year_base(row, plan)[0]
    if ind.kind == "reduce_vs_baseline" and last is not None and not math.isnan(row["actual"]):
        percent = (f"<br>{format_number(row['actual'], lang, ind.decimals)}/"
                   f"{format_number(last, lang, ind.decimals)}")
    gaps = STATUS_SYMBOL["incomplete"] if rests_on_gaps(row) else ""
    estimate = "~" if row.get("estimate") else ""
    return f"{STATUS_SYMBOL[row['status']]}{gaps}{estimate}{percent}"


# Attainment colour scale: vermillion (far below) → orange → light → blue (at or past the target). Colour-blind safe,
# and every cell also prints its status symbol and value.
ATTAINMENT_SCALE = [[0.0, "#D55E00"], [0.5, "#E69F00"], [0.63, "#F0E6C8"], [0.7, "#9CC3E0"], [1.0, "#0072B2"]]


def unit_heatmap(result: pd.DataFrame, plan: Plan, lang: str = "vi") -> go.Figure:
    """Units × indicators coloured by attainment (0–150%, target at 100%), each cell with its status symbol and
    value. Only indicator columns where at least one unit has a judged target are drawn."""
    shown = result[~result["status"].isin(["no_target"])]
    indicators = [i.code for i in plan.indicators if i.code in set(shown["indicator"])]
    units = [u.code for u in plan.units if u.code in set(shown["unit"])]
    kinds = {i.code: i.kind for i in plan.indicators}
    shown = shown.assign(_heat=[_heat_value({**row, "kind": kinds[row["indicator"]]}, plan)
                                for row in shown.to_dict("records")])
    grid = shown.pivot_table(index="unit", columns="indicator", values="_heat", aggfunc="first", dropna=False)
    grid = grid.reindex(index=units, columns=indicators)
    cells = {(row["unit"], row["indicator"]): row for row in shown.to_dict("records")}
    text = [[_cell_text(cells[(u, i)], plan, lang) if (u, i) in cells else "" for i in indicators] for u in units]
    hover = [[_hover(cells[(u, i)], plan, lang) if (u, i) in cells else "" for i in indicators] for u in units]
    figure = go.Figure(go.Heatmap(
        z=grid.clip(upper=AXIS_CAP).to_numpy(), x=[plan.indicator(i).name(lang) for i in indicators],
        y=[plan.unit(u).name(lang) for u in units], text=text, texttemplate="%{text}", zmin=0, zmax=AXIS_CAP,
        colorscale=ATTAINMENT_SCALE, xgap=2, ygap=2, hoverongaps=False, customdata=hover,
        # The colourbar's text in the body font too: Streamlit's theme would draw it in 12-px grey.
        colorbar={"title": {"text": t("col.attainment", lang), "font": font()}, "ticksuffix": "%",
                  "tickfont": font()},
        hovertemplate="%{y}<br>%{x}<br>%{customdata}<extra></extra>",
    ))
    figure.update_xaxes(side="top", tickangle=-30)
    figure.update_yaxes(autorange="reversed")
    return base_layout(figure, lang, height=max(360, 34 * len(units) + 200))


def ranking_chart(ranking: pd.DataFrame, plan: Plan, lang: str = "vi") -> go.Figure:
    """Horizontal bars per unit (`kpi.emulation.emulation_ranking`): its emulation points as % of its maximum, the
    clusters one after another, with the rank within the cluster and `points/maximum` printed on each bar. Returns
    the figure: one bar trace (the bars, named by unit), then one legend entry per cluster present, in the
    cluster's bar colour."""
    rows = ranking.reset_index(drop=True)
    # Plotly reads tags in labels: a unit's name from a plan file is shown as written, never as markup.
    names = [html.escape(plan.unit(u).name(lang)) for u in rows["unit"]]
    # A unit with targets left without reports says so on its bar (◐ n): it is not ranked as if complete.
    text = [("—" if pd.isna(r) else f"#{r}") + f" · {format_number(s, lang, 2)}/{format_number(m, lang, 2)}"
            + (f" · {STATUS_SYMBOL['incomplete']} {n}" if n else "")
            for r, s, m, n in zip(rows["rank"], rows["score"], rows["max_score"], rows["incomplete"])]
    palette = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#E69F00"]
    colour = {c.code: palette[n % len(palette)] for n, c in enumerate(plan.clusters)}
    cluster_name = {c.code: html.escape(c.name(lang)) for c in plan.clusters}
    # Hover names the unit's cluster and the targets still waiting for reports, one a line.
    hover = ["<br>".join([f"{name}: {'—' if pd.isna(share) else format_percent(share, lang, 0)}",
                          cluster_name[cluster],
                          *([t("col.incomplete", lang) + ":"] if waiting else []),
                          *(html.escape(plan.indicator(code).name(lang)) for code in waiting)])
             for name, cluster, share, waiting in zip(names, rows["cluster"], rows["share"], rows["waiting"])]
    # One bar trace for all units, not one per cluster: the by-unit page maps a clicked point's index to the
    # ranking's row and the projector restyles the single bar trace; the clusters get their legend entries from
    # the swatches below.
    figure = go.Figure(go.Bar(
        x=rows["share"].fillna(0), y=names, orientation="h", text=text, customdata=hover, textposition="outside",
        cliponaxis=False, textfont=font(), constraintext="none", showlegend=False, name=t("rank.share_axis", lang),
        marker={"color": [colour[c] for c in rows["cluster"]]},
        hovertemplate="%{customdata}<extra></extra>",
    ))
    for cluster in dict.fromkeys(rows["cluster"]):
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=cluster_name[cluster],
                                    marker={"symbol": "square", "size": 14, "color": colour[cluster]},
                                    hoverinfo="skip"))
    figure.update_xaxes(title=t("rank.share_axis", lang), range=[0, 118], ticksuffix="%")
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure = base_layout(figure, lang, height=max(320, 30 * len(rows) + 130))
    figure.update_layout(showlegend=True, margin={"t": 40},
                         legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
                                 "traceorder": "normal", "title": {"text": t("col.cluster", lang) + ":",
                                                                   "font": font()}})
    return figure


def quarter_chart(series: pd.DataFrame, plan: Plan, indicator: str, lang: str = "vi", through: int = 4) -> go.Figure:
    """One indicator by quarter for one unit, drawn as its kind needs: a flow's quarterly bars with the cumulative
    actual against the pace line to the annual target and the projection; a level's values against the target
    line; a rank (published once a year) on an inverted axis (1 at the top) with the baseline and target ranks
    marked, and the published rank or its status (`⧗ Chờ công bố`) in words. Values are in the indicator's measure.

    Only quarters up to `through` (the chosen period's last quarter) are drawn as figures; the pace line still runs
    to the year's end, since it is the plan, not a figure. Returns the figure."""
    ind = plan.indicator(indicator)
    rows = series[series["indicator"] == indicator].sort_values("quarter")
    quarters = [f"Q{q}" for q in rows["quarter"]]
    within = rows["quarter"] <= through
    reported = (rows["as_of"].fillna(0).astype(int) >= rows["quarter"]) & within
    measure = ind.measure(lang)
    figure = go.Figure()
    target = rows["target"].dropna()
    target_value = float(target.iloc[0]) if len(target) else None
    if ind.kind == "rank_gain":
        _rank_in_year(figure, rows[rows["quarter"] == through], ind, plan, lang)
    elif ind.flow == "flow":
        figure.add_trace(go.Bar(x=quarters, y=rows["period_value"].where(within), name=t("chart.quarter_value", lang),
                                marker={"color": "#9CC3E0"}))
        # Hover gives the figure as the tables word it: "(ước)" where an estimate governs, the status with it.
        words = [f"{actual_text(r, plan, lang)}<br>{html.escape(_status_words(r, lang))}"
                 for r in rows[reported].to_dict("records")]
        figure.add_trace(go.Scatter(x=[q for q, ok in zip(quarters, reported) if ok], y=rows["actual"][reported],
                                    mode="lines+markers", name=t("chart.cumulative", lang), customdata=words,
                                    hovertemplate="%{x}: %{customdata}<extra></extra>",
                                    line={"width": 4, "color": "#0072B2"}))
        if ind.kind == "reduce_vs_baseline":
            last_year = rows["last_year"].cumsum()
            figure.add_trace(go.Scatter(x=quarters, y=last_year, mode="lines", name=t("chart.last_year_cumulative",
                                                                                      lang),
                                        line={"dash": "dash", "width": 3, "color": LINE}))
        else:
            figure.add_trace(go.Scatter(x=quarters, y=rows["expected_value"].where(rows["expected_value"].notna()),
                                        mode="lines", name=t("chart.pace", lang),
                                        line={"dash": "dash", "width": 3, "color": LINE}))
        # Projected from the last quarter the figures reach; a view reaching the year's end has none.
        last = rows[reported].iloc[-1] if reported.any() else None
        if last is not None and pd.notna(last["projection"]):
            figure.add_trace(go.Scatter(x=[f"Q{int(last['quarter'])}", "Q4"], y=[last["actual"], last["projection"]],
                                        mode="lines+markers", name=t("col.projection", lang),
                                        line={"dash": "dot", "width": 3, "color": "#E69F00"}))
        if target_value is not None:
            # Labelled at the left: the pace line ends on the target at the right.
            figure.add_hline(y=target_value, line={"width": 3, "color": LINE}, annotation_position="top left",
                             annotation={"text": f"{t('col.target', lang)}: {format_number(target_value, lang, 0)}",
                                         "font": font()})
        figure.update_yaxes(title=measure, rangemode="tozero")
    else:
        values = rows["reported"] if ind.kind == "reduce_by" else rows["actual"]
        points_x = [q for q, ok in zip(quarters, reported) if ok]
        points_y = list(values[reported])
        marks = [" " + t("estimate.mark", lang) if e else "" for e in rows["estimate"][reported]]
        column = "annual_reported" if ind.kind == "reduce_by" else "annual_actual"
        year_end = rows[column].dropna() if column in rows and through == 4 else pd.Series(dtype=float)
        if len(year_end) and "Q4" not in points_x:  # the year's own figure stands at the year's end
            points_x.append("Q4")
            points_y.append(float(year_end.iloc[0]))
        figure.add_trace(go.Scatter(x=points_x, y=points_y, mode="lines+markers+text", name=t("col.actual", lang),
                                    line={"width": 4, "color": "#0072B2"}, textposition="top center", textfont=font(),
                                    text=[format_number(v, lang, ind.decimals) + m
                                          for v, m in zip(points_y, [*marks, *[""] * len(points_y)])]))
        if ind.kind == "reduce_by":
            baseline = rows["baseline"].dropna()
            if len(baseline):
                base = float(baseline.iloc[0])
                for value, key, dash in ((base, "col.baseline", "dot"), (base - (ind.target or 0), "col.target",
                                                                         "dash")):
                    figure.add_hline(y=value, line={"dash": dash, "width": 3},
                                     annotation={"text": f"{t(key, lang)}: {format_number(value, lang, 2)}",
                                                 "font": font()})
        elif target_value is not None:
            figure.add_hline(y=target_value, line={"dash": "dash", "width": 3},
                             annotation={"text": f"{t('col.target', lang)}: {format_number(target_value, lang, 2)}",
                                         "font": font()})
        figure.update_yaxes(title=measure)
    if ind.kind != "rank_gain":
        # The whole year on the axis, whichever quarters have figures: the reader sees how far the year has gone.
        figure.update_xaxes(categoryorder="array", categoryarray=["Q1", "Q2", "Q3", "Q4"], range=[-0.5, 3.5])
        figure.update_yaxes(tickformat=",~f")  # 1.500.000, not 1,5M
    # A long name takes two lines rather than running into the next chart of the row.
    title = _wrap(ind.name(lang), 48)
    figure = base_layout(figure, lang, height=380 + 20 * title.count("<br>"))
    figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.15, "yanchor": "top"},
                         title={"text": title, "font": font(16)}, margin={"t": 40 + 20 * title.count("<br>")})
    return figure


def _published(row: pd.Series | None, ind: Indicator, lang: str) -> str | None:
    """A rank row's published figure as printed (`36`, `>30`), or None while it is not published."""
    if row is None or pd.isna(row["actual"]):
        return None
    return format_figure(float(row["actual"]), row.get("actual_qualifier"), lang, ind.decimals)


def _rank_in_year(figure: go.Figure, row: pd.DataFrame, ind: Indicator, plan: Plan, lang: str) -> None:
    """Draw one rank indicator's year on `figure` (`row`: its series row for the period's last quarter): the
    baseline and target ranks as labelled lines (censored ones as `>30`, `≤26`), the published rank as a labelled
    mark, and the status in words (`⧗ Chờ công bố`, `✔ Đã đạt`) where no line or mark is. A rank has no quarters:
    the x axis is the year alone."""
    year = period_label(str(plan.year), lang)
    record = row.iloc[0] if len(row) else None
    taken = []  # ranks where a line or the mark stands
    if record is not None:
        # The target's label above its line, the baseline's below: they never overlap, however close the ranks.
        for value, qualifier, key, dash, where in (
                (record["baseline"], record["baseline_qualifier"], "col.baseline", "dot", "bottom left"),
                (record["target"], record["target_qualifier"], "col.target", "dash", "top right")):
            if pd.notna(value):
                taken.append(float(value))
                label = f"{t(key, lang)}: {format_figure(float(value), qualifier, lang, 0)}"
                figure.add_hline(y=float(value), line={"dash": dash, "width": 3, "color": LINE},
                                 annotation_position=where, annotation={"text": label, "font": font()})
    published = _published(record, ind, lang)
    if published is not None:
        taken.append(float(record["actual"]))
        figure.add_trace(go.Scatter(x=[year], y=[float(record["actual"])], mode="markers+text",
                                    name=t("col.actual", lang), text=[published], textposition="middle left",
                                    textfont=font(), marker={"size": 16, "color": "#0072B2",
                                                             "line": {"width": 2, "color": LINE}}))
    if record is not None:
        figure.add_annotation(x=0, y=_open_rank(taken, ind), text=html.escape(_status_words(record, lang)),
                              showarrow=False, font=font(16), name=str(record["status"]))
    # A category axis shows the year even with nothing drawn on it (no published rank yet).
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=[year], range=[-0.5, 0.5])
    figure.update_yaxes(autorange=False, range=[ind.max + 0.5, 0.5], title=ind.measure(lang))


def _open_rank(taken: list[float], ind: Indicator) -> float:
    """The rank in the middle of the widest stretch of the axis where no line or mark is: where words fit."""
    edges = sorted([0.5, ind.max + 0.5, *taken])
    low, high = max(zip(edges, edges[1:]), key=lambda pair: pair[1] - pair[0])
    return (low + high) / 2


def rank_chart(series: pd.DataFrame, plan: Plan, lang: str = "vi", through: int = 4) -> go.Figure:
    """Every rank indicator (published once a year) of one unit in one figure, a row each: the baseline rank (○,
    `>30` when only a bound is known), the target rank (│, `≤26`), the published rank (●), and under them the
    status in words with the published rank (`36 · ✔ Đã đạt`, `⧗ Chờ công bố`). Ranks run from the last (left)
    to 1 (right). `through`: the period's last quarter; a rank published for the year shows only in a view
    reaching the fourth. Returns the figure."""
    codes = [i.code for i in plan.indicators if i.kind == "rank_gain"]
    rows = series[series["indicator"].isin(codes) & (series["quarter"] == through)]
    order = {code: n for n, code in enumerate(codes)}
    rows = rows.sort_values("indicator", key=lambda c: c.map(order)).reset_index(drop=True)
    inds = [plan.indicator(code) for code in rows["indicator"]]
    places = list(range(len(rows)))
    most = max((i.max for i in inds), default=63)
    figure = go.Figure()
    # Above each row, the baseline's number to the left of its mark and the target's to the right: the target is
    # the better rank (to the right), so the two never meet.
    figure.add_trace(go.Scatter(
        x=rows["baseline"], y=places, mode="markers+text", textposition="top left", textfont=font(),
        text=[format_figure(v, q, lang, 0) for v, q in zip(rows["baseline"], rows["baseline_qualifier"])],
        name=f"{t('col.baseline', lang)} ({plan.baseline_year})", hoverinfo="skip",
        marker={"symbol": "circle-open", "size": 14, "line": {"width": 3}, "color": LINE}))
    figure.add_trace(go.Scatter(
        x=rows["target"], y=places, mode="markers+text", textposition="top right", textfont=font(),
        text=[format_figure(v, q, lang, 0) for v, q in zip(rows["target"], rows["target_qualifier"])],
        name=t("col.target", lang), hoverinfo="skip",
        marker={"symbol": "line-ns", "size": 24, "line": {"width": 4, "color": LINE}, "color": LINE}))
    published = [_published(row, ind, lang) for ind, (_, row) in zip(inds, rows.iterrows())]
    if any(text is not None for text in published):
        figure.add_trace(go.Scatter(
            x=[row["actual"] for (_, row), text in zip(rows.iterrows(), published) if text is not None],
            y=[n for n, text in zip(places, published) if text is not None], mode="markers",
            name=t("col.actual", lang), hoverinfo="skip",
            marker={"size": 18, "color": "#0072B2", "line": {"width": 2, "color": LINE}}))
    # Under each row, its status in words (with the published rank): the one place no mark or number is.
    for n, (text, (_, row)) in enumerate(zip(published, rows.iterrows())):
        known = [v for v in (row["actual"], row["baseline"], row["target"]) if pd.notna(v)]
        x = float(row["actual"]) if text is not None else (sum(known) / len(known) if known else (most + 1) / 2)
        words = _status_words(row, lang) if text is None else f"{text} · {_status_words(row, lang)}"
        figure.add_annotation(x=x, y=n + 0.38, text=html.escape(words), showarrow=False, font=font(),
                              xanchor="right" if x < most * 0.15 else "left" if x > most * 0.85 else "center",
                              name=str(row["status"]))
    figure.update_xaxes(range=[most + 0.5, 0.5], tickvals=[v for v in (most, 50, 40, 30, 20, 10, 1) if v <= most],
                        title=t("chart.rank_axis", lang, n=most), gridcolor="rgba(128,128,128,0.25)", zeroline=False)
    figure.update_yaxes(range=[len(rows) - 0.4, -0.7], tickmode="array", tickvals=places,
                        ticktext=[_wrap(i.name(lang), 28) for i in inds], automargin=True, zeroline=False,
                        showgrid=False)
    figure = base_layout(figure, lang, height=95 * max(len(rows), 1) + 150)
    figure.update_layout(showlegend=True, title={"text": t("chart.ranks_title", lang), "font": font(16)},
                         margin={"t": 60},
                         legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.2, "yanchor": "top"})
    return figure


REPORT_COLOUR = {"on_time": "#009E73", "late": "#E69F00", "missing": "#D55E00", "not_due": "#E8E8E8"}
REPORT_SYMBOL = {"on_time": "✔", "late": "◐", "missing": "✖", "not_due": "·"}


def completeness_matrix(report: pd.DataFrame, plan: Plan, lang: str = "vi") -> go.Figure:
    """One column per period and, unit by unit, a bold heading row naming the unit once, then a row per indicator
    it reports: on time, late, missing or not due, by colour and by symbol. Returns the figure; its y categories
    are `unit:indicator` codes (a heading row: `unit:`), shown as the names, and a legend above the grid names the
    four states with their symbols and colours."""
    codes = {state: n for n, state in enumerate(REPORT_COLOUR)}
    indicator_order = {i.code: n for n, i in enumerate(plan.indicators)}
    report = report.assign(
        row=[f"{u}:{i}" for u, i in zip(report["unit"], report["indicator"])],
        _u=report["unit"].map(plan.unit_positions()), _i=report["indicator"].map(indicator_order),
    ).sort_values(["_u", "_i", "quarter"])
    rows, labels = [], []
    for unit, indicators in report.groupby("unit", sort=False)["indicator"]:
        rows.append(f"{unit}:")
        labels.append(f"<b>{html.escape(plan.unit(unit).name(lang))}</b>")
        for indicator in dict.fromkeys(indicators):
            rows.append(f"{unit}:{indicator}")
            labels.append(html.escape(plan.indicator(indicator).name(lang)))
    periods = list(dict.fromkeys(report.sort_values("quarter")["period"]))
    # Heading rows have no report: their cells stay empty (NaN, no colour, no hover).
    state = report.pivot_table(index="row", columns="period", values="state", aggfunc="first").reindex(
        index=rows, columns=periods)
    z = state.apply(lambda col: col.map(codes)).to_numpy(dtype=float)
    text = state.apply(lambda col: col.map(REPORT_SYMBOL)).fillna("").to_numpy()
    # A discrete scale: state k fills the band [k/n, (k+1)/n] and z runs from -0.5 to n-0.5.
    n = len(codes)
    scale = [[edge / n, REPORT_COLOUR[name]] for name, code in codes.items() for edge in (code, code + 1)]
    where = {row: f"{html.escape(plan.unit(row.split(':')[0]).name(lang))}<br>{label}"
             for row, label in zip(rows, labels)}
    hover = [[f"{where[row]}<br>{t(f'report.{s}', lang)}" if isinstance(s, str) else "" for s in states]
             for row, states in zip(rows, state.to_numpy())]
    figure = go.Figure(go.Heatmap(
        z=z, x=[period_label(p, lang) for p in periods], y=rows, text=text, texttemplate="%{text}",
        textfont=font(), zmin=-0.5, zmax=n - 0.5, colorscale=scale, showscale=False, xgap=3, ygap=2,
        hoverongaps=False, customdata=hover, hovertemplate="%{x}<br>%{customdata}<extra></extra>",
        name="", showlegend=False,
    ))
    # The legend: a swatch per state in its colour, named with its symbol and word (as the page's counts are).
    for name, colour in REPORT_COLOUR.items():
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=t(f"report.{name}", lang),
                                    hoverinfo="skip", marker={"symbol": "square", "size": 14, "color": colour,
                                                              "line": {"width": 1, "color": "#888888"}}))
    figure.update_xaxes(side="top", showgrid=False, zeroline=False)
    # 24 px a row: room for a 14-px line, so no two names touch however many rows there are.
    figure.update_yaxes(autorange="reversed", automargin=True, tickmode="array", tickvals=rows, ticktext=labels,
                        showgrid=False, zeroline=False)
    figure = base_layout(figure, lang, height=24 * len(rows) + 130)
    # The legend at the top of the figure, above the periods' names (a tall grid's foot is off screen).
    figure.update_layout(showlegend=True, margin={"t": 95}, legend={
        "orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yref": "container", "yanchor": "top",
        "title": {"text": t("chart.report_states", lang), "font": font()}})
    return figure


def attainment_by_unit(rows: pd.DataFrame, plan: Plan, lang: str = "vi") -> go.Figure:
    """One indicator across units: attainment bars (% of each unit's target) coloured by status with the status
    word, and the target line at 100%. Units without a target are left out. A bar past the axis end stops at it
    with ▶ (the bullet chart's marker) and its label keeps the true value. Returns the figure."""
    judged = rows[~rows["status"].isin(["no_target"])].reset_index(drop=True)
    records = judged.to_dict("records")
    attainment = judged["attainment"].astype("float64")
    low = _axis_floor(attainment)
    drawn = attainment.clip(lower=low, upper=AXIS_CAP).fillna(0)
    names = [plan.unit(u).name(lang) for u in judged["unit"]]
    beyond = attainment.notna() & ((attainment > AXIS_CAP) | (attainment < low))
    # Two en spaces before a marked bar's label: the ▶ at the bar's end would otherwise cover its first glyph.
    labels = [("\u2002\u2002" if past else "") + _label(row, plan, lang) for row, past in zip(records, beyond)]
    figure = go.Figure(go.Bar(
        x=drawn, y=names, orientation="h", text=labels, textposition="outside", name=t("col.attainment", lang),
        cliponaxis=False, marker={"color": [STATUS_COLOUR[s] for s in judged["status"]]}, textfont=font(),
        customdata=[_hover(row, plan, lang) for row in records], hovertemplate="%{y}<br>%{customdata}<extra></extra>",
        showlegend=False,
    ))
    _beyond_markers(figure, attainment, drawn, names, low,
                    t("chart.beyond_bar", lang, cap=format_percent(AXIS_CAP, lang, 0)))
    figure.add_vline(x=100, line={"color": LINE, "width": 3})
    figure.update_xaxes(title=t("chart.attainment_axis", lang), range=[low, AXIS_CAP * 1.45], ticksuffix="%")
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure = base_layout(figure, lang, height=max(260, 34 * len(judged) + 100 + (40 if beyond.any() else 0)))
    if beyond.any():  # the marker says what it means in a legend of its own
        figure.update_layout(showlegend=True, margin={"b": 90},
                             legend={"orientation": "h", "x": 0, "y": 0, "yref": "container", "yanchor": "bottom"})
    return figure
