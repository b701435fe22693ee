"""Warnings that do not block: a quarter more than three times off the unit's earlier quarters, or a unit sending an
indicator it does not usually report. The file loads; each warning names its line and column."""

from __future__ import annotations

from kpi.bootstrap import open_store
from kpi.ingest import ingest_bytes
from tests.support import csv_bytes, figure, load_ok, snapshot, warning_keys

# Kon Plông's arrivals in 2023: a mean of 130,553 a quarter.
KPL_2023 = csv_bytes(
    "KPL,tourist_arrivals,2023-Q1,119876,",
    "KPL,tourist_arrivals,2023-Q2,128456,",
    "KPL,tourist_arrivals,2023-Q3,131877,",
    "KPL,tourist_arrivals,2023-Q4,142003,",
)


def test_a_first_quarter_far_below_last_years_quarters_warns_and_loads(db_url: str) -> None:
    store, plans = open_store(db_url)
    assert warning_keys(load_ok((store, plans), KPL_2023, "2023.csv")) == []
    before = snapshot(store)
    # A digit dropped: 13,987 instead of 139,871.
    result = load_ok((store, plans), csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,",
                                               "KPL,tourist_arrivals,2024-Q1,13987,"), "quy1.csv")
    assert warning_keys(result) == [(3, "value", "outlier")]
    assert result.warnings[0].describe() == (
        "dòng 3, cột value: Cảnh báo: giá trị 13.987 chênh quá 3 lần so với trung bình các quý trước của đơn vị "
        "(130.553); hãy kiểm tra lại")
    assert result.summary().startswith("Đã nạp quy1.csv: 2 số liệu mới")
    assert snapshot(store).n_uploads == before.n_uploads + 1
    assert figure(store, "KPL", "tourist_arrivals", "2024-Q1")["value"] == 13987.0
    store.dispose()


def test_a_quarter_far_above_the_earlier_ones_warns_in_a_wide_file_with_its_period_column(fresh) -> None:
    load_ok(fresh, KPL_2023, "2023.csv")
    data = ("Mã đơn vị;Chỉ tiêu;Quý I/2024;Quý II/2024;Quý III/2024\n"
            "KPL;tourist_arrivals;139.871;152.113;1.480.020\n"
            "TPKT;tourist_arrivals;185.234;201.456;\n").encode()
    result = load_ok(fresh, data, "ngang.csv")
    assert warning_keys(result) == [(2, "Quý III/2024", "outlier")]
    assert figure(fresh[0], "KPL", "tourist_arrivals", "2024-Q3")["value"] == 1480020.0


def test_the_threshold_is_more_than_three_times_either_way(fresh) -> None:
    # Four earlier quarters with a mean of exactly 100,000.
    load_ok(fresh, csv_bytes("DTO,tourist_arrivals,2023-Q2,98000,", "DTO,tourist_arrivals,2023-Q3,102000,",
                             "DTO,tourist_arrivals,2023-Q4,101500,", "DTO,tourist_arrivals,2024-Q1,98500,"))
    for value, warned in ((300000, False), (300001, True), (33334, False), (33333, True)):
        result = load_ok(fresh, csv_bytes(f"DTO,tourist_arrivals,2024-Q2,{value},"))
        assert warning_keys(result) == ([(2, "value", "outlier")] if warned else []), value


def test_a_unit_sending_an_indicator_it_does_not_usually_report_warns_and_loads(fresh) -> None:
    data = csv_bytes("VP,admin_satisfaction,2024-Q1,96.4,", "VP,tourist_arrivals,2024-Q1,1250,Khách đoàn công tác",
                     "VP,tourist_arrivals,2024-Q2,1310,")
    result = load_ok(fresh, data)
    assert warning_keys(result) == [(3, "unit", "unusual_reporter")]
    assert result.warnings[0].reason() == (
        "Cảnh báo: đơn vị “VP” thường không báo cáo chỉ tiêu tourist_arrivals (2 số liệu)")
    assert figure(fresh[0], "VP", "tourist_arrivals", "2024-Q2")["value"] == 1310.0
    assert result.count("new") == 3


def test_small_counts_do_not_warn_but_a_jump_to_tens_does(fresh) -> None:
    load_ok(fresh, csv_bytes("DHA,traffic_deaths,2024-Q1,1,", "DHA,traffic_accidents,2024-Q1,2,"))
    result = load_ok(fresh, csv_bytes("DHA,traffic_deaths,2024-Q2,4,", "DHA,traffic_accidents,2024-Q2,31,"))
    assert warning_keys(result) == [(3, "value", "outlier")]  # 4 deaths after 1: no; 31 accidents after 2: yes
    assert figure(fresh[0], "DHA", "traffic_deaths", "2024-Q2")["value"] == 4.0


def test_warnings_are_in_english_on_request(fresh) -> None:
    load_ok(fresh, KPL_2023, "2023.csv")
    result = load_ok(fresh, csv_bytes("KPL,tourist_arrivals,2024-Q1,13987,", "VP,tourist_arrivals,2024-Q1,1250,"))
    assert [p.describe("en") for p in result.warnings] == [
        "line 2, column value: Warning: 13,987 is more than 3 times off the unit's earlier quarters (mean 130,553); "
        "please check",
        "line 3, column unit: Warning: unit “VP” does not usually report tourist_arrivals (1 figures)",
    ]


def test_a_dry_run_shows_the_warnings_and_writes_nothing(fresh) -> None:
    load_ok(fresh, KPL_2023, "2023.csv")
    before = snapshot(fresh[0])
    store, plans = fresh
    result = ingest_bytes(store, plans, csv_bytes("KPL,tourist_arrivals,2024-Q1,13987,"), "f.csv", dry_run=True)
    assert result.ok and warning_keys(result) == [(2, "value", "outlier")]
    before.assert_same(snapshot(store))


def test_a_warning_shows_the_figure_in_the_reader_s_number_format(fresh) -> None:
    # Budget 2023: 1.100 + 1.150 + 1.200 + 1.144,2 = 4.594,2, a mean of 1.148,55 a quarter. A dot-decimal file
    # (9.18 decides it) sends 1.151, one point one five one: a Vietnamese reader must see "1,151", not "1.151",
    # which reads as one thousand one hundred and fifty-one, next to the mean.
    load_ok(fresh, csv_bytes(*(f"KT,budget_revenue,2023-Q{q},{v}," for q, v in
                               enumerate(("1100", "1150", "1200", "1144.2"), 1))), "2023.csv")
    result = load_ok(fresh, csv_bytes("KT,grdp_growth,2024-Q1,9.18,", "KT,budget_revenue,2024-Q1,1.151,"))
    assert [p.reason("vi") for p in result.warnings] == [
        "Cảnh báo: giá trị 1,151 chênh quá 3 lần so với trung bình các quý trước của đơn vị (1.148,55); "
        "hãy kiểm tra lại"]
    assert "1.151 is more than 3 times" in result.warnings[0].reason("en")
