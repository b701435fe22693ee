"""The upload page under AppTest: templates, a rejected file, a preview, writing, undo and history."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from kpi.bootstrap import open_store
from kpi.ingest import Source, check, ingest_bytes
from kpi.store import current_figures, submissions
from kpi.template import template_frame, template_xlsx
from tests.conftest import make_sample_db
from tests.support import signed_in
from tests.test_app import run_page

PAGE = "app_pages/2_Nap_so_lieu.py"


@pytest.fixture
def sample_url(tmp_path) -> str:
    """A sample database of this test's own: these tests write to it."""
    return make_sample_db(tmp_path)


def _figure(url: str, unit: str, indicator: str, period: str) -> float:
    store, _ = open_store(url)
    with store.connect() as conn:
        frame = current_figures(conn)
    match = frame[(frame["unit"] == unit) & (frame["indicator"] == indicator) & (frame["period"] == period)]
    return float(match["value"].iloc[0])


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv"))
    return at.run()


def test_page_offers_templates_and_recent_uploads(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    assert at.title[0].value == "Nạp số liệu"
    assert [b.label for b in at.get("download_button")] == ["Mẫu CSV", "Mẫu Excel (.xlsx)"]
    recent = at.dataframe[0].value
    assert list(recent["Tệp"])[:2] == ["du-lieu-mau-2024-dieu-chinh.csv", "du-lieu-mau-2024-Q3-DGL.csv"]
    assert list(recent["Thời điểm (UTC)"])[:2] == ["04/11/2024 16:00", "29/10/2024 08:10"]


def test_rejected_file_lists_each_problem_and_writes_nothing(sample_url: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    bad = "Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị\nTPK;tourist_arrivals;Quý I/2024;12\nKT;grdp_growth;2024-Q2;abc\n"
    upload(at, "bad.csv", bad.encode())
    assert not at.exception
    assert "chưa ghi gì" in at.error[0].value
    assert " · 0 số liệu" not in at.caption[0].value  # a file that was not classified has no figure count
    problems = at.dataframe[0].value
    assert list(problems["Dòng"]) == [2, 3]
    assert list(problems["Cột"]) == ["Mã đơn vị", "Giá trị"]
    assert "có phải “TPKT”" in problems["Lý do"].iloc[0]
    assert not [b for b in at.button if b.key == "upload_confirm"]  # nothing to confirm
    assert _figure(sample_url, "KT", "grdp_growth", "2024-Q2") == 9.06


def test_preview_then_write_then_undo(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    good = ("Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị\n"
            "TPKT;tourist_arrivals;Quý IV/2024;150.250\nKT;grdp_growth;2024-Q2;9,4\n")
    upload(at, "good.csv", good.encode())
    assert "dấu phẩy" in at.caption[0].value and "2 số liệu" in at.caption[0].value
    assert [m.value for m in at.metric] == ["1", "1", "0"]  # new, revised, unchanged
    changes = at.dataframe[0].value
    assert list(changes["Giá trị cũ"]) == ["—", "9,06"]
    assert list(changes["Giá trị"]) == ["150.250", "9,4"]
    assert _figure(sample_url, "KT", "grdp_growth", "2024-Q2") == 9.06  # a preview writes nothing

    at.button(key="upload_confirm").click().run()
    assert "1 số liệu mới, 1 số liệu sửa" in at.success[0].value
    assert _figure(sample_url, "KT", "grdp_growth", "2024-Q2") == 9.4
    assert _figure(sample_url, "TPKT", "tourist_arrivals", "2024-Q4") == 150_250

    at.selectbox(key="undo_id").set_value(7)  # the six sample uploads come first
    at.checkbox(key="undo_sure").check()
    at.run()
    at.button(key="undo_button").click().run()
    assert not at.exception
    assert "Đã hoàn tác lần nạp #7" in at.success[-1].value
    assert _figure(sample_url, "KT", "grdp_growth", "2024-Q2") == 9.06


def test_ambiguous_numbers_ask_for_the_decimal_mark(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url), lang="en")
    upload(at, "amb.csv", b"unit,indicator,period,value\nKT,budget_revenue,2024-Q4,\"1,250\"\n")
    assert "--decimal" in at.dataframe[0].value["Reason"].iloc[0]
    at.radio(key="upload_decimal").set_value("dot").run()
    assert not at.error
    assert at.dataframe[0].value["Value"].iloc[0] == "1,250"  # one thousand two hundred and fifty (English format)
    at.radio(key="upload_decimal").set_value("comma").run()
    assert at.dataframe[0].value["Value"].iloc[0] == "1.25"


def test_history_of_a_revised_figure(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    at.selectbox(key="history_unit").set_value("TPKT")
    at.selectbox(key="history_indicator").set_value("tourist_arrivals")
    at.selectbox(key="history_period").set_value("2024-Q2")
    at.run()
    revisions = at.dataframe[-1].value
    assert list(revisions["Trạng thái"]) == ["Đang dùng", "Đã được thay"]
    assert list(revisions["Lần nạp"]) == [6, 3]


def test_templates_list_each_units_usual_indicators(plan, plans, duck_url) -> None:
    frame = template_frame(plan, "2024-Q3")
    pairs = set(zip(frame["Mã đơn vị"], frame["Chỉ tiêu"]))
    assert ("TPKT", "tourist_arrivals") in pairs and ("KT", "pci_rank") in pairs
    assert ("VP", "tourist_arrivals") not in pairs
    assert set(frame["Kỳ báo cáo"]) == {"2024-Q3"}
    # The template reads back as a valid long-format file (names columns are ignored).
    store, _ = open_store(duck_url)
    blank = check(store, plans, Source("mau.xlsx", template_xlsx(frame)))
    assert [p.code for p in blank.problems] == ["empty_value"] * len(frame)  # every value still to be filled in
    workbook = pd.read_excel(io.BytesIO(template_xlsx(frame)))
    assert list(workbook.columns[:5]) == ["Mã đơn vị", "Chỉ tiêu", "Kỳ báo cáo", "Giá trị", "Ghi chú"]


def _written(url: str, upload_id: int) -> list[tuple]:
    store, _ = open_store(url)
    with store.connect() as conn:
        rows = conn.execute(sa.select(submissions.c.unit_code, submissions.c.indicator_code, submissions.c.period,
                                      submissions.c.value, submissions.c.note)
                            .where(submissions.c.upload_id == upload_id)
                            .order_by(submissions.c.unit_code, submissions.c.period)).all()
    return [tuple(row) for row in rows]


def test_the_page_writes_exactly_the_figures_it_previewed(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    good = ("Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị;Ghi chú\n"
            "TPKT;tourist_arrivals;Quý IV/2024;150.250;Sở VHTTDL\nKT;grdp_growth;2024-Q2;9,4;sơ bộ\n")
    upload(at, "good.csv", good.encode())
    previewed = at.session_state["upload_check"]
    preview = sorted((r["unit"], r["indicator"], r["period"], r["value"], r["note"])
                     for r in previewed.rows.to_pylist())
    # Worked out from the file: 150.250 with a decimal comma is 150250; 9,4 is 9.4.
    assert preview == [("KT", "grdp_growth", "2024-Q2", 9.4, "sơ bộ"),
                       ("TPKT", "tourist_arrivals", "2024-Q4", 150250.0, "Sở VHTTDL")]

    # The confirmation writes the previewed object: no second check while nothing else was written meanwhile.
    def no_second_check(*args, **kwargs):
        raise AssertionError("the page checked the file again instead of committing its preview")

    monkeypatch.setattr("kpi.ingest.pipeline.check", no_second_check)
    at.button(key="upload_confirm").click().run()
    assert not at.exception and "1 số liệu mới, 1 số liệu sửa" in at.success[0].value
    assert _written(sample_url, 7) == preview  # the six sample uploads are 1–6


def test_figures_changed_after_the_preview_are_previewed_again(sample_url: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    upload(at, "q2.csv", b"unit,indicator,period,value\nKT,grdp_growth,2024-Q2,9.4\n")
    assert list(at.dataframe[0].value["Giá trị cũ"]) == ["9,06"]
    # Meanwhile another analyst revises the same figure from the command line.
    store, plans = open_store(sample_url)
    assert ingest_bytes(store, plans, b"unit,indicator,period,value\nKT,grdp_growth,2024-Q2,9.2\n", "cli.csv").ok
    at.button(key="upload_confirm").click().run()
    assert not at.exception and not at.success
    assert any("vừa thay đổi" in w.value for w in at.warning)
    assert list(at.dataframe[0].value["Giá trị cũ"]) == ["9,2"]  # the fresh preview, against the new figure
    assert _figure(sample_url, "KT", "grdp_growth", "2024-Q2") == 9.2  # the stale preview wrote nothing
    at.button(key="upload_confirm").click().run()
    assert _figure(sample_url, "KT", "grdp_growth", "2024-Q2") == 9.4
