"""Benchmark: how long each page takes to settle in a real browser, warm and right after a data change. Not a test:
run it by hand (it needs Debian's chromium).

    python bench/browser_bench.py [--runs 5] [--width 1366 --height 768] [--pages /Theo_quy ...]

One Streamlit server process on a fresh copy of the sample data; Chromium (headless, Debian's). Two ways in:
- **link**: a director clicking a page in the sidebar of an open tab (no reload of Streamlit's own JavaScript),
  timed from the click;
- **open**: the page's address typed into a new tab, timed from navigation start, Streamlit's frontend load
  included.
A page has settled when its heading has changed, Streamlit's "running" indicator is gone and the number of drawn
Plotly charts (`.js-plotly-plot .main-svg`) has not changed for `STABLE_MS`; the time runs to the last change
seen (the stable window is not counted). Each page is visited once to fill the caches, then `runs` times warm;
then, `runs` times, a one-figure file is loaded with `kpi ingest` (a separate process, not timed: the data version
rises) and the page visited again (the first view after a data change). The baseline is the sign-in page reached
the same way in the same run (no chart, no evaluation): ratios are against its warm median. The server's peak
memory (VmHWM) is read at the end; the browser's is left out (it is Chromium's own).
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
sys.path.insert(0, str(ROOT / "bench"))
from procmem import status_mb  # noqa: E402 - the benchmarks' shared helper, beside this file

PAGES = ["/", "/Theo_don_vi", "/Theo_quy", "/Chi_tieu", "/Tinh_hinh_bao_cao", "/Ke_hoach"]
BASELINE = "/Dang_nhap"
STABLE_MS = 400
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
#: JavaScript: (still running?, number of drawn charts, the first heading's text).
PROBE = """() => [document.querySelector('[data-testid="stStatusWidget"]') !== null,
                  document.querySelectorAll('.js-plotly-plot .main-svg').length,
                  (document.querySelector('h1') || {innerText: ''}).innerText]"""
#: The sidebar link of each page (the Vietnamese navigation).
LINKS = {"/": "Tổng quan", "/Theo_don_vi": "Theo đơn vị", "/Theo_quy": "Theo quý", "/Chi_tieu": "Chi tiết chỉ tiêu",
         "/Tinh_hinh_bao_cao": "Tình hình báo cáo", "/Ke_hoach": "Kế hoạch & đơn vị", "/Dang_nhap": "Đăng nhập"}


def free_port() -> int:
    """A TCP port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _settle(page: object, start: float, before: str) -> float:
    """Seconds from `start` to the page's last change once its heading differs from `before`."""
    last_change, seen = time.perf_counter(), None
    deadline = start + 60
    while time.perf_counter() < deadline:
        running, charts, heading = page.evaluate(PROBE)
        state = (running, charts, heading)
        now = time.perf_counter()
        if state != seen:
            seen, last_change = state, now
        elif not running and heading and heading != before and (now - last_change) * 1000 >= STABLE_MS:
            break
        page.wait_for_timeout(25)
    return last_change - start


def open_seconds(browser: object, url: str, size: tuple[int, int]) -> float:
    """Seconds from typing `url` into a new tab to the page settled."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    start = time.perf_counter()
    page.goto(url)
    took = _settle(page, start, "")
    page.close()
    return took


def link_seconds(page: object, path: str) -> float:
    """Seconds from clicking `path`'s sidebar link in the open tab `page` to the page settled."""
    before = page.evaluate(PROBE)[2]
    start = time.perf_counter()
    page.get_by_role("link", name=LINKS[path], exact=True).click()
    return _settle(page, start, before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=768)
    parser.add_argument("--pages", nargs="*", default=PAGES, choices=PAGES, help="only these pages (default: all)")
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
    results: dict[str, tuple[float, ...]] = {}
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        size = (args.width, args.height)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            tab = browser.new_page(viewport=dict(zip(("width", "height"), size)))
            tab.goto(base + BASELINE)
            tab.get_by_role("heading", level=1).first.wait_for(timeout=60_000)
            changes = iter(range(10_000))

            def change() -> None:
                n = next(changes)
                figure = work / f"change-{n}.csv"
                figure.write_text(f"unit,indicator,period,value\nKT,budget_revenue,2024-Q1,{1000 + n}.5\n")
                subprocess.run([sys.executable, "-m", "kpi.cli", "ingest", str(figure)], env=env, check=True,
                               capture_output=True, cwd=ROOT)

            def away(path: str) -> None:  # to another page first, so that the click shows a new heading
                link_seconds(tab, "/Ke_hoach" if path == BASELINE else BASELINE)

            for path in [BASELINE, *args.pages]:
                away(path)
                link_seconds(tab, path)  # fill the caches
                warm_link, changed_link, warm_open, changed_open = [], [], [], []
                for _ in range(args.runs):
                    away(path)
                    warm_link.append(link_seconds(tab, path))
                    warm_open.append(open_seconds(browser, base + path, size))
                    away(path)
                    change()
                    changed_link.append(link_seconds(tab, path))
                    change()
                    changed_open.append(open_seconds(browser, base + path, size))
                results[path] = tuple(statistics.median(v) for v in (warm_link, changed_link, warm_open,
                                                                     changed_open))
            browser.close()
    finally:
        peak = status_mb(server.pid, "VmHWM")
        server.terminate()
        server.wait(timeout=10)
    link_base, open_base = results[BASELINE][0], results[BASELINE][2]
    print(f"Pages settled in Chromium at {args.width}×{args.height}, median of {args.runs}, seconds (ratio to the "
          f"sign-in page warm: {link_base:.2f} s by link, {open_base:.2f} s opened)")
    print(f"{'page':20} {'link warm':>10} {'after change':>13} {'open warm':>10} {'after change':>13}")
    for path, (warm, changed, opened, opened_changed) in results.items():
        print(f"{path:20} {warm:5.2f} ({warm / link_base:3.1f}) {changed:7.2f} ({changed / link_base:3.1f}) "
              f"{opened:5.2f} ({opened / open_base:3.1f}) {opened_changed:7.2f} ({opened_changed / open_base:3.1f})")
    print(f"server peak memory (VmHWM): {peak:.0f} MB")


if __name__ == "__main__":
    main()
