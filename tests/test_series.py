"""Quarter-by-quarter series and the emulation ranking, on small hand-made figures one can check by eye."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpi.emulation import emulation_ranking
from kpi.evaluate import evaluate
from kpi.plan import Plan
from kpi.series import quarter_series
from tests.test_evaluate import figures, with_indicator

# The province's tourist arrivals, 2023 and the first three quarters of 2024 (shaped like the sample's).
ARRIVALS_2023 = [367_816, 427_119, 339_030, 405_356]
ARRIVALS_2024 = [395_571, 454_842, 371_387]
BUDGET_2024 = [1032.6, 1198.3, 1151.9]
ACCIDENTS_2023 = [29, 33, 27, 31]
ACCIDENTS_2024 = [27, 35]


def _province() -> pd.DataFrame:
    rows = [("KT", "tourist_arrivals", f"2023-Q{q}", v) for q, v in enumerate(ARRIVALS_2023, 1)]
    rows += [("KT", "tourist_arrivals", f"2024-Q{q}", v) for q, v in enumerate(ARRIVALS_2024, 1)]
    rows += [("KT", "budget_revenue", f"2024-Q{q}", v) for q, v in enumerate(BUDGET_2024, 1)]
    rows += [("KT", "traffic_accidents", f"2023-Q{q}", v) for q, v in enumerate(ACCIDENTS_2023, 1)]
    rows += [("KT", "traffic_accidents", f"2024-Q{q}", v) for q, v in enumerate(ACCIDENTS_2024, 1)]
    rows += [("KT", "trained_labour_rate", "2024-Q1", 57.2), ("KT", "trained_labour_rate", "2024-Q2", 57.7)]
    rows += [("KT", "new_rural_communes", "2023-Q1", 0), ("KT", "new_rural_communes", "2024-Q1", 1),
             ("KT", "new_rural_communes", "2024-Q2", 0), ("KT", "new_rural_communes", "2024-Q3", 2)]
    return figures(*rows)


@pytest.fixture(scope="module")
def series(plan: Plan) -> pd.DataFrame:
    return quarter_series(plan, _province(), "KT")


def _of(series: pd.DataFrame, indicator: str) -> pd.DataFrame:
    return series[series["indicator"] == indicator].set_index("quarter")


def test_one_row_per_indicator_and_quarter_in_plan_order(plan: Plan, series: pd.DataFrame) -> None:
    assert len(series) == 16 * 4
    assert list(series["indicator"][::4]) == [i.code for i in plan.indicators]
    assert list(series["quarter"][:8]) == [1, 2, 3, 4, 1, 2, 3, 4]
    assert set(series["unit"]) == {"KT"}


def test_flow_quarter_values_and_year_to_date(series: pd.DataFrame) -> None:
    tourism = _of(series, "tourist_arrivals")
    assert list(tourism["period_value"][:3]) == ARRIVALS_2024
    assert math.isnan(tourism.loc[4, "period_value"])  # nothing sent for the fourth quarter yet
    assert list(tourism["actual"]) == [395_571, 850_413, 1_221_800, 1_221_800]
    assert list(tourism["period"]) == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]


def test_pace_follows_the_tourism_season_profile(series: pd.DataFrame) -> None:
    tourism = _of(series, "tourist_arrivals")
    # 24%, 51%, 73% and 100% of 1.700.000 by the end of each quarter.
    assert list(tourism["expected_value"]) == pytest.approx([408_000, 867_000, 1_241_000, 1_700_000])
    assert tourism.loc[2, "pace"] == pytest.approx(850_413 / 867_000 * 100)  # 98.1%
    assert tourism.loc[3, "projection"] == pytest.approx(1_221_800 / 0.73)


def test_pace_without_a_profile_is_a_quarter_a_quarter(series: pd.DataFrame) -> None:
    budget = _of(series, "budget_revenue")
    assert list(budget["expected_value"]) == pytest.approx([1150, 2300, 3450, 4600])
    assert budget.loc[2, "actual"] == pytest.approx(2230.9)
    assert budget.loc[2, "pace"] == pytest.approx(2230.9 / 2300 * 100)


def test_levels_and_lower_is_better_flows_have_no_pace_line(series: pd.DataFrame) -> None:
    labour = _of(series, "trained_labour_rate")
    assert labour["expected_value"].isna().all()
    assert list(labour["actual"]) == [57.2, 57.7, 57.7, 57.7]  # the latest value stands
    assert list(labour["period_value"][:2]) == [57.2, 57.7]
    accidents = _of(series, "traffic_accidents")
    assert accidents["expected_value"].isna().all()
    assert accidents.loc[2, "target"] == sum(ACCIDENTS_2023)  # stay under 2023's 120


def test_last_year_and_changes_in_percent(series: pd.DataFrame) -> None:
    tourism = _of(series, "tourist_arrivals")
    assert list(tourism["last_year"]) == ARRIVALS_2023
    assert tourism.loc[1, "qoq"] == pytest.approx((395_571 / ARRIVALS_2023[3] - 1) * 100)  # on last year's Q4
    assert tourism.loc[2, "qoq"] == pytest.approx((454_842 / 395_571 - 1) * 100)  # +15.0%
    assert tourism.loc[3, "qoq"] == pytest.approx((371_387 / 454_842 - 1) * 100)  # -18.3%
    assert tourism.loc[1, "yoy"] == pytest.approx((395_571 / 367_816 - 1) * 100)  # +7.5%
    assert tourism.loc[3, "yoy"] == pytest.approx((371_387 / 339_030 - 1) * 100)  # +9.5%
    assert math.isnan(tourism.loc[4, "yoy"]) and math.isnan(tourism.loc[4, "qoq"])
    accidents = _of(series, "traffic_accidents")
    assert accidents.loc[2, "yoy"] == pytest.approx((35 / 33 - 1) * 100)
    assert accidents.loc[2, "qoq"] == pytest.approx((35 / 27 - 1) * 100)


def test_changes_from_zero_are_not_computed(series: pd.DataFrame) -> None:
    communes = _of(series, "new_rural_communes")
    assert math.isnan(communes.loc[1, "yoy"])  # 0 communes in 2023-Q1: no percentage
    assert math.isnan(communes.loc[3, "qoq"])  # 0 in Q2
    assert communes.loc[2, "qoq"] == pytest.approx(-100.0)
    assert math.isnan(communes.loc[2, "last_year"])  # 2023-Q2 was never sent


def test_a_locality_series_rolls_nothing_up_and_has_no_province_target(plan: Plan) -> None:
    data = figures(("TPKT", "tourist_arrivals", "2024-Q1", 134_488), ("TPKT", "tourist_arrivals", "2024-Q2", 163_066),
                   ("TPKT", "tourist_arrivals", "2023-Q2", 156_650))
    tourism = _of(quarter_series(plan, data, "TPKT"), "tourist_arrivals")
    assert set(tourism["status"]) == {"no_target"}
    assert tourism["expected_value"].isna().all()  # no target, so no pace to it
    assert tourism.loc[2, "actual"] == 297_554
    assert tourism.loc[2, "yoy"] == pytest.approx((163_066 / 156_650 - 1) * 100)


# --- the emulation ranking ---------------------------------------------------------------------------------------

# The northern cluster: 2023 quarters and 2024's first two quarters of each road-safety count, and the poverty rate
# in 2023 and mid-2024. "Fewer than last year" compares the first half with 2023's first half (cùng kỳ). Đắk Tô is
# on track everywhere; Tu Mơ Rông on half (its deaths 1+1 and injuries 1+2 equal 2023's 1+1 and 2+1: not fewer);
# Ngọc Hồi on one of four (only deaths, 2+3 against 3+3); Đắk Glei on one of four (poverty).
NORTH = {
    "DTO": ({"traffic_accidents": ([3, 4, 3, 2], [2, 2]), "traffic_deaths": ([2, 3, 2, 2], [1, 2]),
             "traffic_injuries": ([3, 2, 3, 3], [2, 2])}, (15.42, 11.87)),
    "TMR": ({"traffic_accidents": ([1, 2, 1, 1], [1, 1]), "traffic_deaths": ([1, 1, 1, 1], [1, 1]),
             "traffic_injuries": ([2, 1, 1, 2], [1, 2])}, (38.41, 33.51)),
    "NHO": ({"traffic_accidents": ([4, 3, 4, 3], [4, 4]), "traffic_deaths": ([3, 3, 2, 3], [2, 3]),
             "traffic_injuries": ([4, 3, 4, 4], [3, 4])}, (10.35, 7.80)),
    "DGL": ({"traffic_accidents": ([2, 2, 2, 1], [3, 3]), "traffic_deaths": ([1, 2, 1, 1], [2, 2]),
             "traffic_injuries": ([2, 2, 3, 2], [3, 2])}, (27.64, 23.94)),
}
# Satisfaction at three of the department's divisions: 96,4% and 95,2% on track, 90,1% at risk.
OFFICES = {"VP": 96.4, "TTS": 90.1, "QLHT": 95.2}


def north_and_offices() -> pd.DataFrame:
    """Figures of the northern cluster's four districts and three divisions (shared with the chart tests)."""
    rows = []
    for unit, (counts, (rate_2023, rate_2024)) in NORTH.items():
        for code, (y2023, y2024) in counts.items():
            rows += [(unit, code, f"2023-Q{q}", v) for q, v in enumerate(y2023, 1)]
            rows += [(unit, code, f"2024-Q{q}", v) for q, v in enumerate(y2024, 1)]
        rows += [(unit, "poverty_rate_reduction", "2023", rate_2023),
                 (unit, "poverty_rate_reduction", "2024-Q2", rate_2024)]
    rows += [(unit, "admin_satisfaction", "2024-Q2", value) for unit, value in OFFICES.items()]
    return figures(*rows)


@pytest.fixture(scope="module")
def ranked(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = evaluate(plan, north_and_offices(), "2024-Q2", [*NORTH, *OFFICES])
    return result, emulation_ranking(result, plan)


def test_the_statuses_behind_the_ranking(ranked) -> None:
    result, _ = ranked
    status = result.set_index(["unit", "indicator"])["status"]
    # 4+4 = 8 against 4+3 = 7 in 2023's first half: 7/8 = 87,5% is above the 80% at-risk threshold.
    assert status[("NHO", "traffic_accidents")] == "at_risk"
    assert status[("NHO", "traffic_injuries")] == "at_risk"  # 3+4 = 7, as many as 4+3 in 2023: not fewer
    assert status[("NHO", "poverty_rate_reduction")] == "at_risk"  # down 2,55 points of 3: within 0,5
    assert status[("DGL", "traffic_deaths")] == "off_track"  # 2+2 = 4 against 1+2 = 3: 75% < 80%
    assert status[("DGL", "poverty_rate_reduction")] == "on_track"
    assert status[("TTS", "admin_satisfaction")] == "off_track"  # 90,1 is 4,9 points short, tolerance 1


def test_ranking_shares_and_ranks_within_each_cluster(ranked) -> None:
    _, ranking = ranked
    assert list(ranking["cluster"]) == ["KHOI_PHONG"] * 3 + ["CUM_BAC"] * 4  # the plan's cluster order
    table = ranking.set_index("unit")
    assert list(ranking["unit"]) == ["QLHT", "VP", "TTS", "DTO", "TMR", "DGL", "NHO"]
    assert list(ranking["rank"]) == [1, 1, 3, 1, 2, 3, 3]  # ties share the better rank, the next one skips
    assert table.loc["DTO", ["judged", "good"]].tolist() == [4, 4]
    assert table.loc["NHO", "share"] == pytest.approx(25.0)
    assert table.loc["TMR", "share"] == pytest.approx(50.0)
    assert table.loc["DGL", "share"] == pytest.approx(25.0)
    assert table.loc["TTS", "share"] == pytest.approx(0.0)
    assert table.loc["VP", ["judged", "good"]].tolist() == [1, 1]


def test_only_judged_targets_count_in_the_ranking(plan: Plan) -> None:
    # An index only the province is held to, as if the divisions also sent it: no target for VP, not judged.
    changed = with_indicator(plan, "sipas_rank", reported_by=["KT", "offices"])
    data = figures(
        ("KPL", "tourist_arrivals", "2024-Q1", 95_210),  # no target for a district: no_target
        *[("KPL", "traffic_accidents", f"2023-Q{q}", v) for q, v in enumerate([2, 3, 2, 2], 1)],
        ("KPL", "traffic_accidents", "2024-Q1", 3),  # projected 12 against 9: off track
        ("KPL", "traffic_deaths", "2024-Q1", 1),  # no 2023 figure: undetermined
        ("VP", "admin_satisfaction", "2024-Q1", 96.8),
    )
    result = evaluate(changed, data, "2024-Q1", ["KPL", "VP"])
    status = result.set_index(["unit", "indicator"])["status"]
    assert status[("KPL", "tourist_arrivals")] == "no_target"
    assert status[("KPL", "traffic_deaths")] == "undetermined"
    assert status[("KPL", "traffic_injuries")] == "no_data"
    assert status[("VP", "sipas_rank")] == "no_target"
    ranking = emulation_ranking(result, changed).set_index("unit")
    assert ranking.loc["KPL", ["judged", "good"]].tolist() == [1, 0]  # accidents only
    assert ranking.loc["VP", ["judged", "good"]].tolist() == [1, 1]  # satisfaction only
    assert ranking.loc["KPL", "share"] == 0 and ranking.loc["VP", "share"] == 100


def test_units_outside_any_cluster_are_not_ranked(plan: Plan) -> None:
    data = figures(("KT", "budget_revenue", "2024-Q1", 1032.6), ("VP", "admin_satisfaction", "2024-Q1", 96.8))
    result = evaluate(plan, data, "2024-Q1")
    status = result.set_index(["unit", "indicator"])["status"]
    assert status[("KT", "budget_revenue")] == "at_risk"  # judged, but the province is in no cluster
    # The divisions' lowest so far, 96,8, but only the Office has reported: the others are missing.
    assert status[("KT", "admin_satisfaction")] == "incomplete"
    ranking = emulation_ranking(result, plan)
    assert "KT" not in set(ranking["unit"])
    assert list(ranking.loc[ranking["rank"].notna(), "unit"]) == ["VP"]
    # Every other cluster member sent nothing for its targets: listed (not dropped), flagged, without a place.
    assert set(ranking["unit"]) == {m for c in plan.clusters for m in c.members}
    others = ranking[ranking["unit"] != "VP"]
    assert not others["complete"].any() and others["rank"].isna().all()


def test_ranking_with_nothing_judged_lists_every_unit_without_a_place(plan: Plan) -> None:
    result = evaluate(plan, figures(("KT", "budget_revenue", "2024-Q1", 1032.6)), "2024-Q1")
    result = result[result["unit"] != "KT"]  # as the by-unit page does: the province is the overview's job
    ranking = emulation_ranking(result, plan)
    # No unit has sent its Q1 reports: each is listed with what it owes, none is placed or proposed.
    assert set(ranking["unit"]) == {m for c in plan.clusters for m in c.members}
    assert ranking["rank"].isna().all() and (ranking["judged"] == 0).all() and (ranking["incomplete"] > 0).all()
    assert ranking["proposal"].isna().all()
    assert ranking_columns() <= set(ranking.columns)
    nothing = emulation_ranking(result.iloc[0:0], plan)  # and nothing at all is an empty table, not an error
    assert nothing.empty and ranking_columns() <= set(nothing.columns)


def ranking_columns() -> set[str]:
    return {"unit", "cluster", "judged", "good", "share", "rank", "complete", "proposal"}


def test_ranking_ties_are_broken_by_more_targets_good_and_a_unit_owing_reports_has_no_place(plan: Plan) -> None:
    # Four units of the northern cluster: Đắk Tô 3 of 3, Tu Mơ Rông 1 of 1, Ngọc Hồi 1 of 1 (all 100%), Đắk Glei 1
    # of 2 with one target waiting for reports (its maximum counts it: 50%). More good targets first (DTO), then
    # the two equal ones share rank 2; Đắk Glei owes a report, so it has no place.
    rows = [("DTO", "traffic_accidents", "achieved"), ("DTO", "traffic_deaths", "achieved"),
            ("DTO", "traffic_injuries", "on_track"), ("TMR", "traffic_accidents", "achieved"),
            ("NHO", "traffic_accidents", "on_track"), ("DGL", "traffic_accidents", "achieved"),
            ("DGL", "traffic_deaths", "incomplete")]
    result = pd.DataFrame(rows, columns=["unit", "indicator", "status"])
    ranking = emulation_ranking(result, plan).set_index("unit")
    assert ranking.loc[["DTO", "TMR", "NHO", "DGL"], "share"].tolist() == [100.0, 100.0, 100.0, 50.0]
    assert ranking.loc[["DTO", "TMR", "NHO"], "rank"].tolist() == [1, 2, 2] and pd.isna(ranking.loc["DGL", "rank"])
