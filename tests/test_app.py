"""Every page under AppTest: no exception, the expected headings, numbers and labels, filters from the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.support import shown_table, signed_in

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["app.py", "app_pages/1_Ke_hoach.py"]


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    # Caches outlive AppTest instances within one pytest process.
    st.cache_data.clear()
    st.cache_resource.clear()


def run_page(page: str, url: str, monkeypatch: pytest.MonkeyPatch, token: str | None = None,
             **query: str) -> AppTest:
    """Run `page` inside the app's entrypoint, as a user opening its URL with `query` would; signed in with the
    session `token` (tests.support.signed_in) when given."""
    monkeypatch.setenv("KPI_DATABASE_URL", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if token is not None:
        at.session_state["auth_token"] = token
    if page != "app.py":
        at.switch_page(page)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_both_languages(page: str, sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for lang in ("vi", "en"):
        at = run_page(page, sample_url, monkeypatch, lang=lang)
        assert at.title, "each page has a title"


def test_overview_shows_every_target_with_status_words(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page("app.py", sample_url, monkeypatch)
    assert at.title[0].value == "Tổng quan thực hiện chỉ tiêu"
    assert "Quý III/2024" in at.caption[0].value  # the latest period with data
    assert "16 chỉ tiêu" in at.caption[0].value
    table = shown_table(at)
    assert len(table) == 16
    statuses = set(table["Tình trạng"])
    assert "⧗ Chờ công bố" in statuses  # the four indices are not published for 2024 yet
    assert statuses <= {"✔ Đã đạt", "✖ Không đạt", "▲ Đúng tiến độ", "◆ Có nguy cơ", "▼ Chậm tiến độ",
                        "◐ Thiếu số liệu", "⧗ Chờ công bố", "? Chưa xác định được", "○ Chưa có số liệu"}
    # The sample leaves Kon Rẫy's third quarter unsent: the province's sums say so and name it.
    assert "◐ Thiếu số liệu" in statuses
    assert table["Báo cáo còn thiếu"].str.contains("Huyện Kon Rẫy (Quý III/2024)", regex=False).any()
    tourism = table[table["Chỉ tiêu"] == "Lượt khách du lịch đến tỉnh"].iloc[0]
    assert tourism["Mục tiêu"] == "≥ 1.700.000"  # Vietnamese thousands separator
    labels = {m.label: m.value for m in at.metric}
    assert labels["⧗ Chờ công bố"] == "4"
    assert any("DỮ LIỆU MẪU" in w.value for w in at.warning)  # the UI says it shows sample data


def test_overview_reads_filters_from_the_url(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page("app.py", sample_url, monkeypatch, lang="en", period="2024-H1", unit="TPKT")
    assert at.title[0].value == "Target overview"
    assert "Kon Tum City" in at.caption[0].value and "H1 2024" in at.caption[0].value
    table = shown_table(at)
    assert "Unit" not in table.columns  # one unit: named in the caption, not repeated on every row
    assert list(table.columns[:2]) == ["Status", "Indicator"]  # what is read first comes first
    accidents = table[table["Indicator"] == "Road traffic accidents"].iloc[0]
    assert accidents["Target"].startswith("< ")
    assert at.selectbox(key="w_period").value == "2024-H1"
    assert at.selectbox(key="w_unit").value == "TPKT"


def test_invalid_filters_in_url_fall_back_to_defaults(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page("app.py", sample_url, monkeypatch, period="1999-Q9", unit="NOPE", lang="fr")
    assert at.selectbox(key="w_period").value == "2024-Q3"
    assert at.selectbox(key="w_unit").value == "KT"
    assert at.title[0].value == "Tổng quan thực hiện chỉ tiêu"


def test_switching_language_in_the_sidebar(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page("app.py", sample_url, monkeypatch)
    at.radio(key="w_lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Target overview"
    assert at.query_params["lang"] == "en"  # the choice travels in the link


def test_plan_page_lists_targets_units_and_clusters(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page("app_pages/1_Ke_hoach.py", sample_url, monkeypatch)
    assert at.title[0].value == "Kế hoạch và đơn vị"
    indicators, units, clusters = (d.value for d in at.dataframe)
    assert len(indicators) == 16 and len(units) == 20 and len(clusters) == 4
    pci = indicators[indicators["Mã"] == "pci_rank"].iloc[0]
    assert pci["Mục tiêu"] == "tăng 5 bậc"
    assert "Ia H'Drai" in " ".join(units["Tên"])


def test_empty_database_offers_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    at = run_page("app.py", url, monkeypatch)
    assert "chưa có số liệu" in at.info[0].value
    # Loading the sample writes figures for every unit: only an administrator is offered the button.
    assert not [b for b in at.button if b.label == "Nạp dữ liệu mẫu"]
    at = run_page("app.py", url, monkeypatch, token=signed_in(url))
    assert "chưa có số liệu" in at.info[0].value
    next(b for b in at.button if b.label == "Nạp dữ liệu mẫu").click().run()
    assert not at.exception
    assert at.title[0].value == "Tổng quan thực hiện chỉ tiêu"
    assert len(shown_table(at)) == 16
