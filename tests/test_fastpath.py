"""The fast path (a clean UTF-8 long CSV into DuckDB in one statement) stores exactly what the careful path stores,
and hands every doubtful file to the careful path: a bad row, a duplicate, a warning, nothing changed, another
encoding or layout, or a PostgreSQL store."""

from __future__ import annotations

import codecs
import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpi.bootstrap import open_store
from kpi.ingest import IngestResult, ingest_bytes, ingest_path
from kpi.plan import Plan
from kpi.store import Store, current_figures
from tests.support import csv_bytes, figure, records, revisions, snapshot

# A first quarter as the units send it: decimals, a censored rank, notes with Vietnamese text, quoted commas and
# quotes, period spellings from Excel, a note typed with decomposed tone marks (Unikey's "Unicode tổ hợp").
DECOMPOSED_NOTE = unicodedata.normalize("NFD", "Số ước tính của Phòng Văn hóa - Thông tin")
MIXED = csv_bytes(
    'TPKT,tourist_arrivals,Quý I/2024,185234,"Sở VHTTDL, số ước tính"',
    "KPL,tourist_arrivals,Quý 1 năm 2024,139871," + DECOMPOSED_NOTE,
    "DHA,tourist_arrivals,2024Q1,91234,",
    "KT,budget_revenue,Q1/2024,1032.6,Kho bạc Nhà nước tỉnh",
    "KT,grdp_per_capita,2024-Q1,59.12,",
    'KT,grdp_growth,2024-Q1,8.12,"Ước tính ""sơ bộ"" của Cục Thống kê"',
    "KT,trained_labour_rate,Quý I/2024,56.8%,",
    "DHA,traffic_accidents,2024-Q1,23,",
    "DHA,traffic_deaths,2024-Q1,9,",
    "DHA,traffic_injuries,2024-Q1,17,",
    "KT,pci_rank,2023,>30,VCCI chỉ công bố 30 tỉnh đứng đầu",
    "KT,papi_rank,Năm 2023,43,",
    "KRA,new_rural_communes,2024-Q1,2,Xã Đắk Tờ Re và xã Đắk Pne",
).replace(b"\n", b"\r\n")
N_MIXED = 13
KEY = ["unit", "indicator", "period"]


@pytest.fixture
def fresh(duck_url: str) -> Iterator[tuple[Store, dict[int, Plan]]]:
    store, plans = open_store(duck_url)
    yield store, plans
    store.dispose()


def _file(tmp_path: Path, data: bytes, name: str = "quy1.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _figures(store: Store) -> pd.DataFrame:
    with store.connect() as conn:
        frame = current_figures(conn)
    return frame.drop(columns="upload_id").sort_values(KEY).reset_index(drop=True)


def _fast(store: Store, plans: dict[int, Plan], path: Path) -> IngestResult:
    result = ingest_path(store, plans, path)
    assert result.ok and result.path == "fast", (result.path, [p.describe("en") for p in result.problems])
    return result


def test_fast_and_careful_paths_store_the_same_figures(fresh, tmp_path: Path) -> None:
    store, plans = fresh
    result = _fast(store, plans, _file(tmp_path, MIXED))
    assert result.upload_id is not None
    assert (result.count("new"), result.count("revised"), result.count("unchanged")) == (N_MIXED, 0, 0)
    careful_store, _ = open_store(f"duckdb:///{tmp_path / 'careful.duckdb'}")
    careful = ingest_bytes(careful_store, plans, MIXED, "quy1.csv")
    assert careful.ok and careful.path == "careful" and careful.count("new") == N_MIXED
    fast_figures, careful_figures = _figures(store), _figures(careful_store)
    careful_store.dispose()
    pd.testing.assert_frame_equal(fast_figures, careful_figures)
    assert len(fast_figures) == N_MIXED
    # And what both stored is what the file says.
    tpkt = figure(store, "TPKT", "tourist_arrivals", "2024-Q1")
    assert (tpkt["value"], tpkt["note"]) == (185234.0, "Sở VHTTDL, số ước tính")
    pci = figure(store, "KT", "pci_rank", "2023")
    assert (pci["value"], pci["qualifier"], pci["quarter"]) == (30.0, ">", 0)
    assert figure(store, "KT", "grdp_growth", "2024-Q1")["note"] == "Ước tính \"sơ bộ\" của Cục Thống kê"
    assert figure(store, "KT", "budget_revenue", "2024-Q1")["value"] == 1032.6
    assert figure(store, "KT", "trained_labour_rate", "2024-Q1")["value"] == 56.8
    assert figure(store, "KT", "papi_rank", "2023")["value"] == 43.0
    assert figure(store, "KPL", "tourist_arrivals", "2024-Q1")["note"] == unicodedata.normalize("NFC",
                                                                                                DECOMPOSED_NOTE)


def test_fast_path_reads_semicolons_and_decimal_commas(fresh, tmp_path: Path) -> None:
    store, plans = fresh
    data = codecs.BOM_UTF8 + ("Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị;Ghi chú\r\n"
                              "KT;budget_revenue;Quý I/2024;1.032,6;\r\n"
                              "KT;grdp_per_capita;Quý I/2024;59,12;Cục Thống kê\r\n"
                              "TPKT;tourist_arrivals;Quý I/2024;185.234;\r\n").encode()
    _fast(store, plans, _file(tmp_path, data))
    assert [(r["unit"], r["indicator"], r["value"], r["note"]) for r in records(_figures(store))] == [
        ("KT", "budget_revenue", 1032.6, None), ("KT", "grdp_per_capita", 59.12, "Cục Thống kê"),
        ("TPKT", "tourist_arrivals", 185234.0, None)]


def test_a_partly_changed_file_on_the_fast_path_writes_only_the_revisions(fresh, tmp_path: Path) -> None:
    store, plans = fresh
    _fast(store, plans, _file(tmp_path, MIXED))
    before = snapshot(store)
    revised = MIXED.replace(b"DHA,traffic_accidents,2024-Q1,23,",
                            "DHA,traffic_accidents,2024-Q1,24,Bổ sung 1 vụ".encode())
    result = _fast(store, plans, _file(tmp_path, revised, "quy1-sua.csv"))
    assert (result.count("new"), result.count("revised"), result.count("unchanged")) == (0, 1, N_MIXED - 1)
    after = snapshot(store)
    assert (after.n_uploads, after.n_submissions) == (before.n_uploads + 1, before.n_submissions + 1)
    assert revisions(store, "DHA", "traffic_accidents", "2024-Q1") == [(23.0, None), (24.0, "Bổ sung 1 vụ")]


def test_an_unchanged_reload_falls_back_and_says_nothing_changed(fresh, tmp_path: Path) -> None:
    store, plans = fresh
    path = _file(tmp_path, MIXED)
    _fast(store, plans, path)
    before = snapshot(store)
    again = ingest_path(store, plans, path)
    assert again.ok and again.path == "careful" and again.upload_id is None
    assert again.count("unchanged") == N_MIXED
    assert again.summary() == "quy1.csv: mọi số liệu đã có sẵn với cùng giá trị, không có gì thay đổi."
    before.assert_same(snapshot(store))


def test_a_bad_row_falls_back_and_reports_its_line(fresh, tmp_path: Path) -> None:
    store, plans = fresh
    before = snapshot(store)
    data = MIXED + b"KT,papi_rank,2024,64,\r\nTPK,tourist_arrivals,2024-Q2,201456,\r\n"
    result = ingest_path(store, plans, _file(tmp_path, data))
    assert result.path == "careful" and not result.ok and result.upload_id is None
    assert [(p.line, p.column, p.code) for p in result.problems] == [
        (N_MIXED + 2, "value", "above_max"), (N_MIXED + 3, "unit", "unknown_unit")]
    before.assert_same(snapshot(store))


def test_a_row_with_an_unquoted_comma_in_its_note_falls_back_and_is_reported(fresh, tmp_path: Path) -> None:
    store, plans = fresh
    before = snapshot(store)
    data = MIXED + "KT,budget_revenue,2024-Q2,1198.3,Kho bạc, chưa chính thức\r\n".encode()
    result = ingest_path(store, plans, _file(tmp_path, data))
    assert result.path == "careful"
    assert [(p.line, p.code) for p in result.problems] == [(N_MIXED + 2, "extra_cells")]
    before.assert_same(snapshot(store))


def test_an_identical_duplicate_falls_back_and_loads_once(fresh, tmp_path: Path) -> None:
    store, plans = fresh
    data = MIXED + b"DHA,tourist_arrivals,2024Q1,91234,\r\n"
    result = ingest_path(store, plans, _file(tmp_path, data))
    assert result.ok and result.path == "careful" and result.count("new") == N_MIXED
    assert revisions(store, "DHA", "tourist_arrivals", "2024-Q1") == [(91234.0, None)]


def test_a_duplicate_with_another_value_falls_back_and_is_rejected(fresh, tmp_path: Path) -> None:
    store, plans = fresh
    before = snapshot(store)
    data = MIXED + b"DHA,tourist_arrivals,Q1/2024,92134,\r\n"
    result = ingest_path(store, plans, _file(tmp_path, data))
    assert result.path == "careful" and not result.ok
    assert [(p.line, p.column, p.code) for p in result.problems] == [(N_MIXED + 2, "value", "duplicate")]
    assert result.problems[0].reason() == "Số liệu này đã có ở dòng 4 với giá trị khác"
    before.assert_same(snapshot(store))


# The fast path keeps a warning only when a record's position gives its file line; otherwise it falls back.
WARNING_FILES = [
    ("one line a record", MIXED, 3),
    ("a quoted note over two lines",
     MIXED.replace(b"\r\n", '\r\nVP,admin_satisfaction,2024-Q1,96.4,"Khảo sát\r\n212 phiếu"\r\n'.encode(), 1), 5),
    ("a blank line", MIXED.replace(b"\r\nKPL,", b"\r\n\r\nKPL,", 1), 4),
]


@pytest.mark.parametrize(("data", "line"), [w[1:] for w in WARNING_FILES], ids=[w[0] for w in WARNING_FILES])
def test_a_file_with_a_warning_loads_and_shows_it_with_its_file_line(fresh, tmp_path: Path, data: bytes,
                                                                     line: int) -> None:
    store, plans = fresh
    _fast(store, plans, _file(tmp_path, csv_bytes(
        "KPL,tourist_arrivals,2023-Q1,119876,", "KPL,tourist_arrivals,2023-Q2,128456,",
        "KPL,tourist_arrivals,2023-Q3,131877,", "KPL,tourist_arrivals,2023-Q4,142003,"), "2023.csv"))
    data = data.replace(b"139871", b"13987")  # KPL's first quarter with a digit dropped
    result = ingest_path(store, plans, _file(tmp_path, data))
    assert result.ok and result.upload_id is not None
    assert [(p.line, p.column, p.code, p.blocking) for p in result.problems] == [(line, "value", "outlier", False)]
    assert result.problems[0].describe("en").startswith(f"line {line}, column value: Warning: 13987 is more than 3")
    assert figure(store, "KPL", "tourist_arrivals", "2024-Q1")["value"] == 13987.0


@pytest.mark.parametrize("form", ["utf-16", "wide", "xlsx"])
def test_other_encodings_and_layouts_take_the_careful_path(fresh, tmp_path: Path, form: str) -> None:
    store, plans = fresh
    name = "quy1.csv"
    if form == "utf-16":
        text = "Mã đơn vị\tChỉ tiêu\tKỳ báo cáo\tGiá trị\tGhi chú\r\nTPKT\ttourist_arrivals\tQuý I/2024\t185234\t\r\n"
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif form == "wide":
        data = "Mã đơn vị,Chỉ tiêu,Quý I/2024,Quý II/2024\r\nTPKT,tourist_arrivals,185234,\r\n".encode()
    else:
        book = openpyxl.Workbook()
        book.active.append(["Mã đơn vị", "Chỉ tiêu", "Kỳ báo cáo", "Giá trị"])
        book.active.append(["TPKT", "tourist_arrivals", "Quý I/2024", 185234])
        out = io.BytesIO()
        book.save(out)
        data, name = out.getvalue(), "quy1.xlsx"
    result = ingest_path(store, plans, _file(tmp_path, data, name))
    assert result.ok and result.path == "careful" and result.count("new") == 1
    assert figure(store, "TPKT", "tourist_arrivals", "2024-Q1")["value"] == 185234.0


@pytest.mark.postgres
def test_on_postgresql_ingest_path_takes_the_careful_path_and_stores_the_same(pg_url: str, tmp_path: Path) -> None:
    store, plans = open_store(pg_url)
    path = _file(tmp_path, MIXED)
    result = ingest_path(store, plans, path)
    assert result.ok and result.path == "careful" and result.count("new") == N_MIXED
    duck_store, _ = open_store(f"duckdb:///{tmp_path / 'fast.duckdb'}")
    _fast(duck_store, plans, path)
    pd.testing.assert_frame_equal(_figures(store), _figures(duck_store))
    duck_store.dispose()
    store.dispose()
