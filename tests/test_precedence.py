"""Which figure counts (README, "Which figure counts") and the statuses of issue 9, case by case.

Every expected value is worked out by hand in the comment beside it. `PRECEDENCE` holds one case per cell of the
README's precedence table; the year view and the Q4 view are checked to agree on every case.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpi.bootstrap import open_store
from kpi.evaluate import evaluate
from kpi.ingest import ingest_bytes
from kpi.plan import Plan
from kpi.scorecard import display_table, load_scorecard
from kpi.spans import best_figures
from kpi.wording import attainment_text, row_status
from tests.test_evaluate import with_indicator

_CODES = {"H1": 2, "9M": 3}


def figures(*rows: tuple) -> pd.DataFrame:
    """Rows of (unit, indicator, period, value[, estimate]) as store.current_figures returns them."""
    records = []
    for unit, indicator, period, value, *rest in rows:
        part = period[5:]
        quarter = 0 if len(period) == 4 else _CODES.get(part) or int(part[1])
        records.append({"unit": unit, "indicator": indicator, "period": period, "year": int(period[:4]),
                        "quarter": quarter, "value": float(value), "qualifier": None, "note": None,
                        "estimate": bool(rest and rest[0])})
    return pd.DataFrame(records, columns=["unit", "indicator", "period", "year", "quarter", "value", "qualifier",
                                          "note", "estimate"])


def row(plan: Plan, data: pd.DataFrame, period: str, indicator: str, unit: str = "KT") -> dict:
    result = evaluate(plan, data, period, [unit])
    match = result[(result["indicator"] == indicator) & (result["unit"] == unit)]
    assert len(match) == 1
    return match.iloc[0].to_dict()


def quarters(unit: str, indicator: str, values: list[float], year: int = 2024, estimate: bool = False) -> list:
    return [(unit, indicator, f"{year}-Q{q}", v, estimate) for q, v in enumerate(values, 1)]


LOCALITIES = ["TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH", "TMR", "IHD"]

# (case, rows, indicator, unit, expected value through Q4, estimate, complete, source)
PRECEDENCE = [
    # 1. Official before estimate: four official quarters 380.000 + 420.000 + 465.000 + 450.000 = 1.715.000 beat
    #    an estimated year of 1.690.000.
    ("official quarters beat an estimated year",
     [*quarters("KT", "tourist_arrivals", [380_000, 420_000, 465_000, 450_000]),
      ("KT", "tourist_arrivals", "2024", 1_690_000, True)], "tourist_arrivals", "KT", 1_715_000, False, True, "own"),
    # 2. Estimates fill what official figures do not cover: three official quarters and an estimated year, so
    #    the estimated year (1.690.000) is the answer, marked as an estimate.
    ("an estimated year fills a year official figures do not cover",
     [*quarters("KT", "tourist_arrivals", [380_000, 420_000, 465_000]),
      ("KT", "tourist_arrivals", "2024", 1_690_000, True)], "tourist_arrivals", "KT", 1_690_000, True, True, "own"),
    # 3. The unit's own year figure before the sum of its quarters: 4.425, not 1.000 + 1.150 + 1.200 + 1.250.
    ("a year figure beats the sum of the quarters",
     [*quarters("KT", "budget_revenue", [1000, 1150, 1200, 1250]), ("KT", "budget_revenue", "2024", 4425)],
     "budget_revenue", "KT", 4425, False, True, "own"),
    # 4. The latest cumulative figure, then the quarters after it: 9 months 3.300 + Q4 1.250 = 4.550 (Q1 and Q2,
    #    inside the 9 months, do not count again).
    ("the latest cumulative figure plus the quarters after it",
     [("KT", "budget_revenue", "2024-Q1", 1000), ("KT", "budget_revenue", "2024-H1", 2150),
      ("KT", "budget_revenue", "2024-9M", 3300), ("KT", "budget_revenue", "2024-Q4", 1250)],
     "budget_revenue", "KT", 4550, False, True, "own"),
    # 5. An estimate in the quarters makes the answer an estimate: 6 months 2.150 official + Q3 1.150 estimated
    #    + Q4 1.250 estimated = 4.550, estimate.
    ("official cumulative plus estimated quarters",
     [("KT", "budget_revenue", "2024-H1", 2150), ("KT", "budget_revenue", "2024-Q3", 1150, True),
      ("KT", "budget_revenue", "2024-Q4", 1250, True)], "budget_revenue", "KT", 4550, True, True, "own"),
    # 6. A level: the year figure before the fourth quarter's (GRDP growth 8,2, not 10,1).
    ("a level's year figure beats its fourth quarter",
     [*quarters("KT", "grdp_growth", [6.5, 7.1, 7.8, 10.1]), ("KT", "grdp_growth", "2024", 8.2)],
     "grdp_growth", "KT", 8.2, False, True, "own"),
    # 7. A level without a figure at the span's end: the latest earlier one (7,8 from Q3), incomplete.
    ("a level without its last quarter is incomplete",
     quarters("KT", "grdp_growth", [6.5, 7.1, 7.8]), "grdp_growth", "KT", 7.8, False, False, "own"),
    # 8. A parent's own figures before any roll-up: KT's four quarters (1.715.000) beat TPKT's year (900.000).
    ("a parent's own figures beat its children's",
     [*quarters("KT", "tourist_arrivals", [380_000, 420_000, 465_000, 450_000]),
      ("TPKT", "tourist_arrivals", "2024", 900_000)], "tourist_arrivals", "KT", 1_715_000, False, True, "own"),
    # 9. A roll-up combines each child's own best figure: TPKT's year 900.000 + DHA's quarters 4 × 250.000 +
    #    the other eight localities' years of 10.000 each = 1.980.000, complete.
    ("a roll-up of mixed grains",
     [("TPKT", "tourist_arrivals", "2024", 900_000), *quarters("DHA", "tourist_arrivals", [250_000] * 4),
      *[(u, "tourist_arrivals", "2024", 10_000) for u in LOCALITIES[2:]]],
     "tourist_arrivals", "KT", 1_980_000, False, True, "rollup"),
    # 10. A roll-up that lacks a reporting child is incomplete: TPKT 900.000 + DHA 1.000.000 = 1.900.000 with
    #     eight localities missing.
    ("a roll-up lacking a child",
     [("TPKT", "tourist_arrivals", "2024", 900_000), *quarters("DHA", "tourist_arrivals", [250_000] * 4)],
     "tourist_arrivals", "KT", 1_900_000, False, False, "rollup"),
    # 11. A parent whose own figures do not cover the span takes a complete roll-up: KT sent Q1 only (380.000);
    #     the ten localities' years of 170.000 each make 1.700.000, complete.
    ("a complete roll-up beats a parent's incomplete own figures",
     [("KT", "tourist_arrivals", "2024-Q1", 380_000), *[(u, "tourist_arrivals", "2024", 170_000) for u in LOCALITIES]],
     "tourist_arrivals", "KT", 1_700_000, False, True, "rollup"),
    # 12. Official before estimate comes first of all: KT's own "ước cả năm" (1.705.000, an estimate) gives way to
    #     the ten localities' official years (147.000 each = 1.470.000), complete and official.
    ("a complete official roll-up beats a parent's own estimate",
     [("KT", "tourist_arrivals", "2024", 1_705_000, True),
      *[(u, "tourist_arrivals", "2024", 147_000) for u in LOCALITIES]],
     "tourist_arrivals", "KT", 1_470_000, False, True, "rollup"),
    # 13. ...but not an incomplete roll-up: with IHD silent the localities cover 9 × 147.000 = 1.323.000 only, so
    #     KT's own estimate (1.705.000) stands.
    ("a parent's own estimate beats an incomplete roll-up",
     [("KT", "tourist_arrivals", "2024", 1_705_000, True),
      *[(u, "tourist_arrivals", "2024", 147_000) for u in LOCALITIES[:-1]]],
     "tourist_arrivals", "KT", 1_705_000, True, True, "own"),
    # 14. ...nor a roll-up that is itself an estimate: nine official years and IHD's estimated 147.000 make an
    #     estimated 1.470.000, and between two estimates the parent's own (1.705.000) comes first.
    ("a parent's own estimate beats an estimated roll-up",
     [("KT", "tourist_arrivals", "2024", 1_705_000, True),
      *[(u, "tourist_arrivals", "2024", 147_000) for u in LOCALITIES[:-1]],
      ("IHD", "tourist_arrivals", "2024", 147_000, True)],
     "tourist_arrivals", "KT", 1_705_000, True, True, "own"),
]


@pytest.mark.parametrize(("case", "rows", "indicator", "unit", "value", "estimate", "complete", "source"),
                         PRECEDENCE, ids=[c[0] for c in PRECEDENCE])
def test_precedence_table(plan: Plan, case: str, rows: list, indicator: str, unit: str, value: float,
                          estimate: bool, complete: bool, source: str) -> None:
    data = figures(*rows)
    best = best_figures(plan, data, 2024, 4).set_index(["unit", "indicator"]).loc[(unit, indicator)]
    assert best["value"] == pytest.approx(value)
    assert bool(best["estimate"]) is estimate
    assert bool(best["complete"]) is complete
    assert best["source"] == source
    # The year view and the Q4 view are the same span: they cannot disagree.
    year, q4 = row(plan, data, "2024", indicator, unit), row(plan, data, "2024-Q4", indicator, unit)
    for column in ("actual", "estimate", "status", "met", "attainment", "complete", "missing"):
        assert _same(year[column], q4[column]), column
    assert year["actual"] == pytest.approx(value)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


# --- the cases the issue lists ---------------------------------------------------------------------------------

def test_year_figure_and_quarters_give_one_verdict(plan: Plan) -> None:
    # GRDP growth: the year's 8,2 counts in both views, below 10: not met.
    data = figures(*quarters("KT", "grdp_growth", [6.5, 7.1, 7.8, 10.1]), ("KT", "grdp_growth", "2024", 8.2))
    for period in ("2024", "2024-Q4"):
        r = row(plan, data, period, "grdp_growth")
        assert (r["actual"], r["status"], r["met"]) == (8.2, "not_met", False)
        assert row_status(r, "vi") == "✖ Không đạt"  # decided, not "behind schedule"


def test_child_year_does_not_replace_parent_quarters(plan: Plan) -> None:
    data = figures(*quarters("KT", "tourist_arrivals", [380_000, 420_000, 465_000, 450_000]),
                   ("TPKT", "tourist_arrivals", "2024", 900_000))
    r = row(plan, data, "2024", "tourist_arrivals")
    assert r["actual"] == 1_715_000 and r["status"] == "achieved"  # 1.715.000 ≥ 1.700.000


def test_pace_counts_a_missing_quarter(plan: Plan) -> None:
    # Only Q2 (1.789) of the first half: 1.789 / (4.600 × 1/2) = 77,8%, and no projection from a half with a gap.
    data = figures(("KT", "budget_revenue", "2024-Q2", 1789))
    r = row(plan, data, "2024-H1", "budget_revenue")
    assert r["pace"] == pytest.approx(1789 / 2300 * 100)
    assert math.isnan(r["projection"])
    assert r["status"] == "incomplete" and r["missing"] == [("KT", "2024-Q1")]


def test_cumulative_sent_as_cumulative_is_not_double_counted(plan: Plan) -> None:
    # 700.000 in Q1 and 1.445.000 to the end of June: the half year is 1.445.000, Q2 alone 745.000.
    data = figures(("KT", "tourist_arrivals", "2024-Q1", 700_000), ("KT", "tourist_arrivals", "2024-H1", 1_445_000))
    r = row(plan, data, "2024-Q2", "tourist_arrivals")
    assert r["actual"] == 1_445_000 and r["period_value"] == 745_000
    assert r["met"] is None  # 1.445.000 < 1.700.000: not achieved at H1


@pytest.mark.parametrize(("indicator", "value", "status"), [
    ("admin_satisfaction", 90.3, "off_track"),  # 95 − 90,3 = 4,7 points short, tolerance 1
    ("grdp_growth", 9.5, "at_risk"),  # 0,5 short, within 1
    ("grdp_per_capita", 63.7, "at_risk"),  # fails "> 63,7" by nothing: not on track, within 1
    ("grdp_per_capita", 63.8, "on_track"),
    ("trained_labour_rate", 58.5, "on_track"),  # "≥ 58,5" met exactly
])
def test_levels_are_on_track_only_at_their_target(plan: Plan, indicator: str, value: float, status: str) -> None:
    assert row(plan, figures(("KT", indicator, "2024-Q2", value)), "2024-Q2", indicator)["status"] == status


def test_flow_on_track_only_when_its_projection_reaches_the_target(plan: Plan) -> None:
    # 9 months 3.300: pace 3.300 / (4.600 × 3/4) = 95,7% (Open SDG's 95% would call it on track) but the
    # projection 3.300 / 0,75 = 4.400 misses 4.600 and the shipped plan's on_track is 100: at risk.
    r = row(plan, figures(("KT", "budget_revenue", "2024-9M", 3300)), "2024-9M", "budget_revenue")
    assert r["pace"] == pytest.approx(3300 / 3450 * 100)
    assert r["projection"] == pytest.approx(4400)
    assert r["status"] == "at_risk"


def test_a_plan_may_set_the_on_track_share_of_the_target(plan: Plan) -> None:
    from kpi.plan import Thresholds

    # The same 9 months under a plan with on_track = 95: the projection 4.400 reaches 95% of 4.600 (4.370), so
    # on track; 3.200 (projection 4.266,7, pace 92,8%) does not, and its pace is over 80%: at risk.
    lenient = plan.model_copy(update={"status": Thresholds(on_track=95, at_risk=80)})
    assert row(lenient, figures(("KT", "budget_revenue", "2024-9M", 3300)), "2024-9M", "budget_revenue")[
        "status"] == "on_track"
    assert row(lenient, figures(("KT", "budget_revenue", "2024-9M", 3200)), "2024-9M", "budget_revenue")[
        "status"] == "at_risk"


def test_a_finished_year_never_projects(plan: Plan) -> None:
    # 1 + 1 + 1 + 1 = 4 new-rural communes of 5: the year is decided, not met, with no projection.
    r = row(plan, figures(*quarters("KT", "new_rural_communes", [1, 1, 1, 1])), "2024", "new_rural_communes")
    assert (r["actual"], r["status"], r["met"]) == (4, "not_met", False)
    assert math.isnan(r["projection"])


def test_fewer_than_last_year_compares_counts_of_the_same_span(plan: Plan) -> None:
    # TPKT accidents: 29 + 33 + 27 = 89 in 2023's first nine months, 30 + 28 + 29 = 87 in 2024's.
    data = figures(*quarters("TPKT", "traffic_accidents", [29, 33, 27, 31], 2023),
                   *quarters("TPKT", "traffic_accidents", [30, 28, 29]))
    r = row(plan, data, "2024-Q3", "traffic_accidents", "TPKT")
    assert r["same_span_last_year"] == 89 and r["status"] == "on_track"
    # Projected on last year's shape: 120 × 87 / 89 = 117,3, under 120 (a straight line would say 116).
    assert r["projection"] == pytest.approx(120 * 87 / 89)
    assert attainment_text(r, plan, "vi") == "87 so với 89 cùng kỳ"  # not "137%"
    # The year view, Q4 still missing: 87 against 2023's whole year, 29 + 33 + 27 + 31 = 120, and incomplete.
    year = row(plan, data, "2024", "traffic_accidents", "TPKT")
    assert attainment_text(year, plan, "vi") == "87 so với 120 năm trước"
    assert year["status"] == "incomplete" and year["missing"] == [("TPKT", "2024-Q4")]


def test_strict_target_met_exactly_says_so(plan: Plan) -> None:
    r = row(plan, figures(("KT", "grdp_per_capita", "2024", 63.7)), "2024", "grdp_per_capita")
    assert r["status"] == "not_met"
    assert attainment_text(r, plan, "vi") == "100% (bằng mục tiêu, cần vượt)"


def test_estimate_verdicts_are_expected(plan: Plan) -> None:
    data = figures(("KT", "budget_revenue", "2024", 4650, True), ("KT", "tourist_arrivals", "2024", 1_690_000, True))
    table = display_table(evaluate(plan, data, "2024", ["KT"]), plan, "vi").set_index("Chỉ tiêu")
    budget, arrivals = table.loc["Thu ngân sách nhà nước trên địa bàn"], table.loc["Lượt khách du lịch đến tỉnh"]
    assert (budget["Thực hiện"], budget["Tình trạng"]) == ("4.650 (ước)", "✔ Dự kiến đạt")
    assert (arrivals["Thực hiện"], arrivals["Tình trạng"]) == ("1.690.000 (ước)", "✖ Dự kiến không đạt")


def test_an_early_verdict_resting_on_gaps_is_marked(plan: Plan) -> None:
    # TPKT 900.000 + DHA 1.000.000 already pass 1.700.000, so met, but eight localities are missing.
    data = figures(("TPKT", "tourist_arrivals", "2024", 900_000), *quarters("DHA", "tourist_arrivals", [250_000] * 4))
    r = row(plan, data, "2024", "tourist_arrivals")
    assert r["status"] == "achieved" and len(r["missing"]) == 8 * 4
    assert row_status(r, "vi") == "✔ Đã đạt ◐"


def test_two_reporters_roll_up_complete(plan: Plan) -> None:
    # With only TPKT and DHA reporting arrivals, their year 900.000 and quarters 4 × 250.000 make 1.900.000.
    two = with_indicator(plan, "tourist_arrivals", reported_by=["TPKT", "DHA"])
    data = figures(("TPKT", "tourist_arrivals", "2024", 900_000), *quarters("DHA", "tourist_arrivals", [250_000] * 4))
    r = row(two, data, "2024", "tourist_arrivals")
    assert (r["actual"], r["complete"], r["status"], r["missing"]) == (1_900_000, True, "achieved", [])


# --- entered as a province reports, against the same figures by quarter ----------------------------------------

HEADER = "Mã đơn vị,Chỉ tiêu,Kỳ báo cáo,Giá trị"
# Budget 1.000 + 1.230,9 + 1.100 + 1.319,1 = 4.650; arrivals 380.000 + 420.000 + 465.000 + 450.000 = 1.715.000;
# GRDP growth at the ends of Q2, Q3 and the year 7,1 / 7,8 / 8,2 (a level's cumulative figure is its value).
BY_QUARTER = "\n".join([HEADER, *[f"KT,budget_revenue,2024-Q{q},\"{v}\"" for q, v in
                                  enumerate(["1.000", "1.230,9", "1.100", "1.319,1"], 1)],
                        *[f"KT,tourist_arrivals,2024-Q{q},\"{v}\"" for q, v in
                          enumerate(["380.000", "420.000", "465.000", "450.000"], 1)],
                        "KT,grdp_growth,2024-Q2,\"7,1\"", "KT,grdp_growth,2024-Q3,\"7,8\"",
                        "KT,grdp_growth,2024-Q4,\"8,2\""]) + "\n"
HALF_YEAR = (f"{HEADER}\nKT,budget_revenue,6 tháng đầu năm 2024,\"2.230,9\"\n"
             "KT,tourist_arrivals,6 tháng đầu năm 2024,\"800.000\"\nKT,grdp_growth,6 tháng đầu năm 2024,\"7,1\"\n")
NINE_MONTHS = (f"{HEADER}\nKT,budget_revenue,Lũy kế quý III/2024,\"3.330,9\"\n"
               "KT,tourist_arrivals,9 tháng 2024,\"1.265.000\"\nKT,grdp_growth,9 tháng 2024,\"7,8\"\n")
ESTIMATE = (f"{HEADER}\nKT,budget_revenue,Ước cả năm 2024,\"4.600\"\n"
            "KT,tourist_arrivals,Ước cả năm 2024,\"1.690.000\"\nKT,grdp_growth,Ước cả năm 2024,\"8,0\"\n")
OFFICIAL = (f"{HEADER}\nKT,budget_revenue,Năm 2024,\"4.650\"\n"
            "KT,tourist_arrivals,Năm 2024,\"1.715.000\"\nKT,grdp_growth,Năm 2024,\"8,2\"\n")
COMPARED = ["actual", "attainment", "pace", "projection", "status", "met", "estimate", "complete"]


def _views(url: str, plans: dict, files: list[tuple[str, str]]) -> dict[str, pd.DataFrame]:
    store, plans = open_store(url)
    for name, text in files:
        assert ingest_bytes(store, plans, text.encode("utf-8"), name).ok, name
    views = {}
    for period in ("2024-H1", "2024-9M", "2024"):
        _, result = load_scorecard(store, plans, period, ["KT"])
        shown = result[result["indicator"].isin(["budget_revenue", "tourist_arrivals", "grdp_growth"])]
        views[period] = shown.set_index("indicator")[COMPARED]
    store.dispose()
    return views


def test_province_style_reports_match_quarters_in_every_view(db_url: str, plans: dict, tmp_path) -> None:
    by_quarter = _views(f"duckdb:///{tmp_path / 'q.duckdb'}", plans, [("quy.csv", BY_QUARTER)])
    as_reported = _views(db_url, plans, [("6-thang.csv", HALF_YEAR), ("9-thang.csv", NINE_MONTHS),
                                         ("uoc-ca-nam.csv", ESTIMATE), ("chinh-thuc.csv", OFFICIAL)])
    for period in by_quarter:
        pd.testing.assert_frame_equal(as_reported[period], by_quarter[period], check_dtype=False,
                                      obj=f"view {period}")
    # The official year superseded the estimate: 4.650 ≥ 4.600 met, 1.715.000 ≥ 1.700.000 met, 8,2 < 10 not.
    year = as_reported["2024"]
    assert list(year["status"]) == ["not_met", "achieved", "achieved"]
    assert not year["estimate"].any()


def test_while_the_estimate_governs_the_verdict_is_expected(db_url: str, plans: dict) -> None:
    store, plans = open_store(db_url)
    for name, text in [("6-thang.csv", HALF_YEAR), ("uoc-ca-nam.csv", ESTIMATE)]:
        assert ingest_bytes(store, plans, text.encode("utf-8"), name).ok
    _, result = load_scorecard(store, plans, "2024", ["KT"])
    budget = result.set_index("indicator").loc["budget_revenue"].to_dict()
    # Ước cả năm 4.600 ≥ 4.600: expected to be met.
    assert (budget["actual"], budget["estimate"], budget["status"]) == (4600, True, "achieved")
    assert row_status({**budget, "indicator": "budget_revenue"}, "vi") == "✔ Dự kiến đạt"
    done = ingest_bytes(store, plans, OFFICIAL.encode("utf-8"), "chinh-thuc.csv")
    assert done.counts["revised"] == 3  # the official year supersedes each estimate as a revision
    store.dispose()


def test_quarter_charts_mark_estimates(plan: Plan) -> None:
    from kpi.charts import quarter_chart
    from kpi.series import quarter_series

    data = figures(("KT", "grdp_growth", "2024-H1", 7.1), ("KT", "grdp_growth", "2024", 8.0, True),
                   ("KT", "budget_revenue", "2024-H1", 2230.9), ("KT", "budget_revenue", "2024", 4650, True))
    series = quarter_series(plan, data, "KT")
    level = quarter_chart(series, plan, "grdp_growth", "vi").data[0]
    assert list(level.text) == ["7,1", "8 (ước)"]  # Q2 from the half year, the year's estimate at Q4
    flow = [t for t in quarter_chart(series, plan, "budget_revenue", "vi").data if t.name == "Lũy kế từ đầu năm"][0]
    assert flow.customdata[-1].startswith("4.650 (ước)<br>✔ Dự kiến đạt")


def test_the_ranking_names_the_targets_waiting_for_reports(plan: Plan) -> None:
    from kpi.charts import ranking_chart
    from kpi.emulation import emulation_ranking

    # Đắk Tô: accidents 3 against 4 a year before (on track, judged); deaths sent for Q2 only (Q1 missing).
    data = figures(("DTO", "traffic_accidents", "2023-Q1", 4), ("DTO", "traffic_accidents", "2024-Q1", 3),
                   ("DTO", "traffic_deaths", "2023-Q1", 2), ("DTO", "traffic_deaths", "2023-Q2", 2),
                   ("DTO", "traffic_deaths", "2024-Q2", 1))
    ranking = emulation_ranking(evaluate(plan, data, "2024-Q2", ["DTO"]), plan)
    dto = ranking.set_index("unit").loc["DTO"]
    # Q2 view: accidents lack Q2 (incomplete), deaths lack Q1 (incomplete), injuries have no figure at all (Q1 and
    # Q2 missing): nothing judged, three targets waiting.
    assert (dto["judged"], dto["incomplete"], dto["waiting"]) == (
        0, 3, ["traffic_accidents", "traffic_deaths", "traffic_injuries"])
    hover = ranking_chart(ranking, plan, "vi").data[0].customdata[0]
    assert hover.endswith("Chỉ tiêu thiếu số liệu:<br>Số vụ tai nạn giao thông<br>Số người chết do tai nạn giao thông"
                          "<br>Số người bị thương do tai nạn giao thông")


@pytest.mark.parametrize(("case", "rows", "indicator", "unit", "value", "estimate", "complete", "source"),
                         [c for c in PRECEDENCE if "estimate" in c[0] and "roll-up" in c[0]],
                         ids=[c[0] for c in PRECEDENCE if "estimate" in c[0] and "roll-up" in c[0]])
def test_estimates_against_roll_ups_inside_the_database(db_url: str, case: str, rows: list, indicator: str,
                                                        unit: str, value: float, estimate: bool, complete: bool,
                                                        source: str) -> None:
    # The same cases through an upload and the query of kpi/spans_sql.py, on both databases: an estimated year is
    # sent as "Ước cả năm 2024".
    lines = [f"{u},{i},{'Ước cả năm' if rest and rest[0] else 'Năm'} {period},{int(v)}"
             for u, i, period, v, *rest in rows]
    store, plans = open_store(db_url)
    assert ingest_bytes(store, plans, (HEADER + "\n" + "\n".join(lines) + "\n").encode("utf-8"), "nam.csv").ok
    _, result = load_scorecard(store, plans, "2024", [unit])
    store.dispose()
    answer = result.set_index("indicator").loc[indicator]
    assert (answer["actual"], bool(answer["estimate"]), bool(answer["complete"]), answer["source"]) == (
        pytest.approx(value), estimate, complete, source)


# --- the reports a level's span needs ----------------------------------------------------------------------------

def test_a_level_misses_only_the_figure_that_ends_its_span(plan: Plan) -> None:
    # TTDK sent its satisfaction for Q2 only. The year's answer of a level is the figure that ends at Q4, so Q4
    # is the one report the year lacks (Q3 changes nothing once Q4 is in); the half year is complete with Q2.
    data = figures(("TTDK", "admin_satisfaction", "2024-Q2", 96.5))
    year = row(plan, data, "2024", "admin_satisfaction", "TTDK")
    assert (year["actual"], year["status"], year["missing"]) == (96.5, "incomplete", [("TTDK", "2024-Q4")])
    half = row(plan, data, "2024-H1", "admin_satisfaction", "TTDK")
    assert (half["complete"], half["missing"]) == (True, [])


def test_a_level_with_nothing_owes_its_last_quarter_a_flow_every_quarter(plan: Plan) -> None:
    # Nothing sent at all: KT owes GRDP per capita (a level) for Q2 alone at the half year, and budget revenue
    # (a flow) for Q1 and Q2.
    data = figures(("TPKT", "tourist_arrivals", "2024-Q1", 1))
    level = row(plan, data, "2024-H1", "grdp_per_capita")
    flow = row(plan, data, "2024-H1", "budget_revenue")
    assert level["missing"] == [("KT", "2024-Q2")]
    assert flow["missing"] == [("KT", "2024-Q1"), ("KT", "2024-Q2")]


def test_a_level_roll_up_waits_for_each_silent_child_s_last_quarter(plan: Plan) -> None:
    # Seven offices sent satisfaction for Q2; TTDK sent nothing. The department's lowest-of-the-offices at the
    # half year lacks TTDK's Q2 only (a level needs the figure ending at Q2), not its Q1 as well.
    offices = ["VP", "TTS", "KHTC", "QLHT", "QLVT", "QLCL", "BQLDA"]
    data = figures(*[(u, "admin_satisfaction", "2024-Q2", 95 + n / 10) for n, u in enumerate(offices)])
    sgtvt = row(plan, data, "2024-H1", "admin_satisfaction", "SGTVT")
    assert (sgtvt["actual"], sgtvt["complete"], sgtvt["missing"]) == (95.0, False, [("TTDK", "2024-Q2")])
