"""The emulation ranking under a plan's own scoring rules: points, weights, the bonus for improving on last year,
tie-breaks, flags for incomplete figures and the titles proposed. Every expected number is worked out by hand."""

from __future__ import annotations

import pandas as pd
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.emulation import emulation_ranking, score_breakdown
from kpi.emulation_view import proposal_table
from kpi.plan import Emulation, Plan
from tests.support import shown_table
from tests.test_app import run_page

RULES = {
    "points": {"achieved": 10, "on_track": 8, "at_risk": 4, "off_track": 0, "not_met": 0},
    "improved": 2,
    "weights": {"traffic_deaths": 2},
    "ties": ["score", "improved", "missing"],
    "titles": [
        {"code": "co_thi_dua", "name_vi": "Cờ thi đua", "name_en": "Emulation flag", "min_share": 90, "top": 1},
        {"code": "xuat_sac", "name_vi": "Tập thể lao động xuất sắc", "name_en": "Excellent", "min_share": 80},
        {"code": "tien_tien", "name_vi": "Tập thể lao động tiên tiến", "name_en": "Advanced", "min_share": 50},
    ],
}


@pytest.fixture(scope="module")
def ruled(plan: Plan) -> Plan:
    return plan.model_copy(update={"emulation": Emulation.model_validate(RULES)})


def _rows(*rows: tuple) -> pd.DataFrame:
    """(unit, indicator, status, this year, same span last year[, missing]) as evaluated rows of 2024-Q2."""
    return pd.DataFrame([{"unit": u, "indicator": i, "status": s, "actual": a, "same_span_last_year": b,
                          "period": "2024-Q2", "missing": list(rest[0]) if rest else []}
                         for u, i, s, a, b, *rest in rows])


# Accidents, deaths (weight 2) and injuries in the northern cluster; fewer than last year's same half is better.
# A target scores its status's points × weight, plus 2 × weight when it improved; its best is (10 + 2) × weight:
# 12 + 24 + 12 = 48 for each unit.
NORTH = _rows(
    # Ngọc Hồi: all achieved and improved: 12 + 24 + 12 = 48 of 48 = 100%.
    ("NHO", "traffic_accidents", "achieved", 2, 4), ("NHO", "traffic_deaths", "achieved", 0, 1),
    ("NHO", "traffic_injuries", "achieved", 3, 5),
    # Đắk Tô: 10 + 2; on track, equal to last year (not improved): 8 × 2; 10 + 2 → 40 of 48 = 83,3%, 2 improved.
    ("DTO", "traffic_accidents", "achieved", 5, 8), ("DTO", "traffic_deaths", "on_track", 3, 3),
    ("DTO", "traffic_injuries", "achieved", 4, 6),
    # Đắk Glei: 10 + 2; achieved, not improved: 10 × 2; on track, not improved: 8 → 40 of 48 = 83,3%, 1 improved.
    ("DGL", "traffic_accidents", "achieved", 4, 6), ("DGL", "traffic_deaths", "achieved", 2, 2),
    ("DGL", "traffic_injuries", "on_track", 5, 5),
    # Tu Mơ Rông: on track 8 + 2; achieved (10 + 2) × 2; at risk, worse: 4 → 38 of 48 = 79,2%; one report missing.
    ("TMR", "traffic_accidents", "on_track", 7, 8), ("TMR", "traffic_deaths", "achieved", 1, 2),
    ("TMR", "traffic_injuries", "at_risk", 9, 8, [("TMR", "2024-Q2")]),
)


def test_scores_shares_ranks_and_proposals(ruled: Plan) -> None:
    ranking = emulation_ranking(NORTH, ruled).set_index("unit")
    assert ranking.loc[["NHO", "DTO", "DGL", "TMR"], "score"].tolist() == [48, 40, 40, 38]
    assert ranking["max_score"].tolist() == [48] * 4
    assert ranking.loc["DTO", "share"] == pytest.approx(40 / 48 * 100)
    # Đắk Tô and Đắk Glei tie on share and score; the plan's next rule, more targets improved, puts Đắk Tô first.
    # Tu Mơ Rông owes a report: listed with its points, but its figures cannot be compared, so it has no place.
    assert list(ranking.sort_values("rank").index) == ["NHO", "DTO", "DGL", "TMR"]
    assert ranking.loc[["NHO", "DTO", "DGL"], "rank"].tolist() == [1, 2, 3] and pd.isna(ranking.loc["TMR", "rank"])
    assert not ranking["tied"].any()
    assert ranking.loc[["NHO", "DTO", "DGL", "TMR"], "improved"].tolist() == [3, 2, 1, 2]
    # The flag needs 90% and first place: Ngọc Hồi; 80% makes "xuất sắc"; Tu Mơ Rông's 79,2% would make
    # "tiên tiến", but a report of its is missing: flagged, not proposed.
    assert ranking.loc[["NHO", "DTO", "DGL"], "proposal"].tolist() == ["co_thi_dua", "xuat_sac", "xuat_sac"]
    assert ranking.loc["TMR", "proposal"] is None and not ranking.loc["TMR", "complete"]
    assert ranking.loc[["NHO", "DTO", "DGL"], "complete"].all()


def test_the_breakdown_shows_each_target_s_points(ruled: Plan) -> None:
    parts = score_breakdown(NORTH, ruled).set_index(["unit", "indicator"])
    deaths = parts.loc[("DTO", "traffic_deaths")]
    # On track 8 points × weight 2 = 16; 3 deaths against 3: not improved, no bonus; its best (10 + 2) × 2 = 24.
    assert (deaths["weight"], deaths["points"], deaths["improved"], deaths["bonus"], deaths["total"],
            deaths["best"]) == (2, 16, False, 0, 16, 24)
    injuries = parts.loc[("TMR", "traffic_injuries")]
    assert (injuries["points"], injuries["improved"], injuries["total"], injuries["incomplete"]) == (4, False, 4, True)


def test_holding_back_reports_never_helps(ruled: Plan) -> None:
    # Đắk Glei sends only its good accidents figure; deaths and injuries never come (no figure, reports missing).
    held_back = _rows(("DGL", "traffic_accidents", "achieved", 4, 6),
                      ("DGL", "traffic_deaths", "no_data", None, 2, [("DGL", "2024-Q1"), ("DGL", "2024-Q2")]),
                      ("DGL", "traffic_injuries", "no_data", None, 5, [("DGL", "2024-Q2")]),
                      ("NHO", "traffic_accidents", "achieved", 2, 4), ("NHO", "traffic_deaths", "achieved", 0, 1),
                      ("NHO", "traffic_injuries", "on_track", 5, 5))
    ranking = emulation_ranking(held_back, ruled).set_index("unit")
    # Đắk Glei: 10 + 2 = 12 points; the missing targets still count in its maximum, (10 + 2) × 2 + (10 + 2) = 36
    # more: 12 of 48 = 25%, listed with 2 targets missing, no place, not proposed.
    assert (ranking.loc["DGL", "score"], ranking.loc["DGL", "max_score"], ranking.loc["DGL", "incomplete"]) == (
        12, 48, 2)
    assert pd.isna(ranking.loc["DGL", "rank"]) and ranking.loc["DGL", "proposal"] is None
    # Ngọc Hồi: 12 + 24 + 8 (on track, equal to last year) = 44 of 48 = 91,7%: first place is its own, so the
    # flag (90% and first) is proposed.
    assert (ranking.loc["NHO", "score"], ranking.loc["NHO", "rank"]) == (44, 1)
    assert ranking.loc["NHO", "proposal"] == "co_thi_dua"


def test_fractional_weights_compare_as_people_count(plan: Plan) -> None:
    rules = {**RULES, "points": {"achieved": 1}, "improved": 0.3, "weights": {"traffic_deaths": 1.3}}
    ruled = plan.model_copy(update={"emulation": Emulation.model_validate(rules)})
    ranking = emulation_ranking(_rows(("NHO", "traffic_deaths", "achieved", 0, 1)), ruled).set_index("unit")
    # (1 + 0,3) × 1,3 = 1,69 of 1,69: exactly 100% (in floating point 99,99999999999999 would miss the flag).
    assert ranking.loc["NHO", "share"] == 100 and ranking.loc["NHO", "proposal"] == "co_thi_dua"


def test_equal_units_share_a_rank(ruled: Plan) -> None:
    south = _rows(("DHA", "traffic_accidents", "achieved", 3, 5), ("KPL", "traffic_accidents", "achieved", 2, 4),
                  ("STH", "traffic_accidents", "off_track", 6, 5))
    ranking = emulation_ranking(south, ruled).set_index("unit")
    # Đắk Hà and Kon Plông: 10 + 2 of 12 each, equal on every rule: both first, tied; Sa Thầy 0 of 12 is third.
    assert ranking.loc[["DHA", "KPL", "STH"], "rank"].tolist() == [1, 1, 3]
    assert ranking.loc[["DHA", "KPL", "STH"], "tied"].tolist() == [True, True, False]
    # Two firsts: "top 1" is a place, not a head count, so both are proposed for the flag.
    assert ranking.loc[["DHA", "KPL"], "proposal"].tolist() == ["co_thi_dua", "co_thi_dua"]
    assert ranking.loc["STH", "proposal"] is None  # 0% qualifies for nothing


@pytest.mark.parametrize(("change", "message"), [
    ({"points": {"achieved": 10, "awaiting": 1}}, "'awaiting' is not a judged status"),
    ({"points": {"achieved": 0}}, "at least one status must score more than 0"),
    ({"weights": {"traffic_deaths": 0}}, "weights.traffic_deaths: must be more than 0"),
    ({"ties": ["score", "score"]}, "a rule is listed twice"),
    ({"ties": ["luck"]}, "ties"),
])
def test_rules_that_cannot_be_used_are_refused(change: dict, message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        Emulation.model_validate({**RULES, **change})


def test_a_plan_s_rules_must_name_its_own_indicators_and_clusters(plan: Plan) -> None:
    data = plan.model_dump()
    with pytest.raises(pydantic.ValidationError, match="emulation.weights: unknown indicator 'ferries'"):
        Plan.model_validate({**data, "emulation": {**RULES, "weights": {"ferries": 2}}})
    title = {**RULES["titles"][0], "clusters": ["CUM_TAY"]}
    with pytest.raises(pydantic.ValidationError, match=r"emulation.titles\[co_thi_dua\].clusters: unknown cluster"):
        Plan.model_validate({**data, "emulation": {**RULES, "titles": [title]}})


def test_by_unit_page_shows_the_rules_the_proposals_and_a_unit_s_points(sample_url: str, monkeypatch) -> None:
    at = run_page("app_pages/3_Theo_don_vi.py", sample_url, monkeypatch, period="2024-Q3", cluster="CUM_BAC",
                  unit="DTO")
    assert any(c.value.startswith("Điểm thi đua theo quy định của kế hoạch") for c in at.caption)
    proposals = shown_table(at, 1).set_index("Đơn vị")
    # The sample's Q3 (see test_dashboards.UNIT_CASES): Đắk Tô 4 of 4 = 100% and first: the flag; Tu Mơ Rông 3 of
    # 4 = 75% ≥ 50%: "tiên tiến"; Đắk Glei and Ngọc Hồi 2 of 4 = 50%: "tiên tiến" too.
    assert proposals.loc["Huyện Đắk Tô", "Đề xuất khen thưởng"] == "Cờ thi đua của UBND tỉnh (đề nghị)"
    assert proposals.loc["Huyện Đắk Tô", "Căn cứ"] == ("Tỷ lệ điểm 100% (cần từ 100%); hạng 1 trong cụm (cần trong 1 "
                                                        "hạng đầu)")
    assert proposals.loc["Huyện Tu Mơ Rông", "Đề xuất khen thưởng"] == "Tập thể lao động tiên tiến"
    assert [b.label for b in at.download_button] == ["Tải CSV", "Tải Excel (.xlsx)"]  # the proposal table
    breakdown = shown_table(at, 2)
    assert len(breakdown) == 4 and set(breakdown["Tổng điểm"]) == {"1"}  # four targets good, one point each


# --- properties, on generated clusters ------------------------------------------------------------------------------

UNITS = ("DGL", "NHO", "DTO", "TMR")
TARGETS = ("traffic_accidents", "traffic_deaths", "traffic_injuries")
_STATUS = st.sampled_from(["achieved", "not_met", "on_track", "at_risk", "off_track", "incomplete", "no_data"])


@st.composite
def cluster_cases(draw: st.DrawFn) -> tuple[pd.DataFrame, dict]:
    """Evaluated rows of the northern cluster with random statuses and counts, and random scoring rules."""
    rows = []
    for unit in UNITS:
        for target in TARGETS:
            status = draw(_STATUS)
            missing = [(unit, "2024-Q2")] if status in ("incomplete", "no_data") else []
            actual = None if status == "no_data" else draw(st.integers(0, 20))
            rows.append((unit, target, status, actual, draw(st.integers(0, 20)), missing))
    points = draw(st.fixed_dictionaries({"achieved": st.integers(1, 10), "on_track": st.integers(0, 10),
                                         "at_risk": st.integers(0, 5)}))
    rules = {**RULES, "points": points, "improved": draw(st.sampled_from([0, 0.5, 2])),
             "weights": {"traffic_deaths": draw(st.sampled_from([0.1, 0.3, 1, 2.5]))}}
    return _rows(*rows), rules


def _ruled(plan: Plan, rules: dict) -> Plan:
    return plan.model_copy(update={"emulation": Emulation.model_validate(rules)})


@settings(max_examples=60, deadline=None)
@given(case=cluster_cases(), seed=st.randoms(use_true_random=False))
def test_ranking_properties(plan: Plan, case: tuple[pd.DataFrame, dict], seed) -> None:
    rows, rules = case
    ruled = _ruled(plan, rules)
    ranking = emulation_ranking(rows, ruled).set_index("unit")
    assert ((ranking["share"].dropna() >= 0) & (ranking["share"].dropna() <= 100)).all()
    placed = ranking[ranking["rank"].notna()]
    # Only units with complete figures and something judged get a place, and places follow the share.
    assert placed["complete"].all() and (placed["judged"] > 0).all()
    ordered = placed.sort_values("rank")
    assert list(ordered["share"]) == sorted(ordered["share"], reverse=True)
    assert ordered["rank"].min() == 1 if len(ordered) else True
    # A title only for a placed unit whose share reaches the title's minimum.
    minimum = {t["code"]: t["min_share"] for t in rules["titles"]}
    for unit, row in ranking.iterrows():
        if row["proposal"] is not None:
            assert unit in placed.index and row["share"] >= minimum[row["proposal"]]
    # The order the rows come in changes nothing.
    shuffled = rows.sample(frac=1, random_state=seed.randint(0, 2**31)).reset_index(drop=True)
    again = emulation_ranking(shuffled, ruled).set_index("unit")
    pd.testing.assert_frame_equal(again.sort_index(), ranking.sort_index())


@settings(max_examples=60, deadline=None)
@given(case=cluster_cases(), unit=st.sampled_from(UNITS), target=st.sampled_from(TARGETS))
def test_holding_back_a_report_never_raises_a_share(plan: Plan, case: tuple[pd.DataFrame, dict], unit: str,
                                                    target: str) -> None:
    rows, rules = case
    ruled = _ruled(plan, rules)
    before = emulation_ranking(rows, ruled).set_index("unit")
    held = rows.copy()
    where = (held["unit"] == unit) & (held["indicator"] == target)
    held.loc[where, "status"] = "no_data"
    held.loc[where, "actual"] = None
    held.loc[where, "missing"] = pd.Series([[(unit, "2024-Q2")]] * int(where.sum()), index=held.index[where])
    after = emulation_ranking(held, ruled).set_index("unit")
    assert not after.loc[unit, "complete"] and pd.isna(after.loc[unit, "rank"])
    if unit in before.index and not pd.isna(before.loc[unit, "share"]):
        assert after.loc[unit, "share"] <= before.loc[unit, "share"] + 1e-9


def test_a_proposal_on_estimates_says_so(ruled: Plan) -> None:
    rows = _rows(("DHA", "traffic_accidents", "achieved", 3, 5), ("DHA", "traffic_deaths", "achieved", 1, 2),
                 ("DHA", "traffic_injuries", "achieved", 2, 4))
    rows["estimate"] = [False, True, False]
    ranking = emulation_ranking(rows, ruled)
    # All achieved and improved: 48 of 48, first, the flag; the deaths figure is an estimate: counted and said.
    assert (ranking.loc[0, "proposal"], ranking.loc[0, "estimated"]) == ("co_thi_dua", 1)
    reason = proposal_table(ranking, ruled, "vi").loc[0, "Căn cứ"]
    assert reason.endswith("; 1 chỉ tiêu đánh giá theo số ước, cần đối chiếu số chính thức")
