"""Pages in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright), against a live server.

Screenshots are kept in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import TEST_PASSWORD, signed_in

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(live_app: tuple[str, str]) -> str:
    return live_app[0]


def expect(locator: object):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _open(browser: object, url: str, width: int = 1366, height: int = 768):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=30_000)
    return page


def test_overview_in_chromium_at_laptop_size(server: str, browser: object) -> None:
    page = _open(browser, server + "/")
    page.get_by_text("Chi tiết từng chỉ tiêu").wait_for(timeout=30_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    assert page.get_by_role("heading", level=1).first.inner_text() == "Tổng quan thực hiện chỉ tiêu"
    body = page.locator("body").inner_text()
    assert "Chờ công bố" in body and "DỮ LIỆU MẪU" in body
    assert page.locator("[data-testid='stException']").count() == 0
    # Our translated navigation, not Streamlit's list of file names; an anonymous viewer is offered sign-in, not
    # the upload page.
    assert page.get_by_role("link", name="Đăng nhập").count() == 1
    assert page.get_by_role("link", name="Nạp số liệu").count() == 0
    assert "Nap_so_lieu" not in page.locator("[data-testid='stSidebar']").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview-1366x768.png"), full_page=True)
    page.close()


def test_page_opened_directly_by_url_keeps_its_filters(server: str, browser: object) -> None:
    page = _open(browser, server + "/Ke_hoach?lang=en&period=2024-H1")
    assert page.get_by_role("heading", level=1).first.inner_text() == "Plan and units"
    expect(page.get_by_role("combobox", name="Period")).to_have_value("H1 2024", timeout=30_000)
    page.get_by_role("link", name="Overview").click()
    page.get_by_text("Target overview").wait_for(timeout=30_000)
    expect(page.get_by_role("combobox", name="Period")).to_have_value("H1 2024")  # the period travelled along
    assert "H1 2024" in page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").first.inner_text()
    page.close()


def _sign_in(page, username: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_sign_in_by_url_then_sign_out_in_chromium(live_app: tuple[str, str], browser: object) -> None:
    server, url = live_app
    signed_in(url, "quantri", ("admin",))
    page = _open(browser, server + "/Quan_tri")
    assert page.get_by_role("heading", level=1).first.inner_text() == "Đăng nhập"
    assert page.get_by_text("Trang này cần đăng nhập.").count() == 1
    assert page.locator("[data-testid='stDataFrame']").count() == 0  # never the page behind the prompt
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sign-in-1366x768.png"))
    _sign_in(page, "quantri", "không phải mật khẩu")
    page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng", exact=False).wait_for(timeout=30_000)
    _sign_in(page, "quantri", TEST_PASSWORD)
    page.get_by_role("heading", name="Quản trị").wait_for(timeout=30_000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="Nạp số liệu").count() == 1
    assert page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng", exact=False).count() == 0  # not carried over
    page.screenshot(path=str(ARTIFACTS / "admin-1366x768.png"), full_page=True)
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_text("Trang này cần đăng nhập.").wait_for(timeout=30_000)
    page.close()


def test_upload_a_file_with_problems_in_chromium(live_app: tuple[str, str], browser: object, tmp_path: Path) -> None:
    server, url = live_app
    signed_in(url, "lan", ("analyst",), ("TPKT",))
    page = _open(browser, server + "/Nap_so_lieu")
    _sign_in(page, "lan", TEST_PASSWORD)
    page.get_by_role("heading", name="Nạp số liệu").wait_for(timeout=30_000)
    bad = tmp_path / "so-lieu-quy-3.csv"
    # An unknown unit, and a unit outside the analyst's city: both in the one problem list.
    bad.write_text("Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị\nTPK;tourist_arrivals;Quý III/2024;12\n"
                   "DHA;tourist_arrivals;Quý III/2024;12\n", encoding="utf-8")
    page.locator("input[type='file']").set_input_files(str(bad))
    page.get_by_text("Tệp có lỗi nên chưa ghi gì").wait_for(timeout=30_000)
    assert page.get_by_text("Lỗi cần sửa (2)").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-problems.png"), full_page=True)
    page.close()


PATHS = ["/", "/Theo_don_vi", "/Theo_quy", "/Chi_tieu", "/Tinh_hinh_bao_cao", "/Bao_cao", "/Ke_hoach", "/Dang_nhap",
         "/Nap_so_lieu", "/?view=projector"]
#: On the meeting room's full-HD screen: the pages shown there. The laptop's 1366×768 is the narrow screen every
#: page must fit; a page that fits it has room to spare on a wider one (and a CI run has no minute to spare).
WIDE_PATHS = ["/", "/Theo_don_vi", "/?view=projector"]


@pytest.mark.parametrize(("size", "paths"), [((1366, 768), PATHS), ((1920, 1080), WIDE_PATHS)],
                         ids=["1366x768", "1920x1080"])
def test_every_page_stays_on_the_intranet_and_fits_the_screen(server: str, browser: object,
                                                              size: tuple[int, int], paths: list[str]) -> None:
    """No request leaves the app's own origin (an intranet without internet must work fully), no page scrolls
    sideways, no "None" leaks into the text, and no table of targets is cut; each page is kept as a screenshot."""
    for path in paths:
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        outside: list[str] = []
        page.on("request", lambda request, seen=outside: seen.append(request.url)
                if not request.url.startswith((server, "data:", "blob:")) else None)
        page.goto(server + path)
        page.locator("h1, [data-testid='stHeading'], .stMarkdown").first.wait_for(timeout=30_000)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(750)  # charts and late requests (after the network went quiet)
        assert outside == [], (path, outside)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (path, width)
        text = page.locator("body").inner_text()
        assert "None" not in text.split(), path
        assert page.locator("[data-testid='stException']").count() == 0, path
        # Every table shows every column whole: nothing cut at its right edge; a table of targets has the status
        # first, a ranking the place.
        if path in ("/", "/Chi_tieu"):  # the overview and indicator pages have one
            page.locator("[data-testid='stTable'] table").first.wait_for(timeout=30_000)
        tables = [table for table in page.locator("[data-testid='stTable'] table").all() if table.is_visible()]
        for table in tables:  # a folded expander's table is measured when someone opens it, not here
            box = table.evaluate("t => [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right]")
            assert box[0] <= box[1] + 1 and box[2] <= size[0], (path, box)
            heads = [h.strip() for h in table.locator("th").all_inner_texts()]
            if "Tình trạng" in heads:  # a table of targets: the status first
                assert heads[0] == "Tình trạng", (path, heads)
            else:  # the emulation ranking and the council's table: the place (and its cluster) first
                assert heads[0] in ("Hạng trong cụm", "Cụm, khối"), (path, heads)
        # Every page kept as a picture for a person to look at: the whole page, on a screen tall enough for it.
        page.set_viewport_size({"width": size[0], "height": 3200})
        page.wait_for_timeout(600)  # the page redraws at its new size: wait until no skeleton is left
        page.locator("[data-testid='stSkeleton']").first.wait_for(state="detached", timeout=30_000)
        page.wait_for_timeout(600)
        ARTIFACTS.mkdir(exist_ok=True)
        name = path.strip("/?").replace("=", "-") or "Tong_quan"
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-{size[0]}x{size[1]}.png"))
        page.close()
