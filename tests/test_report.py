"""Review reports (sơ kết, tổng kết): the sentence each target gets, the workbook's figures, and the command.

Every expected sentence is written by hand from the figures of its case, as an office would write it; the
arithmetic is in the comment beside it."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import openpyxl
import pytest
from pypdf import PdfReader

from kpi.bootstrap import open_store
from kpi.compare import last_year_base
from kpi.evaluate import evaluate
from kpi.plan import Plan
from kpi.report.content import build_review
from kpi.report.sentences import target_sentence
from kpi.report.workbook import review_workbook, sheet_count
from tests.support import csv_bytes, load_ok, run_cli
from tests.test_app import run_page
from tests.test_evaluate import figures


def sentence(plan: Plan, data, period: str, indicator: str, unit: str = "KT", lang: str = "vi") -> str:
    result = evaluate(plan, data, period, [unit])
    row = result[(result["indicator"] == indicator) & (result["unit"] == unit)].iloc[0].to_dict()
    return target_sentence(row, plan, lang)


def test_flow_target_says_its_share_of_the_plan_and_the_change_on_the_same_span(plan: Plan) -> None:
    data = figures(("KT", "tourist_arrivals", "2024-Q1", 700_000), ("KT", "tourist_arrivals", "2024-Q2", 745_000),
                   ("KT", "tourist_arrivals", "2023-Q1", 450_000), ("KT", "tourist_arrivals", "2023-Q2", 506_300))
    # 700.000 + 745.000 = 1.445.000 = 85,0% of 1.700.000; 2023's first half 956.300: 1.445.000 / 956.300 = 1,511
    # → up 51,1%. By mid-year the plan's profile expects 24% + 27% = 51% of the year: 85 / 51 is ahead of pace.
    assert sentence(plan, data, "2024-H1", "tourist_arrivals") == (
        "Lượt khách du lịch đến tỉnh 6 tháng đầu năm đạt 1.445.000 lượt, bằng 85,0% kế hoạch năm, tăng 51,1% so "
        "với cùng kỳ, đúng tiến độ.")


def test_a_later_quarter_says_its_own_figure_then_the_year_to_date(plan: Plan) -> None:
    data = figures(("KT", "budget_revenue", "2024-Q1", 1000.0), ("KT", "budget_revenue", "2024-Q2", 1070.5))
    # Q2 alone 1.070,5; the first half 2.070,5 = 45,0% of 4.600. Mid-year the pace needs 50%: 45 / 50 = 90%, between
    # the plan's at-risk (80) and on-track (95) lines. No 2023 figure: no change is claimed.
    assert sentence(plan, data, "2024-Q2", "budget_revenue") == (
        "Thu ngân sách nhà nước trên địa bàn quý II đạt 1.070,5 tỷ đồng, lũy kế 6 tháng đầu năm đạt 2.070,5 tỷ đồng, "
        "bằng 45,0% kế hoạch năm, có nguy cơ không đạt chỉ tiêu.")


def test_a_level_target_states_the_plan_and_the_change_in_points(plan: Plan) -> None:
    data = figures(("KT", "grdp_growth", "2023", 8.62), ("KT", "grdp_growth", "2024-Q2", 9.1))
    # 9,1 − 8,62 = 0,48 percentage points; 9,1 of ≥ 10 is 91%: at risk (80–95).
    assert sentence(plan, data, "2024-H1", "grdp_growth") == (
        "Tốc độ tăng trưởng GRDP 6 tháng đầu năm đạt 9,1%, kế hoạch năm từ 10% trở lên, tăng 0,48 điểm % so với năm "
        "2023, có nguy cơ không đạt chỉ tiêu.")


def test_a_rank_says_its_place_and_the_places_gained(plan: Plan) -> None:
    data = figures(("KT", "papi_rank", "2023", 43), ("KT", "papi_rank", "2024", 38),
                   ("KT", "pci_rank", "2023", 30, ">"), ("KT", "pci_rank", "2024", 24))
    # 43 → 38: five places up, the plan's five: met.
    assert sentence(plan, data, "2024", "papi_rank") == (
        "Chỉ số Hiệu quả quản trị và Hành chính công cấp tỉnh (PAPI) năm 2024 xếp hạng 38/63, tăng 5 bậc so với năm "
        "2023, đạt chỉ tiêu.")
    # 2023's ">30" is 31st at best: 31 → 24 is at least 7 places, more than five for certain.
    assert sentence(plan, data, "2024", "pci_rank") == (
        "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI) năm 2024 xếp hạng 24/63, tăng ít nhất 7 bậc so với năm 2023 "
        "(hạng >30/63), đạt chỉ tiêu.")


def test_an_unpublished_rank_is_awaited_whatever_the_period(plan: Plan) -> None:
    data = figures(("KT", "pci_rank", "2023", 30, ">"))
    assert sentence(plan, data, "2024-H1", "pci_rank") == (
        "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI) năm 2024 chưa được công bố (năm 2023 xếp hạng >30/63).")


def test_a_count_to_reduce_says_by_how_much_it_fell(plan: Plan) -> None:
    data = figures(("DHA", "traffic_accidents", "2024-Q1", 3), ("DHA", "traffic_accidents", "2024-Q2", 4),
                   ("DHA", "traffic_accidents", "2023-Q1", 5), ("DHA", "traffic_accidents", "2023-Q2", 6),
                   ("DHA", "traffic_accidents", "2023-Q3", 5), ("DHA", "traffic_accidents", "2023-Q4", 6))
    # 3 + 4 = 7 against 5 + 6 = 11 in the same half of 2023: 4 fewer, so on track to stay under 2023's 22 (without
    # 2023's whole year the target itself is unknown).
    assert sentence(plan, data, "2024-H1", "traffic_accidents", "DHA") == (
        "Số vụ tai nạn giao thông 6 tháng đầu năm là 7 vụ, giảm 4 vụ so với cùng kỳ (11 vụ), đúng tiến độ.")
    assert sentence(plan, data, "2024-H1", "traffic_accidents", "DHA", "en") == (
        "Road traffic accidents in the first 6 months came to 7 accidents, down 4 accidents on the same period last "
        "year (11 accidents), on track.")


def test_an_estimate_says_uoc(plan: Plan) -> None:
    data = figures(("DHA", "traffic_accidents", "2024", 20), ("DHA", "traffic_accidents", "2023", 25))
    data["estimate"] = [True, False]
    # An estimated year: 20 against 2023's 25, 5 fewer; "fewer than last year" is then expected to be met.
    assert sentence(plan, data, "2024", "traffic_accidents", "DHA") == (
        "Số vụ tai nạn giao thông năm 2024 ước 20 vụ, giảm 5 vụ so với năm 2023 (25 vụ), dự kiến đạt chỉ tiêu.")


def test_no_figure_and_missing_reports_are_said(plan: Plan) -> None:
    assert sentence(plan, figures(("KT", "grdp_growth", "2024-Q1", 8.0)), "2024-H1", "poverty_rate_reduction") == (
        "Tỷ lệ hộ nghèo giảm 6 tháng đầu năm: chưa có số liệu.")
    localities = [u.code for u in plan.units if u.kind == "locality" and u.code != "KRA"]
    data = figures(*[(code, "tourist_arrivals", "2024-Q1", 20_000) for code in localities])
    # Nine localities of ten at 20.000: 180.000 so far = 10,6% of 1.700.000, Kon Rẫy's report missing.
    assert len(localities) == 9
    assert sentence(plan, data, "2024-Q1", "tourist_arrivals") == (
        "Lượt khách du lịch đến tỉnh quý I đạt 180.000 lượt, bằng 10,6% kế hoạch năm, còn thiếu báo cáo của Huyện "
        "Kon Rẫy (Quý I/2024).")


# --- the workbook -------------------------------------------------------------------------------------------------

FIGURES = csv_bytes("KT,budget_revenue,2024-Q1,1000,", "KT,budget_revenue,2024-Q2,1070.5,",
                    "KT,budget_revenue,2023-Q1,900,", "KT,budget_revenue,2023-Q2,1100,",
                    "TPKT,tourist_arrivals,2024-Q1,100000,", "TPKT,tourist_arrivals,2024-Q2,120000,",
                    "TPKT,tourist_arrivals,2023-Q1,80000,", "TPKT,tourist_arrivals,2023-Q2,100000,")


def _rows(sheet) -> dict[str, dict[str, object]]:
    """The report table of a sheet: indicator name → {column heading: cell value}."""
    header = [c.value for c in sheet[5]]
    rows = {}
    for values in sheet.iter_rows(min_row=6, values_only=True):
        if not isinstance(values[0], int):
            break
        rows[values[1]] = dict(zip(header, values))
    return rows


def test_workbook_holds_the_figures_the_sentences_and_prints_on_a4(opened) -> None:
    load_ok(opened, FIGURES)
    store, plans = opened
    data = review_workbook(build_review(store, plans, "2024-H1"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "Tổng hợp" and "TPKT Thành phố Kon Tum" in book.sheetnames
    assert book.sheetnames[-2:] == ["Đơn vị chưa gửi báo cáo", "Xếp hạng, đề xuất"]
    summary = book["Tổng hợp"]
    assert summary["A2"].value == "Báo cáo kết quả thực hiện các chỉ tiêu thi đua — Tỉnh Kon Tum — 6 tháng đầu năm 2024"
    budget = _rows(summary)["Thu ngân sách nhà nước trên địa bàn"]
    # 1.000 + 1.070,5 = 2.070,5 = 45,0% of 4.600; 2023's first half 900 + 1.100 = 2.000: 2.070,5 / 2.000 = 103,5%.
    assert (budget["Lũy kế từ đầu năm"], budget["So với kế hoạch năm (%)"],
            budget["So với cùng kỳ năm trước (%)"]) == (2070.5, 45.0, 103.5)
    assert budget["Kế hoạch năm"] == "≥ 4.600" and budget["Đơn vị tính"] == "tỷ đồng"
    # Only the city reported tourists: 100.000 + 120.000 = 220.000 so far, 12,9% of 1.700.000.
    tourism = _rows(summary)["Lượt khách du lịch đến tỉnh"]
    assert (tourism["Lũy kế từ đầu năm"], tourism["So với kế hoạch năm (%)"]) == (220_000, 12.9)
    city = _rows(book["TPKT Thành phố Kon Tum"])["Lượt khách du lịch đến tỉnh"]
    assert city["So với cùng kỳ năm trước (%)"] == 122.2  # 220.000 / (80.000 + 100.000)
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("đạt 2.070,5 tỷ đồng, bằng 45,0% kế hoạch năm, tăng 3,5% so với cùng kỳ" in x for x in texts)
    assert "II. ĐÁNH GIÁ CHUNG (ưu điểm, hạn chế, nguyên nhân)" in texts
    cell = next(c for row in summary.iter_rows(min_row=6) for c in row if c.value == 2070.5)
    assert cell.number_format == "#,##0.0"  # Vietnamese Excel shows 2.070,5
    assert summary.freeze_panes == "C6" and summary.page_setup.paperSize == 9
    assert summary.page_setup.orientation == "landscape" and summary.print_title_rows == "$5:$5"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # openpyxl drops charts on reading: look at the parts
        assert "xl/charts/chart1.xml" in archive.namelist()
    missing = [tuple(r[:3]) for r in book["Đơn vị chưa gửi báo cáo"].iter_rows(min_row=4, values_only=True)]
    assert ("Huyện Đắk Hà", "Lượt khách du lịch đến tỉnh", "Quý I/2024") in missing
    assert not [r for r in missing if r[0] == "Thành phố Kon Tum" and r[1] == "Lượt khách du lịch đến tỉnh"]


def test_a_period_without_figures_says_so(fresh) -> None:
    store, plans = fresh
    review = build_review(store, plans, "2024-Q1")
    assert not review.has_data
    book = openpyxl.load_workbook(io.BytesIO(review_workbook(review)))
    assert [c.value for c in book.active["A"]] == ["Chưa có số liệu nào cho quý I năm 2024: chưa thể lập báo cáo."]


def test_report_command(fresh, tmp_path, capsys) -> None:
    store, plans = fresh
    load_ok(fresh, FIGURES)
    out = tmp_path / "so-ket.xlsx"
    code, said, _ = run_cli(capsys, "report", "--db", store.url, "--period", "2024-H1", "--unit", "tpkt",
                            "--out", str(out))
    assert code == 0 and said.startswith(f"Đã ghi báo cáo vào {out}")
    assert openpyxl.load_workbook(out).sheetnames == ["Tổng hợp", "Đơn vị chưa gửi báo cáo"]  # a unit alone
    code, _, err = run_cli(capsys, "report", "--db", store.url, "--period", "2024-H1", "--unit", "XX",
                           "--out", str(tmp_path / "x.xlsx"))
    assert code == 2 and "Kế hoạch năm 2024 không có đơn vị “XX”" in err and not (tmp_path / "x.xlsx").exists()
    code, _, err = run_cli(capsys, "report", "--db", store.url, "--period", "2024-Q5", "--out", str(out))
    assert code == 2 and "“2024-Q5” không phải là kỳ báo cáo" in err


def test_reports_page_reads_the_report_and_offers_the_workbook(sample_url: str, monkeypatch) -> None:
    at = run_page("app_pages/10_Bao_cao.py", sample_url, monkeypatch, period="2024-9M")
    assert at.title[0].value == "Báo cáo sơ kết, tổng kết"
    # The workbook, then the council's table (the province's report carries the ranking) as CSV and .xlsx.
    assert [b.label for b in at.download_button] == ["Tải báo cáo (.xlsx)", "Tải CSV", "Tải Excel (.xlsx)"]
    assert any(h.value == "Đề xuất khen thưởng theo quy định của kế hoạch" for h in at.subheader)
    said = [x.value for x in at.text]
    # The sample's Kon Rẫy has not sent its third quarter: said under the province's targets and listed at the end.
    assert any(x.startswith("- Lượt khách du lịch đến tỉnh 9 tháng đầu năm đạt ") and
               x.endswith("còn thiếu báo cáo của Huyện Kon Rẫy (Quý III/2024).") for x in said)
    assert any(x.startswith("- Huyện Kon Rẫy: Số xã đạt chuẩn nông thôn mới (tăng thêm) (Quý III/2024)") for x in said)
    assert not at.exception


def test_the_province_s_workbook_ends_with_the_council_s_table(sample_url: str) -> None:
    store, plans = open_store(sample_url)
    review = build_review(store, plans, "2024-Q3")
    data = review_workbook(review)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert len(book.sheetnames) == sheet_count(review) and book.sheetnames[-1] == "Xếp hạng, đề xuất"
    sheet = book["Xếp hạng, đề xuất"]
    header = [c.value for c in sheet[5]]
    rows = {r[header.index("Đơn vị")]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=6, values_only=True)}
    # The sample's Q3 (test_dashboards.UNIT_CASES): Đắk Tô 4 of 4 targets good, first of the northern cluster;
    # Kon Rẫy has not sent Q3: no place, not proposed, with the reason.
    assert (rows["Huyện Đắk Tô"]["Điểm"], rows["Huyện Đắk Tô"]["Điểm tối đa"], rows["Huyện Đắk Tô"]["Tỷ lệ (%)"]) == (
        4, 4, 100)
    assert rows["Huyện Đắk Tô"]["Đề xuất khen thưởng"] == "Cờ thi đua của UBND tỉnh (đề nghị)"
    assert rows["Huyện Kon Rẫy"]["Hạng trong cụm"] == "—"
    assert rows["Huyện Kon Rẫy"]["Đề xuất khen thưởng"] == "Chưa đề xuất: thiếu số liệu"
    assert rows["Huyện Kon Rẫy"]["Căn cứ"].startswith("Còn thiếu báo cáo (3 chỉ tiêu)")
    # Each member's sheet shows how its points are made: Đắk Tô's four targets on track, one point each.
    cells = [r for r in book["DTO Huyện Đắk Tô"].iter_rows(values_only=True)]
    start = next(n for n, r in enumerate(cells) if r[0] == "Cách tính điểm thi đua của Huyện Đắk Tô")
    assert [r[6] for r in cells[start + 2:start + 6]] == ["1", "1", "1", "1"]
    # A unit's own report has no ranking: a cluster is compared whole, in the province's report.
    alone = build_review(store, plans, "2024-Q3", "DTO")
    assert alone.ranking.empty and "Xếp hạng, đề xuất" not in openpyxl.load_workbook(
        io.BytesIO(review_workbook(alone))).sheetnames


def test_a_reduction_target_is_not_compared_with_last_year_s_rate(plan: Plan) -> None:
    data = figures(("KT", "poverty_rate_reduction", "2023", 16.84), ("KT", "poverty_rate_reduction", "2024", 13.96))
    row = evaluate(plan, data, "2024", ["KT"]).set_index("indicator").loc["poverty_rate_reduction"].to_dict()
    row["indicator"] = "poverty_rate_reduction"
    # Its figure is already the change: 16,84 − 13,96 = 2,88 points down, which the target (3–4) judges; setting
    # 2,88 against 2023's rate of 16,84 ("17,1%") would mean nothing.
    assert row["actual"] == pytest.approx(2.88)
    assert last_year_base(row, plan) == (None, "")


def test_report_command_writes_the_printable_report(fresh, tmp_path, capsys) -> None:
    store, _ = fresh
    load_ok(fresh, FIGURES)
    out = tmp_path / "so-ket.pdf"
    code, said, _ = run_cli(capsys, "report", "--db", store.url, "--period", "2024-H1", "--unit", "TPKT",
                            "--format", "pdf", "--out", str(out))
    assert code == 0 and said.strip() == f"Đã ghi báo cáo vào {out}."
    text = unicodedata.normalize("NFC", "".join(page.extract_text() for page in PdfReader(out).pages))
    # 100.000 + 120.000 = 220.000 visitors in the city's first half; 2023's 80.000 + 100.000: up 22,2%.
    assert "Lượt khách du lịch đến tỉnh 6 tháng đầu năm đạt 220.000 lượt" in " ".join(text.split())
    assert "tăng 22,2% so với cùng kỳ" in " ".join(text.split())


def test_reports_page_makes_the_printable_report_on_request(sample_url: str, monkeypatch) -> None:
    at = run_page("app_pages/10_Bao_cao.py", sample_url, monkeypatch, period="2024-H1", unit="TPKT")
    assert "Tải bản PDF" not in [b.label for b in at.download_button]  # seconds of drawing: only when asked
    at.button[0].click().run()
    assert [b.label for b in at.download_button][:3] == ["Tải báo cáo (.xlsx)", "Tải bản Word (.docx)",
                                                         "Tải bản PDF"]
    assert not at.exception


def test_a_partial_figure_is_not_compared_with_last_year(plan: Plan) -> None:
    localities = [u.code for u in plan.units if u.kind == "locality"]
    rows = [(code, "traffic_accidents", f"2023-Q{q}", 3) for code in localities for q in (1, 2, 3, 4)]
    rows += [(code, "traffic_accidents", "2024-Q1", 2) for code in localities if code != "KRA"]
    # Nine localities of ten at 2 = 18 so far, against 2023's Q1 of 10 × 3 = 30: with Kon Rẫy's report missing,
    # "giảm 12 vụ" would be a gap, not a fall. The sentence says what is in and what is missing, and no change.
    assert sentence(plan, figures(*rows), "2024-Q1", "traffic_accidents") == (
        "Số vụ tai nạn giao thông quý I là 18 vụ, còn thiếu báo cáo của Huyện Kon Rẫy (Quý I/2024).")


def test_a_level_in_money_says_its_share_of_the_plan(plan: Plan) -> None:
    data = figures(("KT", "grdp_per_capita", "2023", 57.83), ("KT", "grdp_per_capita", "2024-Q2", 60.6))
    # 60,6 of "more than 63,7" = 95,1% of the plan; 60,6 / 57,83 = 1,0479 → up 4,8% on 2023's figure. A level
    # 3,1 short of its target, more than its tolerance of 1, is off track.
    assert sentence(plan, data, "2024-H1", "grdp_per_capita") == (
        "GRDP bình quân đầu người 6 tháng đầu năm đạt 60,6 triệu đồng, bằng 95,1% kế hoạch năm, tăng 4,8% so với "
        "năm 2023, chậm tiến độ.")


def test_a_censored_rank_is_written_as_people_read_it(fresh) -> None:
    load_ok(fresh, csv_bytes("KT,pci_rank,2023,>30,", "KT,pci_rank,2024,>40,"))
    store, plans = fresh
    review = build_review(store, plans, "2024")
    row = _rows(openpyxl.load_workbook(io.BytesIO(review_workbook(review)))["Tổng hợp"])[
        "Chỉ số năng lực cạnh tranh cấp tỉnh (PCI)"]
    # Only known to be below 40th: ">40" as text in both figure columns, never the number 40.
    assert (row["Thực hiện kỳ này"], row["Lũy kế từ đầu năm"]) == (">40", ">40")


def test_sheet_names_never_end_in_an_apostrophe() -> None:
    from kpi.export import sheet_name

    # Cut to Excel's 31 characters, "AB Huyen" + 22 letters + " 'Drai" would end in "'", which Excel refuses.
    assert sheet_name("AB Huyen" + "a" * 22 + "'Drai") == "AB Huyen" + "a" * 22


def test_a_small_count_changes_by_a_number_not_a_percentage(plan: Plan) -> None:
    data = figures(("KT", "new_rural_communes", "2024-Q1", 1), ("KT", "new_rural_communes", "2024-Q2", 2),
                   ("KT", "new_rural_communes", "2023-Q1", 0), ("KT", "new_rural_communes", "2023-Q2", 1))
    # 1 + 2 = 3 communes against 0 + 1 = 1 in 2023's first half: 2 more ("tăng 200,0%" would say less); 3 of 5 =
    # 60,0% of the plan, ahead of the 50% pace.
    assert sentence(plan, data, "2024-H1", "new_rural_communes") == (
        "Số xã đạt chuẩn nông thôn mới (tăng thêm) 6 tháng đầu năm đạt 3 xã, bằng 60,0% kế hoạch năm, tăng 2 xã so "
        "với cùng kỳ, đúng tiến độ.")


def test_an_estimated_year_to_date_is_not_pinned_on_the_quarter(plan: Plan) -> None:
    data = figures(("KT", "budget_revenue", "2024-Q1", 1000.0), ("KT", "budget_revenue", "2024-Q2", 1200.0))
    data["estimate"] = [True, False]
    # Q1 estimated, Q2 official: the first half 2.200 is an estimate ("ước đạt"), 47,8% of 4.600; which quarter was
    # estimated the row does not tell, so Q2's own 1.200 is not called "ước" — it is left out.
    said = sentence(plan, data, "2024-Q2", "budget_revenue")
    assert said.startswith("Thu ngân sách nhà nước trên địa bàn lũy kế 6 tháng đầu năm ước đạt 2.200 tỷ đồng, bằng "
                           "47,8% kế hoạch năm")
    assert "quý II" not in said
