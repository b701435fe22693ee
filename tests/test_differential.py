"""The evaluation inside the database (`kpi.spans_sql`, `evaluate_stored`) against the pandas reference
(`kpi.spans.Spans`, `evaluate` over `current_figures`), on generated cases, on DuckDB and PostgreSQL.

Hypothesis writes uploads straight into the store: figures of every indicator kind (censored ranks among them),
quarters, 6 and 9 months and years of the plan year and its baseline year, estimates, revisions (a later upload of
the same figure), undone uploads and missing quarters, on a four-level tree whose roll-ups mix sum, mean and min
and mix grains (one child's year figure with another's quarters). For each case both engines evaluate a period for
every unit, for one unit, and for a unit with its parent; both build the quarter series of a unit. They must agree
on every row and column: the same rows, the same statuses and verdicts, the same missing reports in the same order,
the same numbers. Numbers are compared to 1e-9 relative: a database may add a roll-up's children in another order,
and a float sum can then differ in its last bit (no rule of the evaluation turns on such a difference: scores are
rounded to 1e-9 before they meet a target).

The shipped 2024 plan runs as well, with its own tree and indicators.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kpi.catalogue import sync_plan
from kpi.evaluate import evaluate, evaluate_stored
from kpi.periods import parse_period
from kpi.plan import Plan, load_plans, parse_plan
from kpi.series import quarter_series, stored_quarter_series
from kpi.spans import Spans
from kpi.store import Store, current_figures, submissions, uploads
from kpi.stored_spans import StoreSpans

# 10 cases a backend in CI (about a minute and a half with the shipped plan's); KPI_DIFFERENTIAL_EXAMPLES=500 explores
# more.
EXAMPLES = int(os.environ.get("KPI_DIFFERENTIAL_EXAMPLES", "10"))
CASE_SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                         phases=[Phase.explicit, Phase.reuse, Phase.generate],
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large])

# R (the scope) → D1, D2 → O1, O2 under D1, O3 under D2 → L1 under O1: four levels, so roll-ups chain three deep.
TREE = {"R": None, "D1": "R", "D2": "R", "O1": "D1", "O2": "D1", "O3": "D2", "L1": "O1"}
LEAVES = ["O2", "O3", "L1"]


def _indicator(code: str, kind: str, flow: str, rollup: str, reported_by: list[str], **extra: object) -> dict:
    rank = kind == "rank_gain"
    spec = {"code": code, "name_vi": code, "name_en": code, "measure_vi": "đơn vị", "measure_en": "units",
            "kind": kind, "flow": flow, "rollup": rollup, "applies_to": "scope", "min": 1 if rank else 0,
            "max": 63 if rank else 10_000, "integer": rank, "lead_unit": "R", "reported_by": reported_by}
    if kind != "reduce_vs_baseline":
        spec["target"] = 2 if rank else 100
    return {**spec, **extra}


def synthetic_plan() -> Plan:
    """A plan over `TREE` with an indicator of each kind, each roll-up method and each reporting rhythm."""
    units = [{"code": code, "name_vi": code, "name_en": code, "kind": "other", **({"parent": parent} if parent else {})}
             for code, parent in TREE.items()]
    indicators = [
        _indicator("flow_sum", "at_least", "flow", "sum", ["leaves"], profile=[0.1, 0.2, 0.3, 0.4]),
        _indicator("flow_more", "more_than", "flow", "sum", ["leaves", "D2"]),
        _indicator("level_mean", "at_least", "level", "mean", ["leaves"], applies_to="each", tolerance=2),
        _indicator("level_min", "at_least", "level", "min", ["leaves"], applies_to="each"),
        _indicator("yearly_sum", "at_least", "flow", "sum", ["leaves"], reporting="annual"),
        _indicator("published", "at_least", "level", "none", ["R"], publication="annual"),
        _indicator("rank", "rank_gain", "level", "none", ["R", "D1"], baselines={"D1": ">30"}),
        _indicator("fewer", "reduce_vs_baseline", "flow", "sum", ["leaves"]),
        _indicator("reduce_level", "reduce_by", "level", "mean", ["leaves"], reported_as="level", stretch=150),
    ]
    raw = {"plan": {"year": 2024, "baseline_year": 2023, "scope_unit": "R", "title_vi": "Thử", "title_en": "Test"},
           "status": {"on_track": 95, "at_risk": 80}, "units": units, "groups": {"leaves": LEAVES},
           "indicators": indicators}
    return parse_plan(raw, "differential")


SYNTHETIC = synthetic_plan()
SHIPPED = load_plans()[2024]
PERIODS = ["Q1", "Q2", "Q3", "Q4", "H1", "9M", ""]  # "" is the year
QUARTER_OF = {"Q1": 1, "Q2": 2, "Q3": 3, "Q4": 4, "H1": 2, "9M": 3, "": 0}


def _value(plan: Plan, indicator: str) -> st.SearchStrategy[tuple[float, str | None]]:
    ind = plan.indicator(indicator)
    if ind.kind == "rank_gain":
        plain = st.integers(1, 63).map(lambda v: (float(v), None))
        censored = st.tuples(st.integers(2, 62).map(float), st.sampled_from([">", "<"]))
        return st.one_of(plain, censored)
    if ind.flow == "level":
        return st.integers(0, 1000).map(lambda v: (v / 10, None))  # one decimal, as percentages are sent
    return st.integers(0, 400).map(lambda v: (float(v), None))


@st.composite
def figure(draw: st.DrawFn, plan: Plan) -> dict:
    """One figure of a unit that reports, or of any unit (a parent's own figure competes with its roll-up)."""
    indicator = draw(st.sampled_from([i.code for i in plan.indicators]))
    reporters = plan.reporters(plan.indicator(indicator))
    unit = draw(st.one_of(st.sampled_from(reporters), st.sampled_from([u.code for u in plan.units])))
    year = draw(st.sampled_from([plan.baseline_year, plan.year]))
    part = draw(st.sampled_from(PERIODS))
    value, qualifier = draw(_value(plan, indicator))
    return {"unit_code": unit, "indicator_code": indicator, "period": f"{year}-{part}" if part else f"{year}",
            "year": year, "quarter": QUARTER_OF[part], "value": value, "qualifier": qualifier,
            "note": None, "estimate": draw(st.integers(0, 3)) == 0}


@st.composite
def case(draw: st.DrawFn, plan: Plan) -> list[tuple[list[dict], bool]]:
    """Uploads in order: (figures, undone). A later upload revises the figures it repeats."""
    uploads_ = []
    for _ in range(draw(st.integers(1, 4))):
        rows = draw(st.lists(figure(plan), min_size=1, max_size=40,
                             unique_by=lambda r: (r["unit_code"], r["indicator_code"], r["period"])))
        uploads_.append((rows, draw(st.integers(0, 4)) == 0))
    return uploads_


def _write(store: Store, uploads_: list[tuple[list[dict], bool]]) -> None:
    with store.begin() as conn:
        conn.execute(submissions.delete())
        conn.execute(uploads.delete())
        for number, (rows, undone) in enumerate(uploads_, start=1):
            stamp = datetime(2024, 1, 1, 0, number)
            conn.execute(uploads.insert().values(
                id=number, file_name=f"f{number}.csv", file_sha256="0" * 64, source="cli", created_by="test",
                created_at=stamp, n_rows=len(rows), n_new=len(rows), n_revised=0, n_unchanged=0,
                undone_at=stamp if undone else None, undone_by="test" if undone else None))
            conn.execute(submissions.insert(), [{**row, "upload_id": number} for row in rows])


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or (isinstance(a, float) and math.isnan(a))) and (
            b is None or (isinstance(b, float) and math.isnan(b)))
    if isinstance(a, (list, np.ndarray)) or isinstance(b, (list, np.ndarray)):
        return list(a) == list(b)
    return bool(a == b)


def assert_same(reference: pd.DataFrame, stored: pd.DataFrame, keys: list[str]) -> None:
    """Every row and column of `stored` equals `reference` (numbers to 1e-9 relative), rows matched on `keys`."""
    assert list(reference.columns) == list(stored.columns)
    left = reference.sort_values(keys, kind="stable").reset_index(drop=True)
    right = stored.sort_values(keys, kind="stable").reset_index(drop=True)
    assert left[keys].values.tolist() == right[keys].values.tolist(), "different rows"
    for column in left.columns:
        for n, (a, b) in enumerate(zip(left[column].astype(object), right[column].astype(object))):
            a = float(a) if isinstance(a, (int, np.integer, np.floating)) and not isinstance(a, bool) else a
            b = float(b) if isinstance(b, (int, np.integer, np.floating)) and not isinstance(b, bool) else b
            a = bool(a) if isinstance(a, np.bool_) else a
            b = bool(b) if isinstance(b, np.bool_) else b
            assert _same(a, b), f"{column} of {left.loc[n, keys].tolist()}: reference {a!r}, database {b!r}"


def _compare(store: Store, plan: Plan, uploads_: list, period: str, unit: str, indicator: str) -> None:
    _write(store, uploads_)
    parent = plan.unit(unit).parent
    with store.connect() as conn:
        assert StoreSpans(conn, plan).in_database  # the query itself is under test, not its stand-in
        # One reference for the whole case: its spans are worked out once and shared by every view.
        reference = Spans(plan, current_figures(conn, [plan.baseline_year, plan.year]))
        for units in (None, [unit], [unit, parent] if parent else [unit]):
            assert_same(evaluate(plan, reference, period, units), evaluate_stored(conn, plan, period, units),
                        ["indicator", "unit"])
        # The indicator page: one indicator, a unit and its own units; the database reads that indicator only,
        # the reference reads everything and keeps its rows.
        units = plan.with_children(unit)
        assert_same(evaluate(plan, reference, period, units, [indicator]),
                    evaluate_stored(conn, plan, period, units, [indicator]), ["indicator", "unit"])
        assert_same(quarter_series(plan, reference, unit), stored_quarter_series(conn, plan, unit),
                    ["indicator", "quarter"])


def _store(url: str, plan: Plan) -> Store:
    store = Store(url)
    store.create_schema()
    sync_plan(store, plan)
    return store


@pytest.fixture(params=["duckdb", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL of each backend (PostgreSQL in a schema of the test's own)."""
    if request.param == "duckdb":
        yield f"duckdb:///{tmp_path / 'diff.duckdb'}"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def synthetic(db: str) -> Iterator[Store]:
    """A store with the synthetic plan, one for all the examples of a test (each example rewrites the uploads)."""
    store = _store(db, SYNTHETIC)
    yield store
    store.dispose()


@pytest.fixture
def shipped(db: str) -> Iterator[Store]:
    """A store with the shipped 2024 plan."""
    store = _store(db, SHIPPED)
    yield store
    store.dispose()


def _period(plan: Plan, part: str) -> str:
    return str(parse_period(f"{plan.year}-{part}" if part else f"{plan.year}"))


@CASE_SETTINGS
@given(data=st.data())
def test_database_evaluation_matches_the_reference(synthetic: Store, data: st.DataObject) -> None:
    uploads_ = data.draw(case(SYNTHETIC), label="uploads")
    period = _period(SYNTHETIC, data.draw(st.sampled_from(PERIODS), label="period"))
    unit = data.draw(st.sampled_from(list(TREE)), label="unit")
    indicator = data.draw(st.sampled_from([i.code for i in SYNTHETIC.indicators]), label="indicator")
    _compare(synthetic, SYNTHETIC, uploads_, period, unit, indicator)


@settings(CASE_SETTINGS, max_examples=max(2, EXAMPLES * 2 // 5))
@given(data=st.data())
def test_database_evaluation_matches_the_reference_on_the_shipped_plan(shipped: Store, data: st.DataObject) -> None:
    uploads_ = data.draw(case(SHIPPED), label="uploads")
    period = _period(SHIPPED, data.draw(st.sampled_from(PERIODS), label="period"))
    unit = data.draw(st.sampled_from(["KT", "SGTVT", "QLHT", "DHA"]), label="unit")
    indicator = data.draw(st.sampled_from([i.code for i in SHIPPED.indicators]), label="indicator")
    _compare(shipped, SHIPPED, uploads_, period, unit, indicator)


def test_only_the_units_asked_for_leave_the_database(tmp_path) -> None:
    """A unit's scorecard reads its subtree inside the database and returns its own rows only."""
    store = _store(f"duckdb:///{tmp_path / 'one.duckdb'}", SYNTHETIC)
    # O2 and L1 send Q1 tourist-like flows: D1's roll-up is their sum (O1 has L1's figure as its own roll-up).
    rows = [{"unit_code": unit, "indicator_code": "flow_sum", "period": "2024-Q1", "year": 2024, "quarter": 1,
             "value": value, "qualifier": None, "note": None, "estimate": False}
            for unit, value in (("O2", 30.0), ("L1", 12.0), ("O3", 7.0))]
    _write(store, [(rows, False)])
    with store.connect() as conn:
        result = evaluate_stored(conn, SYNTHETIC, "2024-Q1", ["D1"])
    assert set(result["unit"]) == {"D1"}
    row = result.set_index("indicator").loc["flow_sum"]
    assert row["actual"] == 42.0  # 30 (O2) + 12 (L1 through O1): O3 is under D2, not counted
    assert row["source"] == "rollup"
    store.dispose()


def test_each_choice_of_indicators_has_its_own_query(tmp_path) -> None:
    """The kept queries are told apart by their indicators: asking for another one after the first gets its rows."""
    store = _store(f"duckdb:///{tmp_path / 'kept.duckdb'}", SYNTHETIC)
    rows = [{"unit_code": unit, "indicator_code": indicator, "period": "2024-Q1", "year": 2024, "quarter": 1,
             "value": 10.0, "qualifier": None, "note": None, "estimate": False}
            for unit in LEAVES for indicator in ("flow_sum", "level_min")]
    _write(store, [(rows, False)])
    with store.connect() as conn:
        first = evaluate_stored(conn, SYNTHETIC, "2024-Q1", ["D1", "O1", "O2"], ["flow_sum"])
        second = evaluate_stored(conn, SYNTHETIC, "2024-Q1", ["D1", "O1", "O2"], ["level_min"])
    assert set(first["indicator"]) == {"flow_sum"} and set(second["indicator"]) == {"level_min"}
    # D1's flow is O2's 10 plus L1's 10 through O1; its level is the lower of the two, 10.
    assert first.set_index("unit").loc["D1", "actual"] == 20.0
    assert second.set_index("unit").loc["D1", "actual"] == 10.0
    store.dispose()


def test_the_catalogue_holds_the_tree_as_a_closure(tmp_path) -> None:
    store = _store(f"duckdb:///{tmp_path / 'tree.duckdb'}", SYNTHETIC)
    with store.connect() as conn:
        rows = conn.execute(sa.text("SELECT ancestor_code, distance FROM unit_ancestors WHERE unit_code = 'L1' "
                                    "ORDER BY distance")).all()
    # L1 → O1 → D1 → R, by hand from TREE.
    assert [tuple(r) for r in rows] == [("L1", 0), ("O1", 1), ("D1", 2), ("R", 3)]
    store.dispose()


def test_a_catalogue_holding_another_version_of_the_plan_is_not_used(tmp_path) -> None:
    """Another process synced a newer plan (O2 moved from D1 to D2): an evaluation with this process's plan must
    not roll up over the other's tree (found in review)."""
    store = _store(f"duckdb:///{tmp_path / 'two.duckdb'}", SYNTHETIC)
    rows = [{"unit_code": unit, "indicator_code": "flow_sum", "period": "2024-Q1", "year": 2024, "quarter": 1,
             "value": value, "qualifier": None, "note": None, "estimate": False}
            for unit, value in (("O2", 30.0), ("L1", 12.0), ("O3", 7.0))]
    _write(store, [(rows, False)])
    moved = SYNTHETIC.model_copy(update={"units": [u.model_copy(update={"parent": "D2"}) if u.code == "O2" else u
                                                   for u in SYNTHETIC.units]})
    sync_plan(store, moved)
    with store.connect() as conn:
        assert not StoreSpans(conn, SYNTHETIC).in_database
        result = evaluate_stored(conn, SYNTHETIC, "2024-Q1", ["D1", "D2"]).set_index(["unit", "indicator"])
    # By this process's plan: D1 = O2 30 + L1 12 (through O1) = 42; D2 = O3 7.
    assert result.loc[("D1", "flow_sum"), "actual"] == 42.0
    assert result.loc[("D2", "flow_sum"), "actual"] == 7.0
    store.dispose()
