"""A unit registry file (kpi.registry): units from CSV or .xlsx beside the plan, copied into the catalogue; every
wrong registry stops the CLI and the app with its row and column."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from streamlit.testing.v1 import AppTest

from kpi.bootstrap import open_store
from kpi.cli import main
from kpi.plan import PlanError, load_plans
from kpi.store import unit_ancestors, unit_memberships, units

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "data" / "plans" / "2024.toml"
HEADER = "code,name_vi,name_en,kind,parent,cluster,groups"


def _plan_dir(tmp_path: Path, registry_name: str, registry: bytes | None) -> Path:
    """The shipped plan naming `registry_name` as its registry, with that file's bytes beside it."""
    folder = tmp_path / "plans"
    folder.mkdir()
    text = SHIPPED.read_text(encoding="utf-8").replace("report_due_days = 15",
                                                       f'report_due_days = 15\nregistry = "{registry_name}"', 1)
    (folder / "2024.toml").write_text(text, encoding="utf-8")
    if registry is not None:
        (folder / registry_name).write_bytes(registry)
    return folder


def _csv(*rows: str) -> bytes:
    return ("\n".join((HEADER, *rows)) + "\n").encode("utf-8")


def test_csv_registry_adds_units_clusters_and_groups(tmp_path: Path, duck_url: str) -> None:
    folder = _plan_dir(tmp_path, "don-vi.csv", _csv(
        "XA001,Xã Ngọc Hồi 1,Commune 1,locality,NHO,,localities",
        "XA002,Xã Ngọc Hồi 2,,locality,XA001,KHOI_DV,",
    ))
    plan = load_plans(folder)[2024]
    assert plan.unit("XA001").name_vi == "Xã Ngọc Hồi 1"
    assert plan.unit("XA002").name_en == "Xã Ngọc Hồi 2"  # no English name: the Vietnamese one
    assert plan.unit("XA002").parent == "XA001"
    assert "XA001" in plan.groups["localities"] and plan.reports(plan.indicator("tourist_arrivals"), "XA001")
    assert plan.cluster_of("XA002").code == "KHOI_DV"
    store, _ = open_store(duck_url, folder)
    with store.connect() as conn:
        assert conn.execute(sa.select(units.c.name_vi).where(units.c.code == "XA002")).scalar() == "Xã Ngọc Hồi 2"
        assert conn.execute(sa.select(unit_memberships.c.parent_code).where(
            unit_memberships.c.unit_code == "XA002")).scalar() == "XA001"
        # XA002 → XA001 → NHO → KT: three units above it, by hand from the rows and the plan's tree.
        above = conn.execute(sa.select(sa.func.count()).where(unit_ancestors.c.unit_code == "XA002",
                                                              unit_ancestors.c.distance > 0)).scalar()
    assert above == 3
    store.dispose()


def test_xlsx_registry(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name_vi", "kind", "parent"])
    sheet.append(["XB001", "Xã Đắk Hà 1", "locality", "DHA"])
    path = tmp_path / "reg.xlsx"
    book.save(path)
    folder = _plan_dir(tmp_path, "don-vi.xlsx", path.read_bytes())
    assert load_plans(folder)[2024].unit("XB001").parent == "DHA"


@pytest.mark.parametrize(("registry", "message"), [
    (None, "cannot read the unit registry"),
    (_csv("XA001,Xã 1,,village,KT,,"), "row 2, column 4 (kind)"),
    (_csv("XA001,Xã 1,,locality,KT,,", "XA001,Xã 1 bis,,locality,KT,,"),
     "row 3, column 1 (code): XA001 is listed twice"),
    (_csv("xa001,Xã 1,,locality,KT,,"), "row 2, column 1 (code)"),
    (_csv("XA001,Xã 1,,locality,NOWHERE,,"), "row 2, column 5 (parent): unknown unit 'NOWHERE'"),
    (_csv("XA001,Xã 1,,locality,KT,KHOI_MOI,"), "cluster 'KHOI_MOI' is not declared"),
    (b"code,name_vi,kind,colour\nXA001,X,locality,red\n", "row 1, column 4 ('colour'): unknown column"),
    (b"code,name_vi\nXA001,X\n", "row 1: missing column(s) kind"),
    (b"code,code,name_vi,kind\n", "column 'code' appears twice"),
    # Windows-1258 writes "ã" as "a" and a combining tilde (0xDE), which is no UTF-8.
    (unicodedata.normalize("NFD", "code,name_vi,kind\nXA001,Xã 1,locality\n").encode("cp1258"),
     "line 2: not UTF-8 text"),
    (b"PK\x03\x04 not really a workbook", "not a readable .xlsx workbook"),
])
def test_a_wrong_registry_is_named_with_its_row_and_column(tmp_path: Path, registry: bytes | None,
                                                           message: str) -> None:
    name = "don-vi.xlsx" if registry and registry.startswith(b"PK") else "don-vi.csv"
    folder = _plan_dir(tmp_path, name, registry)
    with pytest.raises(PlanError, match=None) as caught:
        load_plans(folder)
    assert message in str(caught.value)
    assert name in str(caught.value)


def test_a_wrong_registry_stops_the_cli_with_its_message(tmp_path: Path, duck_url: str,
                                                         capsys: pytest.CaptureFixture) -> None:
    folder = _plan_dir(tmp_path, "don-vi.csv", _csv("XA001,Xã 1,,village,KT,,"))
    assert main(["init", "--db", duck_url, "--plans", str(folder)]) == 2
    assert "row 2, column 4 (kind)" in capsys.readouterr().err


@pytest.mark.parametrize("broken", ["registry", "plan", "missing"])
def test_a_wrong_plan_or_registry_stops_the_app_with_its_message(tmp_path: Path, duck_url: str, broken: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _plan_dir(tmp_path, "don-vi.csv", _csv("XA001,Xã 1,,village,KT,,"))
    expected = "row 2, column 4 (kind)"
    if broken == "plan":
        (folder / "2024.toml").write_text("[plan]\nyear = ", encoding="utf-8")
        expected = "not valid TOML"
    elif broken == "missing":
        (folder / "2024.toml").unlink()
        expected = "no plan files"
    monkeypatch.setenv("KPI_DATABASE_URL", duck_url)
    monkeypatch.setenv("KPI_PLANS_DIR", str(folder))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]


def test_xlsx_dates_and_whole_numbers_read_as_people_wrote_them(tmp_path: Path) -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name_vi", "kind", "parent", "valid_from"])
    sheet.append(["XB001", "Xã 1", "locality", "DHA", datetime(2025, 1, 1)])
    path = tmp_path / "reg.xlsx"
    book.save(path)
    folder = _plan_dir(tmp_path, "don-vi.xlsx", path.read_bytes())
    assert load_plans(folder)[2024].unit("XB001").valid_from == "2025-01-01"


def test_a_comma_registry_with_many_groups_is_still_comma_separated(tmp_path: Path) -> None:
    folder = _plan_dir(tmp_path, "don-vi.csv", _csv("XA001,Xã 1,,locality,KT,,localities;a;b;c;d;e;f;g"))
    assert load_plans(folder)[2024].groups["g"] == ["XA001"]


def test_a_date_that_is_not_iso_is_refused(tmp_path: Path) -> None:
    folder = _plan_dir(tmp_path, "don-vi.csv", b"code,name_vi,kind,valid_from\nXA001,X,locality,next year\n")
    with pytest.raises(PlanError, match=r"row 2, column 4 \(valid_from\)"):
        load_plans(folder)
