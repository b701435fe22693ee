"""Projector mode: unit checks of its options and offline state under AppTest, and the meeting-room screen in a
real headless Chromium at 1920×1080 and 1280×720 (screenshots kept in tests/artifacts/)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kpi.bootstrap import open_store
from kpi.ingest import ingest_bytes
from ui.markdown import md_escape
from ui.projector import BODY_LINES, _fit_groups, _Group, _more_units, _wrapped_lines

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROME = ["stHeader", "stToolbar", "stSidebar", "stSidebarCollapsedControl", "stDecoration", "stStatusWidget"]


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def _plain(text: str) -> str:
    """Markdown text as it reads on screen: `\\(` → `(`."""
    return re.sub(r"\\(.)", r"\1", text)


def _projector(url: str, monkeypatch: pytest.MonkeyPatch, **query: str) -> AppTest:
    """The projector under AppTest on the database at `url`, first slide drawn."""
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in {"view": "projector", **query}.items():
        at.query_params[key] = value
    return at.run()


def test_unreachable_database_shows_a_calm_retrying_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing listens on port 9 of this machine: connecting fails at once.
    monkeypatch.setenv("KPI_DATABASE_URL", "postgresql+psycopg://kpi@127.0.0.1:9/kpi?connect_timeout=2")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["view"] = "projector"
    at.run()
    assert not at.exception
    assert "đang thử lại" in " ".join(m.value for m in at.markdown)


def test_projector_runs_under_apptest_with_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi.sample import load_sample

    url = f"duckdb:///{tmp_path / 'kpi.duckdb'}"
    store, plans = open_store(url)
    load_sample(store, plans)
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in {"view": "projector", "slides": "units,nonsense", "every": "7", "lang": "en"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert at.title[0].value == "Units behind target · Q3 2024"
    table = at.table[0].value
    statuses = {_plain(cell) for cell in table["Status"]}
    assert "▼ Off track" in statuses  # status as symbol and word
    # Kon Rẫy has not sent its third quarter: listed as not reported, never ranked on its old figures.
    assert "Not reported · Missing: Kon Ray District (Q3 2024)" in statuses
    assert not at.sidebar.children or not any(getattr(e, "type", "") == "selectbox" for e in at.sidebar)


# Units behind on a target (not met, off track or at risk) in the sample's third quarter of 2024, read off its figures:
# the city and four districts on poverty and traffic, the department and three of its offices and centres on
# citizens' satisfaction; and Kon Rẫy, which has sent none of its third-quarter traffic reports.
LAGGARDS = {
    "Thành phố Kon Tum", "Huyện Đắk Hà", "Huyện Ngọc Hồi", "Huyện Sa Thầy", "Huyện Đắk Glei", "Huyện Tu Mơ Rông",
    "Huyện Ia H'Drai", "Sở Giao thông vận tải", "Phòng Quản lý kết cấu hạ tầng giao thông",
    "Phòng Quản lý vận tải, phương tiện và người lái", "Trung tâm Đăng kiểm xe cơ giới", "Huyện Kon Rẫy",
}


def test_units_slide_names_every_unit_behind(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _projector(sample_url, monkeypatch, slides="units")
    assert not at.exception
    table = at.table[0].value
    in_table = [_plain(unit) for unit in table["Đơn vị"] if unit]  # a unit's name on its first row only
    assert len(in_table) == len(set(in_table)) and set(in_table) <= LAGGARDS
    # Worst first: the city's accidents ("not met", 37 against < 35) is the first verdict not met in plan order.
    assert in_table[0] == "Thành phố Kon Tum"
    # A unit that owes reports keeps its row however many units are behind.
    assert "Chưa báo cáo · Thiếu: Huyện Kon Rẫy (Quý III/2024)" in {_plain(s) for s in table["Tình trạng"]}
    # 11 units behind on 21 targets do not fit one slide: the rest are counted and named on the last line.
    left = LAGGARDS - set(in_table)
    assert left
    more = [_plain(m.value) for m in at.markdown if "đơn vị khác" in m.value]
    assert len(more) == 1 and more[0].startswith(f"+{len(left)} đơn vị khác: "), more
    assert all(name in more[0] for name in left), (left, more)


def test_overview_tiles_keep_whole_names_and_a_drawable_hourglass(sample_url: str, plan,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    at = _projector(sample_url, monkeypatch, slides="overview")
    texts = [m.value for m in at.markdown]
    at.run()  # the next slide: the overview's second page
    assert at.title[0].value.startswith("Các chỉ tiêu của kế hoạch (2/2)")
    texts += [m.value for m in at.markdown]
    # Every name whole, the longest (62 characters) too: none shortened, none with "…".
    for indicator in plan.indicators:
        assert md_escape(indicator.name("vi")) in texts, indicator.name("vi")
    assert not any("…" in text for text in texts)
    # PCI, PAPI, PAR INDEX and SIPAS are published after the year: all four await publication at Q3, drawn with
    # ⧗ (Noto Sans Math), never ⏳, which needs an emoji font.
    assert [text for text in texts if "Chờ công bố" in text] == ["⧗ Chờ công bố"] * 4
    assert not any("⏳" in text for text in texts)


def _row(unit: str) -> list[str]:
    return [unit, "Số vụ tai nạn giao thông", "37", "< 35", "✖ Không đạt"]  # one line in every column


def test_units_that_do_not_fit_are_left_whole_worst_kept_first() -> None:
    assert BODY_LINES == 26  # the reckoning below
    header = ["Đơn vị", "Chỉ tiêu", "Thực hiện", "Mục tiêu", "Tình trạng"]
    behind = [_Group(f"U{n}", ["not_met"], [_row(f"Huyện {n}")], silent=False) for n in range(30)]
    silent = [_Group(f"S{n}", ["no_data"], [_row(f"Xã {n}")], silent=True) for n in range(3)]
    # Five one-line rows (1.5 lines each with padding) under the header (1.6) fit 26 lines: all shown.
    assert _fit_groups(behind[:5], header) == [0, 1, 2, 3, 4]
    # 33 rows do not: 26 − 1.6 (header) − 2.4 (the "+N" line) = 22 lines; two units owing reports keep 3 of them;
    # 19 lines hold 12 rows of 1.5. The twelve worst units and the first two silent ones are shown, no others.
    assert _fit_groups(behind + silent, header) == [*range(12), 30, 31]


def test_wrapped_lines_reckon_word_wrapping() -> None:
    # The status column (24% of 95vw, less 1.6vw padding, at 16:9) holds 27 characters of 0.52em at 2.6vh:
    # "Chưa báo cáo · Thiếu: Huyện" is 27, "Kon Rẫy (Quý III/2024)" goes to a second line.
    assert _wrapped_lines("Chưa báo cáo · Thiếu: Huyện Kon Rẫy (Quý III/2024)", 0.24) == 2
    assert _wrapped_lines("Chưa báo cáo · Thiếu: Huyện", 0.24) == 1
    # A 60-letter word in the 11% column (11 characters a line) breaks inside itself: 6 lines.
    assert _wrapped_lines("x" * 60, 0.11) == 6


def test_more_units_line_counts_every_unit_and_fits_two_lines() -> None:
    names = [f"Huyện Số {n}" for n in range(40)]
    text = _more_units(names, "vi")
    assert text.startswith("+40 đơn vị khác: Huyện Số 0, Huyện Số 1, ")
    # 40 names of 11–12 characters are some 500 characters: more than two lines of 122, so the list ends in "…".
    assert text.endswith(", …") and _wrapped_lines(text, 1.0) == 2
    assert _more_units(names[:2], "vi") == "+2 đơn vị khác: Huyện Số 0, Huyện Số 1"


# --- real browser ---------------------------------------------------------------------------------------------

def _screen(browser, url: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.locator("h1").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)  # let the slide finish drawing
    return page


def _layout(page) -> dict:
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid=stMain]');
        const visible = id => { const e = document.querySelector(`[data-testid=${id}]`);
                                return !!e && e.offsetParent !== null && e.getBoundingClientRect().height > 0; };
        const p = document.querySelector('.stApp p');
        return {scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight,
                mainScroll: main.scrollHeight, mainClient: main.clientHeight,
                mainScrollW: main.scrollWidth, mainClientW: main.clientWidth,
                font: parseFloat(getComputedStyle(p).fontSize),
                chrome: CHROME_IDS.filter(visible)};
    }""".replace("CHROME_IDS", json.dumps(CHROME)))


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height", "min_font"), [(1920, 1080, 28.0), (1280, 720, 18.0)])
def test_projector_fills_the_screen_without_overflow(live_app, browser, width: int, height: int,
                                                      min_font: float) -> None:
    base, _ = live_app
    # The shortest time a slide may stay (5 s): the test waits for every one of them.
    page = _screen(browser, f"{base}/?view=projector&slides=overview,units,quarters&every=5", width, height)
    ARTIFACTS.mkdir(exist_ok=True)
    titles = []
    for n in range(4):  # two overview pages, units, the first quarter page
        layout = _layout(page)
        assert layout["scrollW"] <= width and layout["scrollH"] <= height, layout
        assert layout["mainScroll"] <= layout["mainClient"] + 1, f"slide {n} overflows: {layout}"
        assert layout["mainScrollW"] <= layout["mainClientW"] + 1, layout
        assert layout["chrome"] == [], f"Streamlit chrome visible: {layout['chrome']}"
        assert layout["font"] >= min_font, layout  # 28 px at 1920×1080 (2.6vh)
        titles.append(page.locator("h1").first.inner_text())
        page.screenshot(path=str(ARTIFACTS / f"projector-{width}x{height}-{n}.png"))
        page.wait_for_function("t => document.querySelector('h1') && document.querySelector('h1').innerText !== t",
                               arg=titles[-1], timeout=8_000)  # advances within N + 2 s
    assert titles[0].startswith("Các chỉ tiêu của kế hoạch (1/2)")
    assert any(t.startswith("Đơn vị chậm tiến độ") for t in titles)
    assert any(t.startswith("Tiến độ theo quý") for t in titles)
    page.close()


@pytest.mark.browser
def test_projector_shows_status_words_and_big_figures(live_app, browser) -> None:
    base, _ = live_app
    page = _screen(browser, f"{base}/?view=projector&slides=overview&every=30", 1920, 1080)
    body = page.locator("body").inner_text()
    assert "Có nguy cơ" in body and "Chờ công bố" in body
    figure_size = page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('[class*=st-key-figure-] p')).fontSize)")
    assert figure_size >= 70  # headline figures far larger than the 28 px body text
    page.close()


#: What ends each slide's body: its last tile, table line or chart.
LAST_PART = {"overview": "[class*=st-key-fill-tile-]", "units": ".st-key-behind, .st-key-more-units",
             "quarters": ".js-plotly-plot", "ranking": ".js-plotly-plot"}


def _drawn(page, slide: str) -> None:
    """Wait until the slide's run has ended and every chart on it is drawn (Plotly draws once the chart has its
    height, after the run)."""
    page.wait_for_function("""([parts]) => document.querySelector('.st-key-slide-body ' + parts.split(',')[0])
        && document.querySelector('[data-test-script-state=notRunning]')
        && [...document.querySelectorAll('.js-plotly-plot')].every(plot => plot.querySelector('.cartesianlayer .trace'))
    """, arg=[LAST_PART[slide]], timeout=30_000)
    page.wait_for_timeout(1000)  # the last resize


def _measure(page, slide: str) -> dict:
    return page.evaluate("""([parts]) => {
        const box = e => { const r = e.getBoundingClientRect();
                           return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width}; };
        const body = document.querySelector('.st-key-slide-body');
        const last = [...body.querySelectorAll(parts)].map(box).reduce((a, b) => (b.bottom > a.bottom ? b : a));
        // Text outside the screen, and text that the body or a tile (overflow: hidden) would cut.
        const outside = [...body.querySelectorAll('p, td, th, text')].filter(e => {
            const b = box(e);
            return b.width > 0 && (b.right > innerWidth + 1 || b.bottom > innerHeight + 1 || b.left < -1); })
            .map(e => e.textContent.slice(0, 40));
        const cut = [body, ...body.querySelectorAll('[class*=st-key-fill-tile-]')].flatMap(box_ => {
            const b = box(box_);
            return [...box_.querySelectorAll('p, td, th, text')].filter(e => {
                const r = box(e);
                return r.width > 0 && (r.bottom > b.bottom + 1 || r.right > b.right + 1); })
                .map(e => e.textContent.slice(0, 40)); });
        return {scrollW: document.documentElement.scrollWidth, scrollH: document.documentElement.scrollHeight,
                body: box(body), last, outside, cut, text: document.body.innerText};
    }""", [LAST_PART[slide]])


def _ranking_labels(page) -> dict:
    return page.evaluate("""() => {
        const size = e => parseFloat(getComputedStyle(e).fontSize);
        const shown = e => { const r = e.getBoundingClientRect();
                             return r.width > 0 && r.right <= innerWidth + 1 && r.bottom <= innerHeight + 1; };
        const bars = [...document.querySelectorAll('.js-plotly-plot .barlayer .point')];
        const texts = bars.map(bar => bar.querySelector('text.bartext')).filter(t => t && t.textContent.trim());
        const ticks = [...document.querySelectorAll('.js-plotly-plot .yaxislayer-above .ytick text')];
        return {bars: bars.length, texts: texts.length, textsShown: texts.filter(shown).length,
                smallest: Math.min(...texts.map(size), ...ticks.map(size)),
                ticks: ticks.filter(t => t.textContent.trim() && shown(t)).length};
    }""")


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
def test_every_slide_fills_the_screen_and_labels_every_bar(live_app, browser, width: int, height: int) -> None:
    base, _ = live_app
    page = browser.new_page(viewport={"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)
    for slide in ("overview", "units", "quarters", "ranking"):
        page.goto(f"{base}/?view=projector&slides={slide}&every=600")
        _drawn(page, slide)
        page.screenshot(path=str(ARTIFACTS / f"projector-{slide}-{width}x{height}.png"))
        found = _measure(page, slide)
        assert found["scrollW"] <= width and found["scrollH"] <= height, (slide, found)
        assert not found["outside"] and not found["cut"], (slide, found["outside"], found["cut"])
        # The body reaches the foot of the screen, and so does what is in it (the bug: 25–40% of it empty).
        assert found["body"]["bottom"] >= 0.95 * height, (slide, found["body"])
        # The units slide ends where its last unit row and the "+N" line end (a whole row more would not fit).
        assert found["last"]["bottom"] >= (0.8 if slide == "units" else 0.85) * height, (slide, found["last"])
        assert "⏳" not in found["text"]
        if slide == "overview":
            assert "⧗ Chờ công bố" in found["text"]
        if slide == "units":
            # Status in its colour (#FF8A5B on the dark theme) as well as symbol and word.
            colours = page.evaluate("""() => [...document.querySelectorAll('.st-key-behind td')]
                .filter(td => td.innerText.startsWith('✖ Không đạt'))
                .map(td => getComputedStyle(td.querySelector('p')).color)""")
            assert colours and set(colours) == {"rgb(255, 138, 91)"}, colours
        if slide == "ranking":
            labels = _ranking_labels(page)
            # 18 units below the province in four clusters (6 + 2 + 4 + 6): 18 bars, each with its rank label on
            # screen; 22 names on the axis (18 units and 4 cluster headings); nothing under 2.2vh at 1080 lines.
            assert labels["bars"] == 18 and labels["texts"] == 18 and labels["textsShown"] == 18, labels
            assert labels["ticks"] == 22, labels
            assert labels["smallest"] >= 0.022 * 1080, labels
    page.close()


@pytest.mark.browser
def test_a_new_upload_appears_within_one_cycle(live_app, browser) -> None:
    base, url = live_app
    every = 6
    page = _screen(browser, f"{base}/?view=projector&slides=overview&every={every}", 1920, 1080)
    assert "9,87" not in page.locator("body").inner_text()
    store, plans = open_store(url)
    result = ingest_bytes(store, plans, b"unit,indicator,period,value\nKT,grdp_growth,2024-Q3,9.87\n", "moi.csv")
    assert result.ok and result.upload_id
    store.dispose()
    started = time.monotonic()
    cycle = 2 * every  # the overview spans two slides
    page.get_by_text("9,87").wait_for(timeout=(cycle + 4) * 1000)
    assert time.monotonic() - started <= cycle + 4
    page.screenshot(path=str(ARTIFACTS / "projector-after-upload.png"))
    page.close()
