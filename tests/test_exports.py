"""Downloads open in Vietnamese Excel as tables: CSV separated by ';' in UTF-8 with a BOM, numbers with decimal
commas, and .xlsx with the same cells; no cell of either can run as a formula. Every page that offers a download
offers both, through one helper (ui.downloads)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from kpi.export import csv_number, to_csv_bytes, to_xlsx_bytes
from kpi.review import format_size
from tests.support import signed_in
from tests.test_app import run_page

#: A table as pages might hand it over: names, numbers as text in the Vietnamese format, numbers as numbers, gaps,
#: and notes that a user wrote to look like formulas.
TABLE = pd.DataFrame({
    "Đơn vị": ["Thành phố Kon Tum", "=HYPERLINK(\"http://x.invalid\")", "＝1+1", "+84 260", "@SUM(A1)", "－5", "-0,2"],
    "Thực hiện": ["10,2", "1.700.000", "63,7%", "—", "≥ 8", "-12%", ""],
    "Giá trị": [9.06, 135052.0, float("nan"), -0.5, 1234.5, 0.1, 2.0],
    "Lần nạp": [1, 2, 3, 4, 5, 6, 7],
})

#: The rows of TABLE's CSV, worked out by hand: formula-like text gets an apostrophe (the full-width ＝ and － as
#: well, which Excel reads as = and -); "-0,2" and "-12%" are numbers, left alone; floats get a decimal comma and
#: lose a needless ",0"; the gap is an empty cell; whole numbers stay whole.
EXPECTED = [
    ["Đơn vị", "Thực hiện", "Giá trị", "Lần nạp"],
    ["Thành phố Kon Tum", "10,2", "9,06", "1"],
    ["'=HYPERLINK(\"http://x.invalid\")", "1.700.000", "135052", "2"],
    ["'＝1+1", "63,7%", "", "3"],
    ["'+84 260", "—", "-0,5", "4"],
    ["'@SUM(A1)", "≥ 8", "1234,5", "5"],
    ["'－5", "-12%", "0,1", "6"],
    ["-0,2", "", "2", "7"],
]


def test_csv_is_semicolon_separated_utf8_with_bom_and_formula_safe() -> None:
    data = to_csv_bytes(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel on Windows reads the Vietnamese letters
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Đơn vị;Thực hiện;Giá trị;Lần nạp"
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == EXPECTED


def test_csv_in_english_keeps_the_separator_and_uses_a_decimal_point() -> None:
    rows = list(csv.reader(io.StringIO(to_csv_bytes(TABLE, "en").decode("utf-8-sig")), delimiter=";"))
    assert [row[2] for row in rows[1:]] == ["9.06", "135052", "", "-0.5", "1234.5", "0.1", "2"]


@pytest.mark.parametrize(("value", "vi", "en"), [(9.06, "9,06", "9.06"), (150250.0, "150250", "150250"),
                                                 (-0.25, "-0,25", "-0.25"), (float("nan"), "", "")])
def test_csv_numbers(value: float, vi: str, en: str) -> None:
    assert (csv_number(value, "vi"), csv_number(value, "en")) == (vi, en)


def test_xlsx_reads_back_with_the_csv_cells_and_no_formula() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(TABLE))).active
    assert sheet.title == "Dữ liệu" and sheet.freeze_panes == "A2"
    read = [[cell.value for cell in row] for row in sheet.iter_rows()]
    # The same cells as the CSV, numbers kept as numbers; an empty cell ("" or a gap) reads back as None.
    numbers = [9.06, 135052, None, -0.5, 1234.5, 0.1, 2]
    assert read == [EXPECTED[0]] + [[row[0], row[1] or None, number, int(row[3])]
                                    for row, number in zip(EXPECTED[1:], numbers)]
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_xlsx_drops_control_characters_openpyxl_refuses() -> None:
    frame = pd.DataFrame({"Ghi chú": ["a\x01b\x1fc", "dòng 1\ndòng 2"]})
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frame, sheet="Nhật ký: quý [3]"))).active
    assert [c.value for c in sheet["A"]] == ["Ghi chú", "abc", "dòng 1\ndòng 2"]  # a line break is fine
    assert sheet.title == "Nhật ký  quý  3"  # ':' '[' ']' are not allowed in a sheet name


@pytest.mark.parametrize(("n", "vi", "en"), [
    (0, "0 B", "0 B"), (162, "162 B", "162 B"),
    (1234, "1,2 KB", "1.2 KB"),                 # 1.234 kB, one decimal
    (1_200_000, "1,2 MB", "1.2 MB"),
    (999_960, "1 MB", "1 MB"),                  # 999.96 KB rounds to 1000.0 KB: said in MB
    (200_000_000, "200 MB", "200 MB"),          # the default upload limit
    (3_500_000_000, "3,5 GB", "3.5 GB"),
])
def test_sizes_for_people(n: int, vi: str, en: str) -> None:
    assert (format_size(n, "vi"), format_size(n, "en")) == (vi, en)


# --- every page that offers a download offers both files ----------------------------------------------------------

@pytest.mark.parametrize(("page", "stem", "query"), [
    ("app.py", "tong-quan-KT-2024-Q3", {"period": "2024-Q3"}),
    ("app_pages/5_Chi_tieu.py", "tourist_arrivals", {"indicator": "tourist_arrivals"}),
    ("app_pages/6_Tinh_hinh_bao_cao.py", "can-don-doc-2024-Q3", {"period": "2024-Q3"}),
    ("app_pages/8_Quan_tri.py", "nhat-ky", {}),
])
def test_every_page_offers_csv_and_xlsx(page: str, stem: str, query: dict[str, str], sample_url: str,
                                        monkeypatch: pytest.MonkeyPatch, downloads: dict[str, bytes]) -> None:
    token = signed_in(sample_url) if page.endswith("Quan_tri.py") else None  # the audit is the administrator's
    at = run_page(page, sample_url, monkeypatch, token=token, **query)
    assert [b.label for b in at.download_button] == ["Tải CSV", "Tải Excel (.xlsx)"]
    text = downloads[f"{stem}.csv"].decode("utf-8-sig")
    assert downloads[f"{stem}.csv"].startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) > 1 and len({len(row) for row in rows}) == 1  # a table: every row as wide as the header
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}.xlsx"])).active
    read = [["" if c.value is None else str(c.value) for c in row] for row in sheet.iter_rows()]
    # The same table in both files: the same header, the same text cells (numbers differ only in their mark).
    assert read[0] == rows[0] and len(read) == len(rows)
    assert [r[0] for r in read] == [r[0] for r in rows]


def test_overview_workbook_holds_numbers(sample_url: str, monkeypatch: pytest.MonkeyPatch,
                                         downloads: dict[str, bytes]) -> None:
    run_page("app.py", sample_url, monkeypatch, period="2024-Q3")
    sheet = openpyxl.load_workbook(io.BytesIO(downloads["tong-quan-KT-2024-Q3.xlsx"])).active
    header = [c.value for c in sheet[1]]
    column = {name: n for n, name in enumerate(header)}
    budget = next(row for row in sheet.iter_rows(min_row=2, values_only=True)
                  if row[column["Chỉ tiêu"]] == "Thu ngân sách nhà nước trên địa bàn")
    # Figures are cells Excel can sum, not text such as "3.407": the target as stated and as a number.
    assert isinstance(budget[column["Thực hiện"]], (int, float))
    assert budget[column["Giá trị mục tiêu"]] == 4600 and budget[column["Mục tiêu"]] == "≥ 4.600"
    assert isinstance(budget[column["Tỷ lệ hoàn thành (%)"]], (int, float))
