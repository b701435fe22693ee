"""Evaluation against targets: every kind and edge of DOMAIN.md, on small tables one can check by eye."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpi.evaluate import evaluate
from kpi.plan import Plan
from kpi.spans import best_figures


def figures(*rows: tuple) -> pd.DataFrame:
    """Rows of (unit, indicator, period, value[, qualifier]) as store.current_figures would return them."""
    records = []
    for row in rows:
        unit, indicator, period, value = row[:4]
        qualifier = row[4] if len(row) > 4 else None
        year = int(period[:4])
        quarter = int(period[-1]) if "-Q" in period else 0
        records.append({"unit": unit, "indicator": indicator, "period": period, "year": year, "quarter": quarter,
                        "value": float(value), "qualifier": qualifier})
    return pd.DataFrame(records, columns=["unit", "indicator", "period", "year", "quarter", "value", "qualifier"])


def row(plan: Plan, data: pd.DataFrame, period: str, indicator: str, unit: str = "KT") -> dict:
    result = evaluate(plan, data, period, [unit])
    match = result[(result["indicator"] == indicator) & (result["unit"] == unit)]
    assert len(match) == 1, f"no single row for {indicator}/{unit}"
    return match.iloc[0].to_dict()


def with_indicator(plan: Plan, code: str, **changes: object) -> Plan:
    """A copy of `plan` whose indicator `code` has `changes` (e.g. a zero target)."""
    indicators = [i.model_copy(update=changes) if i.code == code else i for i in plan.indicators]
    return plan.model_copy(update={"indicators": indicators})


# --- at_least / more_than -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "met", "status"),
    [(63.7, False, "not_met"), (63.8, True, "achieved"), (70.0, True, "achieved")],
)
def test_more_than_is_strict_at_equality(plan: Plan, value: float, met: bool, status: str) -> None:
    r = row(plan, figures(("KT", "grdp_per_capita", "2024", value)), "2024", "grdp_per_capita")
    assert r["met"] is met
    assert r["status"] == status
    assert r["target"] == 63.7


@pytest.mark.parametrize(("value", "met"), [(10.0, True), (9.99, False)])
def test_at_least_meets_at_equality(plan: Plan, value: float, met: bool) -> None:
    r = row(plan, figures(("KT", "grdp_growth", "2024", value)), "2024", "grdp_growth")
    assert r["met"] is met
    assert r["attainment"] == pytest.approx(value * 10)
    assert r["gap"] == pytest.approx(value - 10)


def test_level_indicator_uses_latest_quarter_and_judges_pace_on_level(plan: Plan) -> None:
    data = figures(("KT", "trained_labour_rate", "2024-Q1", 55.0), ("KT", "trained_labour_rate", "2024-Q2", 57.33))
    r = row(plan, data, "2024-Q2", "trained_labour_rate")
    assert r["actual"] == 57.33
    assert r["attainment"] == pytest.approx(57.33 / 58.5 * 100)  # 98.0%
    # A level is on track only at its target; 58.5 − 57.33 = 1.17 points short is beyond the plan's 1-point
    # tolerance, so off track (the old ratio rule said on track at 98%).
    assert r["status"] == "off_track"
    assert r["met"] is None  # a quarter does not decide the year
    q1 = row(plan, data, "2024-Q1", "trained_labour_rate")
    assert q1["actual"] == 55.0
    assert q1["status"] == "off_track"  # 3.5 points short of 58.5


def test_level_indicator_below_at_risk_threshold_is_off_track(plan: Plan) -> None:
    r = row(plan, figures(("KT", "vocational_trained_rate", "2024-Q2", 30.0)), "2024-Q2", "vocational_trained_rate")
    assert r["pace"] == pytest.approx(30 / 43 * 100)  # 69.8%
    assert r["status"] == "off_track"


# --- flow: pace, projection, profile, annual figure -----------------------------------------------------------

def test_flow_pace_and_projection_with_even_quarters(plan: Plan) -> None:
    data = figures(("KT", "budget_revenue", "2024-Q1", 1000.0), ("KT", "budget_revenue", "2024-Q2", 1070.0))
    r = row(plan, data, "2024-Q2", "budget_revenue")
    assert r["actual"] == 2070.0
    assert r["pace"] == pytest.approx(2070 / (4600 * 0.5) * 100)  # 90%
    assert r["projection"] == pytest.approx(4140.0)
    assert r["status"] == "at_risk"
    assert r["attainment"] == pytest.approx(2070 / 4600 * 100)
    assert r["expected"] == pytest.approx(50.0)
    assert r["period_value"] == 1070.0


def test_flow_pace_follows_the_quarter_profile(plan: Plan) -> None:
    # Tourism's profile expects 24% of the year in Q1: 408,000 arrivals is exactly on pace.
    r = row(plan, figures(("KT", "tourist_arrivals", "2024-Q1", 408_000)), "2024-Q1", "tourist_arrivals")
    assert r["pace"] == pytest.approx(100.0)
    assert r["projection"] == pytest.approx(1_700_000)
    assert r["status"] == "on_track"


def test_annual_figure_wins_over_quarters(plan: Plan) -> None:
    data = figures(*(("KT", "budget_revenue", f"2024-Q{q}", 1000.0) for q in (1, 2, 3, 4)),
                   ("KT", "budget_revenue", "2024", 4712.5))
    r = row(plan, data, "2024", "budget_revenue")
    assert r["actual"] == 4712.5
    assert r["met"] is True
    assert r["status"] == "achieved"


def test_full_year_from_four_quarters_decides_the_verdict(plan: Plan) -> None:
    data = figures(*(("KT", "budget_revenue", f"2024-Q{q}", 1100.0) for q in (1, 2, 3, 4)))
    r = row(plan, data, "2024", "budget_revenue")
    assert r["actual"] == 4400.0
    assert r["complete"]
    assert r["met"] is False
    assert r["status"] == "not_met"


def test_incomplete_year_is_not_decided(plan: Plan) -> None:
    data = figures(*(("KT", "budget_revenue", f"2024-Q{q}", 1100.0) for q in (1, 2, 3)))
    r = row(plan, data, "2024", "budget_revenue")
    assert r["met"] is None
    assert not r["complete"]
    # The year view covers four quarters: 3,300 against the whole 4,600 (71.7%), Q4 named as missing, and no
    # projection for a span that reaches the year's end.
    assert r["pace"] == pytest.approx(3300 / 4600 * 100)
    assert r["status"] == "incomplete"
    assert r["missing"] == [("KT", "2024-Q4")]
    assert math.isnan(r["projection"])


def test_flow_reached_early_is_met_before_year_end(plan: Plan) -> None:
    data = figures(("KT", "new_rural_communes", "2024-Q1", 2), ("KT", "new_rural_communes", "2024-Q2", 3))
    r = row(plan, data, "2024-Q2", "new_rural_communes")
    assert r["met"] is True
    assert r["status"] == "achieved"


def test_cumulative_views_h1_and_9m(plan: Plan) -> None:
    data = figures(*(("KT", "budget_revenue", f"2024-Q{q}", v) for q, v in ((1, 1000), (2, 1100), (3, 1200))))
    assert row(plan, data, "2024-H1", "budget_revenue")["actual"] == 2100
    nine = row(plan, data, "2024-9M", "budget_revenue")
    assert nine["actual"] == 3300
    assert math.isnan(nine["period_value"])  # a view is not a stored period


# --- rank_gain ------------------------------------------------------------------------------------------------

def test_rank_gain_met_and_target_rank(plan: Plan) -> None:
    data = figures(("KT", "papi_rank", "2023", 43), ("KT", "papi_rank", "2024", 37))
    r = row(plan, data, "2024", "papi_rank")
    assert r["target"] == 38  # 43 − 5
    assert r["gap"] == 1  # gained 6 places, one more than needed
    assert r["attainment"] == pytest.approx(120.0)
    assert r["met"] is True


def test_rank_that_falls_gives_negative_gain(plan: Plan) -> None:
    data = figures(("KT", "papi_rank", "2023", 43), ("KT", "papi_rank", "2024", 45))
    r = row(plan, data, "2024", "papi_rank")
    assert r["gap"] == -7  # gain −2 against the 5 needed
    assert r["attainment"] == pytest.approx(-40.0)
    assert r["met"] is False
    assert r["status"] == "not_met"


def test_censored_baseline_with_clear_gain_is_met(plan: Plan) -> None:
    # 2023 ">30" means ranked 31st or worse; 24th in 2024 gains at least 7 places.
    data = figures(("KT", "pci_rank", "2023", 30, ">"), ("KT", "pci_rank", "2024", 24))
    r = row(plan, data, "2024", "pci_rank")
    assert r["met"] is True
    # What is known of the target: a rank of 26 or better surely meets it (31 − 5 = 26).
    assert r["target"] == 26 and r["target_qualifier"] == "≤"
    assert math.isnan(r["gap"])  # the exact gain is unknown


def test_censored_current_rank_that_cannot_decide_is_undetermined(plan: Plan) -> None:
    # 2023 rank 40; 2024 ">30" could be 31st (gain 9) or 40th (gain 0): unknown, not zero.
    data = figures(("KT", "pci_rank", "2023", 40), ("KT", "pci_rank", "2024", 30, ">"))
    r = row(plan, data, "2024", "pci_rank")
    assert r["met"] is None
    assert r["status"] == "undetermined"
    assert math.isnan(r["attainment"])


def test_censored_current_rank_that_cannot_reach_target_is_not_met(plan: Plan) -> None:
    # 2023 rank 33: a 2024 rank of 31st or worse gains at most 2 places.
    data = figures(("KT", "pci_rank", "2023", 33), ("KT", "pci_rank", "2024", 30, ">"))
    r = row(plan, data, "2024", "pci_rank")
    assert r["met"] is False
    assert r["status"] == "not_met"


def test_unpublished_index_is_awaiting_never_no_data(plan: Plan) -> None:
    data = figures(("KT", "sipas_rank", "2023", 41))
    for period in ("2024-Q3", "2024"):
        r = row(plan, data, period, "sipas_rank")
        assert r["status"] == "awaiting"
        assert r["target"] == 36


def test_rank_without_baseline_is_undetermined(plan: Plan) -> None:
    r = row(plan, figures(("KT", "par_index_rank", "2024", 30)), "2024", "par_index_rank")
    assert math.isnan(r["target"])
    assert r["met"] is None
    assert r["status"] == "undetermined"


def test_plan_file_baseline_is_used_when_none_submitted(plan: Plan) -> None:
    changed = with_indicator(plan, "par_index_rank", baselines={"KT": 38})
    r = row(changed, figures(("KT", "par_index_rank", "2024", 31)), "2024", "par_index_rank")
    assert r["baseline"] == 38 and r["target"] == 33
    assert r["met"] is True


def test_submitted_baseline_wins_over_plan_file(plan: Plan) -> None:
    changed = with_indicator(plan, "par_index_rank", baselines={"KT": 38})
    data = figures(("KT", "par_index_rank", "2023", 35), ("KT", "par_index_rank", "2024", 31))
    r = row(changed, data, "2024", "par_index_rank")
    assert r["baseline"] == 35
    assert r["met"] is False  # gained 4


# --- reduce_by (poverty) --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("rate_2024", "met", "stretch_met"),
    [(13.84, True, False), (12.84, True, True), (14.0, False, False)],
)
def test_reduce_by_met_and_stretch(plan: Plan, rate_2024: float, met: bool, stretch_met: bool) -> None:
    data = figures(("KT", "poverty_rate_reduction", "2023", 16.84), ("KT", "poverty_rate_reduction", "2024", rate_2024))
    r = row(plan, data, "2024", "poverty_rate_reduction")
    assert r["actual"] == pytest.approx(16.84 - rate_2024)
    assert r["reported"] == rate_2024
    assert r["met"] is met
    assert r["stretch_met"] is stretch_met


def test_reduce_by_exactly_the_target_counts_despite_float_noise(plan: Plan) -> None:
    data = figures(("KT", "poverty_rate_reduction", "2023", 12.3), ("KT", "poverty_rate_reduction", "2024", 9.3))
    assert row(plan, data, "2024", "poverty_rate_reduction")["met"] is True


def test_reduce_by_without_baseline_is_undetermined(plan: Plan) -> None:
    r = row(plan, figures(("KT", "poverty_rate_reduction", "2024", 13.0)), "2024", "poverty_rate_reduction")
    assert r["status"] == "undetermined"
    assert r["met"] is None


# --- reduce_vs_baseline (accidents) ---------------------------------------------------------------------------

def _accidents(unit: str, y2023: list[int], y2024: list[int]) -> list[tuple]:
    rows = [(unit, "traffic_accidents", f"2023-Q{q}", v) for q, v in enumerate(y2023, 1)]
    return rows + [(unit, "traffic_accidents", f"2024-Q{q}", v) for q, v in enumerate(y2024, 1)]


@pytest.mark.parametrize(("y2024", "met"), [([9, 9, 9, 9], True), ([10, 10, 10, 10], False), ([11, 10, 10, 9], False)])
def test_reduce_vs_baseline_is_strictly_below(plan: Plan, y2024: list[int], met: bool) -> None:
    data = figures(*_accidents("TPKT", [10, 10, 10, 10], y2024))
    r = row(plan, data, "2024", "traffic_accidents", "TPKT")
    assert r["target"] == 40
    assert r["met"] is met


def test_reduce_vs_baseline_already_over_is_decided_early(plan: Plan) -> None:
    data = figures(*_accidents("TPKT", [10, 10, 10, 10], [15, 14, 12]))
    r = row(plan, data, "2024-Q3", "traffic_accidents", "TPKT")
    assert r["met"] is False
    assert r["status"] == "not_met"


def test_reduce_vs_baseline_on_pace(plan: Plan) -> None:
    data = figures(*_accidents("TPKT", [10, 10, 10, 10], [8, 9]))
    r = row(plan, data, "2024-Q2", "traffic_accidents", "TPKT")
    assert r["projection"] == pytest.approx(34.0)
    # Counts, not a percentage: 17 so far against 20 in the first half of 2023 (10 + 10).
    assert math.isnan(r["attainment"])
    assert r["same_span_last_year"] == 20
    assert r["gap"] == 23  # 23 accidents below last year's total so far
    assert r["status"] == "on_track"
    assert r["met"] is None


def test_reduce_vs_baseline_without_baseline_is_undetermined(plan: Plan) -> None:
    data = figures(("TPKT", "traffic_deaths", "2024-Q1", 5))
    r = row(plan, data, "2024-Q1", "traffic_deaths", "TPKT")
    assert r["status"] == "undetermined"


def test_partial_baseline_year_is_not_a_baseline(plan: Plan) -> None:
    data = figures(*_accidents("TPKT", [10, 10, 10], [8]))
    r = row(plan, data, "2024-Q1", "traffic_accidents", "TPKT")
    assert math.isnan(r["baseline"])


# --- zero target, no data, no target --------------------------------------------------------------------------

def test_zero_target_has_no_attainment_but_a_verdict(plan: Plan) -> None:
    zero = with_indicator(plan, "new_rural_communes", target=0)
    data = figures(*(("KT", "new_rural_communes", f"2024-Q{q}", 0) for q in (1, 2, 3, 4)))
    r = row(zero, data, "2024", "new_rural_communes")
    assert math.isnan(r["attainment"])
    assert r["met"] is True
    assert r["status"] == "achieved"


def test_zero_target_mid_year_does_not_divide_by_zero(plan: Plan) -> None:
    zero = with_indicator(plan, "budget_revenue", target=0)
    r = row(zero, figures(("KT", "budget_revenue", "2024-Q1", 0.0)), "2024-Q1", "budget_revenue")
    assert math.isnan(r["pace"])
    assert r["status"] in {"achieved", "on_track"}


def test_no_data(plan: Plan) -> None:
    r = row(plan, figures(), "2024-Q1", "budget_revenue")
    assert r["status"] == "no_data"
    assert r["met"] is None
    assert math.isnan(r["actual"])


def test_scope_unit_gets_all_sixteen_rows_even_when_empty(plan: Plan) -> None:
    result = evaluate(plan, figures(), "2024", ["KT"])
    assert len(result) == 16
    assert set(result["status"]) == {"no_data", "awaiting"}


def test_locality_has_no_share_of_a_province_target(plan: Plan) -> None:
    r = row(plan, figures(("TPKT", "tourist_arrivals", "2024-Q1", 150_000)), "2024-Q1", "tourist_arrivals", "TPKT")
    assert r["status"] == "no_target"
    assert r["actual"] == 150_000


def test_unit_target_from_plan_file(plan: Plan) -> None:
    changed = with_indicator(plan, "tourist_arrivals", unit_targets={"TPKT": 600_000})
    r = row(changed, figures(("TPKT", "tourist_arrivals", "2024-Q1", 150_000)), "2024-Q1", "tourist_arrivals", "TPKT")
    assert r["target"] == 600_000
    assert r["pace"] == pytest.approx(150_000 / (600_000 * 0.24) * 100)


# --- roll-up: a parent with and without its own figure --------------------------------------------------------

def test_parent_without_own_figure_sums_children(plan: Plan) -> None:
    data = figures(("TPKT", "tourist_arrivals", "2024-Q1", 150_000), ("KPL", "tourist_arrivals", "2024-Q1", 110_000))
    r = row(plan, data, "2024-Q1", "tourist_arrivals")
    assert r["actual"] == 260_000
    assert r["source"] == "rollup"


def test_parent_own_figure_wins_over_children(plan: Plan) -> None:
    data = figures(("TPKT", "tourist_arrivals", "2024-Q1", 150_000), ("KPL", "tourist_arrivals", "2024-Q1", 110_000),
                   ("KT", "tourist_arrivals", "2024-Q1", 301_250))
    r = row(plan, data, "2024-Q1", "tourist_arrivals")
    assert r["actual"] == 301_250
    assert r["source"] == "own"


def test_min_rollup_through_two_levels(plan: Plan) -> None:
    # Satisfaction "in every field": the department is as good as its weakest division, and so is the province.
    data = figures(("VP", "admin_satisfaction", "2024-Q1", 97.5), ("TTDK", "admin_satisfaction", "2024-Q1", 93.1))
    eff = best_figures(plan, data, 2024, 1)
    by_unit = eff.set_index("unit")["value"]
    assert by_unit["SGTVT"] == 93.1
    assert by_unit["KT"] == 93.1
    r = row(plan, data, "2024-Q1", "admin_satisfaction", "KT")
    assert r["actual"] == 93.1
    assert r["attainment"] == pytest.approx(93.1 / 95 * 100)
    # The other offices that report satisfaction have not: the province's minimum rests on two of them.
    assert r["status"] == "incomplete"
    assert ("QLHT", "2024-Q1") in r["missing"]


def test_rank_never_rolls_up(plan: Plan) -> None:
    data = figures(("TPKT", "pci_rank", "2024", 12))
    result = evaluate(plan, data, "2024", ["KT"])
    assert result.set_index("indicator").loc["pci_rank", "status"] == "awaiting"


def test_rollup_baseline_for_parent(plan: Plan) -> None:
    data = figures(*_accidents("TPKT", [10, 10, 10, 10], [9]), *_accidents("DHA", [5, 5, 5, 5], [4]))
    r = row(plan, data, "2024-Q1", "traffic_accidents")
    # Two of the ten localities sent 2023: a roll-up that lacks a child is incomplete, so it is no baseline.
    assert math.isnan(r["baseline"])
    assert r["actual"] == 13
    assert r["status"] == "incomplete"


def test_period_of_another_year_is_refused(plan: Plan) -> None:
    with pytest.raises(ValueError, match="not in the 2024 plan"):
        evaluate(plan, figures(), "2025-Q1")


def test_reduce_vs_baseline_heading_for_last_years_count_is_at_risk_not_on_track(plan: Plan) -> None:
    data = figures(*_accidents("TPKT", [10, 10, 10, 10], [10, 10]))
    r = row(plan, data, "2024-Q2", "traffic_accidents", "TPKT")
    assert r["projection"] == pytest.approx(40.0)  # exactly last year's total: not "fewer"
    assert r["status"] == "at_risk"


def test_reduce_vs_baseline_none_this_year_and_none_last_year_is_at_risk(plan: Plan) -> None:
    # Deaths: 0 in 2023-Q1 (3 later in the year) and 0 in 2024-Q1. 0 is not fewer than 0 (not on track); last
    # year's 0 is at least 80% of this year's 0 (at risk, as 10 against 10 is). 0 / 0 once made it off track.
    data = figures(("TMR", "traffic_deaths", "2023-Q1", 0), ("TMR", "traffic_deaths", "2023-Q2", 1),
                   ("TMR", "traffic_deaths", "2023-Q3", 1), ("TMR", "traffic_deaths", "2023-Q4", 1),
                   ("TMR", "traffic_deaths", "2024-Q1", 0))
    r = row(plan, data, "2024-Q1", "traffic_deaths", "TMR")
    assert r["same_span_last_year"] == 0
    assert r["status"] == "at_risk"


def test_fourth_quarter_view_decides_the_year_like_the_year_view(plan: Plan) -> None:
    data = figures(*(("KT", "tourist_arrivals", f"2024-Q{q}", 412_500) for q in (1, 2, 3, 4)))
    for period in ("2024-Q4", "2024"):
        r = row(plan, data, period, "tourist_arrivals")
        assert r["met"] is False and r["status"] == "not_met", period  # 1.650.000 of 1.700.000


def test_a_roll_up_missing_a_child_is_not_a_complete_year(plan: Plan) -> None:
    # Every district sends 10 accidents a quarter both years, but Ia H'Drai skips 2024-Q4: the province's 390
    # against last year's 400 must not be declared met.
    districts = ["TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH", "TMR", "IHD"]
    rows = [(u, "traffic_accidents", f"{y}-Q{q}", 10) for u in districts for y in (2023, 2024) for q in (1, 2, 3, 4)
            if not (u == "IHD" and y == 2024 and q == 4)]
    r = row(plan, figures(*rows), "2024", "traffic_accidents")
    assert r["actual"] == 390 and r["baseline"] == 400
    assert not r["complete"]
    assert r["met"] is None
