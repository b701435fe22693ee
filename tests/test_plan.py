"""The shipped plan says what DOMAIN.md says, and a broken plan file fails with a message naming file, entry, field."""

from __future__ import annotations

import copy
import shutil
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kpi.bootstrap import open_store
from kpi.ingest import Source, check
from kpi.plan import DEFAULT_PLANS_DIR, Plan, PlanError, load_plan, load_plans
from tests.support import csv_bytes, to_toml

PLAN_FILE = DEFAULT_PLANS_DIR / "2024.toml"

# DOMAIN.md's table: code -> (kind, target, flow).
INDICATORS = {
    "grdp_growth": ("at_least", 10, "level"),
    "grdp_per_capita": ("more_than", 63.7, "level"),
    "budget_revenue": ("at_least", 4600, "flow"),
    "trained_labour_rate": ("at_least", 58.5, "level"),
    "vocational_trained_rate": ("at_least", 43, "level"),
    "poverty_rate_reduction": ("reduce_by", 3, "level"),
    "pci_rank": ("rank_gain", 5, "level"),
    "papi_rank": ("rank_gain", 5, "level"),
    "par_index_rank": ("rank_gain", 5, "level"),
    "sipas_rank": ("rank_gain", 5, "level"),
    "new_rural_communes": ("at_least", 5, "flow"),
    "tourist_arrivals": ("at_least", 1_700_000, "flow"),
    "admin_satisfaction": ("at_least", 95, "level"),
    "traffic_accidents": ("reduce_vs_baseline", None, "flow"),
    "traffic_deaths": ("reduce_vs_baseline", None, "flow"),
    "traffic_injuries": ("reduce_vs_baseline", None, "flow"),
}
RANKS = ["pci_rank", "papi_rank", "par_index_rank", "sipas_rank"]

# DOMAIN.md's registry: code -> parent.
OFFICES = ["VP", "TTS", "KHTC", "QLHT", "QLVT", "QLCL", "BQLDA", "TTDK"]
LOCALITIES = ["TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH", "TMR", "IHD"]
PARENTS = {"KT": None, "SGTVT": "KT", **dict.fromkeys(OFFICES, "SGTVT"), **dict.fromkeys(LOCALITIES, "KT")}


# ---------------------------------------------------------------- the shipped plan

def test_plan_has_exactly_the_sixteen_indicators_with_their_kind_and_target(plan: Plan) -> None:
    assert plan.year == 2024 and plan.baseline_year == 2023 and plan.plan.scope_unit == "KT"
    assert sorted(i.code for i in plan.indicators) == sorted(INDICATORS)
    for code, (kind, target, flow) in INDICATORS.items():
        ind = plan.indicator(code)
        assert (ind.kind, ind.target, ind.flow) == (kind, target, flow), code


def test_strict_more_than_only_for_grdp_per_capita(plan: Plan) -> None:
    assert [i.code for i in plan.indicators if i.kind == "more_than"] == ["grdp_per_capita"]
    assert plan.indicator("grdp_per_capita").target == pytest.approx(63.7)


def test_poverty_is_reduce_by_three_with_stretch_four(plan: Plan) -> None:
    poverty = plan.indicator("poverty_rate_reduction")
    assert (poverty.kind, poverty.target, poverty.stretch) == ("reduce_by", 3, 4)
    assert [i.code for i in plan.indicators if i.stretch is not None] == ["poverty_rate_reduction"]


def test_ranks_gain_five_places_of_63_and_belong_to_the_province_alone(plan: Plan) -> None:
    for code in RANKS:
        rank = plan.indicator(code)
        assert (rank.kind, rank.target, rank.integer) == ("rank_gain", 5, True), code
        assert (rank.min, rank.max) == (1, 63), code
        assert rank.publication == "annual", code  # published months after the year: "awaiting", never red
        assert plan.reporters(rank) == ["KT"], code
        assert rank.rollup == "none", code
        assert rank.lower_is_better


def test_accidents_are_reduced_against_the_baseline_year_without_a_fixed_target(plan: Plan) -> None:
    for code in ("traffic_accidents", "traffic_deaths", "traffic_injuries"):
        ind = plan.indicator(code)
        assert (ind.kind, ind.target, ind.integer, ind.min) == ("reduce_vs_baseline", None, True, 0), code
        # The localities report; the province's figure is their sum, so KT is not expected to send one.
        assert set(plan.reporters(ind)) == set(LOCALITIES)


def test_flows_sum_up_the_tree_and_levels_are_never_summed(plan: Plan) -> None:
    for ind in plan.indicators:
        if ind.flow == "flow":
            assert ind.rollup == "sum", ind.code
        else:
            assert ind.rollup != "sum", ind.code


def test_the_tree_of_units_read_down_from_any_unit(plan: Plan) -> None:
    # The shipped tree (data/plans/2024.toml): KT over the department SGTVT and ten localities; SGTVT over eight
    # offices; offices and localities over nothing. Registry order throughout.
    offices = ["VP", "TTS", "KHTC", "QLHT", "QLVT", "QLCL", "BQLDA", "TTDK"]
    localities = ["TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH", "TMR", "IHD"]
    assert plan.children("KT") == ["SGTVT", *localities]
    assert plan.with_children("SGTVT") == ["SGTVT", *offices]
    assert plan.with_children("KRA") == ["KRA"] and plan.children("KRA") == []
    assert plan.subtree("KT") == ["KT", "SGTVT", *offices, *localities]
    assert plan.subtree("SGTVT") == ["SGTVT", *offices]
    assert plan.subtree("QLHT") == ["QLHT"]
    assert plan.subtree("GONE") == ["GONE"] and plan.children("GONE") == []  # a unit another year's registry had


def test_tourism_profile_is_four_quarter_shares_adding_up_to_one(plan: Plan) -> None:
    tourism = plan.indicator("tourist_arrivals")
    assert tourism.profile is not None and len(tourism.profile) == 4
    assert sum(tourism.profile) == pytest.approx(1.0)
    assert tourism.cumulative_share(4) == pytest.approx(1.0)
    assert plan.indicator("budget_revenue").cumulative_share(2) == pytest.approx(0.5)


def test_every_indicator_names_its_lead_unit_and_clause(plan: Plan) -> None:
    for ind in plan.indicators:
        assert ind.lead_unit in PARENTS and ind.clause, ind.code
        assert ind.name_vi and ind.name_en and ind.wording_vi, ind.code
    # GRDP, tourism and poverty are the province's targets; the department leads the road-safety ones.
    for code in ("grdp_growth", "grdp_per_capita", "tourist_arrivals", "poverty_rate_reduction"):
        assert plan.indicator(code).lead_unit == "KT"
    for code in ("traffic_accidents", "traffic_deaths", "traffic_injuries", "admin_satisfaction"):
        assert plan.indicator(code).lead_unit == "SGTVT"


def test_registry_has_the_twenty_units_in_the_right_tree(plan: Plan) -> None:
    assert {u.code: u.parent for u in plan.units} == PARENTS
    assert plan.unit("KT").kind == "province"
    assert plan.unit("SGTVT").kind == "department"
    assert {u.code for u in plan.units if u.kind == "locality"} == set(LOCALITIES)
    assert {u.code for u in plan.units if u.kind == "office"} == set(OFFICES)
    assert plan.unit("KRA").name_vi == "Huyện Kon Rẫy"
    assert plan.unit("TPKT").name_vi == "Thành phố Kon Tum"


def test_localities_report_tourism_communes_poverty_and_accidents(plan: Plan) -> None:
    for code in ("tourist_arrivals", "new_rural_communes", "poverty_rate_reduction", "traffic_accidents"):
        assert set(LOCALITIES) <= set(plan.reporters(plan.indicator(code))), code
    assert plan.reporters(plan.indicator("grdp_growth")) == ["KT"]


def test_clusters_cover_every_office_and_locality_once(plan: Plan) -> None:
    members = [code for cluster in plan.clusters for code in cluster.members]
    assert sorted(members) == sorted(OFFICES + LOCALITIES)
    for code in LOCALITIES:
        assert plan.cluster_of(code).code.startswith("CUM_"), code
    for code in OFFICES:
        assert plan.cluster_of(code).code.startswith("KHOI_"), code
    assert plan.cluster_of("KT") is None


def test_status_thresholds_come_from_the_plan_file(plan: Plan) -> None:
    assert (plan.status.on_track, plan.status.at_risk) == (100, 80)
    assert plan.thresholds_for(plan.indicator("tourist_arrivals")) == plan.status


# ---------------------------------------------------------------- broken plan files

def _raw() -> dict[str, Any]:
    return tomllib.loads(PLAN_FILE.read_text(encoding="utf-8"))


def _entry(raw: dict[str, Any], section: str, code: str) -> dict[str, Any]:
    return next(item for item in raw[section] if item["code"] == code)


def _write(tmp_path: Path, raw: dict[str, Any], name: str = "2024.toml") -> Path:
    path = tmp_path / name
    path.write_text(to_toml(raw), encoding="utf-8")
    return path


def test_toml_writer_round_trips_the_real_plan(tmp_path: Path, plan: Plan) -> None:
    """Guards the helper the broken-file tests rely on: the unmodified copy loads and equals the shipped plan."""
    copy_ = load_plan(_write(tmp_path, _raw()))
    assert copy_.model_dump(exclude={"source"}) == plan.model_dump(exclude={"source"})


def _wrong_kind(raw: dict[str, Any]) -> None:
    _entry(raw, "indicators", "pci_rank")["kind"] = "rank_up"


def _unknown_parent(raw: dict[str, Any]) -> None:
    _entry(raw, "units", "DHA")["parent"] = "KTX"


def _duplicate_unit(raw: dict[str, Any]) -> None:
    raw["units"].append(copy.deepcopy(_entry(raw, "units", "KRA")))


def _duplicate_indicator(raw: dict[str, Any]) -> None:
    raw["indicators"].append(copy.deepcopy(_entry(raw, "indicators", "papi_rank")))


def _bad_profile(raw: dict[str, Any]) -> None:
    _entry(raw, "indicators", "tourist_arrivals")["profile"] = [0.24, 0.27, 0.22, 0.30]


def _thresholds_reversed(raw: dict[str, Any]) -> None:
    raw["status"]["at_risk"] = 100


def _thresholds_equal_on_indicator(raw: dict[str, Any]) -> None:
    _entry(raw, "indicators", "budget_revenue")["thresholds"] = {"on_track": 90, "at_risk": 90}


def _missing_field(raw: dict[str, Any]) -> None:
    del _entry(raw, "indicators", "traffic_deaths")["flow"]


def _misspelt_field(raw: dict[str, Any]) -> None:
    _entry(raw, "indicators", "grdp_growth")["taget"] = 10


def _unknown_reporter(raw: dict[str, Any]) -> None:
    _entry(raw, "indicators", "tourist_arrivals")["reported_by"] = ["KT", "locality"]


def _unknown_cluster_member(raw: dict[str, Any]) -> None:
    _entry(raw, "clusters", "CUM_BAC")["members"].append("DGG")


def _unit_in_two_clusters(raw: dict[str, Any]) -> None:
    _entry(raw, "clusters", "CUM_BAC")["members"].append("TPKT")


def _cycle(raw: dict[str, Any]) -> None:
    _entry(raw, "units", "SGTVT")["parent"] = "VP"


def _stretch_on_at_least(raw: dict[str, Any]) -> None:
    _entry(raw, "indicators", "budget_revenue")["stretch"] = 5000


def _rank_without_target(raw: dict[str, Any]) -> None:
    del _entry(raw, "indicators", "sipas_rank")["target"]


def _baseline_for_unknown_unit(raw: dict[str, Any]) -> None:
    _entry(raw, "indicators", "pci_rank")["baselines"] = {"KTT": 45}


def _text_target(raw: dict[str, Any]) -> None:
    _entry(raw, "indicators", "new_rural_communes")["target"] = "năm xã"


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], list[str]]] = [
    ("wrong kind", _wrong_kind, ["indicators[pci_rank].kind", "rank_gain"]),
    ("unknown parent", _unknown_parent, ["units[DHA].parent", "KTX"]),
    ("duplicate unit", _duplicate_unit, ["units[KRA].code", "duplicate"]),
    ("duplicate indicator", _duplicate_indicator, ["indicators[papi_rank].code", "duplicate"]),
    ("profile not summing to 1", _bad_profile, ["indicators[tourist_arrivals].profile", "add up to 1"]),
    ("at_risk >= on_track", _thresholds_reversed, ["status", "at_risk", "on_track"]),
    ("indicator thresholds equal", _thresholds_equal_on_indicator,
     ["indicators[budget_revenue].thresholds", "at_risk"]),
    ("missing field", _missing_field, ["indicators[traffic_deaths].flow", "required"]),
    ("misspelt field", _misspelt_field, ["indicators[grdp_growth].taget"]),
    ("unknown reporter", _unknown_reporter, ["indicators[tourist_arrivals].reported_by", "locality"]),
    ("unknown cluster member", _unknown_cluster_member, ["clusters[CUM_BAC].members", "DGG"]),
    ("unit in two clusters", _unit_in_two_clusters, ["clusters[CUM_NAM].members", "TPKT", "CUM_BAC"]),
    ("cycle in the tree", _cycle, ["units[", ".parent", "cycle"]),
    ("stretch on at_least", _stretch_on_at_least, ["indicators[budget_revenue]", "stretch"]),
    ("rank without target", _rank_without_target, ["indicators[sipas_rank]", "target"]),
    ("baseline for unknown unit", _baseline_for_unknown_unit, ["indicators[pci_rank].baselines", "KTT"]),
    ("text as target", _text_target, ["indicators[new_rural_communes].target"]),
]


@pytest.mark.parametrize(("mutate", "expected"), [(m, e) for _, m, e in BROKEN], ids=[n for n, _, _ in BROKEN])
def test_broken_plan_file_names_file_entry_and_field(tmp_path: Path, mutate, expected: list[str]) -> None:
    raw = _raw()
    mutate(raw)
    path = _write(tmp_path, raw)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    message = str(caught.value)
    assert str(path) in message
    for part in expected:
        assert part in message, f"{part!r} not in {message!r}"


def test_broken_plan_in_a_folder_stops_load_plans(tmp_path: Path) -> None:
    raw = _raw()
    _wrong_kind(raw)
    _write(tmp_path, raw)
    with pytest.raises(PlanError, match=r"2024\.toml: indicators\[pci_rank\]\.kind"):
        load_plans(tmp_path)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "2024.toml"
    path.write_text(PLAN_FILE.read_text(encoding="utf-8").replace("year = 2024", "year = = 2024", 1),
                    encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert str(path) in str(caught.value) and "not valid TOML" in str(caught.value)


def test_year_must_match_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "2025.toml"
    shutil.copy(PLAN_FILE, path)
    with pytest.raises(PlanError, match=r"2025\.toml: plan\.year: 2024 does not match the file name"):
        load_plan(path)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="no plan files"):
        load_plans(tmp_path)


# ---------------------------------------------------------------- another year's plan, without code changes

def _plan_2025(tmp_path: Path) -> Path:
    text = PLAN_FILE.read_text(encoding="utf-8")
    text = text.replace("year = 2024\nbaseline_year = 2023", "year = 2025\nbaseline_year = 2024", 1)
    text = text.replace("target = 1700000", "target = 1900000", 1)
    assert "year = 2025" in text and "target = 1900000" in text
    (tmp_path / "2025.toml").write_text(text, encoding="utf-8")
    shutil.copy(PLAN_FILE, tmp_path / "2024.toml")
    return tmp_path


def test_a_2025_plan_file_beside_2024_loads_both(tmp_path: Path) -> None:
    plans = load_plans(_plan_2025(tmp_path))
    assert sorted(plans) == [2024, 2025]
    assert plans[2025].baseline_year == 2024
    assert plans[2025].indicator("tourist_arrivals").target == 1_900_000
    assert plans[2024].indicator("tourist_arrivals").target == 1_700_000
    assert plans[2025].source.endswith("2025.toml")


def test_figures_for_2025_are_accepted_once_its_plan_exists(tmp_path: Path, duck_url: str,
                                                             plans: dict[int, Plan]) -> None:
    source = Source("f.csv", csv_bytes("TPKT,tourist_arrivals,2025-Q1,201734,"))
    store, _ = open_store(duck_url)
    refused = check(store, plans, source)
    assert [p.code for p in refused.problems] == ["period_outside_plan"]
    accepted = check(store, load_plans(_plan_2025(tmp_path)), source)
    assert accepted.ok, [p.describe("en") for p in accepted.problems]
    rows = accepted.rows.select(["unit", "period", "value"]).to_pylist()
    assert rows == [{"unit": "TPKT", "period": "2025-Q1", "value": 201734.0}]
