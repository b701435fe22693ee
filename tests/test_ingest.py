"""Loading submission files on DuckDB and PostgreSQL: exact numbers, revisions, and whole-file rejections that
name the line, the column and the reason in Vietnamese while leaving the database exactly as it was."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest

from kpi.bootstrap import open_store
from kpi.ingest import Checked, ingest_bytes
from kpi.plan import Plan
from kpi.store import Store
from tests.support import HEADER, csv_bytes, duck_path, figure, records, revisions, snapshot

# A first quarter as the units would send it (figures shaped like Kon Tum's).
FIRST = csv_bytes(
    "TPKT,tourist_arrivals,2024-Q1,185234,",
    "KPL,tourist_arrivals,2024-Q1,139871,Số ước tính",
    "KT,budget_revenue,2024-Q1,1032.6,",
    "KT,grdp_per_capita,2024-Q1,59.12,Cục Thống kê",
    "DHA,traffic_deaths,2024-Q1,3,",
    "KT,papi_rank,2023,43,",
    "DHA,poverty_rate_reduction,2023,9.87,Kết quả rà soát cuối năm",
)
FIRST_VALUES = {
    ("TPKT", "tourist_arrivals", "2024-Q1"): (185234.0, None),
    ("KPL", "tourist_arrivals", "2024-Q1"): (139871.0, "Số ước tính"),
    ("KT", "budget_revenue", "2024-Q1"): (1032.6, None),
    ("KT", "grdp_per_capita", "2024-Q1"): (59.12, "Cục Thống kê"),
    ("DHA", "traffic_deaths", "2024-Q1"): (3.0, None),
    ("KT", "papi_rank", "2023"): (43.0, None),
    ("DHA", "poverty_rate_reduction", "2023"): (9.87, "Kết quả rà soát cuối năm"),
}
GOOD_ROW = "DHA,tourist_arrivals,2024-Q2,91234,"  # a valid new figure, so a rejected file has something to not write


def _open_with_first(url: str) -> tuple[Store, dict[int, Plan]]:
    store, plans = open_store(url)
    result = ingest_bytes(store, plans, FIRST, "quy1.csv")
    assert result.ok and result.upload_id is not None, [p.describe("en") for p in result.problems]
    return store, plans


@pytest.fixture(scope="module")
def duck_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file holding FIRST, made once: copying it is much faster than building each test's database."""
    path = tmp_path_factory.mktemp("template") / "kpi.duckdb"
    _open_with_first(f"duckdb:///{path}")[0].dispose()
    assert not path.with_name(path.name + ".wal").exists()
    return path


@pytest.fixture
def loaded(db_url: str, duck_template: Path) -> tuple[Store, dict[int, Plan]]:
    """A store on DuckDB or PostgreSQL holding FIRST."""
    if db_url.startswith("duckdb"):
        shutil.copyfile(duck_template, duck_path(db_url))
    store, plans = open_store(db_url) if db_url.startswith("duckdb") else _open_with_first(db_url)
    assert snapshot(store).n_uploads == 1
    yield store, plans
    store.dispose()


def _ingest(loaded: tuple[Store, dict[int, Plan]], data: bytes, name: str = "f.csv", **kw) -> Checked:
    store, plans = loaded
    return ingest_bytes(store, plans, data, name, **kw)


# ---------------------------------------------------------------- accepted files

def test_accepted_file_stores_the_exact_numbers(loaded) -> None:
    store, _ = loaded
    snap = snapshot(store)
    assert snap.n_uploads == 1 and snap.n_submissions == len(FIRST_VALUES)
    stored = {(r["unit"], r["indicator"], r["period"]): (r["value"], r["note"]) for r in records(snap.figures)}
    assert stored == FIRST_VALUES
    assert figure(store, "KT", "budget_revenue", "2024-Q1")["quarter"] == 1
    papi = figure(store, "KT", "papi_rank", "2023")
    assert (papi["year"], papi["quarter"], papi["qualifier"]) == (2023, 0, None)


def test_accepted_file_summary_counts_new_figures(db_url: str) -> None:
    store, plans = open_store(db_url)
    result = ingest_bytes(store, plans, FIRST, "quy1.csv")
    assert (result.count("new"), result.count("revised"), result.count("unchanged")) == (7, 0, 0)
    assert result.summary() == (
        f"Đã nạp quy1.csv: 7 số liệu mới, 0 số liệu sửa, 0 không đổi (lần nạp #{result.upload_id}).")
    assert "Loaded quy1.csv: 7 new" in result.summary("en")
    store.dispose()


def test_loading_the_same_file_again_changes_nothing(loaded) -> None:
    store, _ = loaded
    before = snapshot(store)
    again = _ingest(loaded, FIRST, "quy1.csv")
    assert again.ok and again.upload_id is None
    assert again.count("unchanged") == 7 and again.count("new") == again.count("revised") == 0
    assert "không có gì thay đổi" in again.summary()
    assert "nothing changed" in again.summary("en")
    before.assert_same(snapshot(store))


def test_a_changed_value_becomes_a_revision_and_the_old_one_is_kept(loaded) -> None:
    store, _ = loaded
    before = snapshot(store)
    result = _ingest(loaded, csv_bytes("KT,budget_revenue,2024-Q1,1054.3,Số liệu chính thức của Kho bạc",
                                       "TPKT,tourist_arrivals,2024-Q1,185234,"), "sua.csv")
    assert result.ok and result.upload_id is not None
    assert (result.count("revised"), result.count("unchanged"), result.count("new")) == (1, 1, 0)
    revised = result.changes[result.changes["change"] == "revised"].iloc[0]
    assert (revised["value"], revised["previous_value"]) == (1054.3, 1032.6)
    assert figure(store, "KT", "budget_revenue", "2024-Q1")["value"] == 1054.3
    assert revisions(store, "KT", "budget_revenue", "2024-Q1") == [
        (1032.6, None), (1054.3, "Số liệu chính thức của Kho bạc")]
    after = snapshot(store)
    assert after.n_uploads == before.n_uploads + 1
    assert after.n_submissions == before.n_submissions + 1  # the unchanged figure is not written again
    assert len(after.figures) == len(before.figures)


def test_a_changed_note_alone_is_a_revision_too(loaded) -> None:
    store, _ = loaded
    result = _ingest(loaded, csv_bytes("DHA,traffic_deaths,2024-Q1,3,Công an tỉnh xác nhận"))
    assert result.count("revised") == 1
    assert revisions(store, "DHA", "traffic_deaths", "2024-Q1") == [(3.0, None), (3.0, "Công an tỉnh xác nhận")]


def test_censored_rank_is_stored_as_30_with_qualifier(loaded) -> None:
    store, _ = loaded
    result = _ingest(loaded, csv_bytes("KT,pci_rank,2023,>30,VCCI chỉ công bố 30 tỉnh đứng đầu"))
    assert result.ok and result.count("new") == 1
    pci = figure(store, "KT", "pci_rank", "2023")
    assert (pci["value"], pci["qualifier"], pci["note"]) == (30.0, ">", "VCCI chỉ công bố 30 tỉnh đứng đầu")
    # The same rank without the qualifier is a different figure: a revision, not "unchanged".
    assert _ingest(loaded, csv_bytes("KT,pci_rank,2023,30,VCCI chỉ công bố 30 tỉnh đứng đầu")).count("revised") == 1
    assert figure(store, "KT", "pci_rank", "2023")["qualifier"] is None


def test_censored_value_is_refused_for_an_indicator_that_is_not_a_rank(loaded) -> None:
    result = _ingest(loaded, csv_bytes(GOOD_ROW, "KT,grdp_growth,2024-Q1,>8,"))
    assert [(p.line, p.column, p.code) for p in result.problems] == [(3, "value", "censored_not_allowed")]


def test_vietnamese_headers_are_understood(loaded) -> None:
    store, _ = loaded
    data = csv_bytes("TPKT,tourist_arrivals,2024-Q2,201456,Sở VHTTDL", "KT,grdp_growth,2024-Q2,9.06,",
                     header="Mã đơn vị,Chỉ tiêu,Kỳ báo cáo,Giá trị,Ghi chú")
    result = _ingest(loaded, data)
    assert result.ok and result.count("new") == 2, [p.describe() for p in result.problems]
    assert figure(store, "TPKT", "tourist_arrivals", "2024-Q2")["value"] == 201456.0
    assert figure(store, "TPKT", "tourist_arrivals", "2024-Q2")["note"] == "Sở VHTTDL"
    assert figure(store, "KT", "grdp_growth", "2024-Q2")["value"] == 9.06


def test_vietnamese_headers_name_the_file_own_column_in_problems(loaded) -> None:
    store, _ = loaded
    before = snapshot(store)
    data = csv_bytes("TPKT,tourist_arrivals,2024-Q2,201456,", "DHA,new_rural_communes,2024-Q2,1.5,",
                     "DHA,traffic_deaths,2024-Q2,khoảng 3,", "TPK,tourist_arrivals,2024-Q2,5,",
                     header="Mã đơn vị,Chỉ tiêu,Kỳ báo cáo,Giá trị,Ghi chú")
    result = _ingest(loaded, data)
    assert [(p.line, p.column, p.code) for p in result.problems] == [
        (3, "Giá trị", "not_integer"), (4, "Giá trị", "not_a_number"), (5, "Mã đơn vị", "unknown_unit")]
    assert result.problems[0].describe() == "dòng 3, cột Giá trị: Giá trị 1.5 phải là số nguyên"
    before.assert_same(snapshot(store))


def test_utf8_bom_and_semicolons_work(loaded) -> None:
    store, _ = loaded
    data = codecs.BOM_UTF8 + csv_bytes("TPKT;tourist_arrivals;2024-Q2;201456;Số ước tính, chưa chính thức",
                                       "KT;budget_revenue;2024-Q2;1198.3;", header=HEADER.replace(",", ";"))
    result = _ingest(loaded, data)
    assert result.ok, [p.describe() for p in result.problems]
    assert (result.encoding, result.separator) == ("utf-8-sig", ";")
    tpkt = figure(store, "TPKT", "tourist_arrivals", "2024-Q2")
    assert (tpkt["value"], tpkt["note"]) == (201456.0, "Số ước tính, chưa chính thức")
    assert figure(store, "KT", "budget_revenue", "2024-Q2")["value"] == 1198.3


def test_lower_case_codes_and_stray_spaces_are_normalised(loaded) -> None:
    store, _ = loaded
    result = _ingest(loaded, csv_bytes(" tpkt , Tourist_Arrivals , 2024-q2 , 201456 ,"))
    assert result.ok, [p.describe() for p in result.problems]
    assert figure(store, "TPKT", "tourist_arrivals", "2024-Q2")["value"] == 201456.0


def test_dry_run_reports_changes_and_writes_nothing(loaded) -> None:
    store, _ = loaded
    before = snapshot(store)
    result = _ingest(loaded, csv_bytes(GOOD_ROW, "KT,budget_revenue,2024-Q1,1054.3,"), dry_run=True)
    assert result.ok and result.upload_id is None
    assert (result.count("new"), result.count("revised")) == (1, 1)
    assert "chưa ghi gì" in result.summary()
    before.assert_same(snapshot(store))


# ---------------------------------------------------------------- rejected files: line, column, reason; nothing written

# (id, rows after the header, expected line, column, code, Vietnamese reason substring)
REJECTIONS = [
    ("unknown unit", [GOOD_ROW, "TPK,tourist_arrivals,2024-Q2,185000,"], 3, "unit", "unknown_unit",
     "Mã đơn vị “TPK” không có trong danh mục (có phải “TPKT”?)"),
    ("unknown indicator", [GOOD_ROW, "KT,budget_revenue,2024-Q2,1198.3,", "TPKT,tourist_arival,2024-Q2,201456,"],
     4, "indicator", "unknown_indicator",
     "Mã chỉ tiêu “tourist_arival” không có trong kế hoạch (có phải “tourist_arrivals”?)"),
    ("bad period", [GOOD_ROW, "TPKT,tourist_arrivals,2024-Q5,201456,"], 3, "period", "bad_period",
     "Kỳ báo cáo “2024-Q5” không hợp lệ"),
    ("period year outside every plan", [GOOD_ROW, "TPKT,tourist_arrivals,2019-Q2,201456,"], 3, "period",
     "period_outside_plan", "không thuộc năm kế hoạch hay năm gốc nào (2023, 2024)"),
    # 6 and 9 months and the year are cumulative figures one can send; a second half is no period of its own.
    ("second half", [GOOD_ROW, "TPKT,tourist_arrivals,2024-H2,386690,"], 3, "period", "bad_period",
     "Kỳ báo cáo “2024-H2” không hợp lệ (viết 2024-Q1 … 2024-Q4, 2024-H1, 2024-9M hoặc 2024)"),
    ("text value", [GOOD_ROW, "KT,budget_revenue,2024-Q2,chưa có số liệu,"], 3, "value", "not_a_number",
     "Giá trị “chưa có số liệu” không phải là số"),
    ("empty value", [GOOD_ROW, "KT,budget_revenue,2024-Q2,,"], 3, "value", "empty_value", "Thiếu giá trị"),
    ("percent over 100", [GOOD_ROW, "KT,trained_labour_rate,2024-Q2,101.5,"], 3, "value", "above_max",
     "Giá trị 101.5 lớn hơn mức tối đa 100 của chỉ tiêu"),
    ("rank 64", [GOOD_ROW, "KT,papi_rank,2023,64,"], 3, "value", "above_max",
     "Giá trị 64 lớn hơn mức tối đa 63 của chỉ tiêu"),
    ("negative count", [GOOD_ROW, "DHA,traffic_deaths,2024-Q2,-2,"], 3, "value", "below_min",
     "Giá trị -2 nhỏ hơn mức tối thiểu 0 của chỉ tiêu"),
    ("fractional count", [GOOD_ROW, "DHA,new_rural_communes,2024-Q2,2.5,"], 3, "value", "not_integer",
     "Giá trị 2.5 phải là số nguyên"),
    ("same figure twice, different values", ["DHA,traffic_deaths,2024-Q2,4,", GOOD_ROW,
                                             "DHA,traffic_deaths,2024-Q2,5,"], 4, "value", "duplicate",
     "Số liệu này đã có ở dòng 2 với giá trị, ghi chú hoặc loại số liệu (ước/chính thức) khác"),
    ("unquoted comma in a note", [GOOD_ROW, "KT,budget_revenue,2024-Q2,1198.3,Kho bạc, chưa chính thức"], 3, None,
     "extra_cells", "Dòng có 6 ô, nhiều hơn 5 cột của dòng tiêu đề"),
]


@pytest.mark.parametrize(("rows", "line", "column", "code", "reason"), [r[1:] for r in REJECTIONS],
                         ids=[r[0] for r in REJECTIONS])
def test_bad_row_rejects_the_whole_file_and_writes_nothing(loaded, rows, line, column, code, reason) -> None:
    store, _ = loaded
    before = snapshot(store)
    result = _ingest(loaded, csv_bytes(*rows), "quy2.csv")
    assert not result.ok and result.upload_id is None
    assert [(p.line, p.column, p.code) for p in result.problems] == [(line, column, code)]
    assert reason in result.problems[0].reason("vi")
    assert result.problems[0].describe().startswith(f"dòng {line}")
    assert result.summary() == "Từ chối quy2.csv: 1 lỗi, không ghi số liệu nào."
    before.assert_same(snapshot(store))


def test_identical_repeat_of_a_row_is_harmless(loaded) -> None:
    store, _ = loaded
    result = _ingest(loaded, csv_bytes(GOOD_ROW, GOOD_ROW))
    assert result.ok and result.count("new") == 1
    assert revisions(store, "DHA", "tourist_arrivals", "2024-Q2") == [(91234.0, None)]


FILE_REJECTIONS = [
    ("missing column", b"unit,indicator,value,note\nDHA,tourist_arrivals,91234,\n", 1, "period", "missing_column",
     "Thiếu cột bắt buộc “period” (tiêu đề tiếng Việt: “Kỳ báo cáo”)"),
    # A column named by a period beside the period column: every row once became the year's figure.
    ("a period column and a period-named column", b"unit,indicator,period,2024\nTPKT,tourist_arrivals,2024-Q4,185000\n",
     1, "2024", "periods_mixed", "mang tên một kỳ báo cáo trong khi tệp đã có cột “period”"),
    ("a value column and a period-named column",
     "Mã đơn vị;Chỉ tiêu;Giá trị;Quý IV/2024\nTPKT;tourist_arrivals;135052;185000\n".encode(), 1, "Quý IV/2024",
     "periods_mixed", "đã có cột “Giá trị”"),
    ("empty file", b"", None, None, "empty_file", "Tệp rỗng hoặc chỉ có dòng tiêu đề"),
    ("header only", (HEADER + "\n").encode(), None, None, "empty_file", "Tệp rỗng hoặc chỉ có dòng tiêu đề"),
    ("blank lines only", b"\n\n  \n", None, None, "empty_file", "Tệp rỗng"),
    ("binary garbage", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", 3, None, "not_text",
     "Tệp không phải văn bản CSV đọc được"),
    # A zip signature makes it a workbook whatever its name; a broken one says so.
    ("xlsx renamed .csv", b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)), None, None,
     "not_workbook", "Tệp không phải tệp Excel .xlsx hợp lệ"),
]


@pytest.mark.parametrize(("data", "line", "column", "code", "reason"), [r[1:] for r in FILE_REJECTIONS],
                         ids=[r[0] for r in FILE_REJECTIONS])
def test_unusable_file_is_rejected_and_writes_nothing(loaded, data, line, column, code, reason) -> None:
    store, _ = loaded
    before = snapshot(store)
    result = _ingest(loaded, data)
    assert not result.ok and result.upload_id is None
    assert [(p.line, p.column, p.code) for p in result.problems] == [(line, column, code)]
    assert reason in result.problems[0].reason()
    before.assert_same(snapshot(store))


def test_every_problem_of_a_file_is_reported_at_once(loaded) -> None:
    store, _ = loaded
    before = snapshot(store)
    data = csv_bytes(
        "TPK,tourist_arrivals,2024-Q2,185000,",
        GOOD_ROW,
        "KT,papi_rank,2023,64,",
        "DHA,new_rural_communes,2024-Q2,2.5,",
    )
    result = _ingest(loaded, data, "quy2.csv")
    assert [(p.line, p.column, p.code) for p in result.problems] == [
        (2, "unit", "unknown_unit"), (4, "value", "above_max"), (5, "value", "not_integer")]
    assert result.summary() == "Từ chối quy2.csv: 3 lỗi, không ghi số liệu nào."
    before.assert_same(snapshot(store))


def test_problem_lines_count_blank_lines_of_the_file(loaded) -> None:
    result = _ingest(loaded, (HEADER + "\n\n" + GOOD_ROW + "\n\nTPK,tourist_arrivals,2024-Q2,5,\n").encode())
    assert [(p.line, p.code) for p in result.problems] == [(5, "unknown_unit")]


def test_problem_lines_are_file_lines_when_a_quoted_note_spans_two(loaded) -> None:
    store, _ = loaded
    data = (HEADER + '\nKT,budget_revenue,2024-Q2,1198.3,"Số ước tính\nchờ Kho bạc xác nhận"\n'
            "TPK,tourist_arrivals,2024-Q2,5,\n").encode()
    result = _ingest(loaded, data)
    assert [(p.line, p.code) for p in result.problems] == [(4, "unknown_unit")]
    accepted = _ingest(loaded, data.replace(b"TPK,", b"TPKT,"))
    assert accepted.ok
    assert figure(store, "KT", "budget_revenue", "2024-Q2")["note"] == "Số ước tính\nchờ Kho bạc xác nhận"


def test_blank_lines_before_the_header_are_skipped_and_counted(loaded) -> None:
    result = _ingest(loaded, ("\n\n" + HEADER + "\n" + GOOD_ROW + "\nTPK,tourist_arrivals,2024-Q2,5,\n").encode())
    assert [(p.line, p.code) for p in result.problems] == [(5, "unknown_unit")]


def test_problems_are_described_in_english_on_request(loaded) -> None:
    result = _ingest(loaded, csv_bytes("TPK,tourist_arrivals,2024-Q2,185000,", "KT,papi_rank,2023,64,"))
    assert [p.describe("en") for p in result.problems] == [
        "line 2, column unit: Unit code “TPK” is not in the registry (did you mean “TPKT”?)",
        "line 3, column value: Value 64 is above the indicator's maximum 63",
    ]
    assert [p.describe() for p in result.problems] == [
        "dòng 2, cột unit: Mã đơn vị “TPK” không có trong danh mục (có phải “TPKT”?)",
        "dòng 3, cột value: Giá trị 64 lớn hơn mức tối đa 63 của chỉ tiêu",
    ]
    assert result.summary("en") == "Rejected f.csv: problems found: 2; nothing was written."


def test_unknown_code_far_from_any_gets_no_suggestion(loaded) -> None:
    result = _ingest(loaded, csv_bytes("XYZQ,tourist_arrivals,2024-Q2,185000,"))
    assert result.problems[0].reason() == "Mã đơn vị “XYZQ” không có trong danh mục"


def test_a_wide_column_that_is_no_period_is_named_in_a_warning(loaded) -> None:
    # "Quý IV/2024 (ước)" is no period spelling the reader knows: its figures are not read, and the analyst is
    # told so (they were dropped without a word); "STT" (a row number) has no year and is ignored quietly.
    data = "STT;Mã đơn vị;Chỉ tiêu;Quý III/2024;Quý IV/2024 (ước)\n1;DHA;tourist_arrivals;30123;31000\n".encode()
    result = _ingest(loaded, data, "rong.csv")
    assert result.ok and result.count("new") + result.count("revised") + result.count("unchanged") == 1
    warned = [(p.line, p.column, p.code, p.blocking) for p in result.problems]
    assert warned == [(1, "Quý IV/2024 (ước)", "unread_column", False)]
    assert "không phải kỳ báo cáo" in result.problems[0].reason("vi")


def test_invisible_characters_at_a_code_s_ends_are_dropped_and_inside_it_are_shown(loaded) -> None:
    # A zero-width space after TPKT, a no-break space after DHA and after its period (pasted from Word): the
    # cells mean TPKT, DHA and Quý IV/2024. One inside a code cannot be guessed away; the message shows it.
    good = csv_bytes("TPKT\u200b,tourist_arrivals,2024-Q4,185000,",
                     "DHA\u00a0,tourist_arrivals,Quý IV/2024\u00a0,95000,")
    result = _ingest(loaded, good)
    assert result.ok, [p.describe() for p in result.problems]
    assert result.count("new") + result.count("revised") + result.count("unchanged") == 2
    bad = _ingest(loaded, csv_bytes("K\u200bPL,tourist_arrivals,2024-Q4,45000,"))
    assert [p.describe() for p in bad.problems] == [
        "dòng 2, cột unit: Mã đơn vị “K⟨U+200B⟩PL” không có trong danh mục (có phải “KPL”?)"]


def test_hidden_characters_in_a_note_are_removed_with_a_warning(loaded) -> None:
    # A soft hyphen, the Arabic letter mark (a bidi control), a line separator, an interlinear annotation anchor
    # and a tag character: none shows, all can hide or reorder text. The note keeps its visible letters.
    store, _ = loaded
    note = "Số\u00adliệu\u061c ước\u2028tính\ufff9 \U000e0041quý"
    result = _ingest(loaded, csv_bytes(f"DHA,tourist_arrivals,2024-Q3,95000,{note}"))
    assert result.ok and [(p.line, p.code) for p in result.problems] == [(2, "note_cleaned")]
    assert revisions(store, "DHA", "tourist_arrivals", "2024-Q3")[-1] == (95000.0, "Sốliệu ướctính quý")


def test_minus_zero_is_zero_and_a_loai_column_is_the_kind(loaded) -> None:
    # "-0" is stored as 0 (not -0.0, which reads as "-0"); a column headed "Loại" says estimate or official.
    store, _ = loaded
    data = "Mã đơn vị,Chỉ tiêu,Kỳ báo cáo,Giá trị,Loại\nKRA,traffic_deaths,2024-Q3,-0,ước\n".encode()
    assert _ingest(loaded, data).ok
    stored = figure(store, "KRA", "traffic_deaths", "2024-Q3")
    assert (str(stored["value"]), bool(stored["estimate"])) == ("0.0", True)


def test_a_file_name_with_terminal_escapes_is_stored_harmless(loaded) -> None:
    # An escape sequence in a file name would recolour or clear the terminal of whoever runs `kpi uploads`.
    result = _ingest(loaded, csv_bytes("DHA,tourist_arrivals,2024-Q3,95000,"), "\x1b[2Jbao-cao.csv")
    assert result.ok and result.file_name == "⟨U+001B⟩[2Jbao-cao.csv"


@pytest.mark.parametrize("value", ["185000%", "45%", ">30%"])
def test_a_percent_sign_on_a_count_or_a_rank_is_refused(loaded, value) -> None:
    # Tourist arrivals are a count and the PCI a rank: a % on either is a slip the file must not store. A rate
    # keeps its % (63,7% is 63.7, as before).
    indicator = "tourist_arrivals" if value.startswith("1") else "pci_rank"
    period = "2024-Q3" if indicator == "tourist_arrivals" else "2023"
    result = _ingest(loaded, csv_bytes(f"{'KT' if indicator == 'pci_rank' else 'DHA'},{indicator},{period},{value},"))
    assert [(p.line, p.column, p.code) for p in result.problems] == [(2, "value", "percent_on_count")]
    rate = _ingest(loaded, csv_bytes('KT,trained_labour_rate,2024-Q3,"58,1%",'))
    assert rate.ok, [p.describe() for p in rate.problems]
