"""The `kpi` command as an analyst runs it: init, sample, ingest (with its exit codes) and the scorecard."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

import kpi.store
from kpi.cli import main
from kpi.plan import Plan
from kpi.sample import sample_figures
from kpi.store import Store, current_figures, uploads
from tests.support import csv_bytes, duck_path, figure, hold_duckdb_file, run_cli, snapshot

RESULT_KEYS = {"indicator", "unit", "period", "actual", "baseline", "target", "attainment", "status", "met"}
INDICATORS = {"grdp_growth", "grdp_per_capita", "budget_revenue", "trained_labour_rate", "vocational_trained_rate",
              "poverty_rate_reduction", "pci_rank", "papi_rank", "par_index_rank", "sipas_rank",
              "new_rural_communes", "tourist_arrivals", "admin_satisfaction", "traffic_accidents", "traffic_deaths",
              "traffic_injuries"}
LOCALITIES = {"TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH", "TMR", "IHD"}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One DuckDB file with the sample loaded through `kpi sample`, shared by the read-only scorecard tests."""
    url = f"duckdb:///{tmp_path_factory.mktemp('cli') / 'sample.duckdb'}"
    assert main(["sample", "--db", url]) == 0
    return url


def scorecard_json(capsys: pytest.CaptureFixture[str], url: str, *extra: str) -> list[dict]:
    code, out, err = run_cli(capsys, "scorecard", "--db", url, "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


# ---------------------------------------------------------------- init and sample

def test_init_creates_the_schema_and_loads_the_plan(capsys, duck_url: str) -> None:
    code, out, err = run_cli(capsys, "init", "--db", duck_url)
    assert code == 0, err
    assert "schema ready" in out and "2024" in out
    store = Store(duck_url)
    with store.connect() as conn:
        assert conn.execute(sa.text("select count(*) from indicators where plan_year = 2024")).scalar_one() == 16
    assert snapshot(store).n_uploads == 0
    # Running it again is harmless.
    assert run_cli(capsys, "init", "--db", duck_url)[0] == 0


def test_sample_loads_its_uploads_marked_as_sample(capsys, duck_url: str, plan: Plan) -> None:
    code, out, err = run_cli(capsys, "sample", "--db", duck_url)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 6 and lines[0].startswith("Đã nạp du-lieu-mau-2023.csv")
    assert "2 số liệu sửa" in lines[-1]
    store = Store(duck_url)
    with store.connect() as conn:
        sources = conn.execute(sa.select(uploads.c.source).order_by(uploads.c.id)).scalars().all()
        assert len(current_figures(conn)) == len(sample_figures(plan))
    assert sources == ["sample"] * 6


def test_sample_for_a_year_without_plan_exits_2(capsys, duck_url: str) -> None:
    code, _, err = run_cli(capsys, "sample", "--db", duck_url, "--year", "2031")
    assert code == 2 and "no plan for 2031" in err


# ---------------------------------------------------------------- scorecard

def test_scorecard_json_lists_the_sixteen_indicators_for_kt(capsys, sample_db: str) -> None:
    rows = scorecard_json(capsys, sample_db, "--period", "2024")
    assert len(rows) == 16
    assert {r["indicator"] for r in rows} == INDICATORS
    for row in rows:
        assert set(row) >= RESULT_KEYS, row["indicator"]
        assert (row["unit"], row["period"]) == ("KT", "2024")


def test_scorecard_numbers_follow_the_sample(capsys, sample_db: str, plan: Plan) -> None:
    """Year to date on 2024: a flow sums the quarters (and the localities), the ranks await publication."""
    rows = {r["indicator"]: r for r in scorecard_json(capsys, sample_db, "--period", "2024")}
    store = Store(sample_db)
    with store.connect() as conn:
        figures = current_figures(conn)
    q3_budget = figure(store, "KT", "budget_revenue", "2024-Q3")["value"]
    assert q3_budget == pytest.approx(round(1151.9 * 1.021, 1))  # the second sample upload's correction
    assert rows["budget_revenue"]["actual"] == pytest.approx(1032.6 + 1198.3 + q3_budget)
    assert rows["budget_revenue"]["target"] == 4600
    arrivals = figures[(figures["indicator"] == "tourist_arrivals") & (figures["year"] == 2024)]
    assert set(arrivals["unit"]) == LOCALITIES
    assert rows["tourist_arrivals"]["actual"] == pytest.approx(arrivals["value"].sum())
    assert rows["grdp_per_capita"]["actual"] == pytest.approx(61.9)  # a level: the latest quarter, not a sum
    assert rows["grdp_per_capita"]["target"] == pytest.approx(63.7)
    for rank in ("pci_rank", "papi_rank", "par_index_rank", "sipas_rank"):
        assert rows[rank]["status"] == "awaiting", rank
        assert rows[rank]["met"] is None and rows[rank]["actual"] is None, rank
    assert rows["papi_rank"]["baseline"] == 43 and rows["papi_rank"]["target"] == 38
    for row in rows.values():
        assert row["status"] in {"achieved", "not_met", "on_track", "at_risk", "off_track", "incomplete",
                                 "undetermined", "awaiting"}
        assert isinstance(row["missing"], list) and isinstance(row["estimate"], bool)
    # The year view needs four quarters: every locality lacks its fourth (the sample stops at Q3), Kon Rẫy its
    # third as well; they are named in the plan's order of units.
    assert rows["tourist_arrivals"]["status"] == "incomplete"
    localities = ["TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH", "TMR", "IHD"]
    expected = [{"unit": u, "period": p} for u in localities
                for p in (["2024-Q3", "2024-Q4"] if u == "KRA" else ["2024-Q4"])]
    assert rows["tourist_arrivals"]["missing"] == expected
    assert rows["tourist_arrivals"]["projection"] is None  # the span reaches the year's end: no projection


def test_scorecard_defaults_to_the_latest_period_with_data(capsys, sample_db: str) -> None:
    rows = scorecard_json(capsys, sample_db)
    assert {r["period"] for r in rows} == {"2024-Q3"}
    assert len(rows) == 16


def test_scorecard_for_all_units_includes_the_localities(capsys, sample_db: str) -> None:
    rows = scorecard_json(capsys, sample_db, "--unit", "all", "--period", "2024-Q2")
    units = {r["unit"] for r in rows}
    assert {"KT"} | LOCALITIES <= units
    tourism = {r["unit"]: r for r in rows if r["indicator"] == "tourist_arrivals"}
    assert set(tourism) >= LOCALITIES
    assert all(tourism[u]["actual"] > 10_000 for u in LOCALITIES)
    assert {r["period"] for r in rows} == {"2024-Q2"}


def test_scorecard_for_one_locality(capsys, sample_db: str) -> None:
    rows = scorecard_json(capsys, sample_db, "--unit", "kra", "--period", "2024-Q3")
    assert rows and {r["unit"] for r in rows} == {"KRA"}
    assert "tourist_arrivals" in {r["indicator"] for r in rows}


def test_scorecard_csv_has_a_header_row(capsys, sample_db: str) -> None:
    code, out, err = run_cli(capsys, "scorecard", "--db", sample_db, "--period", "2024-Q3", "--format", "csv")
    assert code == 0, err
    table = list(csv.reader(io.StringIO(out)))
    assert set(table[0]) >= RESULT_KEYS
    assert len(table) == 17
    frame = pd.read_csv(io.StringIO(out))
    assert set(frame["indicator"]) == INDICATORS and set(frame["unit"]) == {"KT"}


def test_scorecard_table_is_in_vietnamese_by_default_and_english_on_request(capsys, sample_db: str) -> None:
    rows = {r["indicator"]: r for r in scorecard_json(capsys, sample_db, "--period", "2024-Q3")}
    arrivals = f"{int(rows['tourist_arrivals']['actual']):,}"
    assert len(arrivals) >= 7  # year to date over a million: thousands separators show
    code, out, _ = run_cli(capsys, "scorecard", "--db", sample_db, "--period", "2024-Q3")
    assert code == 0
    assert "Lượt khách du lịch đến tỉnh" in out and "Chờ công bố" in out
    assert arrivals.replace(",", ".") in out  # 1.221.800
    code, out, _ = run_cli(capsys, "scorecard", "--db", sample_db, "--period", "2024-Q3", "--lang", "en")
    assert code == 0
    assert "Tourist arrivals in the province" in out and "Awaiting publication" in out
    assert arrivals in out  # 1,221,800


@pytest.mark.parametrize(("period", "message"), [("2024-Q5", "not a period"), ("Q3/2024", "not a period"),
                                                 ("2019", "no plan for 2019")])
def test_scorecard_with_a_bad_period_exits_2(capsys, sample_db: str, period: str, message: str) -> None:
    code, out, err = run_cli(capsys, "scorecard", "--db", sample_db, "--period", period)
    assert code == 2 and message in err and out == ""


def test_scorecard_with_an_unknown_unit_exits_2(capsys, sample_db: str) -> None:
    code, out, err = run_cli(capsys, "scorecard", "--db", sample_db, "--unit", "XYZ")
    assert code == 2 and "unknown unit 'XYZ'" in err and out == ""


# ---------------------------------------------------------------- ingest

GOOD = csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,", "KT,budget_revenue,2024-Q1,1032.6,",
                 "DHA,traffic_deaths,2024-Q1,3,")
BAD = csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,", "TPK,tourist_arrivals,2024-Q1,5,",
                "KT,budget_revenue,2024-Q1,1032.6,", "DHA,traffic_deaths,2024-Q1,-3,")


def test_ingest_of_a_good_file_exits_0_and_stores_it(capsys, duck_url: str, tmp_path: Path) -> None:
    path = tmp_path / "quy1-2024.csv"
    path.write_bytes(GOOD)
    code, out, err = run_cli(capsys, "ingest", "--db", duck_url, str(path))
    assert code == 0, err
    assert out.startswith("Đã nạp quy1-2024.csv: 3 số liệu mới")
    store = Store(duck_url)
    assert figure(store, "KT", "budget_revenue", "2024-Q1")["value"] == 1032.6
    # Again: nothing changes, still exit 0.
    code, out, _ = run_cli(capsys, "ingest", "--db", duck_url, str(path))
    assert code == 0 and "không có gì thay đổi" in out
    assert snapshot(store).n_uploads == 1


def test_ingest_of_a_bad_file_exits_1_lists_each_line_and_writes_nothing(capsys, duck_url: str,
                                                                         tmp_path: Path) -> None:
    good, bad = tmp_path / "quy1.csv", tmp_path / "quy2.csv"
    good.write_bytes(GOOD)
    bad.write_bytes(BAD)
    assert run_cli(capsys, "ingest", "--db", duck_url, str(good))[0] == 0
    store = Store(duck_url)
    before = snapshot(store)
    code, out, err = run_cli(capsys, "ingest", "--db", duck_url, str(bad))
    assert code == 1
    assert out == ""
    assert "Từ chối quy2.csv: 2 lỗi, không ghi số liệu nào." in err
    assert "quy2.csv: dòng 3, cột unit: Mã đơn vị “TPK” không có trong danh mục (có phải “TPKT”?)" in err
    assert "quy2.csv: dòng 5, cột value: Giá trị -3 nhỏ hơn mức tối thiểu 0 của chỉ tiêu" in err
    before.assert_same(snapshot(store))


def test_ingest_in_english(capsys, duck_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "q2.csv"
    bad.write_bytes(BAD)
    code, _, err = run_cli(capsys, "ingest", "--db", duck_url, "--lang", "en", str(bad))
    assert code == 1
    assert "Rejected q2.csv: problems found: 2; nothing was written." in err
    assert "q2.csv: line 5, column value: Value -3 is below the indicator's minimum 0" in err


def test_ingest_of_several_files_loads_the_good_and_exits_1_for_the_bad(capsys, duck_url: str,
                                                                       tmp_path: Path) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(GOOD)
    bad.write_bytes(BAD)
    code, out, err = run_cli(capsys, "ingest", "--db", duck_url, str(bad), str(good))
    assert code == 1
    assert "Từ chối bad.csv" in err and "Đã nạp good.csv: 3 số liệu mới" in out
    assert snapshot(Store(duck_url)).n_submissions == 3


def test_ingest_of_a_missing_file_exits_1(capsys, duck_url: str, tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "ingest", "--db", duck_url, str(tmp_path / "khong-co.csv"))
    assert code == 1 and "khong-co.csv" in err


def test_ingest_dry_run_writes_nothing(capsys, duck_url: str, tmp_path: Path) -> None:
    path = tmp_path / "quy1.csv"
    path.write_bytes(GOOD)
    assert run_cli(capsys, "init", "--db", duck_url)[0] == 0
    before = snapshot(Store(duck_url))
    code, out, err = run_cli(capsys, "ingest", "--db", duck_url, "--dry-run", str(path))
    assert code == 0, err
    assert "Chạy thử quy1.csv: 3 mới, 0 sửa, 0 không đổi; chưa ghi gì." in out
    before.assert_same(snapshot(Store(duck_url)))


def test_ingest_while_the_database_is_busy_exits_75_in_the_chosen_language(capsys, duck_url: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_cli(capsys, "init", "--db", duck_url)[0] == 0
    path = tmp_path / "quy1.csv"
    path.write_bytes(GOOD)
    monkeypatch.setattr(kpi.store, "BUSY_RETRY_SECONDS", 0.3)
    holder = hold_duckdb_file(duck_path(duck_url), 30)
    try:
        code, _, err = run_cli(capsys, "ingest", "--db", duck_url, str(path))
    finally:
        holder.kill()
        holder.wait()
    # 75 (EX_TEMPFAIL: try again), never 1, which means "file rejected"; the message follows --lang (vi here).
    assert code == 75 and "kpi: Cơ sở dữ liệu đang bận" in err
    assert snapshot(Store(duck_url)).n_uploads == 0


def test_a_broken_plan_folder_exits_2_naming_the_file(capsys, duck_url: str, tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "2024.toml").write_text("[plan]\nyear = 2024\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "init", "--db", duck_url, "--plans", str(plans))
    assert code == 2 and str(plans / "2024.toml") in err and "baseline_year" in err


def test_the_installed_console_script_runs(duck_url: str, tmp_path: Path) -> None:
    kpi_command = shutil.which("kpi")
    assert kpi_command, "the kpi console script is not installed (pip install -e .)"
    path = tmp_path / "quy1.csv"
    path.write_bytes(GOOD)
    loaded = subprocess.run([kpi_command, "ingest", "--db", duck_url, "--lang", "en", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    assert "Loaded quy1.csv: 3 new" in loaded.stdout
    shown = subprocess.run([kpi_command, "scorecard", "--db", duck_url, "--format", "json"],
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    rows = {r["indicator"]: r for r in json.loads(shown.stdout)}
    assert rows["budget_revenue"]["period"] == "2024-Q1"
    assert rows["budget_revenue"]["actual"] == 1032.6
    usage = subprocess.run([kpi_command, "scorecard", "--db", duck_url, "--period", "2024-Q9"],
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2
