"""Issue 9, ingestion: cumulative figures ("6 tháng đầu năm", "lũy kế đến hết quý III", "cả năm") and estimates
("ước thực hiện", a `Loại số liệu` column) entered in the units' own words, stored with their period, last quarter
and kind; the official figure superseding an estimate as a revision; the warnings when cumulative figures and
quarters disagree or quarters look like running totals; no "usually does not report" for the scope unit; codes
suggested for names. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import io
import unicodedata

import duckdb
import openpyxl
import pytest
import sqlalchemy as sa

from kpi.bootstrap import open_store
from kpi.ingest import Source, check, ingest_bytes
from kpi.ingest.rules import closest
from kpi.ingest.spec import known_names, load_spec
from kpi.migrate import AFTER_BASELINE
from kpi.periods import is_cumulative, parse_spelling, period_spellings, span_end, spelling_key
from kpi.plan import Plan
from kpi.store import SCHEMA_TABLES, Store, current_figures, latest_period, meta, metadata
from tests.support import csv_bytes, figure, load_ok, revisions, snapshot, warning_keys

Opened = tuple[Store, dict[int, Plan]]
KIND_HEADER = "unit,indicator,period,value,note,Loại số liệu"


# ---------------------------------------------------------------- spellings

# (as written, canonical code, estimate)
SPELLINGS = [
    ("2024-H1", "2024-H1", False),
    ("6 tháng 2024", "2024-H1", False),
    ("6 tháng đầu năm 2024", "2024-H1", False),
    ("2024-9M", "2024-9M", False),
    ("9 tháng 2024", "2024-9M", False),
    ("9 tháng đầu năm 2024", "2024-9M", False),
    ("Lũy kế quý I/2024", "2024-Q1", False),  # the first quarter is its own year to date
    ("Lũy kế quý II/2024", "2024-H1", False),
    ("Lũy kế quý III/2024", "2024-9M", False),
    ("Lũy kế quý IV/2024", "2024", False),
    ("lũy kế đến hết quý III/2024", "2024-9M", False),
    ("Lũy kế đến quý 3 năm 2024", "2024-9M", False),
    ("Luỹ kế quý 3/2024", "2024-9M", False),  # the other tone placement
    ("lũy kế 9 tháng 2024", "2024-9M", False),
    ("Cả năm 2024", "2024", False),
    ("Năm 2024", "2024", False),
    ("Quý III/2024", "2024-Q3", False),
    ("Ước thực hiện 6 tháng 2024", "2024-H1", True),
    ("Ước 6 tháng 2024", "2024-H1", True),
    ("Ước cả năm 2024", "2024", True),
    ("Ước thực hiện năm 2024", "2024", True),
    ("Ước năm 2024", "2024", True),
    ("Ước thực hiện quý IV/2024", "2024-Q4", True),
    ("Ước 9 tháng 2024", "2024-9M", True),
    ("Ước tính 9 tháng đầu năm 2024", "2024-9M", True),
    ("ƯỚC THỰC HIỆN LŨY KẾ QUÝ III/2024", "2024-9M", True),
]


@pytest.mark.parametrize(("text", "code", "estimate"), SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_each_spelling_parses_to_its_code_and_kind(text: str, code: str, estimate: bool) -> None:
    assert parse_spelling(text) == (code, estimate)


def test_both_tone_placements_of_luy_ke_have_one_key() -> None:
    assert spelling_key("Lũy kế quý III/2024") == spelling_key("Luỹ kế quý III/2024") == "luykequyiii/2024"
    assert spelling_key(unicodedata.normalize("NFD", "Lũy kế quý III/2024")) == "luykequyiii/2024"


def test_spelling_table_has_one_code_per_key_and_agrees_with_the_parser() -> None:
    rows = period_spellings(range(2024, 2025))
    assert len({key for key, *_ in rows}) == len(rows)
    assert all(parse_spelling(key) == (code, estimate) for key, code, _, _, estimate in rows)
    assert parse_spelling("6 tháng cuối năm 2024") is None and parse_spelling("Năm 1989") is None


@pytest.mark.parametrize(("code", "end", "cumulative"), [("2024-Q1", 1, False), ("2024-Q3", 3, False),
                                                         ("2024-H1", 2, True), ("2024-9M", 3, True),
                                                         ("2024", 4, True)])
def test_span_end_and_cumulative(code: str, end: int, cumulative: bool) -> None:
    assert (span_end(code), is_cumulative(code)) == (end, cumulative)


def test_the_sql_twins_of_the_period_rules_agree_with_them(plans: dict[int, Plan]) -> None:
    # The upload warnings run in SQL, so the check has macros for the two rules; they must say what Python says
    # for every stored period code (a stored row's quarter is its last quarter, 0 for the year).
    con = duckdb.connect()
    load_spec(con, plans)
    codes = [f"{y}{part}" for y in (1990, 2024, 2100) for part in ("", "-Q1", "-Q2", "-Q3", "-Q4", "-H1", "-9M")]
    for code in codes:
        stored_quarter = 0 if code.isdigit() else span_end(code)
        got = con.execute("SELECT span_end($q), is_cumulative($p)", {"q": stored_quarter, "p": code}).fetchone()
        assert got == (span_end(code), is_cumulative(code)), code


def test_the_check_reads_every_spelling_as_the_parser_does(fresh) -> None:
    # One file, each spelling on its own unit × indicator (so none repeats a figure): the SQL check must give each
    # line the code and kind the parser gives (and a decomposed "lũy kế", as a Mac types it, the same).
    pairs = [(u, i) for i in ("tourist_arrivals", "traffic_accidents", "traffic_deaths")
             for u in ("TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH", "TMR", "IHD")]
    texts = [s[0] for s in SPELLINGS] + [unicodedata.normalize("NFD", "Lũy kế quý III/2024")]
    lines = [f"{u};{i};{text};12;" for (u, i), text in zip(pairs, texts, strict=False)]
    store, plans = fresh
    result = check(store, plans, Source("ky.csv", ("unit;indicator;period;value;note\n" + "\n".join(lines)).encode()))
    assert result.ok, [p.describe("en") for p in result.problems]
    got = {row["line"]: (row["period"], row["estimate"]) for row in result.rows.to_pylist()}
    assert got == {n + 2: parse_spelling(text) for n, text in enumerate(texts)}


# ---------------------------------------------------------------- storing cumulative figures and estimates

def test_a_six_month_file_stores_the_half_year_as_its_own_figure(opened) -> None:
    store, _ = opened
    data = csv_bytes("KT;budget_revenue;6 tháng đầu năm 2024;2.230,9;Kho bạc",
                     "TPKT;tourist_arrivals;6 tháng đầu năm 2024;386.690;",
                     header="Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị;Ghi chú")
    result = load_ok(opened, data, "6-thang.csv")
    assert result.count("new") == 2
    budget = figure(store, "KT", "budget_revenue", "2024-H1")
    # H1 is stored as itself, its quarter the last one it covers (2), official.
    assert (budget["value"], budget["year"], budget["quarter"], budget["estimate"]) == (2230.9, 2024, 2, False)
    assert figure(store, "TPKT", "tourist_arrivals", "2024-H1")["value"] == 386690.0
    with store.connect() as conn:
        assert latest_period(conn) == "2024-H1"


def test_an_estimated_year_then_the_official_year_is_a_revision(opened) -> None:
    store, _ = opened
    first = load_ok(opened, csv_bytes("KT,budget_revenue,Ước cả năm 2024,4425,Ước tính tháng 11"), "uoc.csv")
    assert first.count("new") == 1
    estimate = figure(store, "KT", "budget_revenue", "2024")
    assert (estimate["value"], estimate["quarter"], estimate["estimate"]) == (4425.0, 0, True)
    # The official year, another value: a revision, the estimate kept in the history.
    official = load_ok(opened, csv_bytes("KT,budget_revenue,Năm 2024,4612.3,Số chính thức"), "nam.csv")
    assert (official.count("new"), official.count("revised"), official.count("unchanged")) == (0, 1, 0)
    assert official.warnings == []
    current = figure(store, "KT", "budget_revenue", "2024")
    assert (current["value"], current["estimate"]) == (4612.3, False)
    assert revisions(store, "KT", "budget_revenue", "2024") == [(4425.0, "Ước tính tháng 11"),
                                                                (4612.3, "Số chính thức")]


def test_only_the_kind_changing_is_still_a_revision(opened) -> None:
    store, _ = opened
    load_ok(opened, csv_bytes("KT,grdp_growth,Ước thực hiện năm 2024,8.2,"))
    # Same value and note, now official: revised, not unchanged (the figure's kind is part of the figure).
    result = load_ok(opened, csv_bytes("KT,grdp_growth,2024,8.2,"))
    assert (result.count("revised"), result.count("unchanged")) == (1, 0)
    assert figure(store, "KT", "grdp_growth", "2024")["estimate"] is False
    # The same official figure again: unchanged, nothing written.
    again = ingest_bytes(*opened, csv_bytes("KT,grdp_growth,2024,8.2,"), "f.csv")
    assert again.ok and again.upload_id is None and again.count("unchanged") == 1


def test_an_estimate_over_an_official_figure_is_accepted_with_a_warning(fresh) -> None:
    load_ok(fresh, csv_bytes("KT,budget_revenue,2024-Q1,1032.6,"))
    result = load_ok(fresh, csv_bytes("KT,budget_revenue,Ước quý I/2024,1040,"))
    assert result.count("revised") == 1
    assert warning_keys(result) == [(2, "value", "estimate_over_official")]
    assert result.warnings[0].reason() == (
        "Cảnh báo: đã có số chính thức 1.032,6 cho kỳ Quý I/2024; số ước tính 1.040 sẽ thay thế số chính thức đó")
    assert figure(fresh[0], "KT", "budget_revenue", "2024-Q1")["estimate"] is True


KINDS = [("Ước", True), ("ƯỚC TÍNH", True), (" ước thực hiện ", True), ("estimate", True), ("Est", True),
         ("Chính thức", False), ("OFFICIAL", False), ("", False)]


def test_the_kind_column_marks_estimates(fresh) -> None:
    units = ["TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH"]
    rows = [f"{u},tourist_arrivals,2024-Q1,{50000 + n},,{kind}" for n, (u, (kind, _)) in enumerate(zip(units, KINDS))]
    # A period phrase makes an estimate whatever the kind column says (or leaves empty).
    rows.append("IHD,tourist_arrivals,Ước quý I/2024,15000,,")
    load_ok(fresh, csv_bytes(*rows, header=KIND_HEADER))
    with fresh[0].connect() as conn:
        frame = current_figures(conn).set_index("unit")
    assert {u: bool(frame.loc[u, "estimate"]) for u in [*units, "IHD"]} == {
        **{u: expected for u, (_, expected) in zip(units, KINDS)}, "IHD": True}


def test_a_kind_that_is_neither_rejects_the_file_naming_row_and_column(fresh) -> None:
    store, plans = fresh
    before = snapshot(store)
    result = ingest_bytes(store, plans, csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,,ước",
                                                  "DHA,tourist_arrivals,2024-Q1,91234,,dự báo", header=KIND_HEADER),
                          "f.csv")
    assert not result.ok and [(p.line, p.column, p.code) for p in result.problems] == [(3, "Loại số liệu", "bad_kind")]
    assert result.problems[0].describe() == (
        "dòng 3, cột Loại số liệu: Loại số liệu “dự báo” không hợp lệ: ghi “ước” (hoặc “ước tính”, “ước thực hiện”) "
        "cho số ước tính, “chính thức” hoặc để trống cho số chính thức")
    assert result.problems[0].describe("en").startswith("line 3, column Loại số liệu: Kind “dự báo” is not valid")
    before.assert_same(snapshot(store))


def test_an_estimate_period_with_an_official_kind_is_a_contradiction(fresh) -> None:
    store, plans = fresh
    before = snapshot(store)
    result = ingest_bytes(store, plans, csv_bytes("KT,budget_revenue,Ước cả năm 2024,4650,,chính thức",
                                                  "KT,tourist_arrivals,Ước cả năm 2024,1690000,,ước",
                                                  "KT,grdp_growth,Ước cả năm 2024,8.1,,", header=KIND_HEADER),
                          "f.csv")
    # Only the first row says two things at once; "ước" twice or an empty kind agree with the period.
    assert [(p.line, p.column, p.code) for p in result.problems] == [(2, "Loại số liệu", "kind_conflict")]
    assert result.problems[0].describe().startswith("dòng 2, cột Loại số liệu: Loại số liệu “chính thức” mâu thuẫn")
    before.assert_same(snapshot(store))


def test_the_same_figure_as_estimate_and_official_in_one_file_is_a_duplicate(fresh) -> None:
    store, plans = fresh
    data = "Mã đơn vị;Chỉ tiêu;Ước cả năm 2024;Năm 2024\nKT;budget_revenue;4.425,0;4.425,0\n".encode()
    result = ingest_bytes(store, plans, data, "f.csv")
    assert [(p.line, p.code) for p in result.problems] == [(2, "duplicate")]


def test_a_wide_file_with_estimate_headers_and_a_kind_column(fresh) -> None:
    data = ("Mã đơn vị;Chỉ tiêu;Lũy kế quý I/2024;6 tháng đầu năm 2024;Ước thực hiện 9 tháng 2024;Loại số liệu\n"
            "KT;budget_revenue;1.032,6;2.230,9;3.382,8;\n"
            "TPKT;tourist_arrivals;185.234;386.690;;ước\n").encode()
    result = load_ok(fresh, data, "luy-ke.csv")
    assert result.layout == "wide" and result.count("new") == 5
    got = {(r["unit"], r["period"]): (r["value"], r["quarter"], r["estimate"]) for r in result.rows.to_pylist()}
    assert got == {
        ("KT", "2024-Q1"): (1032.6, 1, False), ("KT", "2024-H1"): (2230.9, 2, False),
        ("KT", "2024-9M"): (3382.8, 3, True),  # the header says "Ước"
        ("TPKT", "2024-Q1"): (185234.0, 1, True), ("TPKT", "2024-H1"): (386690.0, 2, True),  # the kind says "ước"
    }


def test_an_xlsx_file_with_a_kind_column(fresh) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Mã đơn vị", "Chỉ tiêu", "Kỳ báo cáo", "Giá trị", "Loại số liệu"],
                ["KT", "grdp_growth", "Ước thực hiện năm 2024", 8.2, None],
                ["KT", "grdp_per_capita", "Cả năm 2024", 63.9, "Ước tính"],
                ["KT", "budget_revenue", "9 tháng 2024", 3382.8, "Chính thức"]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    load_ok(fresh, out.getvalue(), "uoc.xlsx")
    assert [(f["period"], f["quarter"], f["estimate"]) for f in
            (figure(fresh[0], "KT", i, p) for i, p in (("grdp_growth", "2024"), ("grdp_per_capita", "2024"),
                                                       ("budget_revenue", "2024-9M")))] == [
        ("2024", 0, True), ("2024", 0, True), ("2024-9M", 3, False)]


# ---------------------------------------------------------------- an older store gets the estimate column

def test_a_store_made_before_estimates_is_upgraded_at_start(db_url: str) -> None:
    store, plans = open_store(db_url)
    load_ok((store, plans), csv_bytes("KT,budget_revenue,2024-Q1,1032.6,"))
    # Make it look like older code's store: no estimate column, no migrations yet, the old table list in `meta`.
    with store.begin() as conn:
        conn.execute(sa.text("ALTER TABLE submissions DROP COLUMN estimate"))
        for table in ("alembic_version", *AFTER_BASELINE):
            conn.execute(sa.text(f"DROP TABLE {table}"))
        conn.execute(meta.update().where(meta.c.key == "schema_tables")
                     .values(value=",".join(sorted(metadata.tables))))
    store.dispose()
    again, _ = open_store(db_url)
    with again.connect() as conn:
        assert conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_tables")).scalar() == SCHEMA_TABLES
    old = figure(again, "KT", "budget_revenue", "2024-Q1")
    assert (old["value"], old["estimate"]) == (1032.6, False)  # figures sent before estimates existed are official
    load_ok((again, plans), csv_bytes("KT,budget_revenue,Ước quý II/2024,1198.3,"))
    assert figure(again, "KT", "budget_revenue", "2024-Q2")["estimate"] is True
    again.dispose()


# ---------------------------------------------------------------- warnings

# KT's 2024 budget revenue by quarter (tỷ đồng): 1,032.6 + 1,198.3 + 1,151.9 + 1,217.2 = 4,600.0.
BUDGET_QUARTERS = csv_bytes("KT,budget_revenue,2024-Q1,1032.6,", "KT,budget_revenue,2024-Q2,1198.3,",
                            "KT,budget_revenue,2024-Q3,1151.9,", "KT,budget_revenue,2024-Q4,1217.2,")


def test_a_year_figure_that_disagrees_with_the_quarters_warns_with_both_numbers(fresh) -> None:
    load_ok(fresh, BUDGET_QUARTERS, "quy.csv")
    result = load_ok(fresh, csv_bytes("KT,budget_revenue,Năm 2024,4425,"), "nam.csv")
    assert warning_keys(result) == [(2, "value", "cumulative_mismatch")]
    assert result.warnings[0].reason() == (
        "Cảnh báo: số Năm 2024 của KT / budget_revenue là 4.425, nhưng tổng Quý I/2024 + Quý II/2024 + Quý III/2024 "
        "+ Quý IV/2024 là 4.600; khi đánh giá, số Năm 2024 được dùng. Hãy kiểm tra lại")
    assert result.warnings[0].reason("en") == (
        "Warning: the Year 2024 figure of KT / budget_revenue is 4,425, but the sum of Q1 2024 + Q2 2024 + Q3 2024 + "
        "Q4 2024 is 4,600; the Year 2024 figure is the one that counts. Please check")


@pytest.mark.parametrize(("year", "warned"), [("4600.2", False), ("4599.8", False), ("4600.3", True)])
def test_the_allowance_is_half_a_unit_of_the_last_decimal_per_quarter_added(fresh, year: str, warned: bool) -> None:
    # budget_revenue has 1 decimal: each quarter may be off by 0.05 from rounding, four of them by 0.2 in all.
    # |4600.2 − 4600.0| = 0.2 is within it; 0.3 is not.
    result = load_ok(fresh, BUDGET_QUARTERS[:-1] + f"\nKT,budget_revenue,2024,{year},\n".encode())
    assert warning_keys(result) == ([(6, "value", "cumulative_mismatch")] if warned else [])


def test_a_quarter_in_the_file_that_breaks_a_stored_year_warns_on_the_quarters_line(fresh) -> None:
    load_ok(fresh, BUDGET_QUARTERS.replace(b"2024-Q4,1217.2", b"2024,4600"))  # Q1–Q3 and the year, all agreeing
    result = load_ok(fresh, csv_bytes("KT,budget_revenue,2024-Q4,1317.2,"))
    # Now 1,032.6 + 1,198.3 + 1,151.9 + 1,317.2 = 4,700 against the stored year's 4,600.
    assert warning_keys(result) == [(2, "value", "cumulative_mismatch")]
    assert "là 4.600, nhưng tổng Quý I/2024 + Quý II/2024 + Quý III/2024 + Quý IV/2024 là 4.700" in (
        result.warnings[0].reason())


def test_nine_months_against_the_half_year_and_the_third_quarter(fresh) -> None:
    load_ok(fresh, csv_bytes("KT,budget_revenue,6 tháng 2024,2230.9,", "KT,budget_revenue,Quý III/2024,1151.9,"))
    # No Q1 or Q2 to add up: 9M is compared with H1 + Q3 = 2,230.9 + 1,151.9 = 3,382.8; 3,300 is 82.8 short, well
    # beyond 2 × 0.05.
    result = load_ok(fresh, csv_bytes("KT,budget_revenue,9 tháng 2024,3300,"))
    assert warning_keys(result) == [(2, "value", "cumulative_mismatch")]
    assert "là 3.300, nhưng tổng 6 tháng 2024 + Quý III/2024 là 3.382,8" in result.warnings[0].reason()
    # 3,382.8 agrees.
    assert warning_keys(load_ok(fresh, csv_bytes("KT,budget_revenue,9 tháng 2024,3382.8,"))) == []


def test_a_level_year_is_compared_with_its_fourth_quarter(fresh) -> None:
    # GRDP growth is a level: the year's figure is the state at the end of Q4, 10.1, not 8.2 (2 decimals: the
    # allowance is 0.005).
    result = load_ok(fresh, csv_bytes("KT,grdp_growth,2024-Q1,6.5,", "KT,grdp_growth,2024-Q2,7.1,",
                                      "KT,grdp_growth,2024-Q3,7.8,", "KT,grdp_growth,2024-Q4,10.1,",
                                      "KT,grdp_growth,2024,8.2,"))
    assert warning_keys(result) == [(6, "value", "cumulative_mismatch")]
    assert result.warnings[0].reason() == (
        "Cảnh báo: số Năm 2024 của KT / grdp_growth là 8,2, nhưng số Quý IV/2024 là 10,1; khi đánh giá, số Năm 2024 "
        "được dùng. Hãy kiểm tra lại")


def test_an_estimated_year_is_not_held_to_the_official_quarters(fresh) -> None:
    # An estimate sent in November is expected to differ from the official figures that follow: 4,425 (ước)
    # against 4,600 is no mistake.
    load_ok(fresh, BUDGET_QUARTERS, "quy.csv")
    assert warning_keys(load_ok(fresh, csv_bytes("KT,budget_revenue,Ước cả năm 2024,4425,"))) == []


def test_quarters_that_grow_like_running_totals_warn_with_lũy_kế(fresh) -> None:
    # Q2 / Q1 = 1,445,000 / 700,000 = 2.06, within 0.75 × 2 = 1.5 … 1.5 × 2 = 3: Q2 looks like Q1 + Q2.
    result = load_ok(fresh, csv_bytes("TPKT,tourist_arrivals,Quý I/2024,700000,",
                                      "TPKT,tourist_arrivals,Quý II/2024,1445000,lũy kế"))
    assert warning_keys(result) == [(3, "value", "looks_cumulative")]
    assert result.warnings[0].reason() == (
        "Cảnh báo: số liệu các quý của TPKT / tourist_arrivals tăng dần như số lũy kế (Quý I/2024: 700.000; "
        "Quý II/2024: 1.445.000). Nếu là số lũy kế, hãy ghi kỳ là “6 tháng đầu năm 2024”, “9 tháng 2024” hoặc "
        "“Năm 2024”")


def test_a_stored_quarter_and_a_new_one_that_grow_like_running_totals_warn(fresh) -> None:
    load_ok(fresh, csv_bytes("DHA,tourist_arrivals,2024-Q1,91234,", "DHA,tourist_arrivals,2024-Q2,183000,"))
    # Q2 / Q1 = 2.01 (within 1.5 … 3) and Q3 / Q2 = 274,500 / 183,000 = 1.5 (within 0.75 × 1.5 = 1.125 … 2.25).
    result = load_ok(fresh, csv_bytes("DHA,tourist_arrivals,2024-Q3,274500,"))
    assert warning_keys(result) == [(2, "value", "looks_cumulative")]


@pytest.mark.parametrize("rows", [
    # Seasonal quarters, not running totals: 745,000 / 700,000 = 1.06 < 1.5.
    ["TPKT,tourist_arrivals,2024-Q1,700000,", "TPKT,tourist_arrivals,2024-Q2,745000,"],
    # Q2 / Q1 = 2.1 fits, but Q3 / Q2 = 1,500,000 / 1,470,000 = 1.02 < 1.125: not every pair grows like totals.
    ["TPKT,tourist_arrivals,2024-Q1,700000,", "TPKT,tourist_arrivals,2024-Q2,1470000,",
     "TPKT,tourist_arrivals,2024-Q3,1500000,"],
    # Small counts: 4 then 9 accidents (ratio 2.25) say nothing; below 10.
    ["DHA,traffic_accidents,2024-Q1,4,", "DHA,traffic_accidents,2024-Q2,9,"],
    # A level (GRDP growth 6.5 then 13.2) is no running total.
    ["KT,grdp_growth,2024-Q1,6.5,", "KT,grdp_growth,2024-Q2,13.2,"],
    # Q1 and Q3 only: not consecutive.
    ["TPKT,tourist_arrivals,2024-Q1,700000,", "TPKT,tourist_arrivals,2024-Q3,2100000,"],
], ids=["seasonal", "not every pair", "small counts", "level", "gap"])
def test_quarters_that_do_not_look_cumulative_do_not_warn(fresh, rows: list[str]) -> None:
    assert "looks_cumulative" not in [code for *_, code in warning_keys(load_ok(fresh, csv_bytes(*rows)))]


def test_the_scope_unit_is_never_an_unusual_reporter(fresh) -> None:
    # tourist_arrivals is reported by the localities; the province's own figure is no surprise. VP's still is.
    result = load_ok(fresh, csv_bytes("KT,tourist_arrivals,2024-Q1,412000,", "KT,admin_satisfaction,2024-Q1,95.1,",
                                      "VP,tourist_arrivals,2024-Q1,1250,"))
    assert warning_keys(result) == [(4, "unit", "unusual_reporter")]


# ---------------------------------------------------------------- codes suggested for names

@pytest.mark.parametrize(("given", "kind", "code"), [
    ("Thành phố Kon Tum", 0, "TPKT"), ("thanh pho kon tum", 0, "TPKT"), ("TP Kon Tum", 0, "TPKT"),
    ("TP. Kon Tum", 0, "TPKT"), ("Kon Tum City", 0, "TPKT"), ("Huyện Đắk Hà", 0, "DHA"), ("Đắk Hà", 0, "DHA"),
    ("TPK", 0, "TPKT"), ("Lượt khách du lịch", 1, "tourist_arrivals"), ("luot khach du lich", 1, "tourist_arrivals"),
    ("Số vụ tai nạn giao thông", 1, "traffic_accidents"), ("tourist_arival", 1, "tourist_arrivals"),
])
def test_a_name_gets_its_code_suggested(plans: dict[int, Plan], given: str, kind: int, code: str) -> None:
    assert closest(given, known_names(plans)[kind]) == code


def test_unknown_names_in_a_file_suggest_the_codes(fresh) -> None:
    store, plans = fresh
    result = ingest_bytes(store, plans, csv_bytes("Thành phố Kon Tum,tourist_arrivals,2024-Q1,185234,",
                                                  "KT,Lượt khách du lịch,2024-Q1,412000,"), "f.csv")
    assert [p.describe() for p in result.problems] == [
        "dòng 2, cột unit: Mã đơn vị “THÀNH PHỐ KON TUM” không có trong danh mục (có phải “TPKT”?)",
        "dòng 3, cột indicator: Mã chỉ tiêu “lượt khách du lịch” không có trong kế hoạch (có phải “tourist_arrivals”?)",
    ]
