"""The upload page under AppTest: templates, a rejected file, a preview, writing, undo and history; each action
shown at once, every message whole, names instead of codes, Vietnam time, sizes for people."""

from __future__ import annotations

import io

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from kpi.bootstrap import open_store
from kpi.ingest import Source, check, ingest_bytes
from kpi.review import history_table
from kpi.revisions import history
from kpi.store import current_figures, submissions
from kpi.template import template_csv, template_frame, template_xlsx
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
    """Put `data` in the page's file uploader (its key changes after each write) and run the page."""
    [uploader] = at.file_uploader
    uploader.set_value((name, data, "text/csv"))
    return at.run()


def detected(at: AppTest) -> str:
    """The caption that says what the check found in the file (name, size, encoding, separator, decimal mark)."""
    [caption] = [c.value for c in at.caption if "Mã hóa" in c.value or "Encoding" in c.value]
    return caption


def cells(frame: pd.DataFrame) -> list[str]:
    """Every header and cell of `frame` as text."""
    return [str(c) for c in frame.columns] + [str(v) for row in frame.itertuples(index=False) for v in row]


def test_page_offers_templates_and_recent_uploads(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    assert at.title[0].value == "Nạp số liệu"
    assert [b.label for b in at.get("download_button")] == ["Mẫu CSV", "Mẫu Excel (.xlsx)"]
    # The drop zone's own words are Streamlit's English; the line above it says types and limit in Vietnamese.
    # 200 000 000 bytes (Limits.max_file_bytes) in units of 10^6 bytes: 200 MB.
    assert "CSV, TXT, TSV hoặc Excel (.xlsx), tối đa 200 MB mỗi tệp" in at.caption[0].value
    assert at.file_uploader[0].label == "Chọn hoặc kéo thả tệp số liệu (CSV, TXT, XLSX)"
    assert at.file_uploader[0].help.startswith("Mỗi dòng một số liệu")
    recent = at.dataframe[0].value
    assert list(recent["Tệp"])[:2] == ["du-lieu-mau-2024-dieu-chinh.csv", "du-lieu-mau-2024-Q3-DGL.csv"]
    # Received 04/11/2024 16:00 and 29/10/2024 08:10 UTC (kpi.sample): seven hours later in Vietnam.
    assert list(recent["Thời điểm"])[:2] == ["04/11/2024 23:00 (UTC+7)", "29/10/2024 15:10 (UTC+7)"]
    assert not [c for c in cells(recent) if c.endswith("(UTC)") or c == "None"]


def test_rejected_file_lists_each_problem_and_writes_nothing(sample_url: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    bad = "Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị\nTPK;tourist_arrivals;Quý I/2024;12\nKT;grdp_growth;2024-Q2;abc\n"
    upload(at, "bad.csv", bad.encode())
    assert not at.exception
    assert "chưa ghi gì" in at.error[0].value
    assert " · 0 số liệu" not in detected(at)  # a file that was not classified has no figure count
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
    assert "dấu phẩy" in detected(at) and "2 số liệu" in detected(at)
    assert [m.value for m in at.metric] == ["1", "1", "0"]  # new, revised, unchanged
    changes = at.dataframe[0].value
    assert list(changes["Giá trị cũ"]) == ["—", "9,06"]
    assert list(changes["Giá trị"]) == ["150.250", "9,4"]
    assert _figure(sample_url, "KT", "grdp_growth", "2024-Q2") == 9.06  # a preview writes nothing

    at.button(key="upload_confirm").click().run()
    assert not at.exception
    assert "1 số liệu mới, 1 số liệu sửa" in at.success[0].value
    assert _figure(sample_url, "KT", "grdp_growth", "2024-Q2") == 9.4
    assert _figure(sample_url, "TPKT", "tourist_arrivals", "2024-Q4") == 150_250
    # At once: the written preview is gone (no button to write it twice, an empty uploader) and the recent
    # uploads start with this one, in effect. The six sample uploads are 1–6, so this one is 7.
    assert not [b for b in at.button if b.key == "upload_confirm"]
    assert not at.metric and at.file_uploader[0].value is None
    recent = at.dataframe[0].value
    assert (recent["Lần nạp"].iloc[0], recent["Tệp"].iloc[0], recent["Trạng thái"].iloc[0]) == (
        7, "good.csv", "Có hiệu lực")
    assert at.selectbox(key="undo_id").options[0] == "#7 — good.csv"
    at.run()
    assert not at.success  # the outcome is shown once, not on every later run

    at.selectbox(key="undo_id").set_value(7)
    at.checkbox(key="undo_sure").check()
    at.run()
    at.button(key="undo_button").click().run()
    assert not at.exception
    assert "Đã hoàn tác lần nạp #7" in at.success[0].value
    assert _figure(sample_url, "KT", "grdp_growth", "2024-Q2") == 9.06
    # At once: the table says undone, the undo list no longer offers it and the confirmation is cleared.
    recent = at.dataframe[0].value
    assert (recent["Lần nạp"].iloc[0], recent["Trạng thái"].iloc[0]) == (7, "Đã hoàn tác")
    assert "#7 — good.csv" not in at.selectbox(key="undo_id").options
    assert at.checkbox(key="undo_sure").value is False
    assert at.button(key="undo_button").disabled


def test_an_analyst_with_nothing_to_undo_is_told_so(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The sample's uploads are the loader's, not hers: an analyst may undo only her own.
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url, "lan", ("analyst",), ("TPKT",)))
    assert not [s for s in at.selectbox if s.key == "undo_id"]
    assert "Không có lần nạp nào bạn có thể hoàn tác." in [c.value for c in at.caption]


def test_ambiguous_numbers_ask_for_the_decimal_mark(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url), lang="en")
    upload(at, "amb.csv", b"unit,indicator,period,value\nKT,budget_revenue,2024-Q4,\"1,250\"\n")
    problems = at.dataframe[0]
    # The whole message, to its last word (the catalogue's problem.ambiguous_number with the value filled in).
    whole = ("Number “1,250” has an unclear decimal mark (is 1,700 one thousand seven hundred or 1.7?); choose it "
             "with --decimal comma or --decimal dot, or on the upload page")
    assert problems.value["Reason"].iloc[0] == whole
    # Rows tall enough to wrap it: 160 characters at 60 a line is 3 lines of 20 px, plus 12 px of padding.
    assert problems.proto.row_height == 72
    # The caption does not say "not needed" beside a number whose decimal mark is the question.
    assert "Decimal mark: undecided" in detected(at) and "not needed" not in detected(at)
    at.radio(key="upload_decimal").set_value("dot").run()
    assert not at.error
    assert at.dataframe[0].value["Value"].iloc[0] == "1,250"  # one thousand two hundred and fifty (English format)
    at.radio(key="upload_decimal").set_value("comma").run()
    assert at.dataframe[0].value["Value"].iloc[0] == "1.25"


def test_whole_numbers_need_no_decimal_mark_and_sizes_read_as_people_write_them(
        sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    # 28 bytes of header (27 characters of "unit,indicator,period,value" and a line break) + 25 of figure
    # (24 characters of "KT,grdp_growth,2024-Q4,9" and one): 53 bytes.
    upload(at, "tang-truong.csv", b"unit,indicator,period,value\nKT,grdp_growth,2024-Q4,9\n")
    assert detected(at).startswith("tang\\-truong\\.csv · 53 B · ")  # the file name is escaped for Markdown
    assert "Dấu thập phân: không cần (chỉ có số nguyên)" in detected(at)


def test_warnings_and_changes_name_units_and_indicators(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    # Kon Tum City does not usually report the province's GRDP growth: a warning that does not block.
    upload(at, "tp.csv", "Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị\nTPKT;grdp_growth;2024-Q4;9,4\n".encode())
    warnings, changes = (d.value for d in at.dataframe[:2])
    assert warnings["Lý do"].iloc[0] == ("Cảnh báo: đơn vị “Thành phố Kon Tum” thường không báo cáo chỉ tiêu "
                                         "Tốc độ tăng trưởng GRDP (1 số liệu)")
    assert warnings["Giá trị"].iloc[0] == "TPKT"  # the cell as the file has it
    assert changes.iloc[0][["Đơn vị", "Chỉ tiêu", "Kỳ", "Mã trong tệp"]].tolist() == [
        "Thành phố Kon Tum", "Tốc độ tăng trưởng GRDP", "Quý IV/2024", "TPKT · grdp_growth"]


def test_history_of_a_revised_figure(sample_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGE, sample_url, monkeypatch, token=signed_in(sample_url))
    at.selectbox(key="history_unit").set_value("TPKT")
    at.selectbox(key="history_indicator").set_value("tourist_arrivals")
    at.selectbox(key="history_period").set_value("2024-Q2")
    at.run()
    revisions = at.dataframe[-1].value
    assert list(revisions["Trạng thái"]) == ["Đang dùng", "Đã được thay"]
    assert list(revisions["Lần nạp"]) == [6, 3]
    # The correction carries a note, the first figure none: blank, not "None".
    assert list(revisions["Ghi chú"]) == ["Sở VHTTDL điều chỉnh số liệu", ""]
    # Received 04/11/2024 16:00 and 10/07/2024 10:20 UTC (kpi.sample), shown in Vietnam time.
    assert list(revisions["Thời điểm"]) == ["04/11/2024 23:00 (UTC+7)", "10/07/2024 17:20 (UTC+7)"]
    assert list(revisions.columns) == ["Kỳ", "Giá trị", "Ghi chú", "Lần nạp", "Tệp", "Người nạp", "Thời điểm",
                                       "Trạng thái"]  # unit and indicator are the filters just above
    assert set(revisions["Kỳ"]) == {"Quý II/2024"}
    assert not [c for c in cells(revisions) if c.endswith("(UTC)") or c == "None"]


def test_history_table_names_units_and_indicators(sample_url: str, plan) -> None:
    store, _ = open_store(sample_url)
    with store.connect() as conn:
        table = history_table(history(conn, "TPKT", "tourist_arrivals", "2024-Q2"), "en", plan)
    assert set(zip(table["Unit"], table["Indicator"], table["Period"])) == {
        ("Kon Tum City", "Tourist arrivals in the province", "Q2 2024")}
    assert list(table["Note"]) == ["Sở VHTTDL điều chỉnh số liệu", ""]


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
    # The CSV template is ';'-separated for Excel in Vietnamese and reads back the same way.
    assert template_csv(frame).decode("utf-8-sig").startswith("Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị;Ghi chú;")
    blank = check(store, plans, Source("mau.csv", template_csv(frame)))
    assert [p.code for p in blank.problems] == ["empty_value"] * len(frame)


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
