"""Plotly chart builders: pure functions from evaluation DataFrames to figures, tested without Streamlit.

Status colours are the Okabe–Ito palette (safe for colour-blind viewers) and every mark also carries the status
symbol and word, so colour is never the only signal.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from kpi.fmt import PLOTLY_SEPARATORS, format_percent
from kpi.i18n import STATUS_SYMBOL, status_label, t
from kpi.plan import Plan

STATUS_COLOUR = {
    "achieved": "#009E73",
    "on_track": "#0072B2",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    "undetermined": "#CC79A7",
    "awaiting": "#7F7F7F",
    "no_target": "#A6A6A6",
    "no_data": "#A6A6A6",
}
FONT = "Noto Sans, Segoe UI, Roboto, Arial, sans-serif"
AXIS_CAP = 150.0  # attainment beyond this is drawn at the edge and labelled with its true value


def base_layout(figure: go.Figure, lang: str, height: int) -> go.Figure:
    """Apply the shared look: the language's number separators, font, margins, transparent background."""
    figure.update_layout(
        separators=PLOTLY_SEPARATORS[lang],
        font={"family": FONT, "size": 14},
        height=height,
        margin={"l": 10, "r": 20, "t": 30, "b": 40},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        showlegend=False,
    )
    return figure


def attainment_bullets(result: pd.DataFrame, plan: Plan, lang: str = "vi") -> go.Figure:
    """A bullet chart: one bar per indicator (attainment, % of target) over the status bands of the plan's
    thresholds, a line at the target (100%), and a tick where a flow indicator should stand by now."""
    rows = result.reset_index(drop=True)
    names = [plan.indicator(code).name(lang) for code in rows["indicator"]]
    attainment = rows["attainment"].astype("float64")
    drawn = attainment.clip(lower=-AXIS_CAP / 3, upper=AXIS_CAP).fillna(0)
    labels = []
    for value, status in zip(attainment, rows["status"]):
        percent = "" if math.isnan(value) else " · " + format_percent(value, lang, 1)
        labels.append(f"{status_label(status, lang)}{percent}")
    colours = [STATUS_COLOUR[s] for s in rows["status"]]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=drawn, y=names, orientation="h", marker={"color": colours, "line": {"width": 0}},
            text=labels, textposition="outside", cliponaxis=False, width=0.6,
            customdata=rows[["status"]].assign(symbol=rows["status"].map(STATUS_SYMBOL)).to_numpy(),
            hovertemplate="%{y}<br>%{text}<extra></extra>", name=t("col.attainment", lang),
        )
    )
    expected = rows["expected"].astype("float64")
    if expected.notna().any():
        figure.add_trace(
            go.Scatter(
                x=expected, y=names, mode="markers", name=t("chart.expected", lang),
                marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": "#222222"}},
                hovertemplate="%{y}<br>" + t("chart.expected", lang) + ": %{x:.1f}%<extra></extra>",
            )
        )
    thresholds = plan.status
    bands = [(-AXIS_CAP / 3, thresholds.at_risk, "rgba(213,94,0,0.08)"),
             (thresholds.at_risk, thresholds.on_track, "rgba(230,159,0,0.10)"),
             (thresholds.on_track, AXIS_CAP * 1.45, "rgba(0,114,178,0.06)")]
    for x0, x1, colour in bands:
        figure.add_vrect(x0=x0, x1=x1, fillcolor=colour, line_width=0, layer="below")
    figure.add_vline(x=100, line={"color": "#222222", "width": 3},
                     annotation={"text": t("chart.target", lang), "showarrow": False, "yanchor": "bottom"},
                     annotation_position="top")
    figure.update_xaxes(title=t("chart.attainment_axis", lang), range=[-AXIS_CAP / 3, AXIS_CAP * 1.45],
                        ticksuffix="%", zeroline=True, zerolinecolor="#888888", gridcolor="rgba(128,128,128,0.25)")
    figure.update_yaxes(autorange="reversed", automargin=True)
    return base_layout(figure, lang, height=max(320, 44 * len(rows) + 90))
