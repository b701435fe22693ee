"""Revisions and undo on DuckDB and PostgreSQL: a re-sent figure is a new revision and the old one stays in the
history (who, when, which file); the same file twice changes nothing; undoing an upload restores the figures it
replaced. Also `kpi history`, `kpi uploads` and `kpi undo` as an analyst runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pandas as pd
import pytest

from kpi.bootstrap import open_store
from kpi.cli import main
from kpi.ingest import Checked, ingest_bytes
from kpi.plan import Plan
from kpi.revisions import UndoError, history, recent_uploads, undo_upload
from kpi.store import Store, data_version
from tests.support import csv_bytes, figure, revisions, snapshot

QUARTER_1 = csv_bytes(
    "TPKT,tourist_arrivals,2024-Q1,185234,Số ước tính",
    "KPL,tourist_arrivals,2024-Q1,139871,",
    "KT,budget_revenue,2024-Q1,1032.6,",
    "DHA,traffic_accidents,2024-Q1,23,",
)
# The city's arrivals confirmed by the tourism department, and a first figure for Đắk Hà's arrivals.
CORRECTION = csv_bytes(
    "TPKT,tourist_arrivals,2024-Q1,187012,Số chính thức của Sở VHTTDL",
    "KPL,tourist_arrivals,2024-Q1,139871,",
    "DHA,tourist_arrivals,2024-Q1,91234,",
)


@pytest.fixture
def store(db_url: str) -> Iterator[tuple[Store, dict[int, Plan]]]:
    """A store on DuckDB or PostgreSQL holding the first quarter, loaded by the city's analyst."""
    store, plans = open_store(db_url)
    first = ingest_bytes(store, plans, QUARTER_1, "quy1-2024.csv", created_by="Nguyễn Thị Lan (TPKT)")
    assert first.ok and first.upload_id is not None
    yield store, plans
    store.dispose()


def _correct(store: tuple[Store, dict[int, Plan]]) -> Checked:
    result = ingest_bytes(store[0], store[1], CORRECTION, "quy1-2024-sua.csv", created_by="Trần Văn Bình (SVHTTDL)")
    assert result.ok and result.upload_id is not None
    return result


def _history(store: Store, **filters) -> list[tuple]:
    with store.connect() as conn:
        frame = history(conn, **filters)
    return list(zip(frame["value"], frame["state"], frame["file_name"], frame["created_by"], frame["upload_id"]))


def test_a_resent_figure_is_a_new_revision_and_the_old_one_stays_in_the_history(store) -> None:
    s, _ = store
    correction = _correct(store)
    assert (correction.count("new"), correction.count("revised"), correction.count("unchanged")) == (1, 1, 1)
    assert figure(s, "TPKT", "tourist_arrivals", "2024-Q1")["value"] == 187012.0
    first_id = correction.upload_id - 1
    assert _history(s, unit="TPKT", indicator="tourist_arrivals") == [
        (187012.0, "current", "quy1-2024-sua.csv", "Trần Văn Bình (SVHTTDL)", correction.upload_id),
        (185234.0, "superseded", "quy1-2024.csv", "Nguyễn Thị Lan (TPKT)", first_id),
    ]
    with s.connect() as conn:
        frame = history(conn, unit="TPKT", indicator="tourist_arrivals", period="2024-Q1")
    assert list(frame["note"]) == ["Số chính thức của Sở VHTTDL", "Số ước tính"]
    assert frame["created_at"].notna().all() and frame["created_at"].iloc[0] >= frame["created_at"].iloc[1]
    # The unchanged figure was not written again: KPL's arrivals have one revision.
    assert _history(s, unit="KPL") == [(139871.0, "current", "quy1-2024.csv", "Nguyễn Thị Lan (TPKT)", first_id)]


def test_loading_the_same_file_twice_says_nothing_changed_and_writes_no_upload(store) -> None:
    s, plans = store
    before = snapshot(s)
    again = ingest_bytes(s, plans, QUARTER_1, "quy1-2024.csv", created_by="Nguyễn Thị Lan (TPKT)")
    assert again.ok and again.upload_id is None and again.count("unchanged") == 4
    assert again.summary() == "quy1-2024.csv: mọi số liệu đã có sẵn với cùng giá trị, không có gì thay đổi."
    assert again.summary("en") == "quy1-2024.csv: every figure is already stored with the same value; nothing changed."
    before.assert_same(snapshot(s))
    with s.connect() as conn:
        assert list(recent_uploads(conn)["file_name"]) == ["quy1-2024.csv"]


def test_undo_restores_the_figures_the_upload_replaced(store) -> None:
    s, _ = store
    correction = _correct(store)
    with s.connect() as conn:
        version = data_version(conn)
    done = undo_upload(s, correction.upload_id, "Trần Văn Bình (SVHTTDL)")
    assert (done.upload_id, done.withdrawn, done.restored) == (correction.upload_id, 2, 1)
    tpkt = figure(s, "TPKT", "tourist_arrivals", "2024-Q1")
    assert (tpkt["value"], tpkt["note"]) == (185234.0, "Số ước tính")
    assert figure(s, "DHA", "tourist_arrivals", "2024-Q1") is None  # a figure only the undone upload had is gone
    assert figure(s, "KPL", "tourist_arrivals", "2024-Q1")["value"] == 139871.0
    states = [(value, state) for value, state, *_ in _history(s, unit="TPKT", indicator="tourist_arrivals")]
    assert states == [(187012.0, "undone"), (185234.0, "current")]
    # Nothing is deleted: the undone revision is still stored.
    assert revisions(s, "TPKT", "tourist_arrivals", "2024-Q1") == [
        (185234.0, "Số ước tính"), (187012.0, "Số chính thức của Sở VHTTDL")]
    with s.connect() as conn:
        assert data_version(conn) == version + 1
        uploads = recent_uploads(conn).set_index("id")
    undone, kept = uploads.loc[correction.upload_id], uploads.loc[correction.upload_id - 1]
    assert undone["undone_by"] == "Trần Văn Bình (SVHTTDL)" and pd.notna(undone["undone_at"])
    assert pd.isna(kept["undone_at"])


def test_undo_twice_or_of_an_unknown_upload_is_refused_and_changes_nothing(store) -> None:
    s, _ = store
    correction = _correct(store)
    undo_upload(s, correction.upload_id, "an")
    before = snapshot(s)
    with pytest.raises(UndoError) as twice:
        undo_upload(s, correction.upload_id, "an")
    assert (twice.value.code, twice.value.upload_id) == ("already_undone", correction.upload_id)
    with pytest.raises(UndoError) as unknown:
        undo_upload(s, 987654, "an")
    assert unknown.value.code == "unknown_upload"
    before.assert_same(snapshot(s))


def test_after_an_undo_the_corrected_file_can_be_sent_again(store) -> None:
    s, plans = store
    correction = _correct(store)
    undo_upload(s, correction.upload_id, "an")
    again = ingest_bytes(s, plans, CORRECTION, "quy1-2024-sua.csv", created_by="Trần Văn Bình (SVHTTDL)")
    assert again.upload_id is not None and again.upload_id > correction.upload_id
    assert (again.count("new"), again.count("revised"), again.count("unchanged")) == (1, 1, 1)
    assert [state for _, state, *_ in _history(s, unit="TPKT", indicator="tourist_arrivals")] == [
        "current", "undone", "superseded"]


def test_undoing_the_first_upload_leaves_the_later_revision_current(store) -> None:
    s, _ = store
    correction = _correct(store)
    done = undo_upload(s, correction.upload_id - 1, "an")
    # Four figures, of which TPKT's no longer counted (the correction replaced it): three stop counting, none of
    # them had an older figure to bring back.
    assert (done.withdrawn, done.restored) == (3, 0)
    assert figure(s, "TPKT", "tourist_arrivals", "2024-Q1")["value"] == 187012.0
    assert figure(s, "KPL", "tourist_arrivals", "2024-Q1") is None  # only the undone upload had written it
    assert figure(s, "KT", "budget_revenue", "2024-Q1") is None


# ---------------------------------------------------------------- the command line

def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_history_lists_the_revisions_as_json(capsys, store, db_url: str) -> None:
    correction = _correct(store)
    code, out, err = _run(capsys, "history", "--db", db_url, "--unit", "TPKT", "--indicator", "tourist_arrivals",
                          "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["unit"], r["indicator"], r["period"], r["value"], r["state"], r["file_name"], r["created_by"],
             r["upload_id"]) for r in rows] == [
        ("TPKT", "tourist_arrivals", "2024-Q1", 187012.0, "current", "quy1-2024-sua.csv", "Trần Văn Bình (SVHTTDL)",
         correction.upload_id),
        ("TPKT", "tourist_arrivals", "2024-Q1", 185234.0, "superseded", "quy1-2024.csv", "Nguyễn Thị Lan (TPKT)",
         correction.upload_id - 1),
    ]
    assert all(r["created_at"] for r in rows)
    # Codes as typed by hand are normalised; a unit with no figures gives an empty list.
    assert len(json.loads(_run(capsys, "history", "--db", db_url, "--unit", "tpkt", "--format", "json")[1])) == 2
    assert json.loads(_run(capsys, "history", "--db", db_url, "--unit", "IHD", "--format", "json")[1]) == []


def test_cli_history_by_period_and_a_bad_period_is_a_usage_error(capsys, store, db_url: str) -> None:
    _correct(store)
    code, out, err = _run(capsys, "history", "--db", db_url, "--period", "2024-Q1", "--format", "csv")
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1 + 6  # header; TPKT twice, KPL, KT, DHA's accidents and arrivals
    code, out, err = _run(capsys, "history", "--db", db_url, "--period", "2024-Q5")
    assert (code, out) == (2, "") and "not a period: '2024-Q5'" in err


def test_cli_undo_exits_0_then_1_for_the_same_upload(capsys, store, db_url: str) -> None:
    correction = _correct(store)
    n = correction.upload_id
    code, out, err = _run(capsys, "undo", "--db", db_url, str(n))
    assert code == 0, err
    assert out.strip() == f"Đã hoàn tác lần nạp #{n}: 2 số liệu thôi hiệu lực, 1 số liệu cũ được khôi phục."
    assert figure(store[0], "TPKT", "tourist_arrivals", "2024-Q1")["value"] == 185234.0
    code, out, err = _run(capsys, "undo", "--db", db_url, str(n))
    assert code == 1 and out == ""
    assert err.strip() == f"Lần nạp #{n} đã được hoàn tác trước đó."
    code, _, err = _run(capsys, "undo", "--db", db_url, "--lang", "en", "987654")
    assert code == 1 and err.strip() == "There is no upload #987654."


def test_cli_uploads_lists_the_uploads_newest_first(capsys, store, db_url: str) -> None:
    correction = _correct(store)
    undo_upload(store[0], correction.upload_id, "an")
    code, out, err = _run(capsys, "uploads", "--db", db_url)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 3  # header and two uploads
    assert "quy1-2024-sua.csv" in lines[1] and "Trần Văn Bình (SVHTTDL)" in lines[1]
    assert "quy1-2024.csv" in lines[2] and "Nguyễn Thị Lan (TPKT)" in lines[2]
    assert lines[1].split()[0] == str(correction.upload_id)


def test_undoing_an_upload_a_later_one_replaced_changes_nothing_and_says_so(fresh) -> None:
    # An estimate, then the official figure, then a revision of it; undoing the official upload (the middle one)
    # leaves the revision current: nothing stops counting and nothing comes back.
    s, plans = fresh
    ids = []
    for text in ("KT,budget_revenue,Ước thực hiện 9 tháng 2024,3400", "KT,budget_revenue,9 tháng 2024,3415",
                 "KT,budget_revenue,9 tháng 2024,\"3418,2\""):
        done = ingest_bytes(s, plans, f"unit,indicator,period,value\n{text}\n".encode(), "9-thang.csv")
        assert done.ok, done.problems
        ids.append(done.upload_id)
    undone = undo_upload(s, ids[1], "an")
    assert (undone.withdrawn, undone.restored) == (0, 0)
    assert figure(s, "KT", "budget_revenue", "2024-9M")["value"] == 3418.2
    # Undoing the revision now brings back the estimate (the official figure is undone): one each.
    undone = undo_upload(s, ids[2], "an")
    assert (undone.withdrawn, undone.restored) == (1, 1)
    assert figure(s, "KT", "budget_revenue", "2024-9M")["value"] == 3400
