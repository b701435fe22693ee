"""Reporting completeness: due dates, the reports expected from each unit, and on the sample data exactly the
reports an analyst has to chase (Kon Rẫy's missing third quarter, Đắk Glei's late one)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from kpi.bootstrap import open_store
from kpi.completeness import completeness, counts_below, due_date, expected_reports, missing_list
from kpi.plan import Plan
from kpi.revisions import undo_upload
from kpi.sample import load_sample
from kpi.store import Store, receipts, uploads

LOCALITIES = ["TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH", "TMR", "IHD"]
OFFICES = ["VP", "TTS", "KHTC", "QLHT", "QLVT", "QLCL", "BQLDA", "TTDK"]
FROM_LOCALITIES = ["new_rural_communes", "tourist_arrivals", "traffic_accidents", "traffic_deaths", "traffic_injuries"]
FROM_PROVINCE = ["grdp_growth", "grdp_per_capita", "budget_revenue", "trained_labour_rate", "vocational_trained_rate"]
INDICES = ["pci_rank", "papi_rank", "par_index_rank", "sipas_rank"]
AFTER_THE_REVIEW = date(2024, 11, 20)  # a day after everything in the sample arrived


def _pairs(frame: pd.DataFrame) -> set[tuple[str, str, str]]:
    return set(zip(frame["unit"], frame["indicator"], frame["period"]))


# --- due dates ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("quarter", "due"),
    [(1, date(2024, 4, 15)), (2, date(2024, 7, 15)), (3, date(2024, 10, 15)), (4, date(2025, 1, 15)),
     (0, date(2025, 1, 15))],
)
def test_a_report_is_due_fifteen_days_after_its_period(quarter: int, due: date) -> None:
    assert due_date(2024, quarter, 15) == due


def test_due_date_counts_from_the_true_last_day_of_the_quarter() -> None:
    assert due_date(2024, 1, 0) == date(2024, 3, 31)
    assert due_date(2024, 2, 0) == date(2024, 6, 30)
    assert due_date(2024, 3, 0) == date(2024, 9, 30)
    assert due_date(2024, 4, 0) == date(2024, 12, 31)
    assert due_date(2023, 1, 30) == date(2023, 4, 30)  # 31 March + 30 days
    assert due_date(2024, 2, 45) == date(2024, 8, 14)  # 30 June + 45 days, across July's 31 days


# --- what is expected from whom ----------------------------------------------------------------------------------

def test_expected_reports_through_the_third_quarter(plan: Plan) -> None:
    expected = expected_reports(plan, 3)
    assert len(expected) == (10 * 5 + 8 + 5) * 3  # 189 reports by the nine-month review
    for code in FROM_LOCALITIES:
        rows = expected[expected["indicator"] == code]
        # Rolled-up flows come from the ten localities only, never from the province that sums them.
        assert sorted(set(rows["unit"])) == sorted(LOCALITIES), code
        assert sorted(set(rows["period"])) == ["2024-Q1", "2024-Q2", "2024-Q3"], code
        assert len(rows) == 30, code
    satisfaction = expected[expected["indicator"] == "admin_satisfaction"]
    assert sorted(set(satisfaction["unit"])) == sorted(OFFICES) and len(satisfaction) == 24
    for code in FROM_PROVINCE:
        assert set(expected.loc[expected["indicator"] == code, "unit"]) == {"KT"}, code
    # The year-end poverty survey is not expected during the year; published indices are never expected.
    assert not set(expected["indicator"]) & {"poverty_rate_reduction", *INDICES}
    assert set(expected["quarter"]) == {1, 2, 3}


def test_expected_reports_in_the_first_quarter(plan: Plan) -> None:
    expected = expected_reports(plan, 1)
    assert len(expected) == 63
    assert set(expected["period"]) == {"2024-Q1"}


def test_poverty_is_expected_once_when_the_year_is_over(plan: Plan) -> None:
    expected = expected_reports(plan, 4)
    poverty = expected[expected["indicator"] == "poverty_rate_reduction"]
    assert sorted(poverty["unit"]) == sorted(["KT", *LOCALITIES])
    assert set(poverty["period"]) == {"2024"} and set(poverty["quarter"]) == {0}
    assert len(expected) == 63 * 4 + 11
    assert not set(expected["indicator"]) & set(INDICES)
    assert not (expected["unit"].isin(["SGTVT"])).any()


# --- states on hand-made receipts --------------------------------------------------------------------------------

def _receipts(*rows: tuple[str, str, str, datetime]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unit", "indicator", "period", "received"])


def test_a_report_on_its_due_date_is_on_time_and_a_day_later_is_late(plan: Plan) -> None:
    received = _receipts(("VP", "admin_satisfaction", "2024-Q1", datetime(2024, 4, 15, 16, 30)),
                         ("TTS", "admin_satisfaction", "2024-Q1", datetime(2024, 4, 16, 8, 5)),
                         ("KHTC", "admin_satisfaction", "2024-Q1", datetime(2024, 3, 28, 9, 0)))
    report = completeness(plan, received, 1, today=date(2024, 5, 2)).set_index(["unit", "indicator"])
    assert report.loc[("VP", "admin_satisfaction"), "state"] == "on_time"
    assert pd.isna(report.loc[("VP", "admin_satisfaction"), "days_late"])
    assert report.loc[("TTS", "admin_satisfaction"), "state"] == "late"
    assert report.loc[("TTS", "admin_satisfaction"), "days_late"] == 1
    assert report.loc[("KHTC", "admin_satisfaction"), "state"] == "on_time"  # early is on time
    assert report.loc[("QLHT", "admin_satisfaction"), "state"] == "missing"
    assert (report["state"] == "missing").sum() == 60


def test_an_unsent_report_is_not_due_until_the_day_after_its_due_date(plan: Plan) -> None:
    nothing = _receipts()
    on_due_day = completeness(plan, nothing, 1, today=date(2024, 4, 15))
    assert set(on_due_day["state"]) == {"not_due"}
    day_after = completeness(plan, nothing, 1, today=date(2024, 4, 16))
    assert set(day_after["state"]) == {"missing"}
    assert missing_list(on_due_day).empty
    assert len(missing_list(day_after)) == 63


# --- the sample data in a DuckDB database ------------------------------------------------------------------------

def _sample_store(path) -> tuple[Store, dict[int, Plan]]:
    store, plans = open_store(f"duckdb:///{path / 'kpi.duckdb'}")
    load_sample(store, plans)
    return store, plans


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict[int, Plan]]:
    """The sample loaded once, for the tests that only read it."""
    return _sample_store(tmp_path_factory.mktemp("completeness"))


def _report(store: Store, plan: Plan, through: int, today: date) -> pd.DataFrame:
    with store.connect() as conn:
        received = receipts(conn, plan.year)
    return completeness(plan, received, through, today=today)


def test_sample_missing_and_late_reports_through_the_third_quarter(sample) -> None:
    store, plans = sample
    plan = plans[2024]
    report = _report(store, plan, 3, AFTER_THE_REVIEW)
    assert len(report) == 189
    missing = report[report["state"] == "missing"]
    assert _pairs(missing) == {("KRA", code, "2024-Q3") for code in FROM_LOCALITIES}
    late = report[report["state"] == "late"]
    assert _pairs(late) == {("DGL", code, "2024-Q3") for code in FROM_LOCALITIES}
    assert set(late["days_late"]) == {14}
    assert {pd.Timestamp(r).date() for r in late["received"]} == {date(2024, 10, 29)}
    on_time = report[report["state"] == "on_time"]
    assert len(on_time) == 179
    assert on_time["days_late"].isna().all()
    assert report["state"].value_counts().to_dict() == {"on_time": 179, "late": 5, "missing": 5}


def test_a_revised_figure_keeps_the_date_it_first_arrived(sample) -> None:
    store, plans = sample
    report = _report(store, plans[2024], 3, AFTER_THE_REVIEW).set_index(["unit", "indicator", "period"])
    # The city's second-quarter arrivals came on 10 July and were corrected on 4 November: still on time.
    city = report.loc[("TPKT", "tourist_arrivals", "2024-Q2")]
    assert city["state"] == "on_time"
    assert pd.Timestamp(city["received"]).date() == date(2024, 7, 10)


def test_sample_chase_list_puts_the_missing_reports_first(sample) -> None:
    store, plans = sample
    todo = missing_list(_report(store, plans[2024], 3, AFTER_THE_REVIEW))
    assert list(todo["state"]) == ["missing"] * 5 + ["late"] * 5
    assert list(todo["unit"]) == ["KRA"] * 5 + ["DGL"] * 5
    assert list(todo["indicator"][:5]) == sorted(FROM_LOCALITIES)
    assert set(todo["due"]) == {date(2024, 10, 15)}


def test_sample_before_the_due_date_kon_ray_is_not_yet_due(sample) -> None:
    store, plans = sample
    report = _report(store, plans[2024], 3, date(2024, 10, 12))
    kra = report[(report["unit"] == "KRA") & (report["period"] == "2024-Q3")]
    assert len(kra) == 5 and set(kra["state"]) == {"not_due"}
    assert set(report.loc[report["state"] == "not_due", "unit"]) == {"KRA"}
    assert (report["state"] == "missing").sum() == 0


def test_sample_earlier_quarters_were_all_on_time(sample) -> None:
    store, plans = sample
    report = _report(store, plans[2024], 2, AFTER_THE_REVIEW)
    assert len(report) == 126
    assert set(report["state"]) == {"on_time"}


def test_sample_at_year_end_everything_unsent_is_missing(sample) -> None:
    store, plans = sample
    report = _report(store, plans[2024], 4, date(2025, 2, 1))
    counts = report["state"].value_counts().to_dict()
    # The fourth quarter (63), the year-end poverty survey (11) and Kon Rẫy's third quarter (5).
    assert counts == {"on_time": 179, "missing": 79, "late": 5}
    poverty = report[report["indicator"] == "poverty_rate_reduction"]
    assert set(poverty["state"]) == {"missing"} and set(poverty["due"]) == {date(2025, 1, 15)}


def test_undoing_dak_glei_late_upload_turns_its_reports_into_missing(tmp_path) -> None:
    store, plans = _sample_store(tmp_path)
    plan = plans[2024]
    with store.connect() as conn:
        upload_id = conn.execute(sa.select(uploads.c.id).where(
            uploads.c.file_name == "du-lieu-mau-2024-Q3-DGL.csv")).scalar_one()
    undo_upload(store, upload_id, "test")
    report = _report(store, plan, 3, AFTER_THE_REVIEW)
    missing = report[report["state"] == "missing"]
    assert _pairs(missing) == {(unit, code, "2024-Q3") for unit in ("KRA", "DGL") for code in FROM_LOCALITIES}
    assert (report["state"] == "late").sum() == 0
    assert (report["state"] == "on_time").sum() == 179


def test_a_cumulative_figure_reports_the_quarters_it_covers(plan: Plan) -> None:
    # TPKT sent arrivals for "6 tháng đầu năm" on 10 July (due 15 July for Q2, 15 April for Q1) and Q3 alone on
    # 12 October; DHA sent the 9 months on 20 October (Q3 due 15 October: 5 days late; Q1 and Q2 later still).
    received = pd.DataFrame([
        ("TPKT", "tourist_arrivals", "2024-H1", 2, datetime(2024, 7, 10, 3)),
        ("TPKT", "tourist_arrivals", "2024-Q3", 3, datetime(2024, 10, 12, 3)),
        ("DHA", "tourist_arrivals", "2024-9M", 3, datetime(2024, 10, 20, 3)),
    ], columns=["unit", "indicator", "period", "quarter", "received"])
    report = completeness(plan, received, 3, today=date(2024, 11, 1))
    arrivals = report[(report["indicator"] == "tourist_arrivals") & report["unit"].isin(["TPKT", "DHA"])]
    state = {(u, p): (s, d) for u, p, s, d in arrivals[["unit", "period", "state", "days_late"]].itertuples(
        index=False)}
    assert state[("TPKT", "2024-Q1")] == ("late", 86)  # 15 April → 10 July
    assert state[("TPKT", "2024-Q2")][0] == "on_time"
    assert state[("TPKT", "2024-Q3")][0] == "on_time"
    assert state[("DHA", "2024-Q3")] == ("late", 5)
    assert {state[("DHA", f"2024-Q{q}")][0] for q in (1, 2)} == {"late"}
    assert "missing" not in {s for s, _ in state.values()}


def test_counts_below_a_unit_add_up_each_child_s_whole_subtree(plan: Plan) -> None:
    # Reports made up by hand on the shipped tree: KT's own (one on time), SGTVT's offices VP and QLHT (two on
    # time, one late), the localities DHA (one missing) and KRA (one not due). Counted for KT: itself, SGTVT (its
    # offices' three), DHA and KRA; TPKT and the others sent nothing and are left out.
    report = pd.DataFrame({"unit": ["KT", "VP", "QLHT", "QLHT", "DHA", "KRA"],
                           "state": ["on_time", "on_time", "on_time", "late", "missing", "not_due"]})
    counts = counts_below(report, plan, "KT").set_index("unit")
    assert list(counts.index) == ["KT", "SGTVT", "DHA", "KRA"]
    assert list(counts.columns) == ["on_time", "late", "missing", "not_due"]
    assert counts.loc["SGTVT"].tolist() == [2, 1, 0, 0]
    assert counts.loc["DHA"].tolist() == [0, 0, 1, 0] and counts.loc["KRA"].tolist() == [0, 0, 0, 1]
    # From SGTVT: its offices one by one; the localities' reports are not under it.
    assert counts_below(report, plan, "SGTVT").set_index("unit").to_dict("index") == {
        "VP": {"on_time": 1, "late": 0, "missing": 0, "not_due": 0},
        "QLHT": {"on_time": 1, "late": 1, "missing": 0, "not_due": 0}}
