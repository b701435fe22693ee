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
    REPORT_COLOUR,
    STATUS_COLOUR,
    attainment_by_unit,
    completeness_matrix,
    quarter_chart,
    ranking_chart,
    unit_heatmap,
)
from kpi.completeness import completeness, expected_reports
from kpi.evaluate import evaluate
from kpi.plan import Plan
from kpi.series import quarter_series, unit_ranking
from tests.test_evaluate import figures
from tests.test_series import ACCIDENTS_2023, ARRIVALS_2023, ARRIVALS_2024, north_and_offices

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
    result = evaluate(plan, north_and_offices(), "2024-Q2")
    return unit_ranking(result[result["unit"] != "KT"], plan)


def test_ranking_bars_in_rank_order_within_each_cluster(plan: Plan, ranking: pd.DataFrame) -> None:
    bars = ranking_chart(ranking, plan, "vi").data[0]
    offices, north = "Khối các phòng chuyên môn thuộc Sở", "Cụm thi đua các huyện phía Bắc"
    assert list(bars.y) == [
        f"{offices} · Phòng Quản lý kết cấu hạ tầng giao thông", f"{offices} · Văn phòng Sở",
        f"{offices} · Thanh tra Sở", f"{north} · Huyện Đắk Tô", f"{north} · Huyện Tu Mơ Rông",
        f"{north} · Huyện Đắk Glei", f"{north} · Huyện Ngọc Hồi",
    ]
    # See tests/test_series.py NORTH: "fewer than last year" against 2023's first half.
    assert list(bars.x) == [100, 100, 0, 100, 50, 25, 25]
    assert list(bars.text) == ["#1 · 1/1", "#1 · 1/1", "#3 · 0/1", "#1 · 4/4", "#2 · 2/4", "#3 · 1/4", "#3 · 1/4"]
    colours = list(bars.marker.color)
    assert len(set(colours[:3])) == 1 and len(set(colours[3:])) == 1 and colours[0] != colours[3]  # by cluster


def test_ranking_chart_reads_top_down_with_a_percent_axis(plan: Plan, ranking: pd.DataFrame) -> None:
    figure = ranking_chart(ranking, plan, "en")
    assert figure.layout.yaxis.autorange == "reversed"  # rank 1 at the top
    assert figure.layout.xaxis.ticksuffix == "%"
    assert figure.layout.xaxis.range[0] == 0 and figure.layout.xaxis.range[1] > 100  # room for the "#1 · 4/4"
    assert figure.data[0].y[3] == "Northern districts cluster · Dak To District"
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
    assert _annotations(figure) == ["Năm gốc: 43", "Mục tiêu: 38"]
    assert figure.layout.yaxis.title.text == "hạng / 63"
    assert figure.layout.title.text == "Chỉ số Hiệu quả quản trị và Hành chính công cấp tỉnh (PAPI)"


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


def test_completeness_matrix_symbols_for_the_four_states(plan: Plan, report: pd.DataFrame) -> None:
    assert report["state"].value_counts().to_dict() == {"on_time": 125, "not_due": 62, "late": 1, "missing": 1}
    cells = completeness_matrix(report, plan, "vi").data[0]
    assert list(cells.x) == ["Quý I/2024", "Quý II/2024", "Quý III/2024"]
    rows = list(cells.y)
    assert len(rows) == 63 == len(set(rows))  # one row per unit · indicator it reports
    text = {row: list(symbols) for row, symbols in zip(rows, cells.text)}
    assert text["Huyện Đắk Glei · Lượt khách du lịch đến tỉnh"] == ["✔", "◐", "·"]
    assert text["Huyện Kon Rẫy · Số người chết do tai nạn giao thông"] == ["✔", "✖", "·"]
    assert text[f"Văn phòng Sở · {SATISFACTION}"] == ["✔", "✔", "✔"]
    assert text["Tỉnh Kon Tum · Thu ngân sách nhà nước trên địa bàn"] == ["✔", "✔", "·"]
    words = {row: list(w) for row, w in zip(rows, cells.customdata)}
    assert words["Huyện Đắk Glei · Lượt khách du lịch đến tỉnh"][1] == "◐ Trễ hạn"
    assert words["Huyện Kon Rẫy · Số người chết do tai nạn giao thông"][1] == "✖ Chưa gửi (quá hạn)"


def test_completeness_matrix_rows_follow_the_registry_and_colours_are_discrete(
        plan: Plan, report: pd.DataFrame) -> None:
    figure = completeness_matrix(report, plan, "en")
    cells = figure.data[0]
    assert cells.y[0] == "Kon Tum Province · GRDP growth rate"
    units = [row.split(" · ")[0] for row in cells.y]
    assert units.index("Department Office") < units.index("Kon Tum City") < units.index("Ia H'Drai District")
    assert not any(row.startswith("Kon Tum Province · Provincial Competitiveness") for row in cells.y)
    assert list(cells.x) == ["Q1 2024", "Q2 2024", "Q3 2024"]
    # Each state has its own colour band: z codes 0–3 land in the middle of the four bands.
    assert (cells.zmin, cells.zmax) == (-0.5, 3.5)
    band = {colour for edge, colour in cells.colorscale}
    assert band == set(REPORT_COLOUR.values())
    row = list(cells.y).index("Dak Glei District · Tourist arrivals in the province")
    assert list(cells.z[row]) == [0, 1, 3]  # on time, late, not due
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
