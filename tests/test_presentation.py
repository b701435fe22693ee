"""Formats, labels, the bullet chart and exports: what a reader sees, checked without Streamlit."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from kpi.charts import STATUS_COLOUR, attainment_bullets
from kpi.evaluate import evaluate
from kpi.export import neutralise, to_csv_bytes
from kpi.fmt import format_figure, format_number, format_percent
from kpi.i18n import CATALOGUE, LANGS, STATUS_ORDER, STATUS_SYMBOL, status_label
from kpi.plan import Plan
from kpi.scorecard import display_table, export_table
from tests.test_evaluate import figures


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "text"),
    [(1_700_000, "vi", 0, "1.700.000"), (63.7, "vi", 1, "63,7"), (1_700_000, "en", 0, "1,700,000"),
     (95.25, "vi", 1, "95,3"), (-0.04, "vi", 1, "0"), (4600.0, "vi", 1, "4.600"), (None, "vi", 1, "—"),
     (float("nan"), "en", 2, "—")],
)
def test_number_formats(value: float | None, lang: str, decimals: int, text: str) -> None:
    assert format_number(value, lang, decimals) == text


def test_percent_and_censored_figures() -> None:
    assert format_percent(91.8) == "91,8%"
    assert format_figure(30, ">", "vi", 0) == ">30"


def test_catalogue_is_complete_in_both_languages() -> None:
    for key, texts in CATALOGUE.items():
        assert set(texts) == set(LANGS), key
        assert all(texts[lang].strip() for lang in LANGS), key


def test_every_status_has_symbol_word_and_colour() -> None:
    for status in STATUS_ORDER:
        assert STATUS_SYMBOL[status] and status in STATUS_COLOUR
        assert status_label(status, "vi").startswith(STATUS_SYMBOL[status] + " ")
    assert status_label("achieved", "vi") == "✔ Đã đạt"
    assert status_label("off_track", "en") == "▼ Off track"
    assert status_label("not_met", "vi") == "✖ Không đạt"  # decided, not "behind schedule"
    assert status_label("not_met", "vi", estimate=True) == "✖ Dự kiến không đạt"
    assert status_label("achieved", "en", estimate=True) == "✔ Expected to be met"
    assert status_label("on_track", "vi", estimate=True) == "▲ Đúng tiến độ"  # only a verdict is "expected"


def _sample_result(plan: Plan) -> pd.DataFrame:
    data = figures(("KT", "budget_revenue", "2024-Q1", 1000.0), ("KT", "budget_revenue", "2024-Q2", 1070.0),
                   ("KT", "papi_rank", "2023", 43), ("KT", "grdp_growth", "2024-Q2", 9.1))
    return evaluate(plan, data, "2024-Q2", ["KT"])


def test_bullet_chart_has_a_bar_per_indicator_with_status_words(plan: Plan) -> None:
    result = _sample_result(plan)
    figure = attainment_bullets(result, plan, "vi")
    bars = figure.data[0]
    assert len(bars.y) == 16
    budget = list(bars.y).index("Thu ngân sách nhà nước trên địa bàn")
    assert bars.text[budget] == "◆ Có nguy cơ · 45%"
    assert bars.x[budget] == pytest.approx(2070 / 4600 * 100)
    assert bars.marker.color[budget] == STATUS_COLOUR["at_risk"]
    papi = list(bars.y).index("Chỉ số Hiệu quả quản trị và Hành chính công cấp tỉnh (PAPI)")
    assert bars.text[papi] == "⧗ Chờ công bố"
    assert figure.layout.separators == ",."  # decimal comma, thousands dot
    assert any(shape.x0 == 100 and shape.x1 == 100 for shape in figure.layout.shapes)  # the target line
    expected = figure.data[1]
    assert expected.x[budget] == pytest.approx(50.0)  # where the budget should be by mid-year


def test_bullet_chart_in_english(plan: Plan) -> None:
    figure = attainment_bullets(_sample_result(plan), plan, "en")
    assert "Provincial Competitiveness Index (PCI)" in figure.data[0].y
    assert figure.layout.separators == ".,"
    assert figure.layout.xaxis.title.text == "Attainment (% of target)"


def test_display_table_targets_as_the_plan_states_them(plan: Plan) -> None:
    data = figures(("KT", "papi_rank", "2023", 43), ("KT", "pci_rank", "2023", 30, ">"))
    table = display_table(evaluate(plan, data, "2024", ["KT"]), plan, "vi").set_index("Chỉ tiêu")
    assert table.loc["Chỉ số Hiệu quả quản trị và Hành chính công cấp tỉnh (PAPI)", "Mục tiêu"] == "hạng 38"
    # 2023's ">30" is 31st or worse: 5 places up is 26th or better for certain, not "hạng >25".
    assert table.loc["Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)", "Mục tiêu"] == "hạng ≤ 26: chắc chắn đạt"
    assert table.loc["GRDP bình quân đầu người", "Mục tiêu"] == "> 63,7"
    assert table.loc["Tỷ lệ hộ nghèo giảm", "Mục tiêu"] == "3–4"
    assert table.loc["Tỷ lệ hộ nghèo giảm", "Kết luận năm"] == "Chưa kết luận"


def test_export_table_keeps_figures_as_numbers(plan: Plan) -> None:
    data = figures(("KT", "budget_revenue", "2024-Q1", 1000.0), ("KT", "budget_revenue", "2024-Q2", 1070.5),
                   ("KT", "budget_revenue", "2023-Q1", 900.0), ("KT", "budget_revenue", "2023-Q2", 1100.0),
                   ("KT", "pci_rank", "2023", 30, ">"))
    table = export_table(evaluate(plan, data, "2024-Q2", ["KT"]), plan, "vi", one="unit").set_index("Chỉ tiêu")
    assert "Đơn vị" not in table.columns  # one unit: its name would repeat on every row
    budget = table.loc["Thu ngân sách nhà nước trên địa bàn"]
    # By hand: H1 = 1.000 + 1.070,5 = 2.070,5 tỷ đồng (one decimal); 2.070,5 / 4.600 = 45,01% → 45,0;
    # the same half of 2023 = 900 + 1.100 = 2.000.
    assert (budget["Thực hiện"], budget["Giá trị mục tiêu"], budget["Tỷ lệ hoàn thành (%)"]) == (2070.5, 4600, 45.0)
    assert budget["Cùng kỳ năm trước"] == 2000 and budget["Mục tiêu"] == "≥ 4.600"
    assert budget["Loại số liệu"] == "chính thức" and budget["Dấu so sánh (>: dưới hạng)"] == ""
    assert budget["Tình trạng"] == "◆ Có nguy cơ"
    tourism = table.loc["Lượt khách du lịch đến tỉnh"]
    assert pd.isna(tourism["Thực hiện"]) and tourism["Loại số liệu"] == ""  # no figure: an empty cell


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1+2", "'+1+2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("-2+3", "'-2+3"), ("-0,2", "-0,2"), ("-12%", "-12%"), ("Đắk Hà", "Đắk Hà"), (12.5, 12.5)],
)
def test_exports_neutralise_formulas(cell: object, safe: object) -> None:
    assert neutralise(cell) == safe


def test_csv_export_has_bom_and_neutralised_cells() -> None:
    data = to_csv_bytes(pd.DataFrame({"Đơn vị": ["=cmd|' /C calc'!A0", "Kon Tum"], "Giá trị": [1.5, 2.0]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert "'=cmd" in data.decode("utf-8-sig")


def test_domain_package_never_imports_streamlit() -> None:
    code = (
        "import sys, pkgutil, importlib, kpi\n"
        "for m in pkgutil.iter_modules(kpi.__path__): importlib.import_module('kpi.' + m.name)\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_received_day_is_the_day_in_vietnam() -> None:
    from datetime import datetime

    from kpi.fmt import format_day

    # Stored naive UTC; Vietnam is UTC+7, so 17:00 UTC is midnight of the next day there.
    assert format_day(datetime(2024, 11, 4, 16, 59)) == "04/11/2024"
    assert format_day(datetime(2024, 11, 4, 17, 0)) == "05/11/2024"
