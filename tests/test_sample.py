"""The sample data: believable, with the gaps and revisions a demo needs, and safe to load twice."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from kpi.bootstrap import open_store
from kpi.plan import Plan
from kpi.sample import load_sample, sample_figures
from kpi.store import Store, current_figures, figures_from_sample, latest_period, submissions, uploads
from tests.support import snapshot

LOCALITIES = ["TPKT", "DHA", "DTO", "NHO", "DGL", "KPL", "KRA", "STH", "TMR", "IHD"]


@pytest.fixture(scope="module")
def sampled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict, list]:
    """A DuckDB store with the sample loaded once (read-only tests share it)."""
    store, plans = open_store(f"duckdb:///{tmp_path_factory.mktemp('sample') / 'kpi.duckdb'}")
    results = load_sample(store, plans)
    return store, plans, results


@pytest.fixture(scope="module")
def figures(sampled) -> pd.DataFrame:
    store, _, _ = sampled
    with store.connect() as conn:
        return current_figures(conn)


def test_kon_ray_has_not_sent_its_third_quarter(figures: pd.DataFrame) -> None:
    q3 = figures[figures["period"] == "2024-Q3"]
    assert "KRA" not in set(q3["unit"])
    assert set(LOCALITIES) - {"KRA"} <= set(q3["unit"])
    assert {"2024-Q1", "2024-Q2"} <= set(figures.loc[figures["unit"] == "KRA", "period"])


def test_the_sample_stands_at_the_nine_month_review(sampled, figures: pd.DataFrame) -> None:
    store, _, _ = sampled
    assert set(figures.loc[figures["year"] == 2024, "quarter"]) == {1, 2, 3}
    with store.connect() as conn:
        assert latest_period(conn) == "2024-Q3"
        assert figures_from_sample(conn)


def _descendants(plan: Plan, code: str) -> set[str]:
    children = {u.code for u in plan.units if u.parent == code}
    return children.union(*(_descendants(plan, c) for c in children))


def test_every_indicator_has_a_2023_baseline_for_kt(figures: pd.DataFrame, plan: Plan) -> None:
    base = figures[figures["year"] == plan.baseline_year]
    below_kt = _descendants(plan, "KT")
    for ind in plan.indicators:
        rows = base[base["indicator"] == ind.code]
        direct = (rows["unit"] == "KT").any()
        rolled_up = ind.rollup != "none" and rows["unit"].isin(below_kt).any()
        assert direct or rolled_up, f"no 2023 figure for KT's {ind.code}"
    # Flows need the whole baseline year: four quarters, or an annual figure.
    for ind in plan.indicators:
        if ind.flow == "flow":
            quarters = set(base.loc[base["indicator"] == ind.code, "quarter"])
            assert quarters >= {1, 2, 3, 4} or 0 in quarters, ind.code


def test_pci_baseline_is_censored_below_30(figures: pd.DataFrame) -> None:
    pci = figures[(figures["indicator"] == "pci_rank") & (figures["unit"] == "KT")]
    assert pci[["period", "value", "qualifier"]].values.tolist() == [["2023", 30.0, ">"]]


def test_the_last_upload_revised_exactly_two_figures(sampled) -> None:
    store, _, results = sampled
    assert all(r.ok for r in results)
    *quarters, corrections = results
    assert sum(r.count("new") for r in quarters) > 400 and not any(r.count("revised") for r in quarters)
    assert (corrections.count("new"), corrections.count("revised"), corrections.count("unchanged")) == (0, 2, 0)
    with store.connect() as conn:
        stored = conn.execute(sa.select(uploads.c.id, uploads.c.n_new, uploads.c.n_revised, uploads.c.source)
                              .order_by(uploads.c.id)).all()
        per_figure = pd.read_sql(
            sa.select(submissions.c.unit_code, submissions.c.indicator_code, submissions.c.period,
                      submissions.c.value, submissions.c.upload_id).order_by(submissions.c.upload_id), conn)
    assert [(n_new, n_revised, source) for _, n_new, n_revised, source in stored] == [
        *((r.count("new"), 0, "sample") for r in quarters), (0, 2, "sample")]
    counts = per_figure.groupby(["unit_code", "indicator_code", "period"]).size()
    revised = sorted(counts[counts > 1].index.tolist())
    assert revised == [("KT", "budget_revenue", "2024-Q3"), ("TPKT", "tourist_arrivals", "2024-Q2")]
    assert (counts[counts > 1] == 2).all()
    budget = per_figure[(per_figure["indicator_code"] == "budget_revenue") & (per_figure["period"] == "2024-Q3")]
    assert budget["value"].tolist() == [1151.9, round(1151.9 * 1.021, 1)]


def test_loading_the_sample_twice_changes_nothing(db_url: str) -> None:
    store, plans = open_store(db_url)
    load_sample(store, plans)
    before = snapshot(store)
    again = load_sample(store, plans)
    assert [r.upload_id for r in again] == [None] * 6
    assert all("không có gì thay đổi" in r.summary() for r in again)
    before.assert_same(snapshot(store))
    store.dispose()


def test_the_sample_is_the_same_on_every_run(plan: Plan) -> None:
    pd.testing.assert_frame_equal(sample_figures(plan), sample_figures(plan))


def test_sample_figures_are_shaped_like_kon_tum(figures: pd.DataFrame) -> None:
    """Hundreds of thousands of arrivals and about a thousand billion VND a quarter, accidents in the tens."""
    y2024 = figures[(figures["year"] == 2024) & figures["quarter"].isin([1, 2])]  # every locality reported
    by_quarter = y2024.groupby(["indicator", "quarter"])["value"].sum()
    for quarter in (1, 2):
        assert 200_000 <= by_quarter[("tourist_arrivals", quarter)] <= 900_000
        assert 800 <= by_quarter[("budget_revenue", quarter)] <= 1_500
        assert 10 <= by_quarter[("traffic_accidents", quarter)] <= 99
    # Round numbers hide bugs: most tourism figures are not multiples of 100.
    arrivals = figures.loc[figures["indicator"] == "tourist_arrivals", "value"]
    assert (arrivals % 100 != 0).mean() > 0.8


def test_some_units_are_ahead_and_some_behind(figures: pd.DataFrame) -> None:
    """The overview must have something to show: accidents rise in some localities and fall in others."""
    acc = figures[(figures["indicator"] == "traffic_accidents") & figures["quarter"].isin([1, 2])]
    totals = acc.pivot_table(index="unit", columns="year", values="value", aggfunc="sum")
    assert (totals[2024] > totals[2023]).any() and (totals[2024] < totals[2023]).any()


def test_uploads_are_dated_as_the_units_sent_them(sampled) -> None:
    store, _, _ = sampled
    with store.connect() as conn:
        stored = conn.execute(sa.select(uploads.c.file_name, uploads.c.created_at).order_by(uploads.c.id)).all()
    dates = {name: when.date().isoformat() for name, when in stored}
    assert dates["du-lieu-mau-2024-Q1.csv"] == "2024-04-11"  # on time: due 15 April
    assert dates["du-lieu-mau-2024-Q3-DGL.csv"] == "2024-10-29"  # Đắk Glei, two weeks after the 15 October deadline
