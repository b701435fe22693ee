"""Benchmark: loading a 1,000,000-row long-format CSV (20,834 units), side by side in one run.

    python bench/ingest_bench.py [--rows 1000000] [--runs 3] [--skip-naive]      (quick: --rows 20000 --runs 1)

Every measurement runs in a fresh process on a fresh DuckDB file and reports that process's own peak memory; the
CSV files and the plan are written by another process first, so the parent stays small. The runs are interleaved
(every kind once, then every kind again), so drift in the machine's speed hits every kind alike; the table shows
medians, ratios to a baseline measured in the same run, and the highest peak over the runs.

In-process measurements (clock started after the imports; ratio against `duckdb_read_csv`):
  duckdb_read_csv      `duckdb.connect(file)`, `CREATE TABLE figures AS SELECT * FROM read_csv(?)`, close.
                       Includes connecting and the checkpoint at close; leaves out starting Python and
                       `import duckdb`. No checking at all: the baseline.
  kpi_ingest_work      `open_store(url, plans)` (schema check, the plan files parsed and found already synced),
                       then `ingest_path` (read, decode, type and check every cell, compare with the stored
                       figures, write them and record the upload), then the engine disposed. Leaves out starting
                       Python, the imports, and the `kpi init` on the fresh file, which copies the 20,834-unit
                       plan into the catalogue (done once per database, not per file): it runs in a process of
                       its own before the clock starts. Reported split: plan loading vs ingest.
  kpi_ingest_problems  like kpi_ingest_work on the same file with problems injected through it (unknown units,
                       `12x`, a figure repeated with another value, a negative value); must be rejected with every
                       injected problem listed (and nothing written).
  kpi_ingest_blank     like kpi_ingest_work on the clean file with one empty line after the header: DuckDB's
                       reader still reads it, and the rows are put back on their file lines.
  kpi_ingest_irregular like kpi_ingest_work on the clean file with one note spanning two lines (quoted), which
                       sends it through the exact Python CSV reader instead of DuckDB's parallel one.
  pandas_to_sql        the naive way: `sqlalchemy.create_engine`, `pandas.read_csv`, `DataFrame.to_sql`
                       (chunks of 10,000) into a DuckDB file. Leaves out the imports. Skip with --skip-naive.

Whole-process measurements (wall time of the process, from the parent; ratio against `duckdb_process`):
  duckdb_process       `python -c "import duckdb; duckdb.connect(DB).execute('CREATE TABLE figures AS SELECT *
                       FROM read_csv(?)', [CSV])"`: starting Python and importing duckdb included.
  kpi_ingest_process   `python -m kpi.cli ingest FILE --db URL --plans DIR` (exit code 0 required), after an
                       unmeasured `kpi init` on the same fresh file in a process of its own: start-up, imports,
                       plan loading, ingest and exit included; the one-off catalogue sync left out.

Peak memory is the process's own VmHWM from /proc/self/status (Linux), read at the end of the process. Not
RUSAGE: `ru_maxrss` survives `exec` on Linux, so a child started from a big parent reports the parent's
high-water mark (the old version of this benchmark printed 609 MB for every process for that reason). VmHWM
belongs to the new address space and starts again at exec. The in-process measurements also reset it to the
current resident size (`echo 5 > /proc/self/clear_refs`) when the clock starts, so what is resident then (the
imports) counts but a passing peak before it does not.
The whole-process ones print VmHWM from an `atexit` handler registered before the target code runs (anything the
interpreter does after `atexit`, at shutdown, is not seen).

National-scale data needs more units than Kon Tum has: the benchmark writes a plan with the 2024 plan's
indicators and enough extra localities for the row count (a plan is data, so no code changes). Not a test: run it
by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
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

# The problems injected into the problem file, by the code each must be reported with (one problem a line).
INJECTED = {"unknown_unit": 50, "not_a_number": 20, "duplicate": 10, "below_min": 10}
MAX_PROBLEMS = 1000  # kpi.ingest.rules.MAX_PROBLEMS: listed problems are capped, the rest counted in one more

IN_PROCESS = ["duckdb_read_csv", "kpi_ingest_work", "kpi_ingest_problems", "kpi_ingest_blank", "kpi_ingest_irregular"]
WHOLE_PROCESS = ["duckdb_process", "kpi_ingest_process"]
NAIVE = ["pandas_to_sql"]
BASELINE = {**{k: "duckdb_read_csv" for k in IN_PROCESS + NAIVE}, **{k: "duckdb_process" for k in WHOLE_PROCESS}}
FILES = {"kpi_ingest_problems": "problems.csv", "kpi_ingest_blank": "blank.csv",
         "kpi_ingest_irregular": "irregular.csv"}  # else figures.csv


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


def _other_value(value: str) -> str:
    """A different value that is just as valid (in range, whole where it was whole)."""
    return str(int(value) + 1) if value.lstrip("-").isdigit() else f"{float(value) + 1:.2f}"


def make_problem_csv(clean: Path, path: Path) -> dict[str, int]:
    """The clean file with `INJECTED` problems spread evenly through it (each line changed in place, so the file
    keeps its row count); returns the injected counts by problem code."""
    lines = clean.read_text(encoding="utf-8").split("\n")  # lines[0] is the header, the last one empty
    kinds = [code for code, n in INJECTED.items() for _ in range(n)]
    kinds = [kinds[i] for i in sorted(range(len(kinds)), key=lambda i: (i * 7919) % len(kinds))]  # mixed order
    rows = len(lines) - 2
    step = rows // (len(kinds) + 1)
    assert step >= 2, f"{rows} rows are too few for {len(kinds)} problems"
    for k, code in enumerate(kinds):
        at = (k + 1) * step + 1  # a data line; the line before it is never changed (step >= 2)
        unit, indicator, period, value, note = lines[at].split(",")
        if code == "unknown_unit":
            unit = unit[:-1]  # the last digit dropped, X01234 → X0123: a typo, never a code of the plan
        elif code == "not_a_number":
            value = f"{value}x"
        elif code == "duplicate":  # the previous line's figure again, with another value
            unit, indicator, period, previous, _ = lines[at - 1].split(",")
            value = _other_value(previous)
        else:
            value = "-5"
        lines[at] = ",".join((unit, indicator, period, value, note))
    path.write_text("\n".join(lines), encoding="utf-8")
    return dict(INJECTED)


def make_blank_csv(clean: Path, path: Path) -> None:
    """The clean file with one empty line after the header."""
    header, _, body = clean.read_bytes().partition(b"\n")
    path.write_bytes(header + b"\n\n" + body)


def make_irregular_csv(clean: Path, path: Path) -> None:
    """The clean file with the first figure's note on two lines, quoted: only Python's reader keeps its line."""
    header, _, body = clean.read_bytes().partition(b"\n")
    first, _, rest = body.partition(b"\n")
    path.write_bytes(header + b"\n" + first + '"Ghi chú\nhai dòng"'.encode() + b"\n" + rest)


def _generate(work: Path, rows: int) -> dict:
    csv_path, plans_dir = work / "figures.csv", work / "plans"
    plans_dir.mkdir(exist_ok=True)
    units = make_csv(csv_path, rows)
    make_plan_dir(plans_dir, units)
    injected = make_problem_csv(csv_path, work / FILES["kpi_ingest_problems"])
    make_blank_csv(csv_path, work / FILES["kpi_ingest_blank"])
    make_irregular_csv(csv_path, work / FILES["kpi_ingest_irregular"])
    return {"units": units, "csv_mb": round(csv_path.stat().st_size / 1e6, 1), "injected": injected}


# --- peak memory ---------------------------------------------------------------------------------------------

def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status (this benchmark needs Linux)")


def _reset_peak() -> None:
    """Start VmHWM again from the current resident size (Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")


# Prepended to the code of a whole-process measurement: prints the process's own VmHWM to stderr at exit.
HWM_PRELUDE = """import atexit, sys
def _print_vmhwm():
    with open('/proc/self/status') as status:
        kb = next(line.split()[1] for line in status if line.startswith('VmHWM:'))
    sys.stderr.write(f'VMHWM_KB {kb}\\n')
atexit.register(_print_vmhwm)
"""
# The targets, after the prelude; their arguments come on the command line (`python -c CODE ARG...`).
DUCKDB_PROCESS = ("import duckdb; duckdb.connect(sys.argv[1])"
                  ".execute('CREATE TABLE figures AS SELECT * FROM read_csv(?)', [sys.argv[2]])\n")
# `python -m kpi.cli ARG...`, with the prelude first
KPI_PROCESS = "import runpy; sys.argv[0] = 'kpi'; runpy.run_module('kpi.cli', run_name='__main__')\n"


# --- in-process measurements, each run in a child process of its own -----------------------------------------

def _kpi_child(kind: str, csv_path: str, db_path: str, plans_dir: str, rows: int, injected: dict) -> dict:
    import gc

    from kpi.bootstrap import open_store
    from kpi.ingest import ingest_path

    url = f"duckdb:///{db_path}"
    # The one-off catalogue sync of a fresh file, in a process of its own (as `kpi init` runs it): not measured,
    # and none of its heap left in this one.
    _run([sys.executable, "-m", "kpi.cli", "init", "--db", url, "--plans", plans_dir], "kpi init")
    gc.collect()
    start_rss_mb = _status_kb("VmRSS") / 1024
    _reset_peak()
    start = time.perf_counter()
    store, plans = open_store(url, plans_dir)  # plan files parsed, found already synced
    loaded = time.perf_counter()
    result = ingest_path(store, plans, Path(csv_path))
    store.engine.dispose()
    end = time.perf_counter()
    if kind == "kpi_ingest_problems":
        codes: dict[str, int] = {}
        for problem in result.blocking:
            codes[problem.code] = codes.get(problem.code, 0) + 1
        total = sum(injected.values())
        expected = min(total, MAX_PROBLEMS) + (1 if total > MAX_PROBLEMS else 0)
        assert not result.ok and result.upload_id is None, result.summary("en")
        assert len(result.blocking) == expected, (len(result.blocking), expected, codes)
        if total <= MAX_PROBLEMS:
            assert codes == injected, (codes, injected)
    else:
        assert result.ok and result.upload_id, [p.describe("en") for p in result.problems[:5]]
        assert result.count("new") == rows and result.to_write == rows, result.summary("en")
    return {"seconds": end - start, "plan_s": loaded - start, "ingest_s": end - loaded, "reader": result.reader,
            "problems": len(result.blocking), "new": result.count("new"), "start_rss_mb": start_rss_mb}


def _child(kind: str, csv_path: str, db_path: str, plans_dir: str, rows: int, injected: dict) -> dict:
    if kind == "duckdb_read_csv":
        import duckdb

        _reset_peak()
        start = time.perf_counter()
        con = duckdb.connect(db_path)
        con.execute("CREATE TABLE figures AS SELECT * FROM read_csv(?)", [csv_path])
        con.close()
        detail: dict = {"seconds": time.perf_counter() - start}
    elif kind == "pandas_to_sql":
        import pandas as pd
        import sqlalchemy as sa

        _reset_peak()
        start = time.perf_counter()
        engine = sa.create_engine(f"duckdb:///{db_path}")
        frame = pd.read_csv(csv_path)
        frame.to_sql("figures", engine, index=False, chunksize=10_000)
        engine.dispose()
        detail = {"seconds": time.perf_counter() - start}
    else:
        detail = _kpi_child(kind, csv_path, db_path, plans_dir, rows, injected)
    return {**detail, "peak_mb": _status_kb("VmHWM") / 1024}


# --- running the measurements ---------------------------------------------------------------------------------

def _run(argv: list[str], what: str) -> subprocess.CompletedProcess:
    out = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"{what}: exit {out.returncode}\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return out


def _whole_process(kind: str, csv_path: Path, db: Path, plans_dir: Path, rows: int) -> dict:
    url = f"duckdb:///{db}"
    if kind == "duckdb_process":
        argv = [sys.executable, "-c", HWM_PRELUDE + DUCKDB_PROCESS, str(db), str(csv_path)]
    else:
        _run([sys.executable, "-m", "kpi.cli", "init", "--db", url, "--plans", str(plans_dir)], "kpi init")
        argv = [sys.executable, "-c", HWM_PRELUDE + KPI_PROCESS, "ingest", str(csv_path), "--db", url,
                "--plans", str(plans_dir), "--lang", "en"]
    start = time.perf_counter()
    out = _run(argv, kind)  # exit code 0 required
    seconds = time.perf_counter() - start
    peak_kb = [int(m) for m in re.findall(r"^VMHWM_KB (\d+)$", out.stderr, re.MULTILINE)]
    assert peak_kb, out.stderr[-2000:]
    detail: dict = {"seconds": seconds, "peak_mb": peak_kb[-1] / 1024}
    if kind == "kpi_ingest_process":
        loaded = re.search(r"Loaded .*: ([\d,.]+) new, ([\d,.]+) revised", out.stdout)
        assert loaded, out.stdout[-2000:]
        new, revised = (int(re.sub(r"\D", "", n)) for n in loaded.groups())
        assert new == rows and revised == 0, out.stdout[-2000:]
        detail["new"] = new
    return detail


def measure(kind: str, work: Path, run: int, rows: int, injected: dict) -> dict:
    """One measurement in a fresh process on a fresh database file."""
    db = work / f"{kind}-{run}.duckdb"
    csv_path, plans_dir = work / FILES.get(kind, "figures.csv"), work / "plans"
    try:
        if kind in WHOLE_PROCESS:
            return _whole_process(kind, csv_path, db, plans_dir, rows)
        out = _run([sys.executable, __file__, "--child", kind, str(csv_path), str(db), str(plans_dir), str(rows),
                    json.dumps(injected)], kind)
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        for leftover in (db, db.with_name(db.name + ".wal")):
            leftover.unlink(missing_ok=True)


def machine() -> dict:
    """nproc, the CPU model and the total memory of this machine."""
    info = {"nproc": len(os.sched_getaffinity(0)), "cpu": platform.processor() or platform.machine(),
            "memory_gb": 0.0, "python": platform.python_version(), "duckdb": version("duckdb")}
    cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    if model:
        info["cpu"] = model.group(1).strip()
    meminfo = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(encoding="ascii"), re.MULTILINE)
    if meminfo:
        info["memory_gb"] = round(int(meminfo.group(1)) / 1024 / 1024, 1)
    return info


def revision() -> str:
    """The commit measured, with `+changes` when kpi/ differs from it."""
    def git(*argv: str) -> str:
        out = subprocess.run(["git", *argv], capture_output=True, text=True, cwd=ROOT)
        return out.stdout.strip() if out.returncode == 0 else "?"

    return git("rev-parse", "--short", "HEAD") + ("+changes" if git("status", "--porcelain", "kpi") else "")


def _notes(kind: str, results: list[dict]) -> str:
    if kind.startswith("kpi_ingest") and kind != "kpi_ingest_process":
        plan = statistics.median(r["plan_s"] for r in results)
        ingest = statistics.median(r["ingest_s"] for r in results)
        resident = max(r["start_rss_mb"] for r in results)
        first = results[0]
        outcome = f"{first['problems']} problems" if kind == "kpi_ingest_problems" else f"{first['new']:,} new"
        return (f"plan {plan:.2f} s + ingest {ingest:.2f} s; {first['reader']} reader; {outcome}; "
                f"{resident:.0f} MB resident at the start (imports)")
    if kind == "kpi_ingest_process":
        return f"exit 0, {results[0]['new']:,} new; `kpi init` before it unmeasured"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="figures in the file (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of every measurement (default 3)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out pandas to_sql (about a minute a run)")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, csv_path, db, plans_dir, rows, injected = args.child
        print(json.dumps(_child(kind, csv_path, db, plans_dir, int(rows), json.loads(injected))))
        return
    if args.generate:
        print(json.dumps(_generate(Path(args.generate[0]), int(args.generate[1]))))
        return

    host = {**machine(), "commit": revision(), "load_before": [round(x, 2) for x in os.getloadavg()]}
    print(f"machine: nproc {host['nproc']}, {host['cpu']}, {host['memory_gb']} GB; Python {host['python']}, "
          f"DuckDB {host['duckdb']}; kpi at {host['commit']}; load average {host['load_before']}")
    kinds = IN_PROCESS + WHOLE_PROCESS + ([] if args.skip_naive else NAIVE)
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        work = Path(tmp)
        made = json.loads(_run([sys.executable, __file__, "--generate", str(work), str(args.rows)],
                               "generate").stdout.strip().splitlines()[-1])
        injected = made["injected"]
        print(f"{args.rows:,} rows, {made['units']:,} units, {made['csv_mb']} MB; problem file: "
              f"{', '.join(f'{n} {code}' for code, n in injected.items())}; median of {args.runs} runs, "
              "interleaved; fresh process and database file each", flush=True)
        results: dict[str, list[dict]] = {k: [] for k in kinds}
        for run in range(args.runs):
            for kind in kinds:  # interleaved, so drift in the machine's speed hits every kind alike
                results[kind].append(measure(kind, work, run, args.rows, injected))
            print(f"  run {run + 1}/{args.runs} done", file=sys.stderr, flush=True)
    host["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if revision() != host["commit"]:  # the code under test changed while it was measured
        print(f"WARNING: kpi/ went from {host['commit']} to {revision()} during the run; runs mix two versions")
    medians = {k: statistics.median(r["seconds"] for r in results[k]) for k in kinds}
    table = []
    print(f"\n{'what':22} {'median s':>9} {'ratio':>7} {'vs':16} {'peak MB':>8}  notes")
    for kind in kinds:
        base = BASELINE[kind]
        row = {"what": kind, "median_s": round(medians[kind], 3), "ratio": round(medians[kind] / medians[base], 2),
               "baseline": base, "peak_mb": round(max(r["peak_mb"] for r in results[kind])),
               "runs_s": [round(r["seconds"], 3) for r in results[kind]], "notes": _notes(kind, results[kind])}
        if "plan_s" in results[kind][0]:
            row["plan_s"] = round(statistics.median(r["plan_s"] for r in results[kind]), 3)
            row["ingest_s"] = round(statistics.median(r["ingest_s"] for r in results[kind]), 3)
            row["plan_runs_s"] = [round(r["plan_s"], 3) for r in results[kind]]
        table.append(row)
        print(f"{kind:22} {row['median_s']:9.3f} {row['ratio']:7.2f} {base:16} {row['peak_mb']:8.0f}  {row['notes']}")
    print(f"load average after: {host['load_after']}")
    print(json.dumps({"machine": host, "rows": args.rows, "units": made["units"], "csv_mb": made["csv_mb"],
                      "runs": args.runs, "injected": injected, "results": table}, ensure_ascii=False))


if __name__ == "__main__":
    main()
