"""Plotly chart builders: pure functions from evaluation DataFrames to figures, tested without Streamlit.

Status colours are the Okabe–Ito palette (safe for colour-blind viewers) and every mark also carries the status
symbol and word, so colour is never the only signal.
"""

from __future__ import annotations

import html
import math

import pandas as pd
import plotly.graph_objects as go

from kpi.fmt import PLOTLY_SEPARATORS, format_figure, format_number, format_percent
from kpi.i18n import STATUS_SYMBOL, t
from kpi.periods import period_label
from kpi.plan import Plan
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
    records = rows.to_dict("records")
    labels = [_label(row, plan, lang) for row in records]
    hover = [_hover(row, plan, lang) for row in records]
    colours = [STATUS_COLOUR[s] for s in rows["status"]]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=drawn, y=names, orientation="h", marker={"color": colours, "line": {"width": 0}},
            text=labels, textposition="outside", cliponaxis=False, width=0.6,
            customdata=hover, hovertemplate="%{y}<br>%{customdata}<extra></extra>", name=t("col.attainment", lang),
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


def _label(row: dict, plan: Plan, lang: str) -> str:
    """A bar's label: the status words and the attainment (or the count against last year's)."""
    attainment = attainment_text(row, plan, lang)
    return row_status(row, lang) + ("" if attainment == "—" else f" · {attainment}")


def _hover(row: dict, plan: Plan, lang: str) -> str:
    """Hover text for a row: status, actual (with "(ước)"), attainment and the missing reports. Plotly renders
    hover text as HTML, so user-given names are escaped."""
    parts = [row_status(row, lang), f"{t('col.actual', lang)}: {actual_text(row, plan, lang)}",
             f"{t('col.attainment', lang)}: {attainment_text(row, plan, lang)}"]
    missing = missing_text(row.get("missing"), plan, lang)
    # One unit a line: a hover box is as wide as its longest line, and a long one is cut at the chart's edge.
    parts += missing.split("; ") if missing else []
    return "<br>".join(html.escape(part) for part in parts)


def _last_year_count(row: dict) -> float | None:
    """For "fewer than last year": the count it must stay under (same span last year, else last year's total)."""
    for column in ("same_span_last_year", "baseline"):
        value = row.get(column)
        if value is not None and not math.isnan(value):
            return float(value)
    return None


def _heat_value(row: dict) -> float:
    """A cell's colour value: attainment (%), or for "fewer than last year" last year's count over this year's
    (%, 100 = as many; higher is better, like attainment)."""
    if row.get("kind") == "reduce_vs_baseline" or math.isnan(row["attainment"]):
        last, actual = _last_year_count(row), row.get("actual")
        if last is not None and actual is not None and not math.isnan(actual):
            return AXIS_CAP if actual == 0 else last / actual * 100
    return row["attainment"]


def _cell_text(row: dict, plan: Plan, lang: str) -> str:
    """A heatmap cell: the status symbol (with `◐` when reached with reports missing, `~` on an estimate) and the
    attainment, or this year's count against last year's (`4/62`) for "fewer than last year"."""
    attainment = row["attainment"]
    percent = "" if attainment is None or math.isnan(attainment) else "<br>" + format_percent(attainment, lang, 0)
    ind = plan.indicator(row["indicator"])
    last = _last_year_count(row)
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
    shown = shown.assign(_heat=[_heat_value({**row, "kind": kinds[row["indicator"]]})
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
        colorbar={"title": {"text": t("col.attainment", lang)}, "ticksuffix": "%"},
        hovertemplate="%{y}<br>%{x}<br>%{customdata}<extra></extra>",
    ))
    figure.update_xaxes(side="top", tickangle=-30)
    figure.update_yaxes(autorange="reversed")
    return base_layout(figure, lang, height=max(360, 34 * len(units) + 200))


def ranking_chart(ranking: pd.DataFrame, plan: Plan, lang: str = "vi") -> go.Figure:
    """Horizontal bars per unit: share (%) of judged targets achieved or on track, grouped by cluster, with the
    rank within the cluster and `good/judged` printed on each bar."""
    rows = ranking.reset_index(drop=True)
    labels = [f"{plan.cluster_of(u).name(lang)} · {plan.unit(u).name(lang)}" for u in rows["unit"]]
    # A unit with targets left without reports says so on its bar (◐ n): it is not ranked as if complete.
    text = [("—" if pd.isna(r) else f"#{r}") + f" · {g}/{j}" + (f" · {STATUS_SYMBOL['incomplete']} {n}" if n else "")
            for r, g, j, n in zip(rows["rank"], rows["good"], rows["judged"], rows["incomplete"])]
    palette = ["#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#E69F00"]
    colour = {c.code: palette[n % len(palette)] for n, c in enumerate(plan.clusters)}
    # Hover names the targets still waiting for reports, one a line.
    hover = ["<br>".join([f"{label}: {'—' if pd.isna(share) else format_percent(share, lang, 0)}",
                          *([t("col.incomplete", lang) + ":"] if waiting else []),
                          *(html.escape(plan.indicator(code).name(lang)) for code in waiting)])
             for label, share, waiting in zip(labels, rows["share"], rows["waiting"])]
    figure = go.Figure(go.Bar(
        x=rows["share"].fillna(0), y=labels, orientation="h", text=text, customdata=hover, textposition="outside",
        cliponaxis=False,
        marker={"color": [colour[c] for c in rows["cluster"]]},
        hovertemplate="%{customdata}<extra></extra>",
    ))
    figure.update_xaxes(title=t("rank.share_axis", lang), range=[0, 118], ticksuffix="%")
    figure.update_yaxes(autorange="reversed", automargin=True)
    return base_layout(figure, lang, height=max(320, 30 * len(rows) + 100))


def quarter_chart(series: pd.DataFrame, plan: Plan, indicator: str, lang: str = "vi") -> go.Figure:
    """One indicator by quarter for one unit, drawn as its kind needs: a flow's quarterly bars with the cumulative
    actual against the pace line to the annual target and the projection; a level's values against the target
    line; a rank on an inverted axis (1 at the top) with the baseline and target ranks marked."""
    ind = plan.indicator(indicator)
    rows = series[series["indicator"] == indicator].sort_values("quarter")
    quarters = [f"Q{q}" for q in rows["quarter"]]
    reported = rows["as_of"].fillna(0).astype(int) >= rows["quarter"]
    measure = ind.measure(lang)
    figure = go.Figure()
    target = rows["target"].dropna()
    target_value = float(target.iloc[0]) if len(target) else None
    if ind.kind == "rank_gain":
        published = rows["annual_actual"].dropna() if "annual_actual" in rows else pd.Series(dtype=float)
        if len(published):  # a rank is published for the year: draw it across the year, labelled
            rank = float(published.iloc[0])
            qualifier = rows["annual_actual_qualifier"].dropna()
            label = format_figure(rank, qualifier.iloc[0] if len(qualifier) else None, lang, 0)
            figure.add_trace(go.Scatter(x=quarters, y=[rank] * len(rows), mode="lines+markers+text",
                                        name=t("col.actual", lang), line={"width": 4},
                                        text=[""] * (len(rows) - 1) + [label], textposition="top left"))
        for value, key, dash in ((rows["baseline"].dropna(), "col.baseline", "dot"),
                                 (rows["target"].dropna(), "col.target", "dash")):
            if len(value):
                figure.add_hline(y=float(value.iloc[0]), line={"dash": dash, "width": 3},
                                 annotation={"text": f"{t(key, lang)}: {format_number(value.iloc[0], lang, 0)}"})
        figure.update_yaxes(autorange=False, range=[ind.max + 0.5, 0.5], title=measure)
    elif ind.flow == "flow":
        figure.add_trace(go.Bar(x=quarters, y=rows["period_value"], name=t("chart.quarter_value", lang),
                                marker={"color": "#9CC3E0"}))
        # Hover gives the figure as the tables word it: "(ước)" where an estimate governs, the status with it.
        words = [f"{actual_text(r, plan, lang)}<br>{html.escape(row_status(r, lang))}"
                 for r in rows[reported].to_dict("records")]
        figure.add_trace(go.Scatter(x=[q for q, ok in zip(quarters, reported) if ok], y=rows["actual"][reported],
                                    mode="lines+markers", name=t("chart.cumulative", lang), customdata=words,
                                    hovertemplate="%{x}: %{customdata}<extra></extra>",
                                    line={"width": 4, "color": "#0072B2"}))
        if ind.kind == "reduce_vs_baseline":
            last_year = rows["last_year"].cumsum()
            figure.add_trace(go.Scatter(x=quarters, y=last_year, mode="lines", name=t("chart.last_year_cumulative",
                                                                                      lang),
                                        line={"dash": "dash", "width": 3, "color": "#222222"}))
        else:
            figure.add_trace(go.Scatter(x=quarters, y=rows["expected_value"].where(rows["expected_value"].notna()),
                                        mode="lines", name=t("chart.pace", lang),
                                        line={"dash": "dash", "width": 3, "color": "#222222"}))
        # Projected from the last quarter the figures reach; a view reaching the year's end has none.
        last = rows[reported].iloc[-1] if reported.any() else None
        if last is not None and pd.notna(last["projection"]):
            figure.add_trace(go.Scatter(x=[f"Q{int(last['quarter'])}", "Q4"], y=[last["actual"], last["projection"]],
                                        mode="lines+markers", name=t("col.projection", lang),
                                        line={"dash": "dot", "width": 3, "color": "#E69F00"}))
        if target_value is not None:
            figure.add_hline(y=target_value, line={"width": 3, "color": "#222222"},
                             annotation={"text": f"{t('col.target', lang)}: {format_number(target_value, lang, 0)}"})
        figure.update_yaxes(title=measure, rangemode="tozero")
    else:
        values = rows["reported"] if ind.kind == "reduce_by" else rows["actual"]
        points_x = [q for q, ok in zip(quarters, reported) if ok]
        points_y = list(values[reported])
        marks = [" " + t("estimate.mark", lang) if e else "" for e in rows["estimate"][reported]]
        column = "annual_reported" if ind.kind == "reduce_by" else "annual_actual"
        year_end = rows[column].dropna() if column in rows else pd.Series(dtype=float)
        if len(year_end) and "Q4" not in points_x:  # the year's own figure stands at the year's end
            points_x.append("Q4")
            points_y.append(float(year_end.iloc[0]))
        figure.add_trace(go.Scatter(x=points_x, y=points_y, mode="lines+markers+text", name=t("col.actual", lang),
                                    line={"width": 4}, textposition="top center",
                                    text=[format_number(v, lang, ind.decimals) + m
                                          for v, m in zip(points_y, [*marks, *[""] * len(points_y)])]))
        if ind.kind == "reduce_by":
            baseline = rows["baseline"].dropna()
            if len(baseline):
                base = float(baseline.iloc[0])
                for value, key, dash in ((base, "col.baseline", "dot"), (base - (ind.target or 0), "col.target",
                                                                         "dash")):
                    figure.add_hline(y=value, line={"dash": dash, "width": 3},
                                     annotation={"text": f"{t(key, lang)}: {format_number(value, lang, 2)}"})
        elif target_value is not None:
            figure.add_hline(y=target_value, line={"dash": "dash", "width": 3},
                             annotation={"text": f"{t('col.target', lang)}: {format_number(target_value, lang, 2)}"})
        figure.update_yaxes(title=measure)
    figure.update_xaxes(categoryorder="array", categoryarray=["Q1", "Q2", "Q3", "Q4"])
    figure.update_yaxes(tickformat=",~f")  # 1.500.000, not 1,5M
    figure = base_layout(figure, lang, height=360)
    figure.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.2}, title=ind.name(lang))
    return figure


REPORT_COLOUR = {"on_time": "#009E73", "late": "#E69F00", "missing": "#D55E00", "not_due": "#E8E8E8"}
REPORT_SYMBOL = {"on_time": "✔", "late": "◐", "missing": "✖", "not_due": "·"}


def completeness_matrix(report: pd.DataFrame, plan: Plan, lang: str = "vi") -> go.Figure:
    """One row per unit × indicator it reports, one column per period: on time, late, missing or not due, by
    colour and by symbol."""
    codes = {state: n for n, state in enumerate(REPORT_COLOUR)}
    unit_order = {u.code: n for n, u in enumerate(plan.units)}
    indicator_order = {i.code: n for n, i in enumerate(plan.indicators)}
    report = report.assign(
        row=[f"{plan.unit(u).name(lang)} · {plan.indicator(i).name(lang)}"
             for u, i in zip(report["unit"], report["indicator"])],
        _u=report["unit"].map(unit_order), _i=report["indicator"].map(indicator_order),
    ).sort_values(["_u", "_i", "quarter"])
    rows = list(dict.fromkeys(report["row"]))
    periods = list(dict.fromkeys(report.sort_values("quarter")["period"]))
    state = report.pivot_table(index="row", columns="period", values="state", aggfunc="first").reindex(
        index=rows, columns=periods)
    z = state.apply(lambda col: col.map(codes)).to_numpy(dtype=float)
    text = state.apply(lambda col: col.map(REPORT_SYMBOL)).fillna("").to_numpy()
    # A discrete scale: state k fills the band [k/n, (k+1)/n] and z runs from -0.5 to n-0.5.
    n = len(codes)
    scale = [[edge / n, REPORT_COLOUR[name]] for name, code in codes.items() for edge in (code, code + 1)]
    words = state.apply(lambda col: col.map(lambda s: t(f"report.{s}", lang) if isinstance(s, str) else ""))
    figure = go.Figure(go.Heatmap(
        z=z, x=[period_label(p, lang) for p in periods], y=rows, text=text, texttemplate="%{text}",
        zmin=-0.5, zmax=n - 0.5, colorscale=scale, showscale=False, xgap=3, ygap=2, hoverongaps=False,
        customdata=words.to_numpy(), hovertemplate="%{y}<br>%{x}<br>%{customdata}<extra></extra>",
    ))
    figure.update_xaxes(side="top")
    figure.update_yaxes(autorange="reversed", automargin=True)
    return base_layout(figure, lang, height=max(300, 22 * len(rows) + 120))


def attainment_by_unit(rows: pd.DataFrame, plan: Plan, lang: str = "vi") -> go.Figure:
    """One indicator across units: attainment bars (% of each unit's target) coloured by status with the status
    word, and the target line at 100%. Units without a target are left out."""
    judged = rows[~rows["status"].isin(["no_target"])].reset_index(drop=True)
    records = judged.to_dict("records")
    labels = [_label(row, plan, lang) for row in records]
    figure = go.Figure(go.Bar(
        x=judged["attainment"].clip(lower=-AXIS_CAP / 3, upper=AXIS_CAP).fillna(0),
        y=[plan.unit(u).name(lang) for u in judged["unit"]], orientation="h", text=labels, textposition="outside",
        cliponaxis=False, marker={"color": [STATUS_COLOUR[s] for s in judged["status"]]},
        customdata=[_hover(row, plan, lang) for row in records], hovertemplate="%{y}<br>%{customdata}<extra></extra>",
    ))
    figure.add_vline(x=100, line={"color": "#222222", "width": 3})
    figure.update_xaxes(title=t("chart.attainment_axis", lang), range=[-AXIS_CAP / 3, AXIS_CAP * 1.45],
                        ticksuffix="%")
    figure.update_yaxes(autorange="reversed", automargin=True)
    return base_layout(figure, lang, height=max(260, 34 * len(judged) + 100))
