"""Benchmark: how long each page takes to settle in a real browser, warm and right after a data change. Not a test:
run it by hand (it needs Debian's chromium).

    python bench/browser_bench.py [--runs 5] [--width 1366 --height 768]

One Streamlit server process on a fresh copy of the sample data; Chromium (headless, Debian's) opens each page in a
new tab. A page has settled when Streamlit's "running" indicator is gone and the number of drawn Plotly charts
(`.js-plotly-plot .main-svg`) has not changed for `STABLE_MS`; the time is from just before navigation to the
last change seen, so the stable window itself is not counted. Each page is opened once to fill the caches, then
`runs` times warm; then, `runs` times, a one-figure file is loaded with `kpi ingest` (a separate process, not
timed: the data version rises) and the page opened again (the first view after a data change). The baseline is
the sign-in page measured the same way in the same run (no chart, no evaluation): ratios are against its warm
median. The server's peak memory (VmHWM) is read at the end; the browser's is left out (it is Chromium's own).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/Theo_don_vi", "/Theo_quy", "/Chi_tieu", "/Tinh_hinh_bao_cao", "/Ke_hoach"]
BASELINE = "/Dang_nhap"
STABLE_MS = 400
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: JavaScript: (still running?, number of drawn charts).
PROBE = """() => [document.querySelector('[data-testid="stStatusWidget"]') !== null,
                  document.querySelectorAll('.js-plotly-plot .main-svg').length,
                  document.querySelectorAll('h1').length]"""


def free_port() -> int:
    """A TCP port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settle_seconds(browser: object, url: str, size: tuple[int, int]) -> float:
    """Seconds from navigation to the page's last change (title drawn, Streamlit idle, chart count stable)."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    start = time.perf_counter()
    page.goto(url)
    last_change, seen = time.perf_counter(), None
    deadline = start + 60
    while time.perf_counter() < deadline:
        running, charts, titles = page.evaluate(PROBE)
        state = (running, charts, titles)
        now = time.perf_counter()
        if state != seen:
            seen, last_change = state, now
        elif not running and titles and (now - last_change) * 1000 >= STABLE_MS:
            break
        page.wait_for_timeout(25)
    page.close()
    return last_change - start


def vm_hwm_mb(pid: int) -> float:
    """Peak resident memory of process `pid` in MB (Linux VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="kpi-browser-bench-"))
    url = f"duckdb:///{work / 'sample.duckdb'}"
    env = {**os.environ, "KPI_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "kpi.cli", "sample"], env=env, check=True, capture_output=True, cwd=ROOT)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.headless", "true", "--server.address", "127.0.0.1"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        size = (args.width, args.height)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            results = {}
            for path in [BASELINE, *PAGES]:
                settle_seconds(browser, base + path, size)  # fill the caches
                warm = [settle_seconds(browser, base + path, size) for _ in range(args.runs)]
                changed = []
                for n in range(args.runs):
                    figure = work / f"change-{path.strip('/') or 'overview'}-{n}.csv"
                    figure.write_text(f"unit,indicator,period,value\nKT,budget_revenue,2024-Q1,{1000 + n}.5\n")
                    subprocess.run([sys.executable, "-m", "kpi.cli", "ingest", str(figure)], env=env, check=True,
                                   capture_output=True, cwd=ROOT)
                    changed.append(settle_seconds(browser, base + path, size))
                results[path] = (statistics.median(warm), statistics.median(changed))
            browser.close()
    finally:
        peak = vm_hwm_mb(server.pid)
        server.terminate()
        server.wait(timeout=10)
    baseline = results[BASELINE][0]
    print(f"Pages settled in Chromium at {args.width}×{args.height}, median of {args.runs} (seconds; ratio to the "
          f"sign-in page warm, {baseline:.2f} s)")
    print(f"{'page':22} {'warm':>6} {'ratio':>6} {'after change':>13} {'ratio':>6}")
    for path, (warm, changed) in results.items():
        print(f"{path:22} {warm:6.2f} {warm / baseline:6.1f} {changed:13.2f} {changed / baseline:6.1f}")
    print(f"server peak memory (VmHWM): {peak:.0f} MB")


if __name__ == "__main__":
    main()
