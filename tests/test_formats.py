"""Submission files as Excel on Vietnamese Windows writes them: every encoding, separator, number style, header
and period spelling of issue #3, the wide layout and .xlsx workbooks. Each file is built here as bytes, loaded
through the careful path, and the stored numbers are read back exactly; a rejected file must leave the database as
it was."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata

import openpyxl
import pandas as pd
import pytest

from kpi.ingest import Checked, ingest_bytes
from kpi.plan import Plan
from kpi.store import Store, current_figures
from tests.support import records, reject

Key = tuple[str, str, str]
Stored = dict[Key, tuple[float, str | None, str | None]]

VI_HEADER = ["Mã đơn vị", "Chỉ tiêu", "Kỳ báo cáo", "Giá trị", "Ghi chú"]


def text_file(lines: list[str]) -> str:
    """The lines of a file, each ended as Excel ends it (CRLF)."""
    return "".join(line + "\r\n" for line in lines)


def stored(store: Store) -> Stored:
    """Every current figure: (unit, indicator, period) -> (value, qualifier, note)."""
    with store.connect() as conn:
        frame = current_figures(conn)
    return {(r["unit"], r["indicator"], r["period"]): (r["value"], r["qualifier"], r["note"]) for r in records(frame)}


def load(fresh: tuple[Store, dict[int, Plan]], data: bytes, name: str = "so-lieu.csv", **kw) -> Checked:
    """Load `data` and insist that it was accepted and written."""
    store, plans = fresh
    result = ingest_bytes(store, plans, data, name, **kw)
    assert result.ok and not result.problems, [p.describe("en") for p in result.problems]  # no warning either
    assert result.upload_id is not None
    return result


# ---------------------------------------------------------------- encodings

TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng


def excel_cp1258(text: str, *, toned_letters: bool = False) -> bytes:
    """`text` in Windows-1258 as Excel's plain CSV on Vietnamese Windows writes it: â ă ê ô ơ ư đ precomposed and
    each of the five tone marks as a combining character after its letter. With `toned_letters`, the few toned
    letters the code page has (á à é í ó ú …) stay precomposed and only the others are decomposed."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        if toned_letters:
            try:
                out.append(char.encode("cp1258").decode("cp1258"))
                continue
            except UnicodeEncodeError:
                pass
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in TONE_MARKS)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS)) + tones)
    return "".join(out).encode("cp1258")


def test_excel_cp1258_helper_writes_separate_tone_marks() -> None:
    data = excel_cp1258("Quý Đắk Hà ước tính")
    assert data == b"Quy\xec \xd0\xe3\xeck Ha\xcc \xfd\xf5\xecc ti\xecnh"
    assert data.decode("cp1258") == "Quy\u0301 \u0110\u0103\u0301k Ha\u0300 \u01b0\u01a1\u0301c ti\u0301nh"
    mixed = excel_cp1258("Quý Đắk Hà ước tính", toned_letters=True)  # à and í exist in the code page; ý, ắ, ớ do not
    assert mixed == b"Quy\xec \xd0\xe3\xeck H\xe0 \xfd\xf5\xecc t\xednh"


def test_utf8_with_bom_semicolons_and_crlf_as_excel_csv_utf8_saves(fresh) -> None:
    data = codecs.BOM_UTF8 + text_file([
        ";".join(VI_HEADER),
        "KT;grdp_per_capita;Quý I/2024;59,12;Cục Thống kê ước tính",
        "KT;budget_revenue;Quý I/2024;1.032,6;",
        "TPKT;tourist_arrivals;Quý I/2024;185.234;Sở Văn hóa, Thể thao và Du lịch",
    ]).encode("utf-8")
    result = load(fresh, data)
    assert (result.encoding, result.separator, result.decimal) == ("utf-8-sig", ";", "comma")
    assert stored(fresh[0]) == {
        ("KT", "grdp_per_capita", "2024-Q1"): (59.12, None, "Cục Thống kê ước tính"),
        ("KT", "budget_revenue", "2024-Q1"): (1032.6, None, None),
        ("TPKT", "tourist_arrivals", "2024-Q1"): (185234.0, None, "Sở Văn hóa, Thể thao và Du lịch"),
    }


UNICODE_TEXT = [
    "\t".join(VI_HEADER),
    "KPL\ttourist_arrivals\tQuý I/2024\t139.871\tSố ước tính, chưa chính thức",
    "KT\ttrained_labour_rate\tQuý I/2024\t56,8\t",
    "DHA\ttraffic_accidents\tQuý I/2024\t23\tCông an huyện Đắk Hà",
]


def test_utf16_with_tabs_as_excel_unicode_text_saves(fresh) -> None:
    data = codecs.BOM_UTF16_LE + text_file(UNICODE_TEXT).encode("utf-16-le")
    result = load(fresh, data, "so-lieu.txt")
    assert (result.encoding, result.separator, result.decimal) == ("utf-16", "\t", "comma")
    assert stored(fresh[0]) == {
        ("KPL", "tourist_arrivals", "2024-Q1"): (139871.0, None, "Số ước tính, chưa chính thức"),
        ("KT", "trained_labour_rate", "2024-Q1"): (56.8, None, None),
        ("DHA", "traffic_accidents", "2024-Q1"): (23.0, None, "Công an huyện Đắk Hà"),
    }


def test_utf16_file_with_a_bad_unit_names_its_line_and_vietnamese_column(fresh) -> None:
    lines = [*UNICODE_TEXT[:2], "KPLL\ttourist_arrivals\tQuý II/2024\t152.113\t", *UNICODE_TEXT[2:]]
    result = reject(fresh, codecs.BOM_UTF16_LE + text_file(lines).encode("utf-16-le"))
    assert [(p.line, p.column, p.code) for p in result.problems] == [(3, "Mã đơn vị", "unknown_unit")]
    assert result.problems[0].describe() == (
        "dòng 3, cột Mã đơn vị: Mã đơn vị “KPLL” không có trong danh mục (có phải “KPL”?)")


NOTE_1258 = "Số ước tính của Phòng Văn hóa - Thông tin huyện Kon Plông, chờ Cục Thống kê xác nhận"


@pytest.mark.parametrize("toned_letters", [False, True], ids=["tone marks apart", "toned letters where possible"])
def test_windows_1258_as_excel_plain_csv_saves_is_stored_in_nfc(fresh, toned_letters: bool) -> None:
    text = text_file([
        ";".join(VI_HEADER),
        f"KPL;tourist_arrivals;Quý 1 năm 2024;139.871;{NOTE_1258}",
        "KT;grdp_per_capita;Quý 1 năm 2024;59,12;Cục Thống kê",
        "DHA;traffic_deaths;Quý 1 năm 2024;3;Tai nạn trên Quốc lộ 14",
    ])
    data = excel_cp1258(text, toned_letters=toned_letters)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "\u0301" in data.decode("cp1258")  # the file really holds separate tone marks
    result = load(fresh, data)
    assert (result.encoding, result.separator, result.decimal) == ("windows-1258", ";", "comma")
    figures = stored(fresh[0])
    assert figures == {
        ("KPL", "tourist_arrivals", "2024-Q1"): (139871.0, None, unicodedata.normalize("NFC", NOTE_1258)),
        ("KT", "grdp_per_capita", "2024-Q1"): (59.12, None, "Cục Thống kê"),
        ("DHA", "traffic_deaths", "2024-Q1"): (3.0, None, "Tai nạn trên Quốc lộ 14"),
    }
    note = figures["KPL", "tourist_arrivals", "2024-Q1"][2]
    assert unicodedata.is_normalized("NFC", note) and "\u0301" not in note


def test_windows_1258_rejection_counts_crlf_lines_right(fresh) -> None:
    text = text_file([
        ";".join(VI_HEADER),
        "KPL;tourist_arrivals;Quý 1 năm 2024;139.871;",
        "KPL;tourist_arrivals;Quý 5 năm 2024;152.113;Số ước tính",
        "KT;grdp_per_capita;Quý 1 năm 2024;59,12;",
    ])
    result = reject(fresh, excel_cp1258(text))
    assert [(p.line, p.column, p.code, p.value) for p in result.problems] == [
        (3, "Kỳ báo cáo", "bad_period", "Quý 5 năm 2024")]
    assert "Kỳ báo cáo “Quý 5 năm 2024” không hợp lệ" in result.problems[0].reason()


# ---------------------------------------------------------------- separators and numbers

@pytest.mark.parametrize("sep", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
def test_each_separator_is_detected(fresh, sep: str) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerows([
        ["unit", "indicator", "period", "value", "note"],
        ["KT", "grdp_growth", "2024-Q1", "8.12", "Ước tính; chưa chính thức, chờ Cục Thống kê"],
        ["KT", "budget_revenue", "2024-Q1", "1032.6", ""],
        ["NHO", "tourist_arrivals", "2024-Q1", "61877", "Cửa khẩu Bờ Y\tvà khu kinh tế"],
    ])
    result = load(fresh, out.getvalue().encode("utf-8"))
    assert result.separator == sep
    assert stored(fresh[0]) == {
        ("KT", "grdp_growth", "2024-Q1"): (8.12, None, "Ước tính; chưa chính thức, chờ Cục Thống kê"),
        ("KT", "budget_revenue", "2024-Q1"): (1032.6, None, None),
        ("NHO", "tourist_arrivals", "2024-Q1"): (61877.0, None, "Cửa khẩu Bờ Y\tvà khu kinh tế"),
    }


def test_decimal_comma_and_thousands_dots(fresh) -> None:
    data = text_file([
        "unit;indicator;period;value;note",
        "KT;grdp_per_capita;2024-Q1;63,7;",
        "TPKT;tourist_arrivals;2024;1.012.345;Cả năm",
        "KT;budget_revenue;2024-Q1;1.032,6;",
        "TPKT;tourist_arrivals;2024-Q1;185.234;",  # alone it could be 185.234; the file says comma
        "KT;grdp_growth;2024-Q1;-1,25;Giảm do thủy điện",
    ]).encode()
    assert load(fresh, data).decimal == "comma"
    assert stored(fresh[0]) == {
        ("KT", "grdp_per_capita", "2024-Q1"): (63.7, None, None),
        ("TPKT", "tourist_arrivals", "2024"): (1012345.0, None, "Cả năm"),
        ("KT", "budget_revenue", "2024-Q1"): (1032.6, None, None),
        ("TPKT", "tourist_arrivals", "2024-Q1"): (185234.0, None, None),
        ("KT", "grdp_growth", "2024-Q1"): (-1.25, None, "Giảm do thủy điện"),
    }


def test_dot_decimals_and_thousands_commas(fresh) -> None:
    data = text_file([
        "unit,indicator,period,value,note",
        "KT,grdp_per_capita,2024-Q1,63.7,",
        'TPKT,tourist_arrivals,2024,"1,012,345",Cả năm',
        'KT,budget_revenue,2024-Q1,"1,032.6",',
        'TPKT,tourist_arrivals,2024-Q1,"185,234",',  # alone it could be 185.234; the file says dot
    ]).encode()
    assert load(fresh, data).decimal == "dot"
    assert stored(fresh[0]) == {
        ("KT", "grdp_per_capita", "2024-Q1"): (63.7, None, None),
        ("TPKT", "tourist_arrivals", "2024"): (1012345.0, None, "Cả năm"),
        ("KT", "budget_revenue", "2024-Q1"): (1032.6, None, None),
        ("TPKT", "tourist_arrivals", "2024-Q1"): (185234.0, None, None),
    }


def test_percent_signs_are_dropped(fresh) -> None:
    data = text_file([
        "Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị;Ghi chú",
        "KT;trained_labour_rate;Quý II/2024;58,5%;",
        "KT;vocational_trained_rate;Quý II/2024;41,27 %;",
        "VP;admin_satisfaction;Quý II/2024;96%;Khảo sát 212 phiếu",
    ]).encode()
    load(fresh, data)
    assert stored(fresh[0]) == {
        ("KT", "trained_labour_rate", "2024-Q2"): (58.5, None, None),
        ("KT", "vocational_trained_rate", "2024-Q2"): (41.27, None, None),
        ("VP", "admin_satisfaction", "2024-Q2"): (96.0, None, "Khảo sát 212 phiếu"),
    }


def test_stray_spaces_and_lower_case_codes(fresh) -> None:
    data = text_file([
        "Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị;Ghi chú",
        " TPKT ; tourist_arrivals ; Quý II/2024 ; 201 456 ;  Sở VHTTDL  ",
        "tpkt;TOURIST_ARRIVALS;quý iii/2024;1 98 765;",  # odd grouping, still only digits and spaces
        "kt ; Grdp_Growth ;2024-q2; 8,57 ;",
        "TPKT;tourist_arrivals;NĂM 2024;1 012 345;",
    ]).encode()
    load(fresh, data)
    assert stored(fresh[0]) == {
        ("TPKT", "tourist_arrivals", "2024-Q2"): (201456.0, None, "Sở VHTTDL"),
        ("TPKT", "tourist_arrivals", "2024-Q3"): (198765.0, None, None),
        ("KT", "grdp_growth", "2024-Q2"): (8.57, None, None),
        ("TPKT", "tourist_arrivals", "2024"): (1012345.0, None, None),
    }


# ---------------------------------------------------------------- headers and periods

ROWS = [
    {"unit": "DTO", "indicator": "tourist_arrivals", "period": "Quý II/2024", "value": "48.213", "note": "Ước tính"},
    {"unit": "KT", "indicator": "grdp_growth", "period": "Quý II/2024", "value": "8,57", "note": ""},
]
HEADERS = {
    "vietnamese": ["Mã đơn vị", "Chỉ tiêu", "Kỳ báo cáo", "Giá trị", "Ghi chú"],
    "no diacritics": ["Ma don vi", "Chi tieu", "Ky bao cao", "Gia tri", "Ghi chu"],
    "upper case": ["MÃ ĐƠN VỊ", "CHỈ TIÊU", "KỲ BÁO CÁO", "GIÁ TRỊ", "GHI CHÚ"],
    "english codes": ["unit_code", "indicator_code", "period", "value", "notes"],
    "english words": ["Unit code", "Indicator", "Period", "Value", "Comment"],
    "other vietnamese": ["Đơn vị", "Mã chỉ tiêu", "Kỳ", "Số liệu", "Ghi chú"],
}
ORDER = ["unit", "indicator", "period", "value", "note"]


@pytest.mark.parametrize("header", list(HEADERS.values()), ids=list(HEADERS))
def test_header_variants(fresh, header: list[str]) -> None:
    lines = [";".join(header)] + [";".join(row[name] for name in ORDER) for row in ROWS]
    load(fresh, text_file(lines).encode())
    assert stored(fresh[0]) == {
        ("DTO", "tourist_arrivals", "2024-Q2"): (48213.0, None, "Ước tính"),
        ("KT", "grdp_growth", "2024-Q2"): (8.57, None, None),
    }


def test_columns_in_another_order_with_a_row_number_column(fresh) -> None:
    order = ["period", "value", "unit", "indicator", "note"]
    header = ["STT", "Kỳ báo cáo", "Giá trị", "Mã đơn vị", "Chỉ tiêu", "Ghi chú"]
    lines = [";".join(header)] + [";".join([str(i), *(row[name] for name in order)])
                                  for i, row in enumerate(ROWS, 1)]
    load(fresh, text_file(lines).encode())
    assert stored(fresh[0]) == {
        ("DTO", "tourist_arrivals", "2024-Q2"): (48213.0, None, "Ước tính"),
        ("KT", "grdp_growth", "2024-Q2"): (8.57, None, None),
    }


# Each spelling for a different unit, so that every one is checked on its own.
PERIOD_SPELLINGS = [
    ("TPKT", "tourist_arrivals", "2024-Q1", "2024-Q1", "185234"),
    ("DHA", "tourist_arrivals", "2024Q1", "2024-Q1", "91234"),
    ("DTO", "tourist_arrivals", "Q1/2024", "2024-Q1", "47112"),
    ("NHO", "tourist_arrivals", "Quý I/2024", "2024-Q1", "61877"),
    ("DGL", "tourist_arrivals", "Quý 1/2024", "2024-Q1", "22345"),
    ("KPL", "tourist_arrivals", "Quý 1 năm 2024", "2024-Q1", "139871"),
    ("KRA", "tourist_arrivals", "Quý IV năm 2024", "2024-Q4", "18456"),
    ("STH", "tourist_arrivals", "Quý III/2024", "2024-Q3", "20987"),
    ("TMR", "tourist_arrivals", "Q2/2024", "2024-Q2", "15321"),
    ("KT", "pci_rank", "2024", "2024", "27"),
    ("KT", "papi_rank", "Năm 2024", "2024", "41"),
]


def test_every_period_spelling(fresh) -> None:
    lines = [";".join(VI_HEADER)] + [f"{u};{i};{spelled};{v};" for u, i, spelled, _, v in PERIOD_SPELLINGS]
    load(fresh, text_file(lines).encode())
    figures = stored(fresh[0])
    assert figures == {(u, i, period): (float(v), None, None) for u, i, _, period, v in PERIOD_SPELLINGS}
    with fresh[0].connect() as conn:
        frame = current_figures(conn).set_index("unit")
    assert (frame.loc["KRA", "year"], frame.loc["KRA", "quarter"]) == (2024, 4)


# ---------------------------------------------------------------- the wide layout

WIDE_HEADERS = {
    "roman": ["Quý I/2024", "Quý II/2024", "Quý III/2024", "Quý IV/2024"],
    "mixed": ["2024-Q1", "Q2/2024", "Quý 3 năm 2024", "Quý IV năm 2024"],
}


@pytest.mark.parametrize("periods", list(WIDE_HEADERS.values()), ids=list(WIDE_HEADERS))
def test_wide_layout_one_column_per_quarter(fresh, periods: list[str]) -> None:
    data = text_file([
        ";".join(["Mã đơn vị", "Chỉ tiêu", *periods, "Ghi chú"]),
        "TPKT;tourist_arrivals;185.234;201.456;;;Sở VHTTDL",
        "KPL;tourist_arrivals;139.871;152.113;148.002;;",
        "KT;grdp_growth;8,12;8,57;9,06;;Ước tính lũy kế",
    ]).encode()
    result = load(fresh, data)
    assert (result.layout, result.decimal, result.count("new")) == ("wide", "comma", 8)
    assert stored(fresh[0]) == {
        ("TPKT", "tourist_arrivals", "2024-Q1"): (185234.0, None, "Sở VHTTDL"),
        ("TPKT", "tourist_arrivals", "2024-Q2"): (201456.0, None, "Sở VHTTDL"),
        ("KPL", "tourist_arrivals", "2024-Q1"): (139871.0, None, None),
        ("KPL", "tourist_arrivals", "2024-Q2"): (152113.0, None, None),
        ("KPL", "tourist_arrivals", "2024-Q3"): (148002.0, None, None),
        ("KT", "grdp_growth", "2024-Q1"): (8.12, None, "Ước tính lũy kế"),
        ("KT", "grdp_growth", "2024-Q2"): (8.57, None, "Ước tính lũy kế"),
        ("KT", "grdp_growth", "2024-Q3"): (9.06, None, "Ước tính lũy kế"),
    }  # an empty cell is no figure: nothing for Q4, nor for TPKT's Q3


def test_wide_layout_problems_name_the_line_and_the_period_column(fresh) -> None:
    data = text_file([
        "Mã đơn vị;Chỉ tiêu;Quý I/2024;Quý II/2024;Quý III/2024;Quý IV/2024;Ghi chú",
        "TPKT;tourist_arrivals;185.234;201.456;;;",
        "KPL;tourist_arrivals;139.871;đang tổng hợp;148.002;;",
        "KT;grdp_growth;8,12;8,57;109,06;;",
        "TPK;tourist_arrivals;18.456;19.872;;;",
    ]).encode()
    result = reject(fresh, data, "so-lieu.csv")
    assert [(p.line, p.column, p.code) for p in result.problems] == [
        (3, "Quý II/2024", "not_a_number"), (4, "Quý III/2024", "above_max"), (5, "Mã đơn vị", "unknown_unit")]
    assert [p.describe() for p in result.problems] == [
        "dòng 3, cột Quý II/2024: Giá trị “đang tổng hợp” không phải là số",
        "dòng 4, cột Quý III/2024: Giá trị 109,06 lớn hơn mức tối đa 100 của chỉ tiêu",
        "dòng 5, cột Mã đơn vị: Mã đơn vị “TPK” không có trong danh mục (có phải “TPKT”?)",
    ]  # the unknown unit of a row with two figures is listed once
    assert result.summary() == "Từ chối so-lieu.csv: 3 lỗi, không ghi số liệu nào."


def test_wide_layout_with_two_columns_for_one_quarter_is_rejected_when_they_differ(fresh) -> None:
    # A sheet where someone added "2024-Q1" beside "Quý I/2024": one of the two would be dropped without a word.
    header = "Mã đơn vị;Chỉ tiêu;Quý I/2024;Quý II/2024;2024-Q1"
    result = reject(fresh, text_file([header, "TPKT;tourist_arrivals;185234;201456;187012",
                                      "KPL;tourist_arrivals;139871;152113;"]).encode())
    assert [(p.line, p.code) for p in result.problems] == [(2, "duplicate")]
    assert result.problems[0].column in ("Quý I/2024", "2024-Q1")
    # The same number in both columns is harmless.
    load(fresh, text_file([header, "TPKT;tourist_arrivals;185234;201456;185234"]).encode())
    assert stored(fresh[0])["TPKT", "tourist_arrivals", "2024-Q1"] == (185234.0, None, None)


# ---------------------------------------------------------------- Excel workbooks

def workbook(rows: list[list[object]], formats: dict[str, str] | None = None) -> bytes:
    """An .xlsx file with `rows` on its first sheet; `formats` gives number formats by cell (D3: '0.0%')."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Quý I"
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_numbers_text_cells_and_a_censored_rank(fresh) -> None:
    data = workbook([
        VI_HEADER,
        ["TPKT", "tourist_arrivals", "Quý I/2024", 185234, None],
        ["KT", "grdp_per_capita", "Quý I/2024", 59.12, "Cục Thống kê"],
        ["KT", "budget_revenue", "2024-Q1", 1032.6, None],
        ["KT", "pci_rank", 2023, ">30", "VCCI chỉ công bố 30 tỉnh đứng đầu"],
        ["KT", "papi_rank", "Năm 2023", 43, None],
        ["KT", "grdp_growth", "Quý I/2024", "63,7", "Ô văn bản, dấu phẩy thập phân"],
    ])
    assert data.startswith(b"PK\x03\x04")
    result = load(fresh, data, "quy1.xlsx")
    assert (result.encoding, result.decimal) == ("xlsx", "comma")
    assert stored(fresh[0]) == {
        ("TPKT", "tourist_arrivals", "2024-Q1"): (185234.0, None, None),
        ("KT", "grdp_per_capita", "2024-Q1"): (59.12, None, "Cục Thống kê"),
        ("KT", "budget_revenue", "2024-Q1"): (1032.6, None, None),
        ("KT", "pci_rank", "2023"): (30.0, ">", "VCCI chỉ công bố 30 tỉnh đứng đầu"),
        ("KT", "papi_rank", "2023"): (43.0, None, None),
        ("KT", "grdp_growth", "2024-Q1"): (63.7, None, "Ô văn bản, dấu phẩy thập phân"),
    }


def test_xlsx_percentage_cells_are_read_as_typed(fresh) -> None:
    # Typing 58,5% in Excel stores 0.585 shown through a percentage format; the figure is 58.5 (%).
    data = workbook([
        VI_HEADER,
        ["KT", "trained_labour_rate", "Quý I/2024", 0.585, None],
        ["VP", "admin_satisfaction", "Quý I/2024", 0.9612, "Khảo sát 212 phiếu"],
        ["KT", "vocational_trained_rate", "Quý I/2024", 41.3, None],  # a plain number in a column of percentages
    ], {"D2": "0.0%", "D3": "0.00%"})
    load(fresh, data, "ty-le.xlsx")
    assert stored(fresh[0]) == {
        ("KT", "trained_labour_rate", "2024-Q1"): (58.5, None, None),
        ("VP", "admin_satisfaction", "2024-Q1"): (96.12, None, "Khảo sát 212 phiếu"),
        ("KT", "vocational_trained_rate", "2024-Q1"): (41.3, None, None),
    }


def test_xlsx_written_by_pandas_in_the_wide_layout_below_a_blank_row(fresh) -> None:
    frame = pd.DataFrame({
        "Mã đơn vị": ["TPKT", "KPL", "KT"],
        "Chỉ tiêu": ["tourist_arrivals", "tourist_arrivals", "budget_revenue"],
        "Quý I/2024": [185234, 139871, 1032.6],
        "Quý II/2024": [201456, None, 1198.35],
        "Ghi chú": ["Sở VHTTDL", None, None],
    })
    out = io.BytesIO()
    frame.to_excel(out, index=False, startrow=1)  # row 1 left blank, as a title row often is after deleting it
    result = load(fresh, out.getvalue(), "ngang.xlsx")
    assert result.layout == "wide"
    assert stored(fresh[0]) == {
        ("TPKT", "tourist_arrivals", "2024-Q1"): (185234.0, None, "Sở VHTTDL"),
        ("TPKT", "tourist_arrivals", "2024-Q2"): (201456.0, None, "Sở VHTTDL"),
        ("KPL", "tourist_arrivals", "2024-Q1"): (139871.0, None, None),
        ("KT", "budget_revenue", "2024-Q1"): (1032.6, None, None),
        ("KT", "budget_revenue", "2024-Q2"): (1198.35, None, None),
    }


def test_xlsx_rejection_names_the_sheet_row_and_header(fresh) -> None:
    data = workbook([
        VI_HEADER,
        ["TPKT", "tourist_arrivals", "Quý I/2024", 185234, None],
        ["KT", "trained_labour_rate", "Quý I/2024", 158.5, None],
        ["KT", "pci_rank", "2023", ">30", None],
        ["KT", "grdp_growth", "Quý I/2024", ">8", None],
    ])
    result = reject(fresh, data, "quy1.xlsx")
    assert [(p.line, p.column, p.code) for p in result.problems] == [
        (3, "Giá trị", "above_max"), (5, "Giá trị", "censored_not_allowed")]
    assert result.problems[0].describe() == "dòng 3, cột Giá trị: Giá trị 158.5 lớn hơn mức tối đa 100 của chỉ tiêu"
