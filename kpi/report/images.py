"""The review's charts as PNG for the printed report: the app's own bullet chart (`kpi.charts.attainment_bullets`),
drawn by Kaleido 1.x in a headless Chromium, so the page and the paper show the same picture.

Kaleido 1.x brings no browser of its own: it drives an installed Chrome or Chromium (through choreographer) and is
given its path here (`chromium_path`). It starts the browser with --no-sandbox unless asked to sandbox, which is
what a server running as root needs. The page it draws in loads plotly.js from the plotly package and MathJax is
switched off, so nothing is fetched from the network. Without a browser the charts are None and the documents say
so where each chart would stand.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import kaleido
import plotly.graph_objects as go

from kpi.charts import attainment_bullets
from kpi.report.content import Review, Section

log = logging.getLogger(__name__)

#: Debian's package (apt-get install chromium), which this machine and CI have.
DEBIAN_CHROMIUM = "/usr/bin/chromium"
#: Other names a Chromium-based browser goes by on PATH, tried after $KPI_CHROMIUM, Debian's and $BROWSER_PATH.
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Pixels across: at 14-px type the chart's right-hand status column needs about 1000 px not to be cut.
WIDTH_PX = 1000
#: Pixel density of the PNG: 2000 px over the 16 cm of an A4 page's text is about 320 dpi, sharp on paper.
SCALE = 2
#: Seconds Kaleido waits for one chart before giving it up.
TIMEOUT_S = 60


def chromium_path() -> str | None:
    """The browser Kaleido is to drive: $KPI_CHROMIUM, Debian's /usr/bin/chromium, $BROWSER_PATH (Kaleido's own
    variable), then a Chromium or Chrome on PATH. Returns its path, or None when there is none."""
    for candidate in (os.environ.get("KPI_CHROMIUM"), DEBIAN_CHROMIUM, os.environ.get("BROWSER_PATH")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return next((found for name in _BROWSER_NAMES if (found := shutil.which(name))), None)


def print_figure(review: Review, section: Section) -> go.Figure:
    """The app's bullet chart of one section of `review`, on white: the app draws on a transparent background,
    which a document viewer in dark mode would show black."""
    figure = attainment_bullets(section.evaluated, review.plan, review.lang)
    return figure.update_layout(paper_bgcolor="white", plot_bgcolor="white")


def _options(figure: go.Figure) -> dict:
    """Kaleido's image options for `figure`: PNG, WIDTH_PX wide, as tall as the builder made it (tall enough for its
    wrapped names), or 80 + 34 px a row when it set no height."""
    rows = len(figure.data[0].y) if figure.data else 1
    height = figure.layout.height or 80 + 34 * rows
    return {"format": "png", "width": WIDTH_PX, "height": height, "scale": SCALE}


async def _draw(figures: list[go.Figure], browser: str) -> list[bytes | BaseException]:
    """Every figure drawn in one browser session (starting Chromium costs more than a chart); a failure is
    returned in its figure's place."""
    async with kaleido.Kaleido(n=1, timeout=TIMEOUT_S, mathjax=False, path=browser) as session:
        return await asyncio.gather(*(session.calc_fig(f, opts=_options(f)) for f in figures),
                                    return_exceptions=True)


def draw_pngs(figures: list[go.Figure], browser: str) -> list[bytes | None]:
    """PNG bytes of each figure, drawn with the browser at `browser`; None for a figure that could not be drawn
    (the error is logged)."""
    if not figures:
        return []
    # A thread of its own gives Kaleido an event loop of its own, whether or not the caller runs one (Streamlit).
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            drawn = pool.submit(asyncio.run, _draw(figures, browser)).result()
        except Exception:  # the browser did not start: every chart is missing, the document is still made
            log.exception("Kaleido could not start %s", browser)
            return [None] * len(figures)
    for result in drawn:
        if isinstance(result, BaseException):
            log.error("a chart could not be drawn", exc_info=result)
    return [None if isinstance(result, BaseException) else result for result in drawn]


def review_charts(review: Review) -> dict[str, bytes | None]:
    """The bullet chart of every section of `review` as PNG bytes, by unit code (the sections' order); a value is
    None where the chart could not be drawn, every value None when no browser is installed (`chromium_path`).
    Returns {} for a review without data, which shows no chart."""
    if not review.has_data:
        return {}
    units = [section.unit for section in review.sections]
    browser = chromium_path()
    if browser is None:
        return dict.fromkeys(units)
    figures = [print_figure(review, section) for section in review.sections]
    return dict(zip(units, draw_pngs(figures, browser)))
