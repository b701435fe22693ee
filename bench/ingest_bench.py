"""Benchmark: loading a 1,000,000-row long-format CSV, side by side in one run.

  1. DuckDB's own `read_csv` into a table (the baseline the target is measured against),
  2. `kpi ingest` (validated: every cell checked against the plan, revisions classified, one upload recorded),
     which takes the one-statement fast path for a clean UTF-8 file,
  3. the careful path on the same file (what other encodings, layouts or files with problems go through),
  4. pandas `read_csv` + `to_sql` through SQLAlchemy (the naive way).

Each measurement runs in a fresh process on a fresh database file, so its peak memory (max RSS) is its own.
Prints the median of --runs runs and the ratios to the baseline. Not a test: run it by hand.

    python bench/ingest_bench.py [--rows 1000000] [--runs 3] [--skip-naive]

National-scale data needs more units than Kon Tum has: the benchmark writes a plan with the 2024 plan's
indicators and enough extra localities for the row count (a plan is data, so no code changes).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (indicator, low, high, decimals): the indicators a locality reports, with quarterly figures shaped like a
# commune's; each unit keeps its own level from quarter to quarter (±15%), as real series do.
INDICATORS = [
    ("tourist_arrivals", 2_000, 90_000, 0), ("traffic_accidents", 0, 40, 0), ("traffic_deaths", 0, 30, 0),
    ("traffic_injuries", 0, 40, 0), ("new_rural_communes", 0, 2, 0), ("poverty_rate_reduction", 2, 40, 2),
]
PERIODS = [f"{year}-Q{q}" for year in (2023, 2024) for q in (1, 2, 3, 4)]


def make_plan_dir(directory: Path, units: int) -> None:
    """A plan folder: the shipped 2024 plan plus `units` extra localities under KT (in the localities group, so
    they are the usual reporters of what they send)."""
    text = (ROOT / "data" / "plans" / "2024.toml").read_text(encoding="utf-8")
    codes = ", ".join(f'"X{i:05d}"' for i in range(units))
    text = text.replace('localities = ["TPKT",', f'localities = [{codes}, "TPKT",')
    extra = "".join(
        f'\n[[units]]\ncode = "X{i:05d}"\nname_vi = "Xã {i}"\nname_en = "Commune {i}"\nkind = "locality"\n'
        f'parent = "KT"\n' for i in range(units)
    )
    marker = "# Groups name sets of units"
    (directory / "2024.toml").write_text(text.replace(marker, extra + "\n" + marker), encoding="utf-8")


def make_csv(path: Path, rows: int) -> int:
    """Write a valid long-format CSV of `rows` figures; returns the number of units it needs."""
    import numpy as np
    import pandas as pd

    per_unit = len(INDICATORS) * len(PERIODS)
    units = -(-rows // per_unit)
    rng = np.random.default_rng(7)
    unit = np.repeat([f"X{i:05d}" for i in range(units)], per_unit)[:rows]
    indicator = np.tile(np.repeat([i[0] for i in INDICATORS], len(PERIODS)), units)[:rows]
    period = np.tile(PERIODS, units * len(INDICATORS))[:rows]
    low = np.tile(np.repeat([i[1] for i in INDICATORS], len(PERIODS)), units)[:rows]
    high = np.tile(np.repeat([i[2] for i in INDICATORS], len(PERIODS)), units)[:rows]
    digits = np.tile(np.repeat([i[3] for i in INDICATORS], len(PERIODS)), units)[:rows]
    level = np.repeat(rng.random(units * len(INDICATORS)), len(PERIODS))[:rows]  # one level per unit × indicator
    raw = (low + level * (high - low)) * rng.uniform(0.85, 1.15, rows)
    values = np.where(digits == 0, np.round(raw).astype(np.int64).astype(str), np.round(raw, 2).astype(str))
    pd.DataFrame({"unit": unit, "indicator": indicator, "period": period, "value": values, "note": ""}).to_csv(
        path, index=False)
    return units


# --- one measurement, run in a child process --------------------------------------------------------------

def _child(kind: str, csv_path: str, db_path: str, plans_dir: str) -> dict:
    if kind == "duckdb_read_csv":
        import duckdb

        con = duckdb.connect(db_path)
        start = time.perf_counter()
        con.execute("CREATE TABLE figures AS SELECT * FROM read_csv(?)", [csv_path])
        con.close()
        seconds = time.perf_counter() - start
        detail = {}
    elif kind in ("kpi_ingest", "kpi_ingest_careful"):
        from kpi.bootstrap import open_store
        from kpi.ingest import ingest_bytes, ingest_path

        store, plans = open_store(f"duckdb:///{db_path}", plans_dir)
        start = time.perf_counter()
        if kind == "kpi_ingest":
            result = ingest_path(store, plans, Path(csv_path))
        else:  # what a file in another encoding or layout, or one with a problem, goes through
            result = ingest_bytes(store, plans, Path(csv_path).read_bytes(), "figures.csv")
        seconds = time.perf_counter() - start
        assert result.ok and result.upload_id, result.summary("en")
        detail = {"path": result.path, "new": result.count("new")}
    else:
        import pandas as pd
        import sqlalchemy as sa

        engine = sa.create_engine(f"duckdb:///{db_path}")
        start = time.perf_counter()
        frame = pd.read_csv(csv_path)
        frame.to_sql("figures", engine, index=False, chunksize=10_000)
        engine.dispose()
        seconds = time.perf_counter() - start
        detail = {}
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak_mb, **detail}


def measure(kind: str, csv_path: Path, plans_dir: Path, work: Path, run: int) -> dict:
    db = work / f"{kind}-{run}.duckdb"
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(csv_path), str(db), str(plans_dir)],
        capture_output=True, text=True, check=True,
    )
    db.unlink(missing_ok=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true", help="leave out pandas to_sql (about a minute a run)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv_path, plans_dir = work / "figures.csv", work / "plans"
        plans_dir.mkdir()
        units = make_csv(csv_path, args.rows)
        make_plan_dir(plans_dir, units)
        size = csv_path.stat().st_size / 1e6
        print(f"{args.rows:,} rows, {units:,} units, {size:.1f} MB; median of {args.runs} runs, fresh process each")
        kinds = ["duckdb_read_csv", "kpi_ingest", "kpi_ingest_careful"] + ([] if args.skip_naive else
                                                                             ["pandas_to_sql"])
        results: dict[str, list[dict]] = {k: [] for k in kinds}
        for run in range(args.runs):
            for kind in kinds:  # interleaved, so drift in the machine's speed hits every kind alike
                results[kind].append(measure(kind, csv_path, plans_dir, work, run))
        base = statistics.median(r["seconds"] for r in results["duckdb_read_csv"])
        print(f"{'what':22} {'median s':>9} {'ratio':>7} {'peak MB':>8}")
        for kind in kinds:
            seconds = statistics.median(r["seconds"] for r in results[kind])
            peak = max(r["peak_mb"] for r in results[kind])
            extra = f"  ({results[kind][0]['path']} path)" if kind.startswith("kpi") else ""
            print(f"{kind:22} {seconds:9.3f} {seconds / base:7.2f} {peak:8.0f}{extra}")


if __name__ == "__main__":
    main()
