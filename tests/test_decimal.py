"""The decimal mark: decided per file from its own numbers, never guessed. A file whose numbers leave it open is
rejected with a reason that says how to choose (`--decimal comma|dot` or the upload page), and loads once told."""

from __future__ import annotations

from pathlib import Path

import pytest

from kpi.bootstrap import open_store
from kpi.cli import main
from kpi.ingest import ingest_bytes
from tests.support import figure, snapshot

# Budget revenue as a district treasury writes it with thousands dots and no decimals: 1.032 is 1032 billion VND
# in a comma file, and 1.032 billion in a dot file. Nothing in the file says which.
AMBIGUOUS = (
    "Mã đơn vị;Chỉ tiêu;Kỳ báo cáo;Giá trị;Ghi chú\r\n"
    "KT;budget_revenue;Quý I/2024;1.032;Kho bạc Nhà nước tỉnh\r\n"
    "KT;budget_revenue;Quý II/2024;1.198;\r\n"
    "DHA;traffic_accidents;Quý I/2024;23;\r\n"
).encode()


def test_ambiguous_numbers_reject_the_file_and_say_how_to_choose(fresh) -> None:
    store, plans = fresh
    before = snapshot(store)
    result = ingest_bytes(store, plans, AMBIGUOUS, "ngan-sach.csv")
    assert not result.ok and result.upload_id is None
    assert [(p.line, p.column, p.code, p.value) for p in result.problems] == [
        (2, "Giá trị", "ambiguous_number", "1.032"), (3, "Giá trị", "ambiguous_number", "1.198")]
    reason = result.problems[0].reason()
    assert "không rõ dấu thập phân" in reason
    assert "--decimal comma" in reason and "--decimal dot" in reason and "trang nạp số liệu" in reason
    assert result.problems[0].describe().startswith("dòng 2, cột Giá trị: Số “1.032” không rõ dấu thập phân")
    english = result.problems[1].describe("en")
    assert english.startswith("line 3, column Giá trị: Number “1.198” has an unclear decimal mark")
    assert "--decimal comma or --decimal dot, or on the upload page" in english
    before.assert_same(snapshot(store))


def test_a_comma_separated_file_with_only_thousands_commas_is_ambiguous_too(fresh) -> None:
    store, plans = fresh
    data = b'unit,indicator,period,value,note\nKT,grdp_per_capita,2024-Q1,"1,700",\n'
    result = ingest_bytes(store, plans, data, "f.csv")
    assert [(p.line, p.column, p.code) for p in result.problems] == [(2, "value", "ambiguous_number")]
    loaded = ingest_bytes(store, plans, data, "f.csv", decimal="comma")
    assert loaded.ok and figure(store, "KT", "grdp_per_capita", "2024-Q1")["value"] == 1.7


@pytest.mark.parametrize(("decimal", "q1", "q2"), [("comma", 1032.0, 1198.0), ("dot", 1.032, 1.198)])
def test_the_chosen_decimal_mark_reads_the_ambiguous_numbers(fresh, decimal: str, q1: float, q2: float) -> None:
    store, plans = fresh
    result = ingest_bytes(store, plans, AMBIGUOUS, "ngan-sach.csv", decimal=decimal)
    assert result.ok and result.decimal == decimal, [p.describe("en") for p in result.problems]
    assert result.count("new") == 3
    assert figure(store, "KT", "budget_revenue", "2024-Q1")["value"] == q1
    assert figure(store, "KT", "budget_revenue", "2024-Q2")["value"] == q2
    assert figure(store, "DHA", "traffic_accidents", "2024-Q1")["value"] == 23.0


def test_other_numbers_of_the_file_settle_an_ambiguous_one(fresh) -> None:
    store, plans = fresh
    data = AMBIGUOUS + b"KT;grdp_per_capita;Qu\xc3\xbd I/2024;59,12;\r\n"
    result = ingest_bytes(store, plans, data, "f.csv")
    assert result.ok and result.decimal == "comma"
    assert figure(store, "KT", "budget_revenue", "2024-Q1")["value"] == 1032.0
    assert figure(store, "KT", "grdp_per_capita", "2024-Q1")["value"] == 59.12


MIXED_MARKS = [
    ("comma majority", ["KT,grdp_per_capita,2024-Q1,\"59,12\",", "KT,grdp_growth,2024-Q1,\"8,12\",",
                        "KT,trained_labour_rate,2024-Q1,12.5,"], "comma", 4, "12.5", "(dấu phẩy: 63,7)"),
    ("dot majority", ["KT,grdp_per_capita,2024-Q1,59.12,", "KT,grdp_growth,2024-Q1,\"8,12\",",
                      "KT,trained_labour_rate,2024-Q1,56.8,"], "dot", 3, "8,12", "(dấu chấm: 63.7)"),
]


@pytest.mark.parametrize(("rows", "mark", "line", "value", "example"), [m[1:] for m in MIXED_MARKS],
                         ids=[m[0] for m in MIXED_MARKS])
def test_a_file_mixing_decimal_marks_rejects_the_minority_rows(fresh, rows, mark, line, value, example) -> None:
    store, plans = fresh
    before = snapshot(store)
    data = ("unit,indicator,period,value,note\n" + "\n".join(rows) + "\n").encode()
    result = ingest_bytes(store, plans, data, "f.csv")
    assert not result.ok and result.decimal == mark
    assert [(p.line, p.column, p.code, p.value) for p in result.problems] == [(line, "value", "decimal_conflict",
                                                                                value)]
    assert f"Số “{value}” viết khác dấu thập phân của cả tệp" in result.problems[0].reason()
    assert result.problems[0].reason().endswith(example)
    english = result.problems[0].reason("en")
    shown = "63,7" if mark == "comma" else "63.7"
    assert english == f"Number “{value}” uses another decimal mark than the rest of the file ({mark}: {shown})"
    before.assert_same(snapshot(store))


def test_a_chosen_mark_that_contradicts_a_number_is_reported_not_forced(fresh) -> None:
    store, plans = fresh
    before = snapshot(store)
    data = AMBIGUOUS + b"KT;grdp_per_capita;2024-Q1;59,12;\r\n"
    result = ingest_bytes(store, plans, data, "f.csv", decimal="dot")
    assert [(p.line, p.code, p.value) for p in result.problems] == [(5, "decimal_conflict", "59,12")]
    before.assert_same(snapshot(store))


# ---------------------------------------------------------------- the command line

def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_ingest_without_decimal_exits_1_and_lists_each_line(capsys, duck_url: str, tmp_path: Path) -> None:
    path = tmp_path / "ngan-sach.csv"
    path.write_bytes(AMBIGUOUS)
    code, out, err = _run(capsys, "ingest", "--db", duck_url, str(path))
    assert code == 1
    assert "Từ chối ngan-sach.csv: 2 lỗi, không ghi số liệu nào." in err
    assert "ngan-sach.csv: dòng 2, cột Giá trị: Số “1.032” không rõ dấu thập phân" in err
    assert "ngan-sach.csv: dòng 3, cột Giá trị: Số “1.198” không rõ dấu thập phân" in err
    assert "--decimal comma" in err
    store, _ = open_store(duck_url)
    assert snapshot(store).n_uploads == 0
    store.dispose()


@pytest.mark.parametrize(("decimal", "value"), [("dot", 1.032), ("comma", 1032.0)])
def test_cli_ingest_with_decimal_exits_0(capsys, duck_url: str, tmp_path: Path, decimal: str, value: float) -> None:
    path = tmp_path / "ngan-sach.csv"
    path.write_bytes(AMBIGUOUS)
    code, out, err = _run(capsys, "ingest", "--db", duck_url, "--decimal", decimal, str(path))
    assert code == 0, err
    assert out.startswith("Đã nạp ngan-sach.csv: 3 số liệu mới")
    store, _ = open_store(duck_url)
    assert figure(store, "KT", "budget_revenue", "2024-Q1")["value"] == value
    store.dispose()


def test_cli_ingest_with_an_unknown_decimal_mark_is_a_usage_error(capsys, duck_url: str, tmp_path: Path) -> None:
    path = tmp_path / "ngan-sach.csv"
    path.write_bytes(AMBIGUOUS)
    with pytest.raises(SystemExit) as exit_info:
        main(["ingest", "--db", duck_url, "--decimal", "xyz", str(path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--decimal" in err and "invalid choice: 'xyz'" in err
    store, _ = open_store(duck_url)
    assert snapshot(store).n_uploads == 0
    store.dispose()
