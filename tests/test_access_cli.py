"""The `kpi` commands about people and approvals, and `--as USER` / $KPI_USER on the others: users (add, list,
change, set-password, disable, enable, kiosk), approve, reopen, approvals, undo, audit and settings, with their exit
codes (0 done, 1 refused, 2 usage) and messages in Vietnamese or, with --lang en, English. The rules themselves are
tested in tests/test_access.py; expected values are worked out by hand in the comments."""

from __future__ import annotations

import csv
import getpass
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import kpi.auth
from kpi.auth import KIOSK, SignInError, hash_password, resume, sign_in
from kpi.bootstrap import open_store
from kpi.store import Store
from kpi.users import add_user, get_user, list_users
from tests.support import csv_bytes, figure, run_cli, snapshot

ROOT = getpass.getuser()  # the local administrator: the CLI without --as
PASSWORD = "Mây-trắng-Kon-Tum-2024"
UNITS = {"KT", "SGTVT", "TPKT", "DHA"}
# Line 2 is the city's own row; line 3 is Đắk Hà's.
TWO_UNITS = csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,", "DHA,tourist_arrivals,2024-Q1,91234,")


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with the smallest parameters: these tests are about the commands, not the hash (tests/test_access.py
    keeps the default hasher)."""
    monkeypatch.setattr(kpi.auth, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def with_users(url: str, *specs: tuple[str, str, tuple[str, ...]], password: str | None = None) -> Store:
    """A store at `url` with users given as (name, role, units), added by the local administrator."""
    store, _ = open_store(url)
    for name, role, units in specs:
        add_user(store, ROOT, name, roles=[role], units=list(units), known_units=UNITS,
                 password_hash=hash_password(password) if password else None)
    return store


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def vietnam_day(days: int = 0) -> str:
    """Today's date in Vietnam (UTC+7), `days` on, as `--since` takes it."""
    return (datetime.now(UTC) + timedelta(hours=7, days=days)).date().isoformat()


# ---------------------------------------------------------------- users

def test_users_add_reads_the_password_from_stdin_and_list_shows_no_hash(capsys, duck_url: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, PASSWORD + "\n")
    code, out, err = run_cli(capsys, "users", "add", "Lan", "--role", "analyst", "--unit", "tpkt", "--display-name",
                             "Nguyễn Thị Lan", "--password-stdin", "--db", duck_url)
    assert code == 0, err
    assert "lan" in out and "analyst" in out and "TPKT" in out and PASSWORD not in out
    code, out, err = run_cli(capsys, "users", "list", "--format", "json", "--db", duck_url)
    assert code == 0, err
    listed = json.loads(out)
    assert len(listed) == 1
    assert {k: listed[0][k] for k in ("username", "display_name", "email", "roles", "units", "disabled")} == {
        "username": "lan", "display_name": "Nguyễn Thị Lan", "email": None, "roles": "analyst", "units": "TPKT",
        "disabled": False}
    assert not any("hash" in key or "password" in key for key in listed[0])
    assert "$argon2" not in out
    # The password read from standard input is the one that signs in.
    assert sign_in(Store(duck_url), "lan", PASSWORD).actor.units == frozenset({"TPKT"})


def test_users_add_refuses_a_short_password_a_bad_name_and_an_analyst_without_unit(
        capsys, duck_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stdin(monkeypatch, "ngan\n")
    code, out, err = run_cli(capsys, "users", "add", "lan", "--role", "viewer", "--password-stdin", "--db", duck_url)
    assert (code, out) == (1, "") and "10" in err  # at least 10 characters
    code, _, err = run_cli(capsys, "users", "add", "=cmd|'/c calc'!A1", "--role", "viewer", "--no-password",
                           "--db", duck_url)
    assert code == 1 and "=cmd" in err
    code, _, err = run_cli(capsys, "users", "add", "binh", "--role", "analyst", "--no-password", "--db", duck_url,
                           "--lang", "en")
    assert code == 1 and "--unit" in err and "analyst" in err.lower()
    with Store(duck_url).connect() as conn:
        assert list_users(conn).empty


def test_users_change_set_password_disable_and_enable(capsys, duck_url: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = with_users(duck_url, ("lan", "analyst", ("TPKT",)), password=PASSWORD)
    code, _, err = run_cli(capsys, "users", "change", "lan", "--role", "analyst", "--role", "approver", "--unit",
                           "DHA", "--db", duck_url)
    assert code == 0, err
    with store.connect() as conn:
        user = get_user(conn, "lan")
    assert ({str(r) for r in user.roles}, user.units) == ({"analyst", "approver"}, frozenset({"DHA"}))
    stdin(monkeypatch, "Mật-khẩu-mới-2025\n")
    code, _, err = run_cli(capsys, "users", "set-password", "lan", "--password-stdin", "--db", duck_url)
    assert code == 0, err
    with pytest.raises(SignInError):
        sign_in(store, "lan", PASSWORD)
    assert sign_in(store, "lan", "Mật-khẩu-mới-2025").actor.name == "lan"
    assert run_cli(capsys, "users", "disable", "lan", "--db", duck_url)[0] == 0
    with pytest.raises(SignInError) as disabled:
        sign_in(store, "lan", "Mật-khẩu-mới-2025")
    assert disabled.value.code == "bad_credentials"
    path = write(tmp_path, "dha.csv", csv_bytes("DHA,tourist_arrivals,2024-Q1,91234,"))
    code, _, err = run_cli(capsys, "ingest", path, "--as", "lan", "--db", duck_url)
    assert code == 2 and "lan" in err  # a disabled user cannot be acted as
    assert run_cli(capsys, "users", "enable", "lan", "--db", duck_url)[0] == 0
    assert sign_in(store, "lan", "Mật-khẩu-mới-2025").actor.name == "lan"
    assert run_cli(capsys, "ingest", path, "--as", "lan", "--db", duck_url)[0] == 0  # DHA is lan's unit now


def test_kiosk_tokens_on_the_command_line(capsys, duck_url: str) -> None:
    store = with_users(duck_url, ("xem", "viewer", ()))
    code, out, err = run_cli(capsys, "users", "kiosk", "xem", "--label", "Phòng họp tầng 2", "--db", duck_url)
    assert code == 0, err
    address = out.strip().splitlines()[-1]
    assert address.startswith("/?view=projector&kiosk=")
    token = address.removeprefix("/?view=projector&kiosk=")
    assert resume(store, token, kind=KIOSK).name == "xem"
    code, out, err = run_cli(capsys, "users", "revoke-kiosk", "--label", "Phòng họp tầng 2", "--db", duck_url,
                             "--lang", "en")
    assert code == 0 and "Revoked 1" in out, err
    assert resume(store, token, kind=KIOSK) is None


# ---------------------------------------------------------------- ingest and undo as a user

def test_ingest_as_an_analyst_refuses_a_row_of_another_unit(capsys, db_url: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    store = with_users(db_url, ("lan", "analyst", ("TPKT",)), ("an", "admin", ()))
    path = write(tmp_path, "quy1.csv", TWO_UNITS)
    code, out, err = run_cli(capsys, "ingest", path, "--as", "lan", "--db", db_url)
    assert (code, out) == (1, "")
    # The refusal names the file, line 3 and its unit column, the unit and the user; line 2 (TPKT) is lan's.
    refused = [line for line in err.splitlines() if "dòng" in line]
    assert len(refused) == 1 and refused[0].strip().startswith("quy1.csv: dòng 3, cột unit: ")
    assert "“DHA”" in refused[0] and "lan" in refused[0]
    code, _, err = run_cli(capsys, "ingest", path, "--as", "lan", "--db", db_url, "--lang", "en")
    assert code == 1 and "quy1.csv: line 3, column unit: User lan may not send figures for unit “DHA”" in err
    assert snapshot(store).n_uploads == 0
    code, _, err = run_cli(capsys, "ingest", path, "--as", "ai-do", "--db", db_url)
    assert code == 2 and "ai-do" in err  # no such user: a usage error
    # $KPI_USER works as --as does, and --as wins over it.
    monkeypatch.setenv("KPI_USER", "lan")
    assert run_cli(capsys, "ingest", path, "--db", db_url)[0] == 1
    monkeypatch.setenv("KPI_USER", "an")
    assert run_cli(capsys, "ingest", path, "--as", "lan", "--db", db_url)[0] == 1
    code, out, err = run_cli(capsys, "ingest", path, "--db", db_url)
    assert code == 0 and out.startswith("Đã nạp quy1.csv: 2 số liệu mới"), err  # the administrator: both rows
    assert figure(store, "DHA", "tourist_arrivals", "2024-Q1")["value"] == 91234.0


def test_undo_as_another_analyst_is_refused(capsys, duck_url: str, tmp_path: Path) -> None:
    store = with_users(duck_url, ("lan", "analyst", ("TPKT",)), ("binh", "analyst", ("TPKT",)))
    path = write(tmp_path, "tpkt.csv", csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,"))
    code, out, err = run_cli(capsys, "ingest", path, "--as", "lan", "--db", duck_url)
    assert code == 0 and "#1" in out, err  # the first upload in a new store
    code, out, err = run_cli(capsys, "undo", "1", "--as", "binh", "--db", duck_url)
    assert (code, out) == (1, "") and "#1" in err and "lan" in err
    code, _, err = run_cli(capsys, "undo", "1", "--as", "binh", "--db", duck_url, "--lang", "en")
    assert code == 1 and "only its author or an administrator" in err
    assert figure(store, "TPKT", "tourist_arrivals", "2024-Q1")["value"] == 185234.0
    assert run_cli(capsys, "undo", "1", "--as", "ai-do", "--db", duck_url)[0] == 2
    assert run_cli(capsys, "undo", "1", "--as", "lan", "--db", duck_url)[0] == 0
    assert figure(store, "TPKT", "tourist_arrivals", "2024-Q1") is None


# ---------------------------------------------------------------- approve and reopen

def test_approve_refuses_uploads_until_reopened(capsys, db_url: str, tmp_path: Path) -> None:
    store = with_users(db_url, ("lan", "analyst", ("TPKT",)), ("hoa", "approver", ()))
    path = write(tmp_path, "quy3.csv", csv_bytes("TPKT,tourist_arrivals,2024-Q3,400000,"))
    code, out, err = run_cli(capsys, "approve", "2024-Q3", "--unit", "TPKT", "--as", "hoa", "--db", db_url)
    assert code == 0 and "#1" in out, err  # the first approval in a new store
    code, _, err = run_cli(capsys, "ingest", path, "--as", "lan", "--db", db_url)
    assert code == 1 and "quy3.csv: dòng 2" in err and "#1" in err and "hoa" in err
    assert run_cli(capsys, "approve", "2024-Q3", "--unit", "TPKT", "--as", "hoa", "--db", db_url)[0] == 1  # twice
    code, _, err = run_cli(capsys, "approve", "2024-H1", "--as", "hoa", "--db", db_url)
    assert code == 1 and "2024-H1" in err  # not a quarter
    code, _, err = run_cli(capsys, "approve", "2024-Q2", "--as", "lan", "--db", db_url, "--lang", "en")
    assert code == 1 and "User lan is not allowed" in err
    code, _, err = run_cli(capsys, "reopen", "1", "--reason", "   ", "--as", "hoa", "--db", db_url)
    assert code == 1 and err  # a reason is required
    assert snapshot(store).n_uploads == 0
    code, out, err = run_cli(capsys, "reopen", "1", "--reason", "Sửa số liệu quý III", "--as", "hoa", "--db", db_url)
    assert code == 0 and "#1" in out, err
    assert run_cli(capsys, "ingest", path, "--as", "lan", "--db", db_url)[0] == 0
    code, out, err = run_cli(capsys, "approvals", "--format", "json", "--as", "lan", "--db", db_url)  # viewing
    assert code == 0, err
    assert [{k: row[k] for k in ("id", "period", "unit", "approved_by", "reopened_by", "reopen_reason", "active")}
            for row in json.loads(out)] == [
        {"id": 1, "period": "2024-Q3", "unit": "TPKT", "approved_by": "hoa", "reopened_by": "hoa",
         "reopen_reason": "Sửa số liệu quý III", "active": False}]


# ---------------------------------------------------------------- who may run what

def test_an_analyst_may_not_manage_users_settings_or_read_the_audit(capsys, duck_url: str) -> None:
    store = with_users(duck_url, ("lan", "analyst", ("TPKT",)))
    for command in (["users", "add", "binh", "--role", "admin", "--no-password"], ["users", "list"],
                    ["users", "disable", "lan"], ["audit"], ["settings"], ["settings", "anonymous_viewing", "off"],
                    ["approve", "2024-Q3"]):
        code, out, err = run_cli(capsys, *command, "--as", "lan", "--db", duck_url)
        assert (code, out) == (1, ""), command
        assert "Tài khoản lan" in err, command
    with store.connect() as conn:
        assert list(list_users(conn)["username"]) == ["lan"] and not get_user(conn, "lan").disabled


def test_audit_on_the_command_line(capsys, duck_url: str) -> None:
    with_users(duck_url, ("lan", "analyst", ("TPKT",)))
    assert run_cli(capsys, "settings", "idle_minutes", "45", "--db", duck_url)[0] == 0
    assert run_cli(capsys, "approve", "2024-Q3", "--db", duck_url)[0] == 0  # the local administrator may approve

    def rows(*extra: str) -> list[tuple[str, str, str]]:
        code, out, err = run_cli(capsys, "audit", "--format", "json", "--db", duck_url, *extra)
        assert code == 0, err
        return [(r["actor"], r["action"], r["target"]) for r in json.loads(out)]

    # Newest first: adding lan, the setting, the approval of Q3 for every unit.
    everything = [(ROOT, "approve", "2024-Q3"), (ROOT, "setting", "idle_minutes"), (ROOT, "user_add", "lan")]
    assert rows() == everything
    assert rows("--user", "lan") == [(ROOT, "user_add", "lan")]
    assert rows("--action", "setting") == [(ROOT, "setting", "idle_minutes")]
    assert rows("--since", vietnam_day()) == everything  # all of it happened today
    assert rows("--since", vietnam_day(1)) == []  # nothing tomorrow
    assert rows("--limit", "1") == everything[:1]


def test_settings_on_the_command_line(capsys, duck_url: str) -> None:
    code, out, err = run_cli(capsys, "settings", "anonymous_viewing", "off", "--db", duck_url)
    assert code == 0 and "anonymous_viewing = off" in out, err
    code, out, err = run_cli(capsys, "settings", "--db", duck_url)
    assert code == 0, err
    # The one changed and the defaults of the others.
    assert out.splitlines() == ["anonymous_viewing = off", "idle_minutes = 30", "max_failures = 5",
                                "lockout_minutes = 15"]
    for name, value in (("idle_minutes", "0"), ("idle_minutes", "1441"), ("idle_minutes", "nhieu"),
                        ("anonymous_viewing", "maybe"), ("mau_sac", "xanh")):
        code, out, err = run_cli(capsys, "settings", name, value, "--db", duck_url)
        assert (code, out) == (1, "") and name in err, (name, value)
    code, _, err = run_cli(capsys, "settings", "idle_minutes", "0", "--db", duck_url, "--lang", "en")
    assert code == 1 and "“0” is not a valid value for idle_minutes" in err
    assert run_cli(capsys, "settings", "idle_minutes", "--db", duck_url)[0] == 1  # no value
    assert run_cli(capsys, "settings", "--db", duck_url)[1].splitlines()[1] == "idle_minutes = 30"  # unchanged


def test_users_list_as_csv_neutralises_formulas_in_display_names(capsys, duck_url: str) -> None:
    store, _ = open_store(duck_url)
    add_user(store, ROOT, "mai", roles=["viewer"], units=[], known_units=UNITS,
             display_name='=HYPERLINK("http://evil.example","Bấm")')
    code, out, err = run_cli(capsys, "users", "list", "--format", "csv", "--db", duck_url)
    assert code == 0, err
    table = list(csv.DictReader(io.StringIO(out)))
    # Stored as given; the CSV a spreadsheet opens gets the leading apostrophe that keeps it text.
    assert table[0]["display_name"] == '\'=HYPERLINK("http://evil.example","Bấm")'


def test_sample_data_only_for_an_administrator(capsys, duck_url: str) -> None:
    assert run_cli(capsys, "users", "add", "vien", "--role", "viewer", "--no-password", "--db", duck_url)[0] == 0
    code, _, err = run_cli(capsys, "sample", "--as", "vien", "--db", duck_url)
    assert code == 1 and "không có quyền" in err
    assert run_cli(capsys, "sample", "--db", duck_url)[0] == 0  # the local administrator
