"""Benchmark: the evaluation inside the database against today's pandas path and hand-written DuckDB queries, on
national-scale data (kpi.national), side by side in one run.

    python bench/eval_bench.py [--runs 3] [--sizes 1m,10m]          (quick: --sizes small --runs 1)

Data (written once per size by a child process, not measured): `1m` is 63 provinces, 10,000 communes, 100
indicators of which 14 are sent by every commune, 2 years (about 1,016,000 figures); `10m` is the default national
scale, 25 commune indicators over 10 years (about 9,930,000 figures); `small` is a quick slice. The year in
progress stops after Q3, so the period evaluated is its 9 months; the unit is province P01 (about 160 communes).

Every measurement runs in a fresh process (interleaved: every kind once, then again) and reports that process's
own peak memory (VmHWM, reset when the clock starts for in-process kinds; see bench/ingest_bench.py for why not
RUSAGE). In-process kinds start the clock after the imports and `open_store` (plan parsed, catalogue found synced):
  pandas_unit         today's path: every current figure of both years into pandas (`current_figures`), then
                      `evaluate` for the unit.
  database_unit       `evaluate_stored` for the unit: the figures chosen inside DuckDB, only the unit's rows out;
                      the first call in the process, so building and compiling the query is included.
  database_unit_again the same call once more in the same process: the query is compiled already, as on every
                      page view after the first.
  hand_unit           a hand-written DuckDB query that sums the same figures: the unit's subtree, both years,
                      by indicator and year (no revisions, no precedence, no roll-up rules: a floor, not an
                      equivalent); the first query on the figures in the process, as database_unit is.
  hand_unit_again     the same query once more in the same process (the figures read already), the baseline of
                      database_unit_again.
  database_country    (10m) `evaluate_stored` for the root (the whole country rolled up).
  database_heatmap    (10m) `evaluate_stored` for the 63 provinces: a heatmap's cells.
  hand_country        (10m) the hand-written sum over every figure of both years.
  first_view / warm_view   (1m) the overview page under Streamlit's AppTest (script run, no browser): after an
                      upload (a fresh data version, so no cached result) and then again (cached).
Whole processes (wall time from the parent, Python start-up and imports included):
  kpi_scorecard_process  `kpi scorecard --unit P01 --period <year>-9M --format csv`.
  duckdb_process         `python -c "import duckdb; ..."` summing the same figures from the raw CSV files of
                         figures and units (exported from the store beforehand).
Not a test: run it by hand. Prints medians, ratios to the baseline of the same run, and peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest_bench import HWM_PRELUDE, KPI_PROCESS, _reset_peak, _status_kb, machine, revision  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
UNIT = "P01"
SIZES = {
    "small": ["--communes", "500", "--indicators", "20", "--commune-indicators", "6", "--years", "2"],
    "1m": ["--commune-indicators", "14", "--years", "2"],
    "10m": [],
}
KINDS = {
    "small": ["pandas_unit", "database_unit", "hand_unit", "database_unit_again", "hand_unit_again", "first_view",
              "warm_view", "kpi_scorecard_process", "duckdb_process"],
    "1m": ["pandas_unit", "database_unit", "hand_unit", "database_unit_again", "hand_unit_again", "first_view",
           "warm_view", "kpi_scorecard_process", "duckdb_process"],
    "10m": ["pandas_unit", "database_unit", "hand_unit", "database_unit_again", "hand_unit_again",
            "database_country", "database_heatmap", "hand_country"],
}
BASELINE = {"pandas_unit": "pandas_unit", "database_unit": "hand_unit", "hand_unit": "hand_unit",
            "database_unit_again": "hand_unit_again", "hand_unit_again": "hand_unit_again",
            "database_country": "hand_country", "database_heatmap": "hand_country", "hand_country": "hand_country",
            "first_view": "warm_view", "warm_view": "warm_view",
            "kpi_scorecard_process": "duckdb_process", "duckdb_process": "duckdb_process"}
# The same figures the unit's scorecard sums: its subtree, the year to date through Q3 and last year's spans.
HAND_SQL = """
SELECT s.indicator_code, s.year, sum(s.value) AS total
FROM submissions s JOIN uploads u ON u.id = s.upload_id
WHERE u.undone_at IS NULL AND s.year IN (?, ?) AND s.quarter BETWEEN 1 AND 4
  AND s.unit_code IN (SELECT unit_code FROM unit_ancestors WHERE plan_year = ? AND ancestor_code = ?)
GROUP BY 1, 2
"""
RAW_SQL = """
SELECT f.indicator, f.year, sum(f.value) FROM read_csv(?) f
WHERE f.year IN (?, ?) AND f.unit IN (SELECT unit FROM read_csv(?) WHERE ancestor = ?)
GROUP BY 1, 2
"""
DUCKDB_PROCESS = ("import duckdb; print(len(duckdb.connect().execute(" + repr(RAW_SQL) + ", "
                  "[sys.argv[1], int(sys.argv[3]) - 1, int(sys.argv[3]), sys.argv[2], sys.argv[4]]).fetchall()))\n")


def _run(argv: list[str], what: str, env: dict | None = None) -> subprocess.CompletedProcess:
    out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{what}: exit {out.returncode}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out


def generate(work: Path, size: str) -> dict:
    """Write the national plan, the store and the raw CSV files for `size` into `work`."""
    url = f"duckdb:///{work / 'store.duckdb'}"
    made = _run([sys.executable, "-m", "kpi.national", "--db", url, "--plans", str(work / "plans"), *SIZES[size]],
                "generate")
    import duckdb
    from pyarrow import csv

    con = duckdb.connect(str(work / "store.duckdb"), read_only=True)
    csv.write_csv(con.sql("SELECT unit_code AS unit, indicator_code AS indicator, period, year, quarter, value "
                          "FROM submissions").to_arrow_table(), work / "figures.csv")
    csv.write_csv(con.sql("SELECT unit_code AS unit, ancestor_code AS ancestor FROM unit_ancestors").to_arrow_table(),
                  work / "units.csv")
    year = con.execute("SELECT max(year) FROM submissions").fetchone()[0]
    con.close()
    return {"summary": made.stdout.strip(), "year": int(year)}


def _open(work: Path) -> tuple:
    from kpi.bootstrap import open_store

    store, plans = open_store(f"duckdb:///{work / 'store.duckdb'}", work / "plans")
    return store, plans[max(plans)]


def _timed(action) -> tuple[float, object]:
    _reset_peak()
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _in_process(kind: str, work: Path) -> dict:
    import pandas  # noqa: F401 - before the clock for every kind: DuckDB's first .df() would import it

    store, plan = _open(work)
    period = f"{plan.year}-9M"
    with store.connect() as conn:
        # Every kind starts on a connection that has read the figures' table once (DuckDB loads its metadata on
        # the first query that touches it).
        conn.exec_driver_sql("SELECT 1 FROM submissions LIMIT 1").all()
        if kind == "pandas_unit":
            from kpi.evaluate import evaluate
            from kpi.store import current_figures

            seconds, rows = _timed(lambda: evaluate(
                plan, current_figures(conn, [plan.baseline_year, plan.year]), period, [UNIT]))
        elif kind.startswith("database_"):
            from kpi.evaluate import evaluate_stored

            units = {"database_country": [plan.plan.scope_unit],
                     "database_heatmap": [u.code for u in plan.units if u.kind == "province"]}.get(kind, [UNIT])
            if kind == "database_unit_again":
                evaluate_stored(conn, plan, period, units)
            seconds, rows = _timed(lambda: evaluate_stored(conn, plan, period, units))
        else:  # hand_unit, hand_unit_again, hand_country
            raw = conn.connection.dbapi_connection
            ancestor = plan.plan.scope_unit if kind == "hand_country" else UNIT
            arguments = [plan.baseline_year, plan.year, plan.year, ancestor]
            if kind == "hand_unit_again":
                raw.execute(HAND_SQL, arguments).df()
            seconds, rows = _timed(lambda: raw.execute(HAND_SQL, arguments).df())
    store.dispose()
    return {"seconds": seconds, "rows": len(rows)}


def _page_views(work: Path) -> dict:
    """(first view after an upload, warm view) of the overview page under AppTest, in this process."""
    os.environ["KPI_DATABASE_URL"] = f"duckdb:///{work / 'store.duckdb'}"
    os.environ["KPI_PLANS_DIR"] = str(work / "plans")
    from streamlit.testing.v1 import AppTest

    from kpi.ingest import ingest_bytes

    def view() -> float:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["unit"] = UNIT
        start = time.perf_counter()
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return time.perf_counter() - start

    view()  # the process's first view: imports, plan, compiled queries
    store, plan = _open(work)
    commune = next(u.code for u in plan.units if u.parent == UNIT)
    indicator = plan.indicators[0].code
    data = f"unit,indicator,period,value\n{commune},{indicator},{plan.year}-Q3,{time.time() % 1000:.0f}\n".encode()
    assert ingest_bytes(store, {plan.year: plan}, data, "bench.csv").ok
    store.dispose()
    _reset_peak()
    first = view()
    warm = view()
    return {"first_view": first, "warm_view": warm}


def _child(kind: str, work: str) -> dict:
    if kind in ("first_view", "warm_view"):
        views = _page_views(Path(work))
        return {"seconds": views[kind], "peak_mb": _status_kb("VmHWM") / 1024, "other": views}
    detail = _in_process(kind, Path(work))
    return {**detail, "peak_mb": _status_kb("VmHWM") / 1024}


def _whole_process(kind: str, work: Path, year: int) -> dict:
    if kind == "duckdb_process":
        argv = [sys.executable, "-c", HWM_PRELUDE + DUCKDB_PROCESS, str(work / "figures.csv"),
                str(work / "units.csv"), str(year), UNIT]
    else:
        argv = [sys.executable, "-c", HWM_PRELUDE + KPI_PROCESS, "scorecard", "--unit", UNIT, "--period",
                f"{year}-9M", "--format", "csv", "--db", f"duckdb:///{work / 'store.duckdb'}",
                "--plans", str(work / "plans")]
    start = time.perf_counter()
    out = _run(argv, kind)
    seconds = time.perf_counter() - start
    peak_kb = [int(m) for m in re.findall(r"^VMHWM_KB (\d+)$", out.stderr, re.MULTILINE)]
    return {"seconds": seconds, "peak_mb": peak_kb[-1] / 1024, "rows": out.stdout.count("\n")}


def measure(kind: str, work: Path, year: int) -> dict:
    """One measurement of `kind` in a fresh process."""
    if kind.endswith("_process"):
        return _whole_process(kind, work, year)
    out = _run([sys.executable, __file__, "--child", kind, str(work)], kind)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1m,10m", help="comma-separated: small, 1m, 10m")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    host = {**machine(), "commit": revision()}
    print(f"machine: nproc {host['nproc']}, {host['cpu']}, {host['memory_gb']} GB; Python {host['python']}, "
          f"DuckDB {host['duckdb']}; kpi at {host['commit']}")
    report = []
    for size in args.sizes.split(","):
        with tempfile.TemporaryDirectory(prefix=f"eval-bench-{size}-") as tmp:
            work = Path(tmp)
            made = generate(work, size)
            print(f"\n{size}: {made['summary']}; unit {UNIT}, period {made['year']}-9M; median of {args.runs} "
                  "runs, interleaved, a fresh process each", flush=True)
            kinds = KINDS[size]
            results: dict[str, list[dict]] = {k: [] for k in kinds}
            for run in range(args.runs):
                for kind in kinds:
                    results[kind].append(measure(kind, work, made["year"]))
                print(f"  run {run + 1}/{args.runs} done", file=sys.stderr, flush=True)
        medians = {k: statistics.median(r["seconds"] for r in results[k]) for k in kinds}
        print(f"{'what':22} {'median s':>9} {'ratio':>8} {'vs':16} {'peak MB':>8}")
        for kind in kinds:
            base = BASELINE[kind]
            row = {"size": size, "what": kind, "median_s": round(medians[kind], 4),
                   "ratio": round(medians[kind] / medians[base], 3), "baseline": base,
                   "peak_mb": round(max(r["peak_mb"] for r in results[kind])),
                   "runs_s": [round(r["seconds"], 4) for r in results[kind]]}
            report.append(row)
            speedup = ""
            if kind.startswith("database_unit") and "pandas_unit" in medians:  # the speed-up on today's path
                speedup = f"  {medians['pandas_unit'] / medians[kind]:.0f}× faster than pandas_unit"
                row["speedup_vs_pandas"] = round(medians["pandas_unit"] / medians[kind], 1)
            print(f"{kind:22} {row['median_s']:9.3f} {row['ratio']:8.3f} {base:16} {row['peak_mb']:8.0f}{speedup}")
    print(json.dumps({"machine": host, "runs": args.runs, "results": report}, ensure_ascii=False))


if __name__ == "__main__":
    main()
