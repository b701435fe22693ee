"""Soak: the projector left running in headless Chromium; samples the server's memory (RSS) as slides advance.

    python bench/projector_soak.py [--minutes 10] [--every 5]

Prints the server's RSS at the start (after the first full cycle), at the end, the largest, and the growth per
hour extrapolated from a straight line through the samples. Not a test: run it by hand (a whole day is
`--minutes 1440`).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from procmem import status_mb  # noqa: E402 - the benchmarks' shared helper, beside this file

sys.path.insert(0, str(ROOT))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--every", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from kpi.bootstrap import open_store
    from kpi.sample import load_sample

    with tempfile.TemporaryDirectory() as tmp:
        url = f"duckdb:///{Path(tmp) / 'kpi.duckdb'}"
        store, plans = open_store(url)
        load_sample(store, plans)
        store.dispose()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1"],
            cwd=ROOT, env={**os.environ, "KPI_DATABASE_URL": url}, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            time.sleep(5)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1920, "height": 1080})
                page.goto(f"http://127.0.0.1:{port}/?view=projector&every={args.every}"
                          "&slides=overview,units,quarters,ranking")
                page.wait_for_timeout(args.every * 7 * 1000)  # one full cycle of seven slides
                samples = []
                start = time.monotonic()
                while time.monotonic() - start < args.minutes * 60:
                    samples.append((time.monotonic() - start, status_mb(server.pid, "VmRSS")))
                    page.wait_for_timeout(15_000)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    times = [t for t, _ in samples]
    values = [v for _, v in samples]
    n = len(samples)
    mean_t, mean_v = sum(times) / n, sum(values) / n
    slope = sum((t - mean_t) * (v - mean_v) for t, v in samples) / max(sum((t - mean_t) ** 2 for t in times), 1e-9)
    slides = int(args.minutes * 60 / args.every)
    print(f"projector soak: {args.minutes:g} min, a slide every {args.every} s (~{slides} slides), {n} samples")
    print(f"server RSS  first {values[0]:.1f} MB  last {values[-1]:.1f} MB  max {max(values):.1f} MB  "
          f"trend {slope * 3600:+.1f} MB/hour")


if __name__ == "__main__":
    main()
