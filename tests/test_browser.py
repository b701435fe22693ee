"""Pages in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright), against a live server.

Screenshots are kept in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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
    # Our translated navigation, not Streamlit's list of file names.
    assert page.get_by_role("link", name="Nạp số liệu").count() == 1
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
    assert "H1 2024" in page.locator("[data-testid='stCaptionContainer']").first.inner_text()
    page.close()


def test_upload_a_file_with_problems_in_chromium(server: str, browser: object, tmp_path: Path) -> None:
    page = _open(browser, server + "/Nap_so_lieu")
    bad = tmp_path / "so-lieu-quy-3.csv"
    bad.write_text("Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị\nTPK;tourist_arrivals;Quý III/2024;12\n", encoding="utf-8")
    page.locator("input[type='file']").set_input_files(str(bad))
    page.get_by_text("Tệp có lỗi nên chưa ghi gì").wait_for(timeout=30_000)
    assert page.get_by_text("Lỗi cần sửa (1)").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "upload-problems.png"), full_page=True)
    page.close()
