"""Who sees what in the app, under AppTest: every page opened by its URL goes through the frame's sign-in check;
a viewer never gets an upload control; signing in and out through the form; user text shown as plain text; the
projector behind anonymous viewing or a kiosk token."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kpi.auth import issue_kiosk_token, resume, revoke_kiosk_tokens
from kpi.bootstrap import open_store
from kpi.settings import change_setting
from tests.conftest import make_sample_db
from tests.support import TEST_PASSWORD, signed_in
from tests.test_app import ROOT, run_page
from ui.frame import PAGES

DASHBOARDS = [s.path for s in PAGES if s.needs is not None and s.needs.value == "view"]
GUARDED = {"app_pages/2_Nap_so_lieu.py": "upload", "app_pages/7_Phe_duyet.py": "approve",
           "app_pages/8_Quan_tri.py": "admin"}


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def url(tmp_path: Path) -> str:
    """A sample database of this test's own (the tests add users and change settings)."""
    return make_sample_db(tmp_path)


@pytest.fixture
def any_url(db_url: str) -> str:
    """The sample data on DuckDB and then on PostgreSQL."""
    from kpi.sample import load_sample

    store, plans = open_store(db_url)
    load_sample(store, plans)
    store.dispose()
    return db_url


def _anonymous_viewing(url: str, on: bool) -> None:
    store, _ = open_store(url)
    change_setting(store, "test", "anonymous_viewing", "on" if on else "off")
    store.dispose()


def _shows_signin_form(at: AppTest) -> bool:
    return (bool(at.title) and at.title[0].value == "Đăng nhập"
            and [i.label for i in at.text_input] == ["Tên đăng nhập", "Mật khẩu"])


def _links(at: AppTest) -> list[str]:
    return [e.proto.label for e in at.get("page_link")]


def _shows_figures(at: AppTest) -> bool:
    return bool(at.dataframe or at.get("plotly_chart") or at.metric)


@pytest.mark.parametrize("page", [s.path for s in PAGES])
def test_every_page_by_url_asks_to_sign_in_when_anonymous_viewing_is_off(page: str, url: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _anonymous_viewing(url, on=False)
    at = run_page(page, url, monkeypatch)
    assert _shows_signin_form(at), page
    assert not _shows_figures(at), page  # never the page behind the prompt
    assert not at.get("file_uploader")
    assert _links(at) == ["Đăng nhập"]  # nothing else is offered


def test_anonymous_viewers_see_dashboards_but_no_upload_approval_or_admin(url: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    for page in DASHBOARDS:
        at = run_page(page, url, monkeypatch)
        assert not _shows_signin_form(at), page
    for page in GUARDED:
        at = run_page(page, url, monkeypatch)
        assert _shows_signin_form(at), page
        assert not at.get("file_uploader") and not at.dataframe, page
    links = _links(run_page("app.py", url, monkeypatch))
    assert "Nạp số liệu" not in links and "Quản trị" not in links and "Phê duyệt kỳ báo cáo" not in links
    assert "Đăng nhập" in links


@pytest.mark.parametrize(("roles", "units", "allowed"), [
    (("viewer",), (), set()),
    (("analyst",), ("TPKT",), {"upload"}),
    (("approver",), (), {"approve"}),
    (("admin",), (), {"upload", "approve", "admin"}),
    (("analyst", "approver"), ("TPKT",), {"upload", "approve"}),
])
def test_each_role_opens_exactly_its_pages(roles: tuple[str, ...], units: tuple[str, ...], allowed: set[str],
                                           url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    token = signed_in(url, "nguoidung", roles, units)
    for page, needs in GUARDED.items():
        at = run_page(page, url, monkeypatch, token=token)
        refused = [e.value for e in at.error if "không có quyền mở trang này" in e.value]
        assert bool(refused) == (needs not in allowed), (page, roles)
        assert not _shows_signin_form(at)  # signed in: a refusal, never the sign-in form again
        assert bool(at.get("file_uploader")) == (needs == "upload" and "upload" in allowed), (page, roles)
    links = _links(run_page("app.py", url, monkeypatch, token=token))
    assert ("Nạp số liệu" in links) == ("upload" in allowed)
    assert ("Phê duyệt kỳ báo cáo" in links) == ("approve" in allowed)
    assert ("Quản trị" in links) == ("admin" in allowed)
    assert "Đăng nhập" not in links  # the user box offers signing out instead


def test_sign_in_through_the_form_then_sign_out_ends_the_token(any_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = any_url
    signed_in(url, "lan", ("analyst",), ("TPKT",))  # creates the user (the token it returns is not used)
    at = run_page("app_pages/2_Nap_so_lieu.py", url, monkeypatch)
    assert _shows_signin_form(at)
    at.text_input[0].input("lan")
    at.text_input[1].input("sai mật khẩu rồi")
    at.button[0].click().run()
    # One answer whatever went wrong, which says nothing of which names exist (15: the default lock-out minutes).
    assert ("Tên đăng nhập hoặc mật khẩu không đúng, hoặc tài khoản đang tạm khóa do nhập sai nhiều lần (thử lại "
            "sau 15 phút).") in [e.value for e in at.error]
    assert "auth_token" not in at.session_state
    at.text_input[0].input("LAN")  # user names are not case-sensitive
    at.text_input[1].input(TEST_PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Nạp số liệu" and at.get("file_uploader")
    token = at.session_state["auth_token"]
    assert at.session_state["signin_password"] == ""  # the password is not kept in the session
    store, _ = open_store(url)
    assert resume(store, token) is not None
    next(b for b in at.button if b.label == "Đăng xuất").click().run()
    assert _shows_signin_form(at)
    assert resume(store, token) is None  # the token is dead in the database, on every server
    # Someone who copied the token cannot use it afterwards.
    at = run_page("app_pages/2_Nap_so_lieu.py", url, monkeypatch, token=token)
    assert _shows_signin_form(at) and not at.get("file_uploader")
    assert "Phiên làm việc đã hết hạn; vui lòng đăng nhập lại." in [i.value for i in at.info]


def test_user_text_is_shown_as_plain_text(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi.users import change_user

    token = signed_in(url, "hacker", ("admin",))
    store, plans = open_store(url)
    name = "<script>alert(1)</script> =HYPERLINK(\"http://x\") **đậm**"
    change_user(store, "test", "hacker", display_name=name)
    at = run_page("app_pages/8_Quan_tri.py", url, monkeypatch, token=token)
    assert not at.exception
    # The signed-in box is a plain text element: no Markdown, no HTML.
    assert f"Đang đăng nhập: {name}" in [e.value for e in at.get("text")]
    assert all("<script>" not in m.value or not m.proto.allow_html for m in at.markdown)
    users = at.dataframe[0].value
    assert name in set(users["Họ tên"])  # a table cell shows the text as it is


def test_projector_needs_a_kiosk_token_when_anonymous_viewing_is_off(url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _anonymous_viewing(url, on=False)
    monkeypatch.setenv("KPI_DATABASE_URL", url)

    def projector(**query: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params["view"] = "projector"
        for key, value in query.items():
            at.query_params[key] = value
        return at.run()

    at = projector()
    assert any("mã phòng họp" in e.value for e in at.error) and not at.title
    store, _ = open_store(url)
    signed_in(url, "phonghop", ("viewer",))
    token = issue_kiosk_token(store, "test", "phonghop", "Phòng họp tầng 2")
    at = projector(kiosk=token)
    assert not at.error and at.title  # the first slide
    revoke_kiosk_tokens(store, "test", "Phòng họp tầng 2")
    at = projector(kiosk=token)
    assert any("mã phòng họp" in e.value for e in at.error) and not at.title
    at = projector(kiosk="not-a-token")
    assert any("mã phòng họp" in e.value for e in at.error)


def test_analyst_upload_page_refuses_other_units_and_shows_hostile_text_plainly(
        url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_upload_page import upload

    token = signed_in(url, "lan", ("analyst",), ("TPKT",))
    at = run_page("app_pages/2_Nap_so_lieu.py", url, monkeypatch, token=token)
    # Only uploads of this analyst may be undone: the six sample uploads are the local administrator's.
    assert not [b for b in at.button if b.key == "undo_button"] or not at.selectbox(key="undo_id").options
    foreign = "unit,indicator,period,value\nTPKT,tourist_arrivals,2024-Q4,100\nKT,tourist_arrivals,2024-Q4,5\n"
    upload(at, "ngoai.csv", foreign.encode())
    problems = at.dataframe[0].value
    # Line 3 holds KT, the province: outside TPKT and the units below it.
    assert list(problems["Dòng"]) == [3] and list(problems["Cột"]) == ["unit"]
    assert "không được nạp số liệu của đơn vị “KT”" in problems["Lý do"].iloc[0]
    assert not [b for b in at.button if b.key == "upload_confirm"]

    name = "<img src=x onerror=alert(1)>=HYPERLINK(1).csv"
    note = "<script>alert(1)</script> **đậm** =1+1"
    upload(at, name, f"unit,indicator,period,value,note\nTPKT,tourist_arrivals,2024-Q4,100,\"{note}\"\n".encode())
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    # Markdown-escaped: every special character is shown, none interpreted (no tag, no bold).
    assert "lần nạp \\#7" in at.success[0].value and "\\<img src=x" in at.success[0].value
    at = run_page("app_pages/2_Nap_so_lieu.py", url, monkeypatch, token=token)
    recent = at.dataframe[0].value
    assert recent["Tệp"].iloc[0] == name and recent["Người nạp"].iloc[0] == "lan"
    assert at.selectbox(key="undo_id").options == [f"#7 — {name}"]  # their own upload, and only it
    assert not any("<img" in m.value or "<script>" in m.value for m in at.markdown)


def test_an_approver_locks_and_reopens_a_quarter_on_the_page(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi.approval import all_locks

    token = signed_in(url, "sep", ("approver",))
    at = run_page("app_pages/7_Phe_duyet.py", url, monkeypatch, token=token)
    form = at.main
    assert form.selectbox[0].value == "2024-Q3"  # the quarter the period filter (the latest, Q3) reaches
    form.radio[0].set_value("unit")
    form.selectbox[1].set_value("TPKT")
    next(b for b in at.button if b.label == "Phê duyệt (khóa sổ)").click().run()
    assert not at.exception
    assert at.success[0].value == "Đã phê duyệt Quý III/2024 cho Thành phố Kon Tum (khóa sổ #1)."
    table = at.dataframe[0].value
    assert list(table["Trạng thái"]) == ["Đang khóa"] and list(table["Người phê duyệt"]) == ["sep"]
    store, _ = open_store(url)
    with store.connect() as conn:
        lock = all_locks(conn)[0]
    assert (lock.year, lock.quarter, lock.unit, lock.with_children) == (2024, 3, "TPKT", False)
    reopen_button = next(b for b in at.button if b.label == "Mở lại")
    reopen_button.click().run()  # no reason
    assert "Cần ghi lý do mở lại." in [e.value for e in at.error]
    at.text_area[0].input("Sửa số liệu theo công văn số 12/SGTVT")
    next(b for b in at.button if b.label == "Mở lại").click().run()
    assert at.success[0].value == "Đã mở lại Quý III/2024 cho Thành phố Kon Tum (khóa sổ #1)."
    table = at.dataframe[0].value
    assert list(table["Trạng thái"]) == ["Đã mở lại"]
    assert list(table["Lý do"]) == ["Sửa số liệu theo công văn số 12/SGTVT"]


def test_an_administrator_adds_an_analyst_on_the_page(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi.users import get_user

    token = signed_in(url, "quantri", ("admin",))
    at = run_page("app_pages/8_Quan_tri.py", url, monkeypatch, token=token)
    fields = {i.label: i for i in at.text_input}
    fields["Tên đăng nhập"].input("Lan.TPKT")
    fields["Họ tên"].input("Nguyễn Thị Lan")
    at.multiselect[0].set_value(["analyst"])
    at.multiselect[1].set_value(["TPKT"])
    passwords = [i for i in at.text_input if i.label in ("Mật khẩu", "Nhập lại mật khẩu")]
    passwords[0].input("mật khẩu của Lan 2024")
    passwords[1].input("mật khẩu của Lan 2024")
    next(b for b in at.button if b.label == "Thêm tài khoản").click().run()
    assert not at.exception, [e.message for e in at.exception]
    # Markdown-escaped (a user name is typed by a person): shown as "Đã tạo tài khoản lan.tpkt (…)".
    assert at.success[0].value.startswith("Đã tạo tài khoản lan\\.tpkt \\(vai trò: Cán bộ tổng hợp")
    store, _ = open_store(url)
    with store.connect() as conn:
        user = get_user(conn, "lan.tpkt")
    assert user is not None and user.units == {"TPKT"} and [r.value for r in user.roles] == ["analyst"]
    assert "lan.tpkt" in set(at.dataframe[0].value["Tên đăng nhập"])
