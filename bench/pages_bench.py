"""Benchmark: every page script warm under AppTest on the sample data, and the scorecard on a 1,000,000-row database
against a plain-pandas implementation of the same evaluation, in one run. Not a test: run it by hand.

    python bench/pages_bench.py [--rows 1000000] [--runs 5]

The scorecard for every unit as the app computes it: the figures chosen inside the database (kpi.spans_sql: the
current revisions, official before estimate, roll-ups), then judged in pandas. The baseline reads every revision
and every upload into pandas, picks the current revisions there (sort + drop_duplicates) and runs the pandas
reference (kpi.spans) and the same judging. bench/eval_bench.py measures one unit's scorecard at national scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = ["app.py", "app_pages/3_Theo_don_vi.py", "app_pages/4_Theo_quy.py", "app_pages/5_Chi_tieu.py",
         "app_pages/6_Tinh_hinh_bao_cao.py", "app_pages/2_Nap_so_lieu.py", "app_pages/1_Ke_hoach.py"]


def median_time(action, runs: int) -> float:
    """The median wall time of `action()` over `runs` runs, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_pages(work: Path, runs: int) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from kpi.bootstrap import open_store
    from kpi.sample import load_sample

    url = f"duckdb:///{work / 'sample.duckdb'}"
    store, plans = open_store(url)
    load_sample(store, plans)
    os.environ["KPI_DATABASE_URL"] = url
    from tests.support import signed_in

    token = signed_in(url)  # an administrator: the upload page is not open to anonymous viewers
    print("Pages under AppTest on the sample data (warm: caches filled by a first run), median of", runs)
    print(f"{'page':34} {'median s':>9}")
    st.cache_data.clear()
    for page in PAGES:
        def run(page: str = page) -> None:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.session_state["auth_token"] = token
            if page != "app.py":
                at.switch_page(page)
            at.run()
            assert not at.exception, [e.message for e in at.exception]
        run()  # warm the caches
        print(f"{page:34} {median_time(run, runs):9.3f}")


def pandas_scorecard(store, plan, period: str):
    """The same evaluation with the current revisions picked in pandas from every row of the store."""
    import pandas as pd

    from kpi.evaluate import evaluate

    with store.connect() as conn:
        subs = pd.read_sql("SELECT * FROM submissions", conn)
        ups = pd.read_sql("SELECT id, undone_at FROM uploads", conn)
    live = subs.merge(ups, left_on="upload_id", right_on="id")
    live = live[live["undone_at"].isna() & live["year"].isin([plan.baseline_year, plan.year])]
    current = (live.sort_values("upload_id").drop_duplicates(["unit_code", "indicator_code", "period"], keep="last")
               .rename(columns={"unit_code": "unit", "indicator_code": "indicator"}))
    return evaluate(plan, current, period)


def bench_scorecard(work: Path, rows: int, runs: int) -> None:
    import ingest_bench

    from kpi.bootstrap import open_store
    from kpi.ingest import ingest_path
    from kpi.scorecard import load_scorecard

    csv_path, plans_dir = work / "figures.csv", work / "plans"
    plans_dir.mkdir()
    units = ingest_bench.make_csv(csv_path, rows)
    ingest_bench.make_plan_dir(plans_dir, units)
    store, plans = open_store(f"duckdb:///{work / 'big.duckdb'}", plans_dir)
    loaded = ingest_path(store, plans, csv_path)
    assert loaded.ok, loaded.summary("en")
    plan = plans[2024]
    ours = median_time(lambda: load_scorecard(store, plans, "2024-Q3"), runs)
    naive = median_time(lambda: pandas_scorecard(store, plan, "2024-Q3"), runs)
    _, result = load_scorecard(store, plans, "2024-Q3")
    check = pandas_scorecard(store, plan, "2024-Q3")
    assert len(result) == len(check) and (result["status"].values == check["status"].values).all()
    print(f"\nScorecard for every unit, 2024-Q3, on {rows:,} figures ({units:,} units, {len(result):,} rows out), "
          f"median of {runs}")
    print(f"{'what':34} {'median s':>9} {'ratio':>7}")
    print(f"{'pandas (baseline)':34} {naive:9.3f} {1.0:7.2f}")
    print(f"{'kpi (chosen in SQL, judged in pandas)':34} {ours:9.3f} {ours / naive:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_pages(Path(tmp), args.runs)
        bench_scorecard(Path(tmp), args.rows, max(3, args.runs // 2))


if __name__ == "__main__":
    main()
