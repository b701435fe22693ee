"""Chart builders as pure functions: evaluation frames in, Plotly figures out. What a reader sees is checked: the
marks drawn, their order, the printed words and numbers (Vietnamese separators), the target lines, the axes."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import pytest

from kpi.charts import (
    AXIS_CAP,
    CAPTION,
    REPORT_COLOUR,
    STATUS_COLOUR,
    attainment_bullets,
    attainment_by_unit,
    completeness_matrix,
    quarter_chart,
    rank_chart,
    ranking_chart,
    unit_heatmap,
)
from kpi.completeness import completeness, expected_reports
from kpi.emulation import emulation_ranking
from kpi.evaluate import evaluate
from kpi.i18n import STATUS_SYMBOL, status_label
from kpi.plan import Plan
from kpi.series import quarter_series
from tests.test_evaluate import figures
from tests.test_series import ACCIDENTS_2023, ARRIVALS_2023, ARRIVALS_2024, NORTH, OFFICES, north_and_offices

SATISFACTION = "Tỷ lệ người dân hài lòng với sự phục vụ của cơ quan hành chính"
ACCIDENTS = "Số vụ tai nạn giao thông"
TOURISM = "Lượt khách du lịch đến tỉnh"


def _hlines(figure: go.Figure) -> dict[float, str | None]:
    """Horizontal lines across the plot: y → dash style."""
    return {shape.y0: shape.line.dash for shape in figure.layout.shapes if shape.y0 == shape.y1}


def _annotations(figure: go.Figure) -> list[str]:
    return [a.text for a in figure.layout.annotations]


def _trace(figure: go.Figure, name: str) -> go.Scatter | go.Bar:
    matches = [trace for trace in figure.data if trace.name == name]
    assert len(matches) == 1, f"no single trace named {name!r}: {[t.name for t in figure.data]}"
    return matches[0]


# --- heatmap of units × indicators -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def heat_result(plan: Plan) -> pd.DataFrame:
    """Three divisions' satisfaction, the city's accidents (far under 2023), arrivals in two districts (no target)."""
    data = figures(
        ("VP", "admin_satisfaction", "2024-Q2", 93.1), ("TTS", "admin_satisfaction", "2024-Q2", 96.3),
        ("QLVT", "admin_satisfaction", "2024-Q2", 71.4),
        *[("TPKT", "traffic_accidents", f"2023-Q{q}", v) for q, v in enumerate(ACCIDENTS_2023, 1)],
        ("TPKT", "traffic_accidents", "2024-Q1", 2), ("TPKT", "traffic_accidents", "2024-Q2", 2),
        ("TPKT", "tourist_arrivals", "2024-Q2", 163_066), ("DHA", "tourist_arrivals", "2024-Q2", 27_540),
    )
    result = evaluate(plan, data, "2024-Q2", ["VP", "TTS", "QLVT", "TPKT", "DHA"])
    return result[result["indicator"].isin(["admin_satisfaction", "traffic_accidents", "tourist_arrivals"])]


def test_heatmap_has_a_cell_per_unit_and_judged_indicator(plan: Plan, heat_result: pd.DataFrame) -> None:
    cells = unit_heatmap(heat_result, plan, "vi").data[0]
    # Arrivals have no district target: that column is left out.
    assert list(cells.x) == [SATISFACTION, ACCIDENTS]
    assert list(cells.y) == ["Văn phòng Sở", "Thanh tra Sở", "Phòng Quản lý vận tải, phương tiện và người lái",
                             "Thành phố Kon Tum", "Huyện Đắk Hà"]
    text = [list(row) for row in cells.text]
    assert text[0] == ["▼<br>98%", ""]  # 93,1 of 95 is 98%, but 1,9 points short (tolerance 1): off track
    assert text[1] == ["▲<br>101%", ""]
    assert text[2] == ["▼<br>75%", ""]
    assert text[3] == ["", "▲<br>4/62"]  # 2 + 2 so far against 29 + 33 in 2023's first half: counts, not a %
    assert text[4] == ["", "○"]  # Đắk Hà's accidents: no data yet, no number
    assert cells.z[0][0] == pytest.approx(98.0)
    assert math.isnan(cells.z[0][1])  # no cell where the unit has no such indicator


def test_heatmap_colour_scale_runs_from_0_to_150_and_caps_the_colour_not_the_text(
        plan: Plan, heat_result: pd.DataFrame) -> None:
    cells = unit_heatmap(heat_result, plan, "vi").data[0]
    assert (cells.zmin, cells.zmax) == (0, AXIS_CAP) == (0, 150)
    assert cells.z[3][1] == 150  # 62/4 = 1.550% of last year's count is drawn at the edge of the scale…
    assert cells.z[1][0] == pytest.approx(96.3 / 95 * 100)
    assert "101%" in cells.text[1][0]  # …and cells are labelled with their true values
    assert unit_heatmap(heat_result, plan, "en").data[0].text[1][0] == "▲<br>101%"


def test_heatmap_leaves_out_units_without_a_target(plan: Plan, heat_result: pd.DataFrame) -> None:
    only = heat_result[heat_result["indicator"].isin(["admin_satisfaction", "tourist_arrivals"])]
    cells = unit_heatmap(only, plan, "vi").data[0]
    assert list(cells.x) == [SATISFACTION]
    assert "Thành phố Kon Tum" not in cells.y and "Huyện Đắk Hà" not in cells.y
    assert len(cells.y) == 3


def test_heatmap_leaves_out_units_without_a_target_even_before_they_report(plan: Plan) -> None:
    data = figures(*[("DGL", "traffic_accidents", f"2023-Q{q}", v) for q, v in enumerate([2, 2, 2, 1], 1)],
                   ("DGL", "traffic_accidents", "2024-Q1", 1), ("TPKT", "tourist_arrivals", "2024-Q1", 134_488))
    result = evaluate(plan, data, "2024-Q1", ["DGL", "TPKT"])
    result = result[result["indicator"].isin(["tourist_arrivals", "traffic_accidents"])]
    cells = unit_heatmap(result, plan, "vi").data[0]
    assert list(cells.x) == [ACCIDENTS]  # Đắk Glei has no arrivals target, whether it has sent them or not


# --- ranking -----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ranking(plan: Plan) -> pd.DataFrame:
    # The units that reported (the others, owing every report, would be listed without a place: see test_series).
    result = evaluate(plan, north_and_offices(), "2024-Q2", [*NORTH, *OFFICES])
    return emulation_ranking(result, plan)


def test_ranking_bars_in_rank_order_within_each_cluster(plan: Plan, ranking: pd.DataFrame) -> None:
    figure = ranking_chart(ranking, plan, "vi")
    bars = figure.data[0]
    # Each bar is named by its unit alone: the cluster is said once, by the legend.
    assert list(bars.y) == [
        "Phòng Quản lý kết cấu hạ tầng giao thông", "Văn phòng Sở", "Thanh tra Sở", "Huyện Đắk Tô",
        "Huyện Tu Mơ Rông", "Huyện Đắk Glei", "Huyện Ngọc Hồi",
    ]
    # See tests/test_series.py NORTH: "fewer than last year" against 2023's first half.
    assert list(bars.x) == [100, 100, 0, 100, 50, 25, 25]
    assert list(bars.text) == ["#1 · 1/1", "#1 · 1/1", "#3 · 0/1", "#1 · 4/4", "#2 · 2/4", "#3 · 1/4", "#3 · 1/4"]
    colours = list(bars.marker.color)
    assert len(set(colours[:3])) == 1 and len(set(colours[3:])) == 1 and colours[0] != colours[3]  # by cluster


def test_ranking_has_a_legend_entry_per_cluster_and_no_cluster_on_a_bar(plan: Plan, ranking: pd.DataFrame) -> None:
    figure = ranking_chart(ranking, plan, "vi")
    offices, north = "Khối các phòng chuyên môn thuộc Sở", "Cụm thi đua các huyện phía Bắc"
    assert figure.layout.showlegend is True
    entries = [tr for tr in figure.data if tr.showlegend is not False and tr.name]
    # Two clusters in the fixture (the offices and the north), so two entries, in the bars' order, each in the
    # colour of its cluster's bars (the first bar an office's, the fourth a northern district's).
    assert [tr.name for tr in entries] == [offices, north]
    assert [tr.marker.color for tr in entries] == [figure.data[0].marker.color[0], figure.data[0].marker.color[3]]
    clusters = [c.name("vi") for c in plan.clusters]
    printed = [*figure.data[0].y, *figure.data[0].text]
    assert not [label for label in printed for cluster in clusters if cluster in label]
    assert figure.data[0].textfont.size == 14 and figure.data[0].constraintext == "none"  # never shrunk


def test_ranking_chart_reads_top_down_with_a_percent_axis(plan: Plan, ranking: pd.DataFrame) -> None:
    figure = ranking_chart(ranking, plan, "en")
    assert figure.layout.yaxis.autorange == "reversed"  # rank 1 at the top
    assert figure.layout.xaxis.ticksuffix == "%"
    assert figure.layout.xaxis.range[0] == 0 and figure.layout.xaxis.range[1] > 100  # room for the "#1 · 4/4"
    assert figure.data[0].y[3] == "Dak To District"
    assert figure.data[0].customdata[3].split("<br>")[:2] == ["Dak To District: 100%", "Northern districts cluster"]
    assert figure.layout.separators == ".,"


# --- by quarter --------------------------------------------------------------------------------------------------

def _province_figures() -> pd.DataFrame:
    rows = [("KT", "tourist_arrivals", f"2023-Q{q}", v) for q, v in enumerate(ARRIVALS_2023, 1)]
    rows += [("KT", "tourist_arrivals", f"2024-Q{q}", v) for q, v in enumerate(ARRIVALS_2024, 1)]
    rows += [("KT", "budget_revenue", "2024-Q1", 1032.6), ("KT", "budget_revenue", "2024-Q2", 1198.3)]
    rows += [("KT", "traffic_accidents", f"2023-Q{q}", v) for q, v in enumerate(ACCIDENTS_2023, 1)]
    rows += [("KT", "traffic_accidents", "2024-Q1", 27), ("KT", "traffic_accidents", "2024-Q2", 35)]
    rows += [("KT", "trained_labour_rate", "2024-Q1", 57.2), ("KT", "trained_labour_rate", "2024-Q2", 57.7),
             ("KT", "trained_labour_rate", "2024-Q3", 58.1)]
    rows += [("KT", "poverty_rate_reduction", "2023", 16.84), ("KT", "poverty_rate_reduction", "2024-Q3", 13.96)]
    rows += [("KT", "papi_rank", "2023", 43), ("KT", "pci_rank", "2023", 30, ">")]
    return figures(*rows)


@pytest.fixture(scope="module")
def series(plan: Plan) -> pd.DataFrame:
    return quarter_series(plan, _province_figures(), "KT")


def test_rank_chart_has_rank_1_at_the_top_and_the_baseline_and_target_ranks(plan: Plan, series: pd.DataFrame) -> None:
    figure = quarter_chart(series, plan, "papi_rank", "vi")
    low, high = figure.layout.yaxis.range
    assert low > high  # reversed: rank 63 at the bottom, rank 1 at the top
    assert (low, high) == (63.5, 0.5)
    assert _hlines(figure) == {43: "dot", 38: "dash"}  # 2023's rank, and 5 places up
    # Nothing published for 2024 yet: the chart says so in words, not with an empty plot.
    assert _annotations(figure) == ["Năm gốc: 43", "Mục tiêu: 38", "⧗ Chờ công bố"]
    assert figure.layout.yaxis.title.text == "hạng / 63"
    # A long name on two lines, so that it does not run into the next chart of the row.
    assert figure.layout.title.text == "Chỉ số Hiệu quả quản trị và Hành chính công cấp<br>tỉnh (PAPI)"


def test_rank_chart_shows_the_published_rank(plan: Plan) -> None:
    data = figures(("KT", "papi_rank", "2023", 43), ("KT", "papi_rank", "2024", 36))
    figure = quarter_chart(quarter_series(plan, data, "KT"), plan, "papi_rank", "vi")
    assert 36 in list(_trace(figure, "Thực hiện").y)


def test_flow_chart_has_quarters_cumulative_pace_projection_and_target(plan: Plan, series: pd.DataFrame) -> None:
    figure = quarter_chart(series, plan, "tourist_arrivals", "vi")
    bars = _trace(figure, "Số liệu của quý")
    assert bars.type == "bar"
    assert list(bars.x) == ["Q1", "Q2", "Q3", "Q4"]
    assert list(bars.y[:3]) == ARRIVALS_2024 and math.isnan(bars.y[3])
    cumulative = _trace(figure, "Lũy kế từ đầu năm")
    assert list(cumulative.x) == ["Q1", "Q2", "Q3"]  # no point for a quarter not reported
    assert list(cumulative.y) == [395_571, 850_413, 1_221_800]
    pace = _trace(figure, "Tiến độ cần đạt")
    assert pace.line.dash == "dash"
    assert pace.y[1] == pytest.approx(1_700_000 * (0.24 + 0.27))  # target × the season's share by mid-year
    assert list(pace.y) == pytest.approx([408_000, 867_000, 1_241_000, 1_700_000])
    projection = _trace(figure, "Dự báo cả năm")
    assert list(projection.x) == ["Q3", "Q4"]  # from the last reported quarter to the year's end
    assert projection.y[0] == 1_221_800 and projection.y[1] == pytest.approx(1_221_800 / 0.73)
    assert _hlines(figure) == {1_700_000: None}
    assert _annotations(figure) == ["Mục tiêu: 1.700.000"]
    assert figure.layout.separators == ",."
    assert figure.layout.yaxis.title.text == "lượt"
    assert figure.layout.yaxis.tickformat == ",~f"  # 1.500.000, not 1,5M
    assert list(figure.layout.xaxis.categoryarray) == ["Q1", "Q2", "Q3", "Q4"]


def test_flow_chart_without_a_profile_paces_a_quarter_a_quarter(plan: Plan, series: pd.DataFrame) -> None:
    figure = quarter_chart(series, plan, "budget_revenue", "vi")
    assert _trace(figure, "Tiến độ cần đạt").y[1] == pytest.approx(4600 * 0.5)
    assert _annotations(figure) == ["Mục tiêu: 4.600"]
    assert figure.layout.yaxis.title.text == "tỷ đồng"
    assert _trace(figure, "Dự báo cả năm").y[1] == pytest.approx(2230.9 / 0.5)


def test_flow_chart_in_english(plan: Plan, series: pd.DataFrame) -> None:
    figure = quarter_chart(series, plan, "tourist_arrivals", "en")
    assert figure.layout.separators == ".,"
    assert _annotations(figure) == ["Target: 1,700,000"]
    assert figure.layout.yaxis.title.text == "arrivals"
    assert [t.name for t in figure.data] == ["The quarter's figure", "Year to date", "Pace needed",
                                             "Year-end projection"]


def test_fewer_than_last_year_chart_compares_with_last_year_to_date(plan: Plan, series: pd.DataFrame) -> None:
    figure = quarter_chart(series, plan, "traffic_accidents", "vi")
    last_year = _trace(figure, "Lũy kế năm gốc")
    assert list(last_year.y) == [29, 62, 89, 120]
    assert last_year.line.dash == "dash"
    assert not [t for t in figure.data if t.name == "Tiến độ cần đạt"]  # no pace towards a count to avoid
    assert list(_trace(figure, "Lũy kế từ đầu năm").y) == [27, 62]
    # On 2023's shape: 120 × 62 / (29 + 33) = 120, level with 2023 (a straight line would say 124).
    assert list(_trace(figure, "Dự báo cả năm").y) == [62, 120]
    assert _hlines(figure) == {120: None}
    assert _annotations(figure) == ["Mục tiêu: 120"]
    assert figure.layout.yaxis.title.text == "vụ"


def test_level_chart_prints_its_values_and_the_target_line(plan: Plan, series: pd.DataFrame) -> None:
    figure = quarter_chart(series, plan, "trained_labour_rate", "vi")
    actual = _trace(figure, "Thực hiện")
    assert list(actual.x) == ["Q1", "Q2", "Q3"]
    assert list(actual.y) == [57.2, 57.7, 58.1]
    assert list(actual.text) == ["57,2", "57,7", "58,1"]  # decimal comma
    assert _hlines(figure) == {58.5: "dash"}
    assert _annotations(figure) == ["Mục tiêu: 58,5"]
    assert figure.layout.yaxis.title.text == "%"
    assert [t.type for t in figure.data] == ["scatter"]  # a level is not a sum of bars


def test_reduction_chart_marks_the_rate_to_get_under(plan: Plan, series: pd.DataFrame) -> None:
    figure = quarter_chart(series, plan, "poverty_rate_reduction", "vi")
    assert list(_trace(figure, "Thực hiện").y) == [13.96]  # the rate, as reported
    lines = {round(y, 9): dash for y, dash in _hlines(figure).items()}
    assert lines == {16.84: "dot", 13.84: "dash"}
    assert _annotations(figure) == ["Năm gốc: 16,84", "Mục tiêu: 13,84"]


def test_chart_for_a_unit_without_target_draws_no_target_line(plan: Plan) -> None:
    data = figures(("TPKT", "tourist_arrivals", "2024-Q1", 134_488), ("TPKT", "tourist_arrivals", "2024-Q2", 163_066))
    figure = quarter_chart(quarter_series(plan, data, "TPKT"), plan, "tourist_arrivals", "vi")
    assert not figure.layout.shapes and not figure.layout.annotations
    assert list(_trace(figure, "Lũy kế từ đầu năm").y) == [134_488, 297_554]
    assert all(v is None or math.isnan(v) for v in _trace(figure, "Tiến độ cần đạt").y)


def test_flow_chart_draws_only_the_quarters_of_the_period(plan: Plan, series: pd.DataFrame) -> None:
    figure = quarter_chart(series, plan, "tourist_arrivals", "vi", through=2)  # "6 tháng 2024"
    bars = _trace(figure, "Số liệu của quý")
    assert list(bars.y[:2]) == ARRIVALS_2024[:2] and all(math.isnan(v) for v in bars.y[2:])  # Q3 is in the data
    cumulative = _trace(figure, "Lũy kế từ đầu năm")
    assert list(cumulative.x) == ["Q1", "Q2"] and list(cumulative.y) == [395_571, 850_413]
    # Projected from the half-year: 850.413 over the season's 24% + 27% share of the year.
    projection = _trace(figure, "Dự báo cả năm")
    assert list(projection.x) == ["Q2", "Q4"] and projection.y[1] == pytest.approx(850_413 / 0.51)
    assert len(_trace(figure, "Tiến độ cần đạt").y) == 4  # the pace is the plan, drawn to the year's end
    assert list(figure.layout.xaxis.range) == [-0.5, 3.5]  # the whole year on the axis


def test_level_chart_draws_only_the_quarters_of_the_period(plan: Plan, series: pd.DataFrame) -> None:
    assert list(_trace(quarter_chart(series, plan, "trained_labour_rate", "vi", through=2), "Thực hiện").x) == [
        "Q1", "Q2"]  # 58,1 is the third quarter's
    assert list(_trace(quarter_chart(series, plan, "poverty_rate_reduction", "vi", through=2), "Thực hiện").x) == []


# --- charts that explain themselves ------------------------------------------------------------------------------

def _unexplained(figure: go.Figure) -> list[str]:
    """The marks of `figure` whose meaning the reader is not told: a trace or shape with no legend entry and no
    words of its own (a text trace, a line's label), on a chart without a caption."""
    legend = figure.layout.showlegend is not False
    captioned = any(a.name == CAPTION and a.text for a in figure.layout.annotations)
    lost = []
    for trace in figure.data:
        words = getattr(trace, "mode", None) == "text"
        if not (words or captioned or legend and trace.showlegend is not False and trace.name):
            lost.append(f"trace {trace.name!r}")
    for shape in figure.layout.shapes:
        horizontal = shape.y0 == shape.y1
        labelled = any((a.y == shape.y0 and a.yref == "y") if horizontal else (a.x == shape.x0 and a.xref == "x")
                       for a in figure.layout.annotations)
        if not (labelled or legend and shape.showlegend and shape.name):
            lost.append(f"shape {shape.type} {shape.x0}–{shape.x1}")
    return lost


def _contrast(colour: str) -> float:
    """WCAG contrast of a #RRGGBB colour against white."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def _texts(figure: go.Figure) -> list[tuple[str, dict | None]]:
    """(where, font) of every text of `figure`: the axes' ticks and titles, the legend, the title, annotations and
    printed values. Streamlit's theme draws any font the figure leaves unset in its own 12 px grey."""
    layout = figure.layout
    axes = [name for name in layout.to_plotly_json() if name.startswith(("xaxis", "yaxis"))]
    fonts = [("layout", layout.font), ("legend", layout.legend.font)]
    fonts += [(f"{a} ticks", layout[a].tickfont) for a in axes if layout[a].visible is not False]
    fonts += [(f"{a} title", layout[a].title.font) for a in axes if layout[a].title.text]
    fonts += [("title", layout.title.font)] if layout.title.text else []
    fonts += [(f"annotation {a.text!r}", a.font) for a in layout.annotations]
    fonts += [(f"trace {tr.name!r}", tr.textfont) for tr in figure.data
              if tr.text is not None and getattr(tr, "textposition", None) != "none"]
    return [(where, f.to_plotly_json() if f is not None else None) for where, f in fonts]


@pytest.fixture(scope="module")
def bullets(plan: Plan) -> pd.DataFrame:
    """The province at mid-year: growth of 82,5% against 10% (825%), the budget at 2.070 of 4.600 (45%, the
    pace needs 50%), poverty up from 16,84% to 17,5% (−0,66 points of a 3-point fall: −22%), PAPI awaited."""
    data = figures(("KT", "grdp_growth", "2024-Q2", 82.5), ("KT", "budget_revenue", "2024-Q1", 1000.0),
                   ("KT", "budget_revenue", "2024-Q2", 1070.0), ("KT", "poverty_rate_reduction", "2023", 16.84),
                   ("KT", "poverty_rate_reduction", "2024-Q2", 17.5), ("KT", "papi_rank", "2023", 43))
    return evaluate(plan, data, "2024-Q2", ["KT"])


def _row(figure: go.Figure, name: str) -> int:
    return list(figure.data[0].y).index(name)


def _column(figure: go.Figure) -> go.Scatter:
    """The bullet chart's column of words (status and value per row)."""
    [column] = [tr for tr in figure.data if getattr(tr, "mode", None) == "text"]
    return column


def test_bullet_chart_explains_every_mark(plan: Plan, bullets: pd.DataFrame) -> None:
    figure = attainment_bullets(bullets, plan, "vi")
    assert _unexplained(figure) == []
    assert figure.layout.showlegend is True
    # Every bar colour stands in the legend with its status symbol and word: growth on track, budget at risk,
    # poverty off track.
    swatches = {tr.name: tr.marker.color for tr in figure.data if len(tr.x) == 1 and tr.x[0] is None}
    assert swatches == {status_label(s, "vi"): STATUS_COLOUR[s] for s in ("on_track", "at_risk", "off_track")}
    assert _trace(figure, "Mức cần đạt đến kỳ này").showlegend is not False  # the pace tick
    # No status bands on the attainment axis (a flow is judged on pace): the only shape is the target, in the legend.
    [target] = figure.layout.shapes
    assert (target.x0, target.x1, target.showlegend, target.name) == (100, 100, True, "Chỉ tiêu (100%)")
    caption = [a.text for a in figure.layout.annotations if a.name == CAPTION]
    assert len(caption) == 1 and "theo tiến độ" in caption[0] and "Thanh: tỷ lệ hoàn thành" in caption[0]


def test_bullet_chart_axis_starts_at_zero_unless_a_value_is_negative(plan: Plan, bullets: pd.DataFrame) -> None:
    positive = attainment_bullets(bullets[bullets["indicator"] != "poverty_rate_reduction"], plan, "vi")
    assert positive.layout.xaxis.range[0] == 0
    figure = attainment_bullets(bullets, plan, "vi")
    assert figure.layout.xaxis.range[0] == -25  # −22% rounds down to the next step of 25
    assert figure.data[0].x[_row(figure, "Tỷ lệ hộ nghèo giảm")] == pytest.approx(-22)
    assert figure.layout.xaxis.ticktext[0] == "-25%"
    by_unit = attainment_by_unit(bullets[bullets["indicator"] == "budget_revenue"], plan, "vi")
    assert by_unit.layout.xaxis.range[0] == 0


def test_bullet_chart_labels_a_value_past_the_cap_with_its_true_value(plan: Plan, bullets: pd.DataFrame) -> None:
    figure = attainment_bullets(bullets, plan, "vi")
    growth = _row(figure, "Tốc độ tăng trưởng GRDP")
    assert figure.data[0].x[growth] == AXIS_CAP == 150  # the bar stops at the axis end…
    beyond = _trace(figure, "Vượt quá 150% (số thực ghi ở cột bên phải)")
    assert list(beyond.x) == [150] and list(beyond.y) == ["Tốc độ tăng trưởng GRDP"]  # …marked there with ▶…
    assert list(beyond.marker.symbol) == ["triangle-right"]
    column = _column(figure)
    assert column.text[growth] == "▲ Đúng tiến độ · 825%"  # …and its true value printed: 82,5 / 10
    assert column.text[_row(figure, "Thu ngân sách nhà nước trên địa bàn")] == "◆ Có nguy cơ · 45%"


def test_bullet_chart_words_stand_apart_from_the_marks(plan: Plan, bullets: pd.DataFrame) -> None:
    figure = attainment_bullets(bullets, plan, "vi")
    assert figure.data[0].textposition == "none"  # nothing printed at a bar's end, where the pace tick stands
    column = _column(figure)
    assert column.xaxis == "x2" and figure.layout.xaxis.domain[1] < figure.layout.xaxis2.domain[0]
    # Status words and values on one line when short, on two when long: never wider than the column.
    accidents = evaluate(plan, figures(*[("KT", "traffic_accidents", f"2023-Q{q}", v) for q, v in
                                         enumerate(ACCIDENTS_2023, 1)], ("KT", "traffic_accidents", "2024-Q1", 27)),
                         "2024-Q1", ["KT"])
    words = _column(attainment_bullets(accidents, plan, "vi")).text
    assert words[list(accidents["indicator"]).index("traffic_accidents")] == "▲ Đúng tiến độ<br>27 so với 29 cùng kỳ"


def test_every_chart_explains_its_marks_with_text_of_at_least_13_px(plan: Plan, series: pd.DataFrame,
                                                                     bullets: pd.DataFrame,
                                                                     ranking: pd.DataFrame) -> None:
    charts = {"bullets": attainment_bullets(bullets, plan, "vi"), "ranks": rank_chart(series, plan, "vi"),
              "ranking": ranking_chart(ranking, plan, "vi"),
              "by unit": attainment_by_unit(bullets[bullets["indicator"] == "budget_revenue"], plan, "vi")}
    charts |= {code: quarter_chart(series, plan, code, "vi") for code in series["indicator"].unique()}
    for name, figure in charts.items():
        texts = _texts(figure)
        small = [(where, f) for where, f in texts if not f or not f.get("size") or f["size"] < 13]
        assert small == [], name
        pale = [(where, f["color"]) for where, f in texts if not f.get("color") or _contrast(f["color"]) < 4.5]
        assert pale == [], name
        if name not in ("ranking", "by unit"):  # those two label their bars only
            assert _unexplained(figure) == [], name


def test_awaiting_ranks_say_so_in_words_on_a_meaningful_axis(plan: Plan, series: pd.DataFrame) -> None:
    # ⧗, a text glyph that Noto Sans Math draws (the emoji ⏳ is an empty box without an emoji font).
    awaiting = "⧗ Chờ công bố"
    figure = quarter_chart(series, plan, "sipas_rank", "vi")  # neither a baseline nor a 2024 rank
    assert _annotations(figure) == [awaiting]
    # The year is the axis (a rank has no quarters), not an empty 0–6 scale.
    assert figure.layout.xaxis.type == "category" and list(figure.layout.xaxis.categoryarray) == ["Năm 2024"]
    ranks = rank_chart(series, plan, "vi")
    assert [a.text for a in ranks.layout.annotations] == [awaiting] * 4
    assert list(ranks.layout.yaxis.ticktext)[0] == "Chỉ số năng lực cạnh tranh<br>cấp tỉnh (PCI)"  # 28 a line
    assert not [tr for tr in ranks.data if tr.name == "Thực hiện"]  # no published mark


def test_charts_print_the_awaiting_status_with_a_text_glyph(plan: Plan, series: pd.DataFrame,
                                                            bullets: pd.DataFrame) -> None:
    assert STATUS_SYMBOL["awaiting"] == "⧗"  # the shared table: a text glyph, never the emoji ⏳
    figure = attainment_bullets(bullets, plan, "vi")
    papi = _row(figure, "Chỉ số Hiệu quả quản trị và Hành chính công cấp tỉnh (PAPI)")
    assert _column(figure).text[papi] == "⧗ Chờ công bố"
    assert figure.data[0].customdata[papi].startswith("⧗ Chờ công bố<br>")  # the hover too
    for chart in (figure, rank_chart(series, plan, "vi"), quarter_chart(series, plan, "papi_rank", "vi")):
        printed = [a.text for a in chart.layout.annotations] + [str(text) for tr in chart.data
                                                                if getattr(tr, "textposition", None) != "none"
                                                                for text in (tr.text or ())]
        assert not [text for text in printed if "⏳" in text]


def test_censored_baseline_is_labelled_as_a_bound(plan: Plan, series: pd.DataFrame) -> None:
    # 2023's PCI rank is ">30" (31st or worse); 5 places up is 26th or better for certain.
    figure = quarter_chart(series, plan, "pci_rank", "vi")
    assert _annotations(figure)[:2] == ["Năm gốc: >30", "Mục tiêu: ≤26"]
    ranks = rank_chart(series, plan, "vi")
    pci = list(ranks.layout.yaxis.tickvals)[0]
    assert _trace(ranks, "Năm gốc (2023)").text[pci] == ">30"
    assert _trace(ranks, "Mục tiêu").text[pci] == "≤26"
    assert _trace(ranks, "Năm gốc (2023)").text[1] == "43"  # PAPI: known exactly


def test_published_rank_is_marked_with_its_status_once_the_period_reaches_the_year(plan: Plan) -> None:
    data = figures(("KT", "papi_rank", "2023", 43), ("KT", "papi_rank", "2024", 36))
    year_series = quarter_series(plan, data, "KT")
    ranks = rank_chart(year_series, plan, "vi")
    assert list(_trace(ranks, "Thực hiện").x) == [36]
    assert "36 · ✔ Đã đạt" in [a.text for a in ranks.layout.annotations]  # 7 places up of the 5 needed
    figure = quarter_chart(year_series, plan, "papi_rank", "vi")
    assert list(_trace(figure, "Thực hiện").text) == ["36"] and "✔ Đã đạt" in _annotations(figure)
    # Seen from the half-year, the 2024 rank is not out yet.
    half = rank_chart(year_series, plan, "vi", through=2)
    assert not [tr for tr in half.data if tr.name == "Thực hiện"]
    assert "⧗ Chờ công bố" in [a.text for a in half.layout.annotations]


# --- reporting completeness matrix -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report(plan: Plan) -> pd.DataFrame:
    """On 10 October 2024: the first quarter all on time; in the second, Đắk Glei's arrivals five days late and
    Kon Rẫy's road deaths never sent; of the third (due 15 October) only the Office's satisfaction is in."""
    received = []
    for unit, indicator, period, quarter in expected_reports(plan, 3).itertuples(index=False):
        if quarter == 1:
            received.append((unit, indicator, period, datetime(2024, 4, 10, 9, 0)))
        elif quarter == 2 and (unit, indicator) != ("KRA", "traffic_deaths"):
            late = (unit, indicator) == ("DGL", "tourist_arrivals")
            received.append((unit, indicator, period, datetime(2024, 7, 20 if late else 10, 9, 0)))
        elif quarter == 3 and (unit, indicator) == ("VP", "admin_satisfaction"):
            received.append((unit, indicator, period, datetime(2024, 10, 5, 14, 0)))
    receipts = pd.DataFrame(received, columns=["unit", "indicator", "period", "received"])
    return completeness(plan, receipts, 3, today=date(2024, 10, 10))


def _matrix_rows(cells: go.Heatmap) -> dict[str, list[str]]:
    """A matrix's rows by their `unit:indicator` code → the symbols in its cells."""
    return {row: list(symbols) for row, symbols in zip(cells.y, cells.text)}


def test_completeness_matrix_symbols_for_the_four_states(plan: Plan, report: pd.DataFrame) -> None:
    assert report["state"].value_counts().to_dict() == {"on_time": 125, "not_due": 62, "late": 1, "missing": 1}
    figure = completeness_matrix(report, plan, "vi")
    cells = figure.data[0]
    assert list(cells.x) == ["Quý I/2024", "Quý II/2024", "Quý III/2024"]
    rows = list(cells.y)
    # 63 unit · indicator rows, and a heading row for each of the 19 units that report (`unit:`).
    assert len(rows) == 63 + 19 == len(set(rows))
    assert len([row for row in rows if row.endswith(":")]) == 19
    text = _matrix_rows(cells)
    assert text["DGL:tourist_arrivals"] == ["✔", "◐", "·"]
    assert text["KRA:traffic_deaths"] == ["✔", "✖", "·"]
    assert text["VP:admin_satisfaction"] == ["✔", "✔", "✔"]
    assert text["KT:budget_revenue"] == ["✔", "✔", "·"]
    assert text["KT:"] == ["", "", ""]  # a heading row has no cells
    words = {row: list(w) for row, w in zip(rows, cells.customdata)}
    assert words["DGL:tourist_arrivals"][1] == "Huyện Đắk Glei<br>Lượt khách du lịch đến tỉnh<br>◐ Trễ hạn"
    assert words["KRA:traffic_deaths"][1].endswith("<br>✖ Chưa gửi (quá hạn)")
    assert cells.textfont.size >= 13


def test_completeness_matrix_names_each_unit_once(plan: Plan, report: pd.DataFrame) -> None:
    figure = completeness_matrix(report, plan, "vi")
    labels = list(figure.layout.yaxis.ticktext)
    assert list(figure.layout.yaxis.tickvals) == list(figure.data[0].y)
    # The province is named once, in bold, over its five indicators named alone (the old matrix printed
    # "Tỉnh Kon Tum · …" on each of its five rows).
    assert [label for label in labels if "Tỉnh Kon Tum" in label] == ["<b>Tỉnh Kon Tum</b>"]
    province = labels.index("<b>Tỉnh Kon Tum</b>")
    assert labels[province + 1] == "Tốc độ tăng trưởng GRDP"
    assert labels[province + 6].startswith("<b>")  # the next unit's heading after five indicators
    assert sum(label == "<b>Huyện Kon Rẫy</b>" for label in labels) == 1
    assert not [label for label in labels if " · " in label]
    # Tall enough for 24 px a row, so 14-px names never overlap.
    assert figure.layout.height >= 24 * len(labels)
    assert figure.layout.yaxis.tickfont.size >= 13


def test_completeness_matrix_has_a_legend_for_the_four_states(plan: Plan, report: pd.DataFrame) -> None:
    figure = completeness_matrix(report, plan, "vi")
    assert figure.layout.showlegend is True
    entries = {tr.name: tr.marker.color for tr in figure.data if tr.showlegend is not False and tr.name}
    # Symbol and word for each state, beside its colour in the grid.
    assert entries == {"✔ Đúng hạn": REPORT_COLOUR["on_time"], "◐ Trễ hạn": REPORT_COLOUR["late"],
                       "✖ Chưa gửi (quá hạn)": REPORT_COLOUR["missing"], "· Chưa đến hạn": REPORT_COLOUR["not_due"]}
    assert figure.layout.legend.font.size >= 13 and figure.layout.legend.title.font.size >= 13


def test_completeness_matrix_rows_follow_the_registry_and_colours_are_discrete(
        plan: Plan, report: pd.DataFrame) -> None:
    figure = completeness_matrix(report, plan, "en")
    cells = figure.data[0]
    assert list(cells.y[:2]) == ["KT:", "KT:grdp_growth"]
    assert list(figure.layout.yaxis.ticktext[:2]) == ["<b>Kon Tum Province</b>", "GRDP growth rate"]
    units = [row.split(":")[0] for row in cells.y]
    assert units.index("VP") < units.index("TPKT") < units.index("IHD")
    assert "KT:pci_rank" not in cells.y
    assert list(cells.x) == ["Q1 2024", "Q2 2024", "Q3 2024"]
    # Each state has its own colour band: z codes 0–3 land in the middle of the four bands.
    assert (cells.zmin, cells.zmax) == (-0.5, 3.5)
    band = {colour for edge, colour in cells.colorscale}
    assert band == set(REPORT_COLOUR.values())
    row = list(cells.y).index("DGL:tourist_arrivals")
    assert list(cells.z[row]) == [0, 1, 3]  # on time, late, not due
    assert all(math.isnan(v) for v in cells.z[list(cells.y).index("DGL:")])  # the heading row has no colour
    assert figure.layout.yaxis.autorange == "reversed"


# --- one indicator across units ----------------------------------------------------------------------------------

def test_attainment_by_unit_prints_status_words_and_draws_the_target_line(plan: Plan) -> None:
    data = figures(("VP", "admin_satisfaction", "2024-Q2", 96.4), ("TTS", "admin_satisfaction", "2024-Q2", 90.1),
                   ("QLHT", "admin_satisfaction", "2024-Q2", 95.2), ("QLVT", "admin_satisfaction", "2024-Q2", 71.4))
    result = evaluate(plan, data, "2024-Q2")
    rows = result[(result["indicator"] == "admin_satisfaction") & result["unit"].isin(["KT", "VP", "TTS", "QLHT",
                                                                                        "QLVT"])]
    figure = attainment_by_unit(rows, plan, "vi")
    bars = figure.data[0]
    assert list(bars.y) == ["Tỉnh Kon Tum", "Văn phòng Sở", "Thanh tra Sở",
                            "Phòng Quản lý kết cấu hạ tầng giao thông",
                            "Phòng Quản lý vận tải, phương tiện và người lái"]
    # The province takes its weakest division (71,4%), with the divisions that have not reported missing. A level
    # is on track at its target and at risk within 1 point of it: 90,1 is 4,9 points short.
    assert list(bars.text) == ["◐ Thiếu số liệu · 75,2%", "▲ Đúng tiến độ · 101,5%", "▼ Chậm tiến độ · 94,8%",
                               "▲ Đúng tiến độ · 100,2%", "▼ Chậm tiến độ · 75,2%"]
    assert bars.x[1] == pytest.approx(96.4 / 95 * 100)
    assert list(bars.marker.color) == [STATUS_COLOUR[s] for s in
                                       ("incomplete", "on_track", "off_track", "on_track", "off_track")]
    assert [(s.x0, s.x1) for s in figure.layout.shapes] == [(100, 100)]  # the target line
    assert figure.layout.xaxis.ticksuffix == "%"
    assert figure.layout.separators == ",."


def test_attainment_by_unit_leaves_out_units_without_a_target(plan: Plan) -> None:
    data = figures(("TPKT", "tourist_arrivals", "2024-Q1", 134_488), ("KPL", "tourist_arrivals", "2024-Q1", 95_210))
    result = evaluate(plan, data, "2024-Q1", ["KT", "TPKT", "KPL"])
    figure = attainment_by_unit(result[result["indicator"] == "tourist_arrivals"], plan, "en")
    bars = figure.data[0]
    assert list(bars.y) == ["Kon Tum Province"]  # the districts have no share of the province's target
    assert bars.x[0] == pytest.approx(229_698 / 1_700_000 * 100)  # attainment is on the year's 1,700,000
    # 56% of the first quarter's pace, but eight localities have not reported: incomplete, not off track.
    assert list(bars.text) == ["◐ Figures missing · 13.5%"]
    assert bars.customdata[0].startswith("◐ Figures missing<br>")
    # The eight silent localities in the plan's order: six named, the rest counted.
    # One unit a line, so the hover box is never wider than the chart.
    assert "Missing: Dak Ha District (Q1 2024)<br>Dak To District (Q1 2024)<br>Ngoc Hoi District" in bars.customdata[0]
    assert bars.customdata[0].endswith("<br>and 2 more reports")
    assert figure.layout.xaxis.title.text == "Attainment (% of target)"


def test_attainment_by_unit_marks_a_bar_past_the_cap_with_its_true_value(plan: Plan) -> None:
    # Two divisions' satisfaction against 95%: 96,4 is 101,5%; a (mistyped) 285 would be 300% (285 / 95).
    data = figures(("VP", "admin_satisfaction", "2024-Q2", 96.4), ("TTS", "admin_satisfaction", "2024-Q2", 285.0))
    result = evaluate(plan, data, "2024-Q2", ["VP", "TTS"])
    figure = attainment_by_unit(result[result["indicator"] == "admin_satisfaction"], plan, "vi")
    bars = figure.data[0]
    assert list(bars.y) == ["Văn phòng Sở", "Thanh tra Sở"]
    assert list(bars.x) == [pytest.approx(96.4 / 95 * 100), AXIS_CAP]  # the bar stops at the axis end…
    beyond = _trace(figure, "Vượt quá 150% (số thực ghi cạnh thanh)")
    assert list(beyond.x) == [150] and list(beyond.y) == ["Thanh tra Sở"]  # …marked there with ▶…
    assert list(beyond.marker.symbol) == ["triangle-right"]
    assert bars.text[1].strip().endswith("· 300%")  # …and labelled with its true value
    assert bars.text[0] == "▲ Đúng tiến độ · 101,5%"  # a bar inside the axis: no marker, no padding
    assert figure.layout.showlegend is True  # the legend says what ▶ means


def test_attainment_by_unit_has_no_marker_when_every_bar_fits(plan: Plan) -> None:
    data = figures(("VP", "admin_satisfaction", "2024-Q2", 96.4))
    figure = attainment_by_unit(evaluate(plan, data, "2024-Q2", ["VP"]), plan, "vi")
    assert [tr.type for tr in figure.data] == ["bar"]


def test_heatmap_colourbar_text_is_the_body_font(plan: Plan, heat_result: pd.DataFrame) -> None:
    bar = unit_heatmap(heat_result, plan, "vi").data[0].colorbar
    assert (bar.tickfont.size, bar.tickfont.color) == (14, "#1F1F1F")
    assert (bar.title.font.size, bar.title.font.color) == (14, "#1F1F1F")


def test_heatmap_never_sets_half_a_year_against_a_whole_one(plan: Plan) -> None:
    # Đắk Glei's first half: 3 + 4 = 7 accidents; 2023 is known only as a whole year (22), not by quarter.
    data = figures(("DGL", "traffic_accidents", "2024-Q1", 3), ("DGL", "traffic_accidents", "2024-Q2", 4),
                   ("DGL", "traffic_accidents", "2023", 22))
    cell = unit_heatmap(evaluate(plan, data, "2024-H1", ["DGL"]), plan, "vi").data[0].text[0][0]
    # "7/22" would compare half a year with a whole one; with no same span last year the cell gives no count.
    assert "/22" not in cell
