"""Who may do what, on DuckDB and PostgreSQL: analysts write only for their units (and the units below them), a
quarter approved by an approver refuses every upload and undo touching it until reopened, analysts undo only their
own uploads, sign-in with argon2id and lock-out, sessions in the database (sign-out, idle time, kiosk tokens), the
append-only audit, and the rules for user names, roles and units. `kpi` commands: tests/test_access_cli.py.

Units of data/plans/2024.toml used here: KT (the province, the scope unit) has children SGTVT (the department) and
the ten localities (TPKT, DHA, KPL, …); SGTVT has children VP, TTS, KHTC, …; TPKT and VP have no children. Expected
values are worked out by hand in the comments."""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

import kpi.auth
from kpi.access import Actor, Permission, Role
from kpi.approval import ApprovalError, approve, reopen
from kpi.audit import audit_frame
from kpi.auth import (
    KIOSK,
    SignInError,
    check_password_rules,
    hash_password,
    issue_kiosk_token,
    resume,
    revoke_kiosk_tokens,
    set_password,
    sign_in,
    sign_out,
)
from kpi.ingest import Outdated, Source, check, commit
from kpi.plan import Plan
from kpi.revisions import UndoError, undo_upload
from kpi.settings import change_setting
from kpi.store import Store, audit, data_version, now, sessions, uploads, users
from kpi.users import UserError, add_user, change_user, get_user, list_users, set_disabled
from tests.support import csv_bytes, figure, load_ok, reject, snapshot

Opened = tuple[Store, dict[int, Plan]]
#: The local administrator (the CLI without --as) as the audit names them: the operating-system user.
ROOT = getpass.getuser()
PASSWORD = "Mây-trắng-Kon-Tum-2024"


@pytest.fixture
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with the smallest parameters, for tests that sign in many times (the default costs ~0.1 s a hash;
    `test_sign_in_with_the_default_hasher…` keeps the real one)."""
    monkeypatch.setattr(kpi.auth, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def add(opened: Opened, name: str, *roles: str, units: tuple[str, ...] = (), password: str | None = None,
        display_name: str = "") -> Actor:
    """Add a user as the local administrator; returns them as an actor (as a sign-in would)."""
    store, plans = opened
    known = {u.code for plan in plans.values() for u in plan.units}
    user = add_user(store, ROOT, name, roles=list(roles), units=list(units), known_units=known,
                    display_name=display_name, password_hash=hash_password(password) if password else None)
    return user.actor()


def trail(store: Store, **filters: object) -> list[tuple[str, str, str | None]]:
    """(actor, action, target) of the audit rows, oldest first."""
    with store.connect() as conn:
        frame = audit_frame(conn, **filters)
    return list(zip(frame["actor"], frame["action"], frame["target"]))[::-1]


def details(store: Store, action: str) -> list[dict]:
    """The JSON detail of each audit row of `action`, oldest first."""
    with store.connect() as conn:
        frame = audit_frame(conn, action=action)
    return [json.loads(d) if d else {} for d in frame["detail"]][::-1]


def problem_keys(result) -> list[tuple[int | None, str | None, str, str | None]]:
    """(line, column, code, value) of each blocking problem, by line."""
    return sorted(((p.line, p.column, p.code, p.value) for p in result.blocking), key=lambda k: (k[0] or 0, k[2]))


def version(store: Store) -> int:
    with store.connect() as conn:
        return data_version(conn)


def table_text(store: Store, table: sa.Table) -> str:
    """Every value of every row of `table`, as one text."""
    with store.connect() as conn:
        return "\n".join(" ".join(str(v) for v in row) for row in conn.execute(sa.select(table)).all())


# ---------------------------------------------------------------- uploads: whose units

def test_an_analyst_loads_rows_for_their_unit_and_a_unit_below_it(opened: Opened) -> None:
    store, _ = opened
    lan = add(opened, "lan", "analyst", units=("SGTVT",), display_name="Nguyễn Thị Lan")
    # SGTVT is lan's unit; VP (the department's office) is one of its children.
    data = csv_bytes("SGTVT,admin_satisfaction,2024-Q1,91.5,", "VP,admin_satisfaction,2024-Q1,94.2,")
    done = load_ok(opened, data, "sgtvt-q1.csv", actor=lan)
    assert (done.count("new"), done.count("revised")) == (2, 0)
    assert figure(store, "VP", "admin_satisfaction", "2024-Q1")["value"] == 94.2
    with store.connect() as conn:
        row = conn.execute(sa.select(uploads.c.author, uploads.c.created_by)
                           .where(uploads.c.id == done.upload_id)).one()
    # The author (who may undo it) is the user name; the history shows the display name.
    assert tuple(row) == ("lan", "Nguyễn Thị Lan")
    assert trail(store, action="upload") == [("lan", "upload", f"#{done.upload_id}")]
    # Bound to the province, an analyst reaches VP two levels down (KT → SGTVT → VP).
    province = add(opened, "tinh", "analyst", units=("KT",))
    assert load_ok(opened, csv_bytes("VP,admin_satisfaction,2024-Q2,95.0,"), actor=province).count("new") == 1


def test_a_row_of_a_unit_not_theirs_rejects_the_whole_file_beside_every_other_problem(opened: Opened) -> None:
    store, _ = opened
    load_ok(opened, csv_bytes("TPKT,tourist_arrivals,2024-Q1,180000,"))  # the local administrator's figure
    binh = add(opened, "binh", "analyst", units=("TPKT",))  # TPKT (the city) has no units below it
    data = csv_bytes(
        "TPKT,tourist_arrivals,2024-Q1,185234,",  # line 2: binh's own unit, would revise 180000
        "DHA,tourist_arrivals,2024-Q1,91234,",  # line 3: a sibling of TPKT: not binh's
        "KT,budget_revenue,2024-Q1,1032.6,",  # line 4: TPKT's parent: rights go down the tree, not up
        "TPKT,khach_du_lich,2024-Q1,5,",  # line 5: an indicator the plan lacks
        "XYZ,tourist_arrivals,2024-Q1,7,",  # line 6: a unit the registry lacks: that problem alone, not both
        header="Mã đơn vị,indicator,period,value,note")
    result = reject(opened, data, actor=binh)  # reject() also checks that nothing at all was written
    assert problem_keys(result) == [
        (3, "Mã đơn vị", "unit_not_permitted", "DHA"),
        (4, "Mã đơn vị", "unit_not_permitted", "KT"),
        (5, "indicator", "unknown_indicator", "khach_du_lich"),
        (6, "Mã đơn vị", "unknown_unit", "XYZ"),
    ]
    refused = [p for p in result.blocking if p.code == "unit_not_permitted"]
    assert all(p.params["user"] == "binh" for p in refused)
    assert "binh" in refused[0].describe("en") and "“DHA”" in refused[0].describe("en")
    assert figure(store, "TPKT", "tourist_arrivals", "2024-Q1")["value"] == 180000.0  # still the earlier figure


@pytest.mark.parametrize("role", ["viewer", "approver"])
def test_a_user_without_the_upload_permission_has_every_row_refused(opened: Opened, role: str) -> None:
    someone = add(opened, "khach", role)
    assert not someone.may(Permission.UPLOAD)
    result = reject(opened, csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,", "KT,budget_revenue,2024-Q1,1032.6,"),
                    actor=someone)
    assert problem_keys(result) == [(2, "unit", "unit_not_permitted", "TPKT"), (3, "unit", "unit_not_permitted", "KT")]


def test_an_administrator_and_the_local_administrator_load_for_any_unit(opened: Opened) -> None:
    store, _ = opened
    an = add(opened, "an", "admin")  # bound to no unit
    data = csv_bytes("KT,budget_revenue,2024-Q1,1032.6,", "TPKT,tourist_arrivals,2024-Q1,185234,",
                     "VP,admin_satisfaction,2024-Q1,94.2,")
    first = load_ok(opened, data, actor=an)
    second = load_ok(opened, csv_bytes("DHA,tourist_arrivals,2024-Q1,91234,"))  # no actor: the local administrator
    assert (first.count("new"), second.count("new")) == (3, 1)
    with store.connect() as conn:
        authors = conn.execute(sa.select(uploads.c.author).order_by(uploads.c.id)).scalars().all()
    assert authors == ["an", ROOT]


# ---------------------------------------------------------------- period approval

def test_an_approved_quarter_freezes_the_year_to_date_through_it_even_for_the_administrators(
        opened: Opened) -> None:
    store, plans = opened
    hoa = add(opened, "hoa", "approver")
    an = add(opened, "an", "admin")
    q3 = approve(store, plans, hoa, "2024-Q3", "TPKT")
    assert (q3.period, q3.unit, q3.with_children, q3.approved_by, q3.active) == ("2024-Q3", "TPKT", False, "hoa", True)
    data = csv_bytes(
        "TPKT,tourist_arrivals,2024-Q3,400000,",  # line 2: the approved quarter itself
        "TPKT,tourist_arrivals,2024-9M,1000000,",  # line 3: nine months end with Q3
        "TPKT,tourist_arrivals,2024-H1,600000,",  # line 4: the half year is part of the nine months Q3 is judged on
        "TPKT,tourist_arrivals,2024-Q1,300000,",  # line 5: so is the first quarter
        "TPKT,tourist_arrivals,2024-Q4,350000,",  # line 6: the fourth quarter comes after: open
        "TPKT,tourist_arrivals,2024,1300000,",  # line 7: the year ends with Q4: open
        "DHA,tourist_arrivals,2024-Q3,90000,",  # line 8: another unit: open
        "TPKT,tourist_arrivals,2023-Q2,250000,",  # line 9: the baseline year: open
    )
    result = reject(opened, data, actor=an)
    assert problem_keys(result) == [(2, "period", "period_locked", "2024-Q3"),
                                    (3, "period", "period_locked", "2024-9M"),
                                    (4, "period", "period_locked", "2024-H1"),
                                    (5, "period", "period_locked", "2024-Q1")]
    for problem in result.blocking:
        assert {k: problem.params[k] for k in ("period", "unit", "by", "lock")} == {
            "period": "2024-Q3", "unit": "TPKT", "by": "hoa", "lock": q3.id}
    assert f"#{q3.id}" in result.blocking[0].describe("en") and "hoa" in result.blocking[0].describe("en")
    # The four open lines alone load.
    lines = data.decode().splitlines()
    done = load_ok(opened, csv_bytes(*lines[5:9]), actor=an)
    assert done.count("new") == 4
    # Once Q4 is approved as well, the year figure (its span ends in Q4) is refused too, for the local admin too.
    q4 = approve(store, plans, hoa, "2024-Q4", "TPKT")
    year = reject(opened, csv_bytes("TPKT,tourist_arrivals,2024,1350000,"))
    assert problem_keys(year) == [(2, "period", "period_locked", "2024")]
    assert year.blocking[0].params["lock"] == q4.id
    # A first quarter under both approvals names the earliest one that covers it (Q3's).
    first = reject(opened, csv_bytes("TPKT,tourist_arrivals,2024-Q1,310000,"))
    assert first.blocking[0].params["lock"] == q3.id


def test_an_approval_covers_one_unit_its_children_or_every_unit(opened: Opened) -> None:
    store, plans = opened
    hoa = add(opened, "hoa", "approver")
    q2 = approve(store, plans, hoa, "2024-Q2", "SGTVT")  # the department alone
    q3 = approve(store, plans, hoa, "2024-Q3", "SGTVT", with_children=True)  # the department and its offices
    q1 = approve(store, plans, hoa, "2024-Q1")  # every unit
    assert q1.unit is None
    data = csv_bytes(
        "SGTVT,admin_satisfaction,2024-Q2,90,",  # line 2: q2
        # line 3: not q2 (without children), but q3: VP is below SGTVT and Q2 is part of the nine months
        "VP,admin_satisfaction,2024-Q2,91,",
        "VP,admin_satisfaction,2024-Q3,92,",  # line 4: q3 (VP is below SGTVT)
        "TPKT,tourist_arrivals,2024-Q3,400000,",  # line 5: open (TPKT is not below SGTVT)
        "KT,budget_revenue,2024-Q1,1032.6,",  # line 6: q1
        "TTDK,admin_satisfaction,2024-Q1,88,",  # line 7: q1
    )
    result = reject(opened, data)  # the local administrator
    assert [(p.line, p.code, p.params["lock"]) for p in sorted(result.blocking, key=lambda p: p.line)] == [
        (2, "period_locked", q2.id), (3, "period_locked", q3.id), (4, "period_locked", q3.id),
        (6, "period_locked", q1.id), (7, "period_locked", q1.id)]


def test_reopening_needs_a_reason_and_then_the_same_file_loads(opened: Opened) -> None:
    store, plans = opened
    hoa = add(opened, "hoa", "approver")
    lan = add(opened, "lan", "analyst", units=("TPKT",))
    lock = approve(store, plans, hoa, "2024-Q3", "TPKT")
    data = csv_bytes("TPKT,tourist_arrivals,2024-Q3,400000,")
    reject(opened, data, actor=lan)
    before = version(store)
    for blank in ("", "  \n\t "):
        with pytest.raises(ApprovalError) as refused:
            reopen(store, hoa, lock.id, blank)
        assert refused.value.code == "reason_required"
    with pytest.raises(ApprovalError) as too_long:
        reopen(store, hoa, lock.id, "x" * 501)  # at most 500 characters
    assert too_long.value.code == "reason_too_long"
    assert version(store) == before  # nothing happened
    opened_again = reopen(store, hoa, lock.id, "  Sở VHTTDL   sửa\nsố liệu quý III ")
    # The reason is kept with its runs of white space made single spaces.
    assert (opened_again.reopened_by, opened_again.reopen_reason, opened_again.active) == (
        "hoa", "Sở VHTTDL sửa số liệu quý III", False)
    assert version(store) == before + 1
    assert load_ok(opened, data, actor=lan).count("new") == 1
    with pytest.raises(ApprovalError) as twice:
        reopen(store, hoa, lock.id, "again")
    assert twice.value.code == "already_reopened"
    with pytest.raises(ApprovalError) as unknown:
        reopen(store, hoa, lock.id + 1000, "no such approval")
    assert unknown.value.code == "unknown_lock"
    # By or about hoa: added by the local administrator, then the approval and the reopening.
    assert trail(store, user="hoa") == [(ROOT, "user_add", "hoa"), ("hoa", "approve", "2024-Q3"),
                                        ("hoa", "reopen", "2024-Q3")]
    assert details(store, "reopen") == [{"lock": lock.id, "unit": "TPKT", "reason": "Sở VHTTDL sửa số liệu quý III"}]


def test_what_approve_refuses(opened: Opened) -> None:
    store, plans = opened
    hoa = add(opened, "hoa", "approver")
    lan = add(opened, "lan", "analyst", units=("TPKT",))
    viewer = add(opened, "xem", "viewer")
    first = approve(store, plans, hoa, "2024-Q3", "tpkt")  # unit codes are case-insensitive
    assert first.unit == "TPKT"
    version_now = version(store)

    def code_of(actor: Actor, period: str, unit: str | None = "TPKT", with_children: bool = False) -> str:
        with pytest.raises(ApprovalError) as refused:
            approve(store, plans, actor, period, unit, with_children)
        return refused.value.code

    assert code_of(hoa, "2024-Q3") == "already_locked"
    assert code_of(lan, "2024-Q2") == "not_allowed"
    assert code_of(viewer, "2024-Q2") == "not_allowed"
    for not_a_quarter in ("2024", "2024-H1", "2024-9M", "Q3/2024", "2024-Q5"):
        assert code_of(hoa, not_a_quarter) == "not_a_quarter", not_a_quarter
    assert code_of(hoa, "2024-Q2", "XYZ") == "unknown_unit"
    with pytest.raises(ApprovalError) as reopen_refused:
        reopen(store, lan, first.id, "an analyst may not reopen")
    assert reopen_refused.value.code == "not_allowed"
    assert version(store) == version_now  # none of that changed anything
    # The same quarter with the units below TPKT is another approval, not the same one again.
    assert approve(store, plans, hoa, "2024-Q3", "TPKT", with_children=True).id != first.id
    assert [action for _, action, _ in trail(store, action="approve")] == ["approve", "approve"]


# ---------------------------------------------------------------- undo

def test_analysts_undo_their_own_uploads_administrators_any(opened: Opened) -> None:
    store, _ = opened
    lan = add(opened, "lan", "analyst", units=("TPKT",))
    binh = add(opened, "binh", "analyst", units=("TPKT",))
    viewer = add(opened, "xem", "viewer")
    an = add(opened, "an", "admin", display_name="Lê Văn An")
    by_lan = load_ok(opened, csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,"), actor=lan).upload_id
    by_binh = load_ok(opened, csv_bytes("TPKT,tourist_arrivals,2024-Q2,201000,"), actor=binh).upload_id
    before = snapshot(store)
    for someone in (binh, viewer):
        with pytest.raises(UndoError) as refused:
            undo_upload(store, by_lan, someone)
        assert (refused.value.code, refused.value.params["author"]) == ("not_yours", "lan")
    before.assert_same(snapshot(store))
    assert undo_upload(store, by_lan, lan).withdrawn == 1
    assert undo_upload(store, by_binh, an).withdrawn == 1
    with store.connect() as conn:
        undone_by = conn.execute(sa.select(uploads.c.undone_by).order_by(uploads.c.id)).scalars().all()
    assert undone_by == ["lan", "Lê Văn An"]  # the display name, as the history shows it
    assert trail(store, action="undo") == [("lan", "undo", f"#{by_lan}"), ("an", "undo", f"#{by_binh}")]


def test_an_upload_from_before_sign_in_existed_is_undone_only_by_an_administrator(opened: Opened) -> None:
    store, _ = opened
    lan = add(opened, "lan", "analyst", units=("TPKT",))
    old = load_ok(opened, csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,")).upload_id
    with store.begin() as conn:  # as an upload made before the author column existed
        conn.execute(uploads.update().where(uploads.c.id == old).values(author=None))
    with pytest.raises(UndoError) as refused:
        undo_upload(store, old, lan)
    assert (refused.value.code, refused.value.params["author"]) == ("not_yours", "—")
    assert undo_upload(store, old, add(opened, "an", "admin")).withdrawn == 1


def test_nobody_undoes_an_upload_with_a_figure_in_an_approved_quarter(opened: Opened) -> None:
    store, plans = opened
    lan = add(opened, "lan", "analyst", units=("TPKT",))
    hoa = add(opened, "hoa", "approver")
    an = add(opened, "an", "admin")
    # Both uploads are made before the approval of Q2; the first has figures in Q2 and Q3, the second only in Q3,
    # which comes after the approved quarter.
    touching = load_ok(opened, csv_bytes("TPKT,tourist_arrivals,2024-Q2,200000,",
                                         "TPKT,tourist_arrivals,2024-Q3,400000,"), actor=lan).upload_id
    elsewhere = load_ok(opened, csv_bytes("TPKT,tourist_arrivals,2024-Q4,185234,"), actor=lan).upload_id
    lock = approve(store, plans, hoa, "2024-Q2", "TPKT")
    before = snapshot(store)
    for who in (lan, an, ROOT):  # ROOT: the local administrator, by name (plans then read from the plan files)
        with pytest.raises(UndoError) as refused:
            undo_upload(store, touching, who, None if who == ROOT else plans)
        assert refused.value.code == "locked"
        assert {k: refused.value.params[k] for k in ("unit", "period", "by", "lock")} == {
            "unit": "TPKT", "period": "2024-Q2", "by": "hoa", "lock": lock.id}
    before.assert_same(snapshot(store))
    assert undo_upload(store, elsewhere, lan, plans).withdrawn == 1  # Q4 comes after the approved Q2
    reopen(store, hoa, lock.id, "Sửa số liệu quý II")
    assert undo_upload(store, touching, lan, plans).withdrawn == 2


# ---------------------------------------------------------------- between check and commit

def test_a_quarter_approved_between_check_and_commit_is_refused_at_commit(opened: Opened) -> None:
    store, plans = opened
    lan = add(opened, "lan", "analyst", units=("TPKT",))
    hoa = add(opened, "hoa", "approver")
    checked = check(store, plans, Source("q3.csv", csv_bytes("TPKT,tourist_arrivals,2024-Q3,400000,")), actor=lan)
    assert checked.ok and checked.to_write == 1
    lock = approve(store, plans, hoa, "2024-Q3", "TPKT")
    before = snapshot(store)
    with pytest.raises(Outdated) as stale:
        commit(store, plans, checked)
    assert not stale.value.fresh.ok
    assert problem_keys(stale.value.fresh) == [(2, "period", "period_locked", "2024-Q3")]
    assert stale.value.fresh.blocking[0].params["lock"] == lock.id
    before.assert_same(snapshot(store))


def test_rights_changed_between_check_and_commit_count_at_commit(opened: Opened) -> None:
    store, plans = opened
    add(opened, "lan", "analyst", units=("TPKT",))
    with store.connect() as conn:
        lan = get_user(conn, "lan").actor()  # as the upload page holds them while the file is previewed
    source = Source("q1.csv", csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,"))
    kept, moved, disabled = (check(store, plans, source, actor=lan) for _ in range(3))
    assert kept.ok and moved.ok and disabled.ok
    known = {"DHA", "TPKT"}
    # A change that leaves TPKT to lan (a second unit, a second role) lets the checked file through.
    change_user(store, ROOT, "lan", roles=["analyst", "approver"], units=["TPKT", "DHA"], known_units=known)
    assert commit(store, plans, kept).upload_id is not None
    # Bound to Đắk Hà alone, lan may no longer send the checked file's TPKT row.
    change_user(store, ROOT, "lan", units=["DHA"], known_units=known)
    before = snapshot(store)
    with pytest.raises(Outdated) as stale:
        commit(store, plans, moved)
    assert problem_keys(stale.value.fresh) == [(2, "unit", "unit_not_permitted", "TPKT")]
    # Disabled, lan may write nothing at all.
    set_disabled(store, ROOT, "lan", True)
    with pytest.raises(Outdated) as gone:
        commit(store, plans, disabled)
    assert problem_keys(gone.value.fresh) == [(2, "unit", "unit_not_permitted", "TPKT")]
    assert snapshot(store).n_uploads == before.n_uploads == 1  # the first commit's upload alone


# ---------------------------------------------------------------- signing in

def test_sign_in_with_the_default_hasher_stores_argon2id_and_never_the_password_or_token(opened: Opened) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",), password=PASSWORD)
    with store.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    # argon2-cffi's default profile (RFC 9106, second recommendation): argon2id, 64 MiB, 3 passes, 4 lanes.
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    session = sign_in(store, "Lan ", PASSWORD)  # the name is trimmed and lower-cased
    actor = resume(store, session.token)
    assert actor is not None
    assert (actor.name, actor.roles, actor.units, actor.signed_in, actor.kiosk) == (
        "lan", frozenset({Role.ANALYST}), frozenset({"TPKT"}), True, False)
    assert session.actor == actor
    with store.connect() as conn:
        digest = conn.execute(sa.select(sessions.c.token_sha256)).scalar_one()
    assert digest == hashlib.sha256(session.token.encode()).hexdigest()
    for table in (users, audit, sessions):
        text = table_text(store, table)
        assert PASSWORD not in text and session.token not in text, table.name
    assert trail(store, user="lan") == [(ROOT, "user_add", "lan"), ("lan", "sign_in", "lan")]


def test_a_wrong_password_an_unknown_user_and_a_disabled_user_get_the_same_answer(opened: Opened,
                                                                                   cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",), password=PASSWORD)
    add(opened, "binh", "analyst", units=("TPKT",), password=PASSWORD)
    set_disabled(store, ROOT, "binh", True)
    for name, password in (("lan", PASSWORD + "x"), ("khong-co", PASSWORD), ("binh", PASSWORD)):
        with pytest.raises(SignInError) as refused:
            sign_in(store, name, password)
        assert refused.value.code == "bad_credentials", name
    assert [d["reason"] for d in details(store, "sign_in_failed")] == ["wrong_password", "unknown_user", "disabled"]
    assert table_text(store, sessions) == ""  # no session was made
    with store.connect() as conn:  # the one wrong password counts against lan
        assert conn.execute(sa.select(users.c.failed_signins).where(users.c.username == "lan")).scalar_one() == 1


def test_five_wrong_passwords_in_a_row_lock_the_account(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",), password=PASSWORD)

    def wrong(times: int) -> None:
        for _ in range(times):
            with pytest.raises(SignInError) as refused:
                sign_in(store, "lan", "sai-mat-khau-roi")
            assert refused.value.code == "bad_credentials"

    wrong(4)
    sign_in(store, "lan", PASSWORD)  # a success starts the count again
    wrong(5)  # the default max_failures is 5: the fifth in a row locks
    start = now()
    with pytest.raises(SignInError) as locked:
        sign_in(store, "lan", PASSWORD)  # even the right password
    assert locked.value.code == "locked"
    # Locked for the default 15 minutes from the fifth failure, a moment before `start`.
    assert start + timedelta(minutes=14) < locked.value.until <= start + timedelta(minutes=15)
    actions = [action for _, action, _ in trail(store, user="lan")]
    # 4 + 5 wrong passwords and the refused right one; one lock-out; one success.
    assert actions.count("sign_in_failed") == 10 and actions.count("locked_out") == 1 and actions.count("sign_in") == 1
    assert actions[-2:] == ["locked_out", "sign_in_failed"]
    assert details(store, "sign_in_failed")[-1]["reason"] == "locked"
    with store.begin() as conn:  # the lock-out ends
        conn.execute(users.update().values(locked_until=now() - timedelta(seconds=1)))
    assert resume(store, sign_in(store, "lan", PASSWORD).token).name == "lan"


def test_the_lock_out_follows_the_settings(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",), password=PASSWORD)
    change_setting(store, ROOT, "max_failures", "2")
    change_setting(store, ROOT, "lockout_minutes", "1")
    for _ in range(2):
        with pytest.raises(SignInError):
            sign_in(store, "lan", "sai-mat-khau-roi")
    with pytest.raises(SignInError) as locked:
        sign_in(store, "lan", PASSWORD)
    assert locked.value.code == "locked" and locked.value.until <= now() + timedelta(minutes=1)
    assert details(store, "setting") == [{"from": 5, "to": 2}, {"from": 15, "to": 1}]


def test_password_rules(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",))

    def code_of(password: str) -> str:
        with pytest.raises(UserError) as refused:
            check_password_rules("lan", password)
        return refused.value.code

    assert code_of("a" * 9) == "password_short"  # 10 at least
    check_password_rules("lan", "a" * 10)
    assert code_of("b" * 257) == "password_long"  # 256 at most
    check_password_rules("lan", "b" * 256)
    assert code_of("Mat-khau-cua-LAN") == "password_has_name"  # whatever the case
    with pytest.raises(UserError) as short:
        set_password(store, ROOT, "lan", "ngan")
    assert (short.value.code, short.value.params) == ("password_short", {"n": 10})
    with store.connect() as conn:
        assert conn.execute(sa.select(users.c.password_hash)).scalar_one() is None  # nothing stored
    set_password(store, ROOT, "lan", PASSWORD)
    assert sign_in(store, "lan", PASSWORD).actor.name == "lan"
    assert trail(store, action="password_set") == [(ROOT, "password_set", "lan")]
    assert PASSWORD not in table_text(store, audit)


# ---------------------------------------------------------------- sessions

def _idle(store: Store, token: str, seconds: int) -> None:
    """Date the session's last request `seconds` back."""
    with store.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.token_sha256 == hashlib.sha256(token.encode()).hexdigest())
                     .values(last_seen=now() - timedelta(seconds=seconds)))


def test_signing_out_ends_that_session_only(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",), password=PASSWORD)
    office, home = sign_in(store, "lan", PASSWORD), sign_in(store, "lan", PASSWORD)
    sign_out(store, office.token)
    assert resume(store, office.token) is None
    assert resume(store, home.token).name == "lan"  # the other browser stays signed in
    sign_out(store, office.token)  # again: nothing more happens
    assert resume(store, None) is None and resume(store, "not-a-token") is None
    assert trail(store, action="sign_out") == [("lan", "sign_out", "lan")]


def test_a_session_idle_longer_than_the_setting_ends(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",), password=PASSWORD)
    change_setting(store, ROOT, "idle_minutes", "1")
    token = sign_in(store, "lan", PASSWORD).token
    _idle(store, token, 30)
    assert resume(store, token).name == "lan"  # 30 s < 1 min
    _idle(store, token, 150)
    assert resume(store, token) is None  # 2½ min > 1 min
    _idle(store, token, 0)
    assert resume(store, token) is None  # ended for good
    # Idle 150 s when it ended: 2 whole minutes; recorded once.
    assert trail(store, action="session_expired") == [("lan", "session_expired", "lan")]
    assert details(store, "session_expired") == [{"idle_minutes": 2}]


def test_requests_keep_a_session_alive_even_with_the_shortest_idle_time(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",), password=PASSWORD)
    change_setting(store, ROOT, "idle_minutes", "1")  # the least the settings allow
    token = sign_in(store, "lan", PASSWORD).token
    digest = hashlib.sha256(token.encode()).hexdigest()
    _idle(store, token, 45)
    assert resume(store, token).name == "lan"  # a request 45 s after the last one: that is activity
    with store.begin() as conn:  # 30 s more pass: 30 s since the last request, 75 s since the one before it
        conn.execute(sessions.update().where(sessions.c.token_sha256 == digest)
                     .values(last_seen=sessions.c.last_seen - timedelta(seconds=30)))
    assert resume(store, token).name == "lan"  # 30 s idle < 1 min


def test_disabling_a_user_ends_their_sessions_and_kiosk_tokens(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",), password=PASSWORD)
    web = sign_in(store, "lan", PASSWORD).token
    screen = issue_kiosk_token(store, ROOT, "lan", "Phòng họp tầng 2")
    set_disabled(store, ROOT, "lan", True)
    assert resume(store, web) is None and resume(store, screen, kind=KIOSK) is None
    set_disabled(store, ROOT, "lan", False)
    assert resume(store, web) is None and resume(store, screen, kind=KIOSK) is None  # enabling revives nothing
    assert [a for _, a, _ in trail(store, user="lan")][-2:] == ["user_disable", "user_enable"]
    add(opened, "an", "admin")
    with pytest.raises(UserError) as yourself:
        set_disabled(store, "an", "an", True)
    assert yourself.value.code == "not_yourself"


def test_a_new_password_ends_web_sessions_but_not_kiosk_tokens(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "lan", "viewer", password=PASSWORD)
    web = sign_in(store, "lan", PASSWORD).token
    screen = issue_kiosk_token(store, ROOT, "lan", "Phòng họp tầng 2")
    set_password(store, ROOT, "lan", "Mật-khẩu-mới-2025")
    assert resume(store, web) is None
    assert resume(store, screen, kind=KIOSK).name == "lan"
    with pytest.raises(SignInError):
        sign_in(store, "lan", PASSWORD)
    assert sign_in(store, "lan", "Mật-khẩu-mới-2025").actor.name == "lan"


def test_kiosk_tokens_only_view_are_not_web_tokens_and_end_when_revoked(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    add(opened, "an", "admin", password=PASSWORD)
    web = sign_in(store, "an", PASSWORD).token
    screen = issue_kiosk_token(store, ROOT, "an", " Phòng họp tầng 2 ")
    assert resume(store, screen) is None  # a kiosk token is not a web session
    assert resume(store, web, kind=KIOSK) is None  # nor the other way round
    kiosk = resume(store, screen, kind=KIOSK)
    # An administrator's screen may only view.
    assert (kiosk.name, kiosk.kiosk, kiosk.permissions) == ("an", True, frozenset({Permission.VIEW}))
    _idle(store, screen, 3 * 24 * 3600)  # three days on the wall: a kiosk token does not end when idle
    assert resume(store, screen, kind=KIOSK) is not None
    assert screen not in table_text(store, sessions)  # only its SHA-256
    assert revoke_kiosk_tokens(store, ROOT, "Phòng họp tầng 2") == 1
    assert resume(store, screen, kind=KIOSK) is None
    assert revoke_kiosk_tokens(store, ROOT, "Phòng họp tầng 2") == 0
    assert resume(store, web).name == "an"  # the web session is untouched
    assert [(a, t) for _, a, t in trail(store) if a.startswith("kiosk")] == [
        ("kiosk_token", "an"), ("kiosk_revoke", "Phòng họp tầng 2"), ("kiosk_revoke", "Phòng họp tầng 2")]


# ---------------------------------------------------------------- the audit

def test_the_audit_can_be_filtered_by_time_user_and_action(opened: Opened) -> None:
    store, plans = opened
    add(opened, "lan", "analyst", units=("TPKT",))
    hoa = add(opened, "hoa", "approver")
    change_setting(store, ROOT, "idle_minutes", "45")
    cut = now()
    approve(store, plans, hoa, "2024-Q3")
    set_disabled(store, ROOT, "lan", True)
    assert trail(store) == [(ROOT, "user_add", "lan"), (ROOT, "user_add", "hoa"), (ROOT, "setting", "idle_minutes"),
                            ("hoa", "approve", "2024-Q3"), (ROOT, "user_disable", "lan")]
    assert trail(store, since=cut) == [("hoa", "approve", "2024-Q3"), (ROOT, "user_disable", "lan")]
    assert trail(store, user="lan") == [(ROOT, "user_add", "lan"), (ROOT, "user_disable", "lan")]  # about lan
    assert trail(store, user="hoa") == [(ROOT, "user_add", "hoa"), ("hoa", "approve", "2024-Q3")]  # about, by hoa
    assert trail(store, action="approve") == [("hoa", "approve", "2024-Q3")]
    assert trail(store, since=cut, user="lan") == [(ROOT, "user_disable", "lan")]
    assert trail(store, limit=1) == [(ROOT, "user_disable", "lan")]  # the newest
    assert details(store, "approve") == [{"lock": 1, "unit": "*", "with_children": False}]  # the store's first


def test_the_audit_cannot_be_changed_on_postgresql(opened: Opened) -> None:
    store, _ = opened
    if store.dialect != "postgresql":
        pytest.skip("DuckDB has no triggers: there only the code keeps the audit append-only")
    change_setting(store, ROOT, "idle_minutes", "45")
    before = table_text(store, audit)
    for statement in ("UPDATE audit SET actor = 'someone-else'", "DELETE FROM audit", "TRUNCATE audit"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.begin() as conn:
            conn.execute(sa.text(statement))
    assert table_text(store, audit) == before and before.count("idle_minutes") == 1


# ---------------------------------------------------------------- users

def test_what_adding_a_user_refuses(opened: Opened) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",))
    before = version(store)

    def code_of(name: str = "binh", *roles: str, units: tuple[str, ...] = (), email: str | None = None) -> str:
        with pytest.raises(UserError) as refused:
            add_user(store, ROOT, name, roles=list(roles) or ["viewer"], units=list(units),
                     known_units={"KT", "TPKT", "DHA"}, email=email)
        return refused.value.code

    # Names are 2–64 of a-z 0-9 . _ -, starting with a letter or digit: no markup, formula or mail address.
    for bad in ("Lan Anh", "b", "-binh", "x" * 65, "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")",
                "binh@so.gov.vn", "bình"):
        assert code_of(bad) == "bad_username", bad
    assert code_of("binh", "boss") == "bad_role"
    assert code_of("binh", "analyst", units=("ZZZ",)) == "unknown_units"
    assert code_of("binh", "analyst") == "analyst_needs_unit"
    assert code_of(" LAN ") == "user_exists"  # names are trimmed and lower-cased
    assert code_of("binh", email="binh at so") == "bad_email"
    with pytest.raises(UserError) as no_role:
        add_user(store, ROOT, "binh", roles=[], units=[], known_units=set())
    assert no_role.value.code == "no_role"
    with store.connect() as conn:
        assert list(list_users(conn)["username"]) == ["lan"]
    assert version(store) == before and [a for _, a, _ in trail(store)] == ["user_add"]
    # A name at the edges of the rule is fine.
    assert add(opened, "nguyen.thi-lan_2", "viewer").name == "nguyen.thi-lan_2"


def test_changing_a_user_replaces_roles_and_units_and_raises_the_data_version(opened: Opened) -> None:
    store, _ = opened
    add(opened, "lan", "analyst", units=("TPKT",))
    before = version(store)
    known = {"TPKT", "DHA", "KPL"}
    changed = change_user(store, ROOT, "LAN", roles=["analyst", "approver"], units=["kpl", "DHA"], known_units=known)
    assert (changed.roles, changed.units) == (frozenset({Role.ANALYST, Role.APPROVER}), frozenset({"DHA", "KPL"}))
    assert version(store) == before + 1
    with store.connect() as conn:
        assert get_user(conn, "lan") == changed
        listed = list_users(conn).set_index("username").loc["lan"]
    assert (listed["roles"], listed["units"]) == ("analyst, approver", "DHA, KPL")
    assert trail(store, action="user_change") == [(ROOT, "user_change", "lan")]
    assert details(store, "user_change") == [{"roles": [["analyst"], ["analyst", "approver"]],
                                              "units": [["TPKT"], ["DHA", "KPL"]]}]
    with pytest.raises(UserError) as unbound:
        change_user(store, ROOT, "lan", units=[], known_units=known)  # still an analyst
    assert unbound.value.code == "analyst_needs_unit"
    with pytest.raises(UserError) as unknown:
        change_user(store, ROOT, "ai-do", roles=["viewer"])
    assert unknown.value.code == "unknown_user"
    assert version(store) == before + 1
    viewer = change_user(store, ROOT, "lan", roles=["viewer"], units=[], known_units=known)
    assert (viewer.roles, viewer.units) == (frozenset({Role.VIEWER}), frozenset())


def test_display_names_with_markup_or_formulas_are_stored_as_given(opened: Opened) -> None:
    store, _ = opened
    shown = {"tuan": "<script>alert('x')</script>", "mai": '=HYPERLINK("http://evil.example","Bấm vào")'}
    for name, display in shown.items():
        add(opened, name, "viewer", display_name=display)
    with store.connect() as conn:
        assert {n: get_user(conn, n).display_name for n in shown} == shown
        listed = list_users(conn)
    assert dict(zip(listed["username"], listed["display_name"])) == shown


# ---------------------------------------------------------------- found in review

def _plans_with_a_2025_tree(plans: dict[int, Plan]) -> dict[int, Plan]:
    """The shipped plans and a 2025 plan in which Đắk Hà (DHA) has become part of the city (TPKT)."""
    plan = plans[2024]
    units = [u.model_copy(update={"parent": "TPKT"}) if u.code == "DHA" else u for u in plan.units]
    header = plan.plan.model_copy(update={"year": 2025, "baseline_year": 2024})
    return {**plans, 2025: plan.model_copy(update={"plan": header, "units": units})}


def test_an_analysts_units_follow_the_tree_of_the_figures_own_year(opened: Opened) -> None:
    store, plans = opened
    lan = add(opened, "lan", "analyst", units=("TPKT",))
    later = _plans_with_a_2025_tree(plans)
    # DHA is below TPKT in 2025 only: its 2025 figure is lan's to send, its 2024 figure is not. 2024 is governed by
    # the 2024 plan (its own year), even though it is also the 2025 plan's baseline year.
    from kpi.ingest import ingest_bytes

    refused = ingest_bytes(store, later, csv_bytes("DHA,tourist_arrivals,2024-Q1,1000,"), "a.csv", actor=lan)
    assert problem_keys(refused) == [(2, "unit", "unit_not_permitted", "DHA")]
    done = ingest_bytes(store, later, csv_bytes("DHA,tourist_arrivals,2025-Q1,1000,"), "b.csv", actor=lan)
    assert done.ok and done.count("new") == 1


def test_an_analyst_no_longer_bound_to_a_unit_cannot_undo_its_figures(opened: Opened) -> None:
    store, plans = opened
    lan = add(opened, "lan", "analyst", units=("TPKT",))
    upload = load_ok(opened, csv_bytes("TPKT,tourist_arrivals,2024-Q1,185234,"), actor=lan).upload_id
    moved = change_user(store, ROOT, "lan", units=["DHA"], known_units={"DHA", "TPKT"}).actor()
    before = snapshot(store)
    with pytest.raises(UndoError) as refused:
        undo_upload(store, upload, moved, plans)
    assert refused.value.code == "unit_not_permitted" and refused.value.params == {"unit": "TPKT", "user": "lan"}
    before.assert_same(snapshot(store))
    assert undo_upload(store, upload, ROOT, plans).withdrawn == 1  # the local administrator still may


def test_a_name_that_is_no_user_is_audited_by_its_digest_only(opened: Opened, cheap_hashing: None) -> None:
    store, _ = opened
    with pytest.raises(SignInError):
        sign_in(store, "Xq7-secret-43", "")  # a password typed into the name box
    assert "xq7-secret-43" not in table_text(store, audit)
    detail = details(store, "sign_in_failed")[-1]
    assert detail["reason"] == "unknown_user"
    assert detail["name_sha256"] == hashlib.sha256(b"xq7-secret-43").hexdigest()[:16]


def test_simultaneous_wrong_passwords_are_all_counted_and_audited(duck_url: str, cheap_hashing: None) -> None:
    # DuckDB reports a write conflict when two sign-ins update one user's row at once; each is tried again, so 12
    # threads × 2 wrong passwords give 24 audit rows and, at 100 failures allowed, a count of 24.
    from concurrent.futures import ThreadPoolExecutor

    from kpi.bootstrap import open_store

    store, plans = open_store(duck_url)
    add((store, plans), "boss", "approver", password=PASSWORD)
    change_setting(store, ROOT, "max_failures", "100")

    def guess(n: int) -> str:
        try:
            sign_in(store, "boss", f"wrong {n}")
        except SignInError as exc:
            return exc.code
        return "in"

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(guess, range(24)))
    assert answers == ["bad_credentials"] * 24
    assert len(details(store, "sign_in_failed")) == 24
    with store.connect() as conn:
        assert conn.execute(sa.select(users.c.failed_signins).where(users.c.username == "boss")).scalar() == 24


def test_two_users_cannot_share_an_e_mail(opened: Opened) -> None:
    store, _ = opened
    known = {"TPKT"}
    add_user(store, ROOT, "vien", roles=["viewer"], units=[], known_units=known, email="boss@example.org")
    with pytest.raises(UserError) as taken:
        add_user(store, ROOT, "adm", roles=["admin"], units=[], known_units=known, email="BOSS@example.org")
    assert taken.value.code == "email_taken"
    add_user(store, ROOT, "adm", roles=["admin"], units=[], known_units=known)
    with pytest.raises(UserError) as taken:
        change_user(store, ROOT, "adm", email="Boss@Example.org")
    assert taken.value.code == "email_taken"
