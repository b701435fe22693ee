"""Hostile and broken files seen in the field, each kept as a regression case: every one is either rejected cleanly
(a problem with its code and line, no traceback, nothing written to the store) or loaded correctly, in bounded
time and memory. Small custom limits (`dataclasses.replace(Limits.defaults(), …)`) keep the big cases small."""

from __future__ import annotations

import dataclasses
import io
import resource
import subprocess
import sys
import time
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest

import kpi.ingest.deadline
import kpi.ingest.pipeline
import kpi.ingest.xlsx_grid
import kpi.revisions
from kpi.cli import main
from kpi.export import neutralise
from kpi.ingest import Checked, Limits, check, ingest_bytes, ingest_path
from kpi.ingest.source import Source, SourceTooLarge
from kpi.plan import Plan
from kpi.store import Store
from tests.support import HEADER, csv_bytes, figure, reject, revisions, run_cli, snapshot

Opened = tuple[Store, dict[int, Plan]]
ROOT = Path(__file__).resolve().parent.parent
LONG = ["unit", "indicator", "period", "value", "note"]


def limits(**changes: int) -> Limits:
    """The shipped limits with `changes`."""
    return dataclasses.replace(Limits.defaults(), **changes)


def codes(result: Checked) -> list[tuple[int | None, str]]:
    """(line, code) of every problem, blocking or not."""
    return [(p.line, p.code) for p in result.problems]


def measured(call: Callable[[], Checked]) -> tuple[Checked, float, float, float]:
    """`call()` with its wall time in seconds, the Python heap's peak during it (MB, tracemalloc) and how much
    the process's peak resident memory grew (MB; ru_maxrss is a high-water mark, so only growth past the earlier
    peak shows, which is what an explosion would be)."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = call()
        seconds = time.monotonic() - started
        _, heap_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before  # kilobytes on Linux
    return result, seconds, heap_peak / 1e6, rss_growth / 1024


# ---------------------------------------------------------------- .xlsx: far cells, zip bombs

def workbook(rows: list[list[object]], far: dict[tuple[int, int], object] | None = None) -> bytes:
    """An .xlsx (openpyxl) with `rows` from A1 and single cells at (row, column) positions `far`."""
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for (row, column), value in (far or {}).items():
        sheet.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TABLE = [LONG, ["KT", "grdp_growth", "2024-Q1", 7.5, None], ["TPKT", "tourist_arrivals", "2024-Q1", 185234, None]]


def test_xlsx_with_one_cell_at_xfd1048576_loads_the_table_and_warns_about_the_cell(fresh: Opened) -> None:
    store, plans = fresh
    data = workbook(TABLE, {(1_048_576, 16_384): "x"})  # XFD is column 16,384, the last Excel has
    assert len(data) < 10_000  # a few kilobytes that claim a sheet of 17 billion cells
    result, seconds, heap_mb, rss_mb = measured(lambda: ingest_bytes(store, plans, data, "bao-cao.xlsx"))
    assert result.ok and result.reader == "openpyxl"
    assert [(p.line, p.column, p.value, p.code, p.blocking) for p in result.problems] == [
        (1_048_576, "XFD", "x", "stray_cell", False)]
    assert "nằm ngoài các cột của dòng tiêu đề nên bị bỏ qua" in result.problems[0].reason()
    assert result.count("new") == 2
    assert figure(store, "KT", "grdp_growth", "2024-Q1")["value"] == 7.5
    assert figure(store, "TPKT", "tourist_arrivals", "2024-Q1")["value"] == 185234.0
    assert seconds < 5, seconds
    assert heap_mb < 50, heap_mb  # one cell costs one cell: no grid of 16,384 columns × a million rows
    assert rss_mb < 200, rss_mb


def test_xlsx_with_a_far_column_cell_beside_the_table_is_ignored_with_a_warning(fresh: Opened) -> None:
    store, plans = fresh
    data = workbook(TABLE, {(3, 16_000): "ghi chú lạc"})  # column WQJ on the last row of the table
    result, seconds, heap_mb, rss_mb = measured(lambda: ingest_bytes(store, plans, data, "bao-cao.xlsx"))
    assert result.ok and result.count("new") == 2
    assert [(p.line, p.column, p.code) for p in result.problems] == [(3, "WQJ", "stray_cell")]
    assert seconds < 5 and heap_mb < 50 and rss_mb < 200, (seconds, heap_mb, rss_mb)


def test_xlsx_with_a_cell_in_row_one_million_under_the_table_is_rejected_quickly(fresh: Opened) -> None:
    store, plans = fresh
    data = workbook(TABLE, {(1_000_000, 1): "lạc"})  # inside the header's columns: a row of its own
    result, seconds, heap_mb, rss_mb = measured(lambda: reject(fresh, data, "bao-cao.xlsx"))
    # The stray row names no indicator, period or value: each is a problem on sheet row 1,000,000.
    assert sorted(codes(result)) == [(1_000_000, "bad_period"), (1_000_000, "empty_value"),
                                     (1_000_000, "unknown_indicator"), (1_000_000, "unknown_unit")]
    assert seconds < 5 and heap_mb < 50 and rss_mb < 200, (seconds, heap_mb, rss_mb)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>")
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{_REL}">'
    '<sheets><sheet name="So lieu" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
# Row 1 the header, row 2 one figure; every text cell is an index into the shared strings, the value a number.
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>5</v></c><c r="B2" t="s"><v>6</v></c><c r="C2" t="s"><v>7</v></c>'
    '<c r="D2"><v>7.5</v></c><c r="E2" t="s"><v>8</v></c></row>'
    "</sheetData></worksheet>")


def shared_string_workbook(note: str) -> bytes:
    """A hand-made .xlsx (zipfile, ZIP_DEFLATED) whose sheet holds `unit,indicator,period,value,note` and the
    figure KT, grdp_growth, 2024-Q1, 7.5 with `note`, all text in xl/sharedStrings.xml."""
    strings = [*LONG, "KT", "grdp_growth", "2024-Q1", note]
    shared = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              f'count="{len(strings)}" uniqueCount="{len(strings)}">'
              + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _PACKAGE_RELS),
                           ("xl/workbook.xml", _WORKBOOK), ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                           ("xl/worksheets/sheet1.xml", _SHEET), ("xl/sharedStrings.xml", shared)):
            archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


def test_hand_made_shared_string_workbook_loads_when_small(fresh: Opened) -> None:
    """The builder below is a real workbook: with a short note it loads (so the bomb is refused for its size)."""
    store, plans = fresh
    result = ingest_bytes(store, plans, shared_string_workbook("Cục Thống kê"), "bao-cao.xlsx")
    assert result.ok and not result.problems, [p.describe("en") for p in result.problems]
    stored = figure(store, "KT", "grdp_growth", "2024-Q1")
    assert (stored["value"], stored["note"]) == (7.5, "Cục Thống kê")


def test_xlsx_whose_shared_string_inflates_past_the_unpacked_limit_is_refused_before_unpacking(fresh: Opened) -> None:
    data = shared_string_workbook("Ghi chú " * 500_000)  # 4.5 MB of note (ú is two bytes) in one shared string
    assert len(data) < 50_000  # deflate squeezes the repetition to a few kilobytes
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(part.file_size for part in archive.infolist())
    assert unpacked > 4_500_000
    result, seconds, _, rss_mb = measured(
        lambda: reject(fresh, data, "bao-cao.xlsx", limits=limits(max_unpacked_bytes=1_000_000)))
    assert [(p.line, p.code, p.params["what"], p.params["limit"]) for p in result.problems] == [
        (None, "workbook_too_large", "bytes", 1_000_000)]
    assert result.problems[0].params["n"] == unpacked
    assert "Tệp Excel khi giải nén có" in result.problems[0].reason()
    assert seconds < 5 and rss_mb < 200, (seconds, rss_mb)


def test_xlsx_with_too_many_parts_is_refused(fresh: Opened) -> None:
    data = shared_string_workbook("Cục Thống kê")  # six parts
    result = reject(fresh, data, "bao-cao.xlsx", limits=limits(max_parts=5))
    assert [(p.code, p.params["what"], p.params["n"]) for p in result.problems] == [
        ("workbook_too_large", "parts", 6)]


def test_xlsx_whose_note_is_over_the_note_limit_but_under_the_unpacked_limit_is_note_too_long(fresh: Opened) -> None:
    result = reject(fresh, shared_string_workbook("Ghi chú " * 500_000), "bao-cao.xlsx")
    assert [(p.line, p.column, p.code) for p in result.problems] == [(2, "note", "note_too_long")]


# ---------------------------------------------------------------- .xlsx: damaged, foreign and unbounded workbooks

def patched_sheet(edit: Callable[[str], str], part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """`shared_string_workbook("ok")` with `part`'s XML passed through `edit`."""
    source = zipfile.ZipFile(io.BytesIO(shared_string_workbook("ok")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info.filename, edit(data.decode()).encode() if info.filename == part else data)
    return buffer.getvalue()


@pytest.mark.parametrize(("edit", "line", "column", "words"), [
    (lambda x: x.replace('<c r="A2" t="s"><v>5</v>', '<c r="A2" t="s"><v>99999</v>'), 2, "A", "chuỗi văn bản"),
    (lambda x: x.replace('<c r="A2" t="s"><v>5</v>', '<c r="A2" t="s"><v>-1</v>'), 2, "A", "chuỗi văn bản"),
    (lambda x: x.replace('<c r="D2">', '<c r="D2" s="999">'), 2, "D", "định dạng"),
    (lambda x: x.replace("</sheetData>", "<row><c></sheetData>"), 3, "A", "XML"),
    (lambda x: x.replace('<c r="D2"><v>7.5</v>', '<c r="D2" t="inlineStr"><is><t>&#xD800;</t></is>'), 2, "D", "XML"),
    (lambda x: x.replace("<v>7.5</v>", "<v>1" + "0" * 400 + "</v>"), 2, "D", "ô số"),
    (lambda x: x.replace("<v>7.5</v>", "<v>NaN</v>"), 2, "D", "kiểu"),
    (lambda x: x.replace('<row r="2">', '<row r="-2">'), 1, None, "dòng hoặc cột"),
], ids=["shared string index", "negative shared string", "style index", "mismatched tag", "surrogate reference",
        "401 digits", "NaN", "negative row"])
def test_damaged_workbook_is_refused_at_the_cell_never_a_traceback(fresh: Opened, edit: Callable[[str], str],
                                                                   line: int, column: str | None, words: str,
                                                                   ) -> None:
    data = patched_sheet(edit)
    result = reject(fresh, data, "bao-cao.xlsx")
    assert [(p.line, p.column, p.code) for p in result.problems] == [(line, column, "workbook_damaged")]
    reason = result.problems[0].reason()
    assert "Tệp Excel bị hỏng" in reason and words in reason
    assert "Error" not in reason and "invalid" not in reason  # no raw English exception text
    assert "damaged" in result.problems[0].reason("en")
    store, plans = fresh
    assert check(store, plans, Source("bao-cao.xlsx", data)).problems[0].code == "workbook_damaged"


def test_cli_refuses_a_damaged_workbook_with_exit_1(capsys, duck_url: str, tmp_path: Path) -> None:
    path = tmp_path / "hong.xlsx"
    path.write_bytes(patched_sheet(lambda x: x.replace('<c r="D2">', '<c r="D2" s="999">')))
    code, out, err = run_cli(capsys, "ingest", str(path), "--db", duck_url)
    assert code == 1, (out, err)
    assert "dòng 2, cột D" in out + err and "Traceback" not in out + err


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # the header of an encrypted workbook or an old .xls


def ods_bytes() -> bytes:
    """The start of an OpenDocument spreadsheet: a zip whose first part `mimetype` names its type."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "name", "code", "vi", "en"), [
    (OLE, "bao-cao.xlsx", "workbook_ole", "đặt mật khẩu", "password-protected"),
    (OLE, "bao-cao.xls", "workbook_ole", "tệp .xls cũ", "old .xls"),
    (ods_bytes(), "bao-cao.ods", "workbook_ods", "OpenDocument (.ods)", "OpenDocument spreadsheet (.ods)"),
    (b"unit,indicator\n", "bao-cao.xlsx", "not_workbook", "không phải tệp Excel .xlsx", "not a valid .xlsx"),
], ids=["encrypted", "xls", "ods", "csv named xlsx"])
def test_foreign_workbook_says_what_the_file_is_without_exception_text(fresh: Opened, data: bytes, name: str,
                                                                       code: str, vi: str, en: str) -> None:
    result = reject(fresh, data, name)
    assert [p.code for p in result.problems] == [code]
    assert vi in result.problems[0].reason() and en in result.problems[0].reason("en")
    assert "(" not in result.problems[0].reason().split(";")[0].replace("(.ods)", "")  # no "(File is not a zip …)"


def big_sheet(rows_xml: Callable[[], Iterator[bytes]], strings: Iterator[bytes] | None = None) -> bytes:
    """`shared_string_workbook("ok")` with the sheet's rows after the figure (and, given, the shared strings)
    written from the generators, so that a bomb is built without holding it."""
    source = zipfile.ZipFile(io.BytesIO(shared_string_workbook("ok")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            text = source.read(info.filename).decode()
            if info.filename == "xl/worksheets/sheet1.xml":
                head, tail = text.split("</sheetData>")
                with archive.open(info.filename, "w") as out:
                    out.write(head.encode())
                    for chunk in rows_xml():
                        out.write(chunk)
                    out.write(("</sheetData>" + tail).encode())
            elif info.filename == "xl/sharedStrings.xml" and strings is not None:
                head, tail = text.split("</sst>")
                with archive.open(info.filename, "w") as out:
                    out.write(head.encode())
                    for chunk in strings:
                        out.write(chunk)
                    out.write(("</sst>" + tail).encode())
            else:
                archive.writestr(info, text.encode())
    return buffer.getvalue()


def test_sheet_of_empty_rows_is_bounded_by_max_rows_counting_every_row(fresh: Opened) -> None:
    # Empty rows that all say row 3 stay inside Excel's sheet: only the row count bounds them.
    data = big_sheet(lambda: iter([b'<row r="3"/>' * 100_000] * 3))
    result, seconds, _, rss_mb = measured(lambda: reject(fresh, data, "bao-cao.xlsx", limits=limits(max_rows=10_000)))
    assert [(p.code, p.params["limit"]) for p in result.problems] == [("too_many_sheet_rows", 10_000)]
    assert "max_rows" in result.problems[0].reason() and "kể cả dòng trống" in result.problems[0].reason()
    assert seconds < 5 and rss_mb < 100, (seconds, rss_mb)


def test_empty_rows_are_stopped_by_the_clock_not_only_non_empty_ones(fresh: Opened,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    looks = []
    real = kpi.ingest.deadline.Deadline.check
    monkeypatch.setattr(kpi.ingest.deadline.Deadline, "check", lambda self: (looks.append(1), real(self))[1])
    data = big_sheet(lambda: iter([b'<row r="3"/>' * 50_000]))
    store, plans = fresh
    check(store, plans, Source("bao-cao.xlsx", data))
    assert len(looks) >= 100_000 // kpi.ingest.xlsx_grid.CLOCK_EVERY  # 50,000 empty rows: 100,000 XML events


def test_row_of_cells_without_references_stops_at_excels_last_column(fresh: Opened) -> None:
    data = big_sheet(lambda: iter([b"<row>", b"<c><v>1</v></c>" * 1_000_000, b"</row>"]))
    assert len(data) < 100_000
    result, seconds, heap_mb, rss_mb = measured(lambda: reject(fresh, data, "bao-cao.xlsx"))
    assert [(p.line, p.column, p.code) for p in result.problems] == [(3, "XFD", "workbook_damaged")]
    assert seconds < 10 and heap_mb < 50 and rss_mb < 100, (seconds, heap_mb, rss_mb)


def test_cells_right_of_the_header_are_not_kept(fresh: Opened) -> None:
    # A data row with 16,000 numbers right of the header: twenty are named, none is held in the row.
    cells = "".join(f'<c r="{openpyxl.utils.get_column_letter(i)}3"><v>1</v></c>' for i in range(6, 16_006))
    data = big_sheet(lambda: iter([f'<row r="3">{cells}</row>'.encode()]))
    store, plans = fresh
    result, seconds, heap_mb, _ = measured(lambda: ingest_bytes(store, plans, data, "bao-cao.xlsx"))
    assert result.ok and [p.code for p in result.problems] == ["stray_cell"] * 20
    assert seconds < 10 and heap_mb < 50, (seconds, heap_mb)


def test_shared_strings_are_bounded_in_count_and_length(fresh: Opened) -> None:
    many = big_sheet(lambda: iter([]), iter([b"<si><t>x</t></si>" * 20_000]))
    result = reject(fresh, many, "bao-cao.xlsx", limits=limits(max_shared_strings=10_000))
    assert [(p.code, p.params["limit"]) for p in result.problems] == [("too_many_shared_strings", 10_000)]
    assert "max_shared_strings" in result.problems[0].reason()
    long = big_sheet(lambda: iter([]), iter([b"<si><t>" + b"x" * 1_000 + b"</t></si>"] * 200))
    result = reject(fresh, long, "bao-cao.xlsx", limits=limits(max_shared_chars=100_000))
    assert [(p.code, p.params["limit"]) for p in result.problems] == [("shared_strings_too_long", 100_000)]
    assert "max_shared_chars" in result.problems[0].reason()


def multi_sheet_workbook(hidden_first: bool, second_has_cells: bool = True) -> bytes:
    """Sheets `cu` (one old figure), `moi` (the current figure) and `ghi chu` (a note or nothing)."""
    book = openpyxl.Workbook()
    old = book.active
    old.title = "cu"
    old.append(LONG)
    old.append(["KT", "grdp_growth", "2024-Q1", 1.5, None])
    new = book.create_sheet("moi")
    new.append(LONG)
    new.append(["KT", "grdp_growth", "2024-Q1", 7.5, None])
    notes = book.create_sheet("ghi chu")
    if second_has_cells:
        notes["A1"] = "đã kiểm tra"
    if hidden_first:
        old.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_hidden_first_sheet_is_skipped_for_the_first_visible_one_and_others_are_named(fresh: Opened) -> None:
    store, plans = fresh
    result = ingest_bytes(store, plans, multi_sheet_workbook(hidden_first=True), "bao-cao.xlsx")
    assert result.ok and figure(store, "KT", "grdp_growth", "2024-Q1")["value"] == 7.5
    assert [(p.code, p.blocking) for p in result.problems] == [("other_sheets", False)]
    assert "“moi”" in result.problems[0].reason() and "ghi chu" in result.problems[0].reason()
    assert "cu" not in result.problems[0].params["sheets"].split(", ")  # a hidden sheet is not named


def test_other_visible_sheets_without_cells_are_not_warned_about(fresh: Opened) -> None:
    store, plans = fresh
    result = ingest_bytes(store, plans, multi_sheet_workbook(hidden_first=True, second_has_cells=False),
                          "bao-cao.xlsx")
    assert result.ok and not result.problems


# ---------------------------------------------------------------- CSV limits: columns, rows, bytes

def test_csv_header_of_twenty_thousand_repeated_names_is_too_many_columns_at_once(fresh: Opened) -> None:
    data = (",".join(["unit"] * 20_000) + "\nKT\n").encode()
    result, seconds, _, rss_mb = measured(lambda: reject(fresh, data))
    assert [(p.line, p.code, p.params) for p in result.problems] == [
        (1, "too_many_columns", {"n": 20_000, "limit": 200})]
    assert result.problems[0].reason() == "Dòng tiêu đề có 20.000 cột, vượt giới hạn 200 cột (max_columns)"
    assert seconds < 2 and rss_mb < 200, (seconds, rss_mb)


def test_header_followed_by_blank_lines_beyond_max_rows_is_too_many_rows(fresh: Opened) -> None:
    data = csv_bytes("KT,grdp_growth,2024-Q1,7.5,") + b"\n" * 1_000
    # 1 figure line + 1,000 blank lines after the header = 1,001 lines, over 100.
    result = reject(fresh, data, limits=limits(max_rows=100))
    assert [(p.line, p.code, p.params) for p in result.problems] == [
        (None, "too_many_rows", {"n": 1_001, "limit": 100})]
    assert "vượt giới hạn 100 dòng (max_rows)" in result.problems[0].reason()


def test_file_of_only_blank_lines_beyond_max_rows_is_too_many_rows(fresh: Opened) -> None:
    data = b"\n" * 3_000_000  # 3 MB: three thousand times max_rows
    result = reject(fresh, data, limits=limits(max_rows=1_000))
    assert [p.code for p in result.problems] == ["too_many_rows"]


def test_file_over_max_file_bytes_is_refused_before_reading(fresh: Opened) -> None:
    # Header 32 + LF; "KT,grdp_growth,2024-Q1,7.5," 27 + "Cục Thống kê" 12 characters, 17 bytes (ụ ố: 3, ê: 2) + LF.
    data = csv_bytes("KT,grdp_growth,2024-Q1,7.5,Cục Thống kê")
    assert len(data) == 78
    result = reject(fresh, data, limits=limits(max_file_bytes=77))
    assert [(p.line, p.code, p.params) for p in result.problems] == [
        (None, "file_too_large", {"n": 78, "limit": 77})]
    assert result.problems[0].reason() == "Tệp nặng 78 byte, vượt giới hạn 77 byte (max_file_bytes)"
    # At the limit exactly, it loads.
    store, plans = fresh
    assert ingest_bytes(store, plans, data, "bao-cao.csv", limits=limits(max_file_bytes=78)).ok


def test_ingest_path_refuses_a_file_over_the_limit_before_reading_it(fresh: Opened, tmp_path: Path) -> None:
    store, plans = fresh
    before = snapshot(store)
    path = tmp_path / "lon.csv"
    path.write_bytes(csv_bytes("KT,grdp_growth,2024-Q1,7.5,"))  # 61 bytes
    with pytest.raises(SourceTooLarge) as raised:
        ingest_path(store, plans, path, limits=limits(max_file_bytes=60))
    assert (raised.value.size, raised.value.limit) == (61, 60)
    before.assert_same(snapshot(store))


def test_cli_says_a_file_is_too_large_and_exits_1(capsys, duck_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lon.csv"
    path.write_bytes(csv_bytes("KT,grdp_growth,2024-Q1,7.5,"))  # 61 bytes
    monkeypatch.setenv("KPI_LIMIT_MAX_FILE_BYTES", "60")
    code = main(["ingest", "--db", duck_url, str(path)])
    _, err = capsys.readouterr()
    assert code == 1
    assert "tệp nặng 61 byte, vượt giới hạn 60 byte (max_file_bytes)" in err
    assert "Traceback" not in err
    assert snapshot(Store(duck_url)).n_uploads == 0


# ---------------------------------------------------------------- rows Excel or a hand writes wrongly

@pytest.mark.parametrize("data", [
    b"unit,indicator,period,value,note\rKT,grdp_growth,2024-Q1,7.5,\r",
    b"unit,indicator,\rperiod,value,note\nKT,grdp_growth,2024-Q1,7.5,\n",
], ids=["CR line ends", "stray CR in the header"])
def test_carriage_return_in_the_header_line_is_read_or_refused_cleanly(fresh: Opened, data: bytes) -> None:
    store, plans = fresh
    before = snapshot(store)
    result = ingest_bytes(store, plans, data, "mac.csv")
    if result.ok:  # CR is a line end to Excel: the figure is there
        assert figure(store, "KT", "grdp_growth", "2024-Q1")["value"] == 7.5
    else:
        assert result.blocking and result.upload_id is None
        before.assert_same(snapshot(store))


def test_unquoted_decimal_comma_with_a_trailing_separator_is_extra_cells(opened: Opened) -> None:
    # KT | grdp_growth | 2024-Q4 | 9 | 5 | (empty): six cells under a five-column header.
    result = reject(opened, csv_bytes("KT,grdp_growth,2024-Q4,9,5,"))
    assert [(p.line, p.column, p.code, p.params) for p in result.problems] == [
        (2, None, "extra_cells", {"n": 6, "expected": 5})]
    assert "ngoặc kép" in result.problems[0].reason()


def test_unquoted_decimal_comma_with_a_note_is_extra_cells_naming_the_quotes(opened: Opened) -> None:
    # KT | grdp_growth | 2024-Q4 | 9 | 5 | Cục Thống kê: six cells under five columns, on line 3.
    result = reject(opened, csv_bytes("KT,grdp_growth,2024-Q3,9.1,", "KT,grdp_growth,2024-Q4,9,5,Cục Thống kê"))
    assert [(p.line, p.column, p.code, p.params) for p in result.problems] == [
        (3, None, "extra_cells", {"n": 6, "expected": 5})]
    reason = result.problems[0].reason()
    assert "ngoặc kép" in reason and '("9,5")' in reason


def test_quoted_decimal_comma_loads(opened: Opened) -> None:
    store, plans = opened
    result = ingest_bytes(store, plans, csv_bytes('KT,grdp_growth,2024-Q4,"9,5",'), "bao-cao.csv")
    assert result.ok and result.decimal == "comma"
    assert figure(store, "KT", "grdp_growth", "2024-Q4")["value"] == 9.5


def test_a_quote_still_open_at_the_end_rejects_the_file_naming_where_it_opened(opened: Opened) -> None:
    # Without the closing quote DHA's and DTO's rows would be stored as TPKT's note.
    result = reject(opened, csv_bytes('TPKT,tourist_arrivals,2024-Q4,185000,"ghi chú',
                                      "DHA,tourist_arrivals,2024-Q4,95000,x", "DTO,tourist_arrivals,2024-Q4,45000,y"))
    assert [(p.line, p.column, p.code) for p in result.problems] == [(2, "note", "unclosed_quote")]
    assert "ngoặc kép đóng" in result.problems[0].reason()
    assert "closing quotation mark" in result.problems[0].reason("en")


def test_a_quoted_note_spanning_lines_and_closed_still_loads(opened: Opened) -> None:
    store, plans = opened
    result = ingest_bytes(store, plans, csv_bytes('TPKT,tourist_arrivals,2024-Q4,185000,"ghi\nchú"',
                                                  "DHA,tourist_arrivals,2024-Q4,95000,x"), "bao-cao.csv")
    assert result.ok and result.count("new") == 2
    assert figure(store, "TPKT", "tourist_arrivals", "2024-Q4")["note"] == "ghi\nchú"


@pytest.mark.parametrize(("row", "shown"), [
    ("KT,grdp_growth,2024-Q4,9,5", "9,5"),
    ("KT,grdp_per_capita,2024-Q4,63,7", "63,7"),
    ("TPKT,tourist_arrivals,2024-Q4,1,700", "1,700"),
])
def test_a_number_cut_at_its_comma_into_value_and_note_is_refused(opened: Opened, row: str, shown: str) -> None:
    # As many cells as the header: only the note of nothing but 1-3 digits gives it away.
    result = reject(opened, csv_bytes(row))
    assert [(p.line, p.column, p.code, p.value) for p in result.problems] == [(2, "value", "split_number", shown)]
    assert "ngoặc kép" in result.problems[0].reason() and "; between columns" in result.problems[0].reason("en")


@pytest.mark.parametrize(("data", "count"), [
    (csv_bytes("KT;grdp_growth;2024-Q4;9;5", header=HEADER.replace(",", ";")), 1),
    (csv_bytes("KT\tgrdp_growth\t2024-Q4\t9\t5", header=HEADER.replace(",", "\t")), 1),
    (csv_bytes("KT,grdp_growth,2024-Q4,9,5 quý"), 1),
    (csv_bytes("KT,grdp_growth,2024-Q4,9.5,5"), 1),
], ids=["semicolons", "tabs", "note with words", "value not whole"])
def test_a_short_number_note_is_kept_where_it_cannot_be_a_cut_number(opened: Opened, data: bytes,
                                                                      count: int) -> None:
    store, plans = opened
    assert ingest_bytes(store, plans, data, "bao-cao.csv").count("new") == count


def test_extra_cells_are_listed_up_to_the_problem_cap_and_the_rest_counted(fresh: Opened) -> None:
    result = reject(fresh, csv_bytes(*["TPKT,tourist_arrivals,2024-Q4,1,a,b"] * 1500))
    assert [p.code for p in result.problems] == ["extra_cells"] * 1000 + ["too_many"]
    assert result.problems[-1].params == {"n": 500, "limit": 1000}


def test_rows_of_ten_thousand_cells_are_refused_quickly_naming_the_line(fresh: Opened) -> None:
    row = "TPKT,tourist_arrivals,2024-Q4,185000,a" + ",y" * 10_000
    result, seconds, _, _ = measured(lambda: reject(fresh, csv_bytes("KT,grdp_growth,2024-Q4,9.5,", *[row] * 100)))
    assert [(p.line, p.code, p.params) for p in result.problems] == [(3, "too_many_cells", {"limit": 200})]
    assert seconds < 5  # 19 s and 2.4 GB for ten such rows while DuckDB kept every extra cell as a reject


def test_a_header_line_over_the_csv_modules_default_field_limit_is_read_in_a_fresh_process(tmp_path: Path,
                                                                                            duck_url: str) -> None:
    # The csv module's 131,072-character default held only until the exact reader first raised it.
    path = tmp_path / "long-header.csv"
    path.write_bytes(csv_bytes("KT,grdp_growth,2024-Q4,9.5,", header=HEADER + "x" * 131_100))
    done = subprocess.run([sys.executable, "-m", "kpi.cli", "ingest", str(path), "--db", duck_url],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr


def test_a_nul_byte_in_one_cell_names_its_line_and_column(fresh: Opened) -> None:
    data = csv_bytes("TPKT,tourist_arrivals,2024-Q4,185000,", "DHA,tourist_arrivals,2024-Q4,95000,a\x00b")
    result = reject(fresh, data)
    assert [(p.line, p.column, p.code) for p in result.problems] == [(3, "note", "not_text")]


# Positions counted by hand from the header, 1 = the first column.
@pytest.mark.parametrize(("header", "row", "column", "other", "position", "other_position"), [
    ("unit,unit,indicator,period,value", "KT,KT,grdp_growth,2024-Q4,9.5", "unit", "unit", 2, 1),
    ("unit,indicator,period,value,value", "KT,grdp_growth,2024-Q4,9.5,9.5", "value", "value", 5, 4),
    ("unit,indicator,period,Giá trị,value", "KT,grdp_growth,2024-Q4,9.5,9.5", "value", "Giá trị", 5, 4),
    ("Mã đơn vị,unit_code,indicator,period,value", "KT,KT,grdp_growth,2024-Q4,9.5", "unit_code", "Mã đơn vị", 2, 1),
    ("unit,indicator,period,value,note,Ghi chú", "KT,grdp_growth,2024-Q4,9.5,a,b", "Ghi chú", "note", 6, 5),
], ids=["unit twice", "value twice", "Giá trị beside value", "two unit spellings", "two notes"])
def test_two_columns_with_one_meaning_are_refused(opened: Opened, header: str, row: str, column: str,
                                                  other: str, position: int, other_position: int) -> None:
    result = reject(opened, csv_bytes(row, header=header))
    assert [(p.line, p.column, p.code, p.params) for p in result.problems] == [
        (1, column, "duplicate_column", {"other": other, "position": position, "other_position": other_position})]
    assert result.problems[0].reason() == (
        f"Cột thứ {position} (“{column}”) trùng nghĩa với cột thứ {other_position} (“{other}”); mỗi loại thông "
        "tin chỉ được có một cột")


# ---------------------------------------------------------------- censored ranks

@pytest.mark.parametrize(("value", "code", "reason"), [
    ("<1", "censored_form", "Hạng chỉ ghi dạng “>30” (ngoài nhóm 30 tỉnh đứng đầu); “<1” không được chấp nhận"),
    ("<30", "censored_form", "Hạng chỉ ghi dạng “>30” (ngoài nhóm 30 tỉnh đứng đầu); “<30” không được chấp nhận"),
    (">63", "censored_out_of_range", "“>63” không thể đúng: không có hạng nào lớn hơn 63"),
])
def test_censored_rank_forms_that_cannot_be_stored_are_refused(opened: Opened, value: str, code: str,
                                                               reason: str) -> None:
    result = reject(opened, csv_bytes("KT,papi_rank,2023,43,", f"KT,pci_rank,2023,{value},"))
    assert [(p.line, p.column, p.value, p.code) for p in result.problems] == [(3, "value", value, code)]
    assert result.problems[0].reason() == reason


@pytest.mark.parametrize("value", [">30", "> 30", " >30 "])
def test_censored_rank_above_thirty_is_stored_as_thirty_with_its_qualifier(opened: Opened, value: str) -> None:
    store, plans = opened
    result = ingest_bytes(store, plans, csv_bytes(f"KT,pci_rank,2023,{value},VCCI"), "pci.csv")
    assert result.ok and result.count("new") == 1, [p.describe("en") for p in result.problems]
    stored = figure(store, "KT", "pci_rank", "2023")
    assert (stored["value"], stored["qualifier"], stored["note"]) == (30.0, ">", "VCCI")


# ---------------------------------------------------------------- notes: huge, dirty, revised

def test_note_of_ten_megabytes_is_refused_and_nothing_is_stored(opened: Opened) -> None:
    note = "Số liệu ước tính. " * 400_000  # 18 characters, 26 bytes a time: 7.2 million characters, 10.4 MB
    assert len(note.encode()) == 10_400_000
    data = csv_bytes("KT,grdp_growth,2024-Q1,7.5,", f"KT,grdp_growth,2024-Q2,7.9,{note}")
    result, seconds, _, rss_mb = measured(lambda: reject(opened, data))
    # Refused on line 3 by the note limit (2,000 characters) or, before that, by the reader's own cell bound.
    assert [(p.line, p.code) for p in result.problems] in ([(3, "note_too_long")], [(3, "bad_csv")])
    if result.problems[0].code == "bad_csv":
        assert "limit" in result.problems[0].params["detail"]
    assert seconds < 15 and rss_mb < 400, (seconds, rss_mb)


def test_note_just_over_the_note_limit_is_note_too_long(opened: Opened) -> None:
    result = reject(opened, csv_bytes("KT,grdp_growth,2024-Q1,7.5," + "ư" * 2_001))
    assert [(p.line, p.column, p.code) for p in result.problems] == [(2, "note", "note_too_long")]
    assert "Ghi chú dài quá 2.000 ký tự (max_note_chars)" in result.problems[0].reason()


def test_control_characters_in_a_note_are_removed_with_a_warning(opened: Opened) -> None:
    store, plans = opened
    # BEL, right-to-left override (which would show the rest reversed) and a zero-width space.
    note = "Số\x07 liệu \u202eước tính\u200b"
    result = ingest_bytes(store, plans, csv_bytes(f"KT,grdp_growth,2024-Q1,7.5,{note}"), "bao-cao.csv")
    assert result.ok and result.count("new") == 1
    assert [(p.line, p.column, p.code, p.blocking) for p in result.problems] == [(2, "note", "note_cleaned", False)]
    assert "ký tự điều khiển hoặc ký tự ẩn, đã được loại bỏ" in result.problems[0].reason()
    # "Số" + "" + " liệu " + "" + "ước tính" + "": the three characters go, everything else stays.
    assert figure(store, "KT", "grdp_growth", "2024-Q1")["note"] == "Số liệu ước tính"


def test_a_note_of_nothing_but_control_characters_is_no_note(opened: Opened) -> None:
    store, plans = opened
    result = ingest_bytes(store, plans, csv_bytes("KT,grdp_growth,2024-Q1,7.5,\x07\u200b\u202e"), "bao-cao.csv")
    assert result.ok and [p.code for p in result.problems] == ["note_cleaned"]
    assert figure(store, "KT", "grdp_growth", "2024-Q1")["note"] is None


def test_a_new_note_on_the_same_value_is_a_revision_and_the_same_note_is_unchanged(opened: Opened) -> None:
    store, plans = opened

    def send(note: str) -> Checked:
        result = ingest_bytes(store, plans, csv_bytes(f"KT,grdp_growth,2024-Q1,7.5,{note}"), "bao-cao.csv")
        assert result.ok, [p.describe("en") for p in result.problems]
        return result

    assert send("Ước tính").count("new") == 1
    revised = send("Số chính thức")
    assert (revised.count("new"), revised.count("revised"), revised.count("unchanged")) == (0, 1, 0)
    assert revised.upload_id is not None
    row = revised.changes.iloc[0]
    assert (row["value"], row["previous_value"], row["note"], row["previous_note"]) == (
        7.5, 7.5, "Số chính thức", "Ước tính")
    assert figure(store, "KT", "grdp_growth", "2024-Q1")["note"] == "Số chính thức"

    before = snapshot(store)
    # The same note again, with stray spaces and in decomposed letters (NFD): the same figure.
    for note in ("Số chính thức", " Số chính thức ", unicodedata.normalize("NFD", "Số chính thức")):
        same = send(note)
        assert (same.count("unchanged"), same.to_write, same.upload_id) == (1, 0, None), note
    before.assert_same(snapshot(store))

    assert send("").count("revised") == 1  # dropping the note is a change too
    assert figure(store, "KT", "grdp_growth", "2024-Q1")["note"] is None
    assert revisions(store, "KT", "grdp_growth", "2024-Q1") == [
        (7.5, "Ước tính"), (7.5, "Số chính thức"), (7.5, None)]


# ---------------------------------------------------------------- encodings

CP1258_DAK_HA = b"\xd0\xe3\xeck H\xe0"  # "Đắk Hà" as Excel writes Windows-1258: Đ ă, a separate acute, k H à


def test_cp1258_helper_bytes_are_dak_ha() -> None:
    assert unicodedata.normalize("NFC", CP1258_DAK_HA.decode("cp1258")) == "Đắk Hà"


@pytest.mark.parametrize(("lines", "bad_line", "utf8_line"), [
    ([b"KT,grdp_growth,2024-Q1,7.5,S\xe1\xbb\x91 li\xe1\xbb\x87u", b"DHA,grdp_growth,2024-Q1,7.1," + CP1258_DAK_HA],
     3, 2),
    ([b"DHA,grdp_growth,2024-Q1,7.1," + CP1258_DAK_HA, b"KT,grdp_growth,2024-Q1,7.5,S\xe1\xbb\x91 li\xe1\xbb\x87u"],
     2, 3),
], ids=["UTF-8 then Windows-1258", "Windows-1258 then UTF-8"])
def test_file_mixing_utf8_and_windows_1258_names_the_line(fresh: Opened, lines: list[bytes], bad_line: int,
                                                         utf8_line: int) -> None:
    data = HEADER.encode() + b"\n" + b"\n".join(lines) + b"\n"  # "Số liệu" in UTF-8 on one line
    result = reject(fresh, data)
    assert [(p.line, p.code, p.params) for p in result.problems] == [
        (bad_line, "mixed_encoding", {"utf8_line": utf8_line})]
    assert result.problems[0].describe() == (
        f"dòng {bad_line}: Tệp không thống nhất một bảng mã: từ dòng này không đọc được theo UTF-8 "
        f"(dòng {utf8_line} lại là UTF-8); hãy mở tệp và lưu lại toàn bộ dạng “CSV UTF-8”")


def test_a_whole_windows_1258_file_loads(fresh: Opened) -> None:
    store, plans = fresh
    data = HEADER.encode() + b"\nDHA,grdp_growth,2024-Q1,7.1," + CP1258_DAK_HA + b"\n"
    result = ingest_bytes(store, plans, data, "bao-cao.csv")
    assert result.ok and result.encoding == "windows-1258"
    assert figure(store, "DHA", "grdp_growth", "2024-Q1")["note"] == "Đắk Hà"


def test_utf7_file_with_vietnamese_headers_is_refused(fresh: Opened) -> None:
    text = "Mã đơn vị,Chỉ tiêu,Kỳ báo cáo,Giá trị,Ghi chú\r\nKT,grdp_growth,2024-Q2,7.5,Số liệu ước tính\r\n"
    data = text.encode("utf-7")
    assert data.isascii() and b"+AOM" in data  # "Mã" is "M+AOM": plain ASCII to every other decoder
    result = reject(fresh, data)
    assert [(p.line, p.code) for p in result.problems] == [(1, "utf7")]
    assert "UTF-7" in result.problems[0].reason() and "CSV UTF-8" in result.problems[0].reason()


def test_utf7_file_with_one_vietnamese_note_is_refused(fresh: Opened) -> None:
    data = (HEADER + "\nKT,grdp_growth,2024-Q2,7.5,Ghi chú\n").encode("utf-7")
    assert data.endswith(b"Ghi ch+APo\n")
    result = reject(fresh, data)
    assert [(p.line, p.code) for p in result.problems] == [(2, "utf7")]


def test_plain_ascii_with_plus_signs_is_not_taken_for_utf7(fresh: Opened) -> None:
    store, plans = fresh
    # "+84" and "+Q1-" are ASCII a person types; neither decodes to Vietnamese letters.
    data = csv_bytes("KT,grdp_growth,2024-Q1,7.5,Liên hệ +84 260 386 ; +Q1-", "KT,grdp_growth,2024-Q2,+7.6,")
    result = ingest_bytes(store, plans, data, "bao-cao.csv")
    assert result.ok and result.encoding == "utf-8", [p.describe("en") for p in result.problems]
    assert figure(store, "KT", "grdp_growth", "2024-Q1")["note"] == "Liên hệ +84 260 386 ; +Q1-"
    assert figure(store, "KT", "grdp_growth", "2024-Q2")["value"] == 7.6


# ---------------------------------------------------------------- the command line


def test_cli_takes_a_name_with_brackets_literally(capsys, duck_url: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # As a glob, `bao-cao[12].csv` would match bao-cao1.csv; the file named with brackets is the one meant.
    (tmp_path / "bao-cao1.csv").write_bytes(csv_bytes("KT,grdp_growth,2024-Q1,1.5,"))
    (tmp_path / "bao-cao[12].csv").write_bytes(csv_bytes("KT,grdp_growth,2024-Q2,2.5,"))
    code, out, err = run_cli(capsys, "ingest", "--db", duck_url, "bao-cao[12].csv")
    assert code == 0, err
    assert out.startswith("Đã nạp bao-cao[12].csv: 1 số liệu mới")
    figures = snapshot(Store(duck_url)).figures
    assert list(zip(figures["period"], figures["value"])) == [("2024-Q2", 2.5)]


def test_cli_does_not_expand_a_wildcard(capsys, duck_url: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "figs1.csv").write_bytes(csv_bytes("KT,grdp_growth,2024-Q1,1.5,"))
    (tmp_path / "figs2.csv").write_bytes(csv_bytes("KT,grdp_growth,2024-Q2,2.5,"))
    code, out, err = run_cli(capsys, "ingest", "--db", duck_url, "figs*.csv")
    assert code == 1 and out == ""
    assert "figs*.csv: không tìm thấy tệp" in err
    assert "Traceback" not in err
    assert snapshot(Store(duck_url)).n_uploads == 0


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_cli_history_into_head_closes_quietly(sample_url: str, fmt: str) -> None:
    # The sample's history is about 75 kB as a table: more than a pipe holds, so `head` leaves mid-write.
    shell = (f"'{sys.executable}' -m kpi.cli history --db '{sample_url}' --format {fmt} | head -n 1; "
             "echo \"status=${PIPESTATUS[0]}\" >&2")
    done = subprocess.run(shell, shell=True, executable="/bin/bash", capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.stdout.count("\n") == 1 and done.stdout.strip()
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr
    status = done.stderr.strip().splitlines()[-1]
    assert status in ("status=141", "status=0"), done.stderr  # 141: the pipe closed early, quietly


def test_cli_history_in_full_still_exits_0(capsys, sample_url: str) -> None:
    code, out, err = run_cli(capsys, "history", "--db", sample_url, "--format", "csv")
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("unit,indicator,period,value")


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("boom: an unexpected failure")


@pytest.mark.parametrize(("command", "target", "name"), [
    ("history", kpi.revisions, "history"),
    ("ingest", kpi.ingest.pipeline, "load_before"),
], ids=["history", "ingest"])
def test_cli_unexpected_exception_exits_70_not_1(capsys, duck_url: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, command: str, target: object,
                                                 name: str) -> None:
    assert main(["init", "--db", duck_url]) == 0
    path = tmp_path / "quy1.csv"
    path.write_bytes(csv_bytes("KT,grdp_growth,2024-Q1,7.5,"))
    capsys.readouterr()
    monkeypatch.setattr(target, name, _boom)
    argv = ["history", "--db", duck_url] if command == "history" else ["ingest", "--db", duck_url, str(path)]
    code, _, err = run_cli(capsys, *argv)
    assert code == 70  # 1 means "file rejected"; a crash must never look like that
    assert "kpi: lỗi nội bộ, không có gì bị ghi dở" in err
    assert "RuntimeError: boom: an unexpected failure" in err  # the traceback is there for the administrator
    assert snapshot(Store(duck_url)).n_uploads == 0


# ---------------------------------------------------------------- exports

@pytest.mark.parametrize(("text", "expected"), [
    ("＝1+1", "'＝1+1"), ("＋84 260", "'＋84 260"), ("－5", "'－5"), ("＠SUM(A1)", "'＠SUM(A1)"),
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"),
    ("-cmd", "'-cmd"), ("-5", "-5"), ("-2,5%", "-2,5%"), ("Số ＝ 1", "Số ＝ 1"), ("", ""), (7.5, 7.5), (None, None),
])
def test_neutralise_puts_an_apostrophe_before_a_formula_start(text: object, expected: object) -> None:
    assert neutralise(text) == expected


def test_check_of_a_hostile_file_writes_nothing_and_returns(fresh: Opened) -> None:
    """`check` alone never writes, even for a file that would be accepted."""
    store, plans = fresh
    before = snapshot(store)
    result = check(store, plans, Source("bao-cao.csv", csv_bytes("KT,grdp_growth,2024-Q1,7.5,")))
    assert result.ok and result.count("new") == 1 and result.upload_id is None
    before.assert_same(snapshot(store))


def test_a_file_too_big_for_the_checks_memory_is_refused_cleanly(fresh: Opened, monkeypatch: pytest.MonkeyPatch,
                                                                 ) -> None:
    # 20,000 rows with 60-character notes need far more than 2 MB of DuckDB buffer memory.
    monkeypatch.setattr("kpi.ingest.pipeline.SCRATCH_MEMORY", "2MB")
    rows = [f"TPKT,tourist_arrivals,2024-Q{1 + i % 4},{1000 + i},ghi chú số {i} " + "x" * 45 for i in range(20_000)]
    result = reject(fresh, csv_bytes(*rows))
    assert [p.code for p in result.problems] == ["out_of_memory"]
    assert "2MB" in result.problems[0].reason() and "chia tệp" in result.problems[0].reason()
