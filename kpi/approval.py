"""Period approval (as DHIS2 does it): an approver locks a quarter for a unit, for a unit and the units below it,
or for every unit; a locked quarter refuses uploads and undos until it is reopened, with a reason.

The rule is written once, here. A quarter's result is a span from 1 January (`2024-Q3` is judged on the nine
months), so approving quarter q freezes every figure it is built from: a figure is locked when an approval that
is not reopened covers its unit and a quarter q of the figure's year at or after the quarter the figure's span
ends in (`2024-Q1` … `2024-Q3`, `2024-H1`, `2024-9M` under a Q3 approval; the year figure only under Q4). The
upload pipeline and undo both ask `LockIndex.lock_for`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.access import Actor, Permission, Refused, descendants
from kpi.audit import Action, record
from kpi.periods import parse_period, span_end
from kpi.plan import Plan, governing_plans
from kpi.store import Store, bump_data_version, now, period_locks

if TYPE_CHECKING:
    import pandas as pd

MAX_REASON_CHARS = 500


class ApprovalError(Refused):
    """An approval or reopening that cannot be made (message `approval.<code>`)."""


@dataclass(frozen=True)
class Lock:
    """An approval: quarter `quarter` of `year` for `unit` (None: every unit), with the units below it when
    `with_children`; `reopened_at` is set once reopened."""

    id: int
    year: int
    quarter: int
    unit: str | None
    with_children: bool
    approved_by: str
    approved_at: datetime
    reopened_by: str | None = None
    reopened_at: datetime | None = None
    reopen_reason: str | None = None

    @property
    def period(self) -> str:
        """The quarter's code, e.g. `2024-Q3`."""
        return f"{self.year}-Q{self.quarter}"

    @property
    def active(self) -> bool:
        """True until reopened."""
        return self.reopened_at is None


def _lock(row: sa.Row) -> Lock:
    return Lock(int(row.id), int(row.year), int(row.quarter), row.unit_code, bool(row.with_children),
                row.approved_by, row.approved_at, row.reopened_by, row.reopened_at, row.reopen_reason)


def _plan_for(plans: dict[int, Plan], year: int) -> Plan:
    # The plan that governs the year's figures (a baseline year's: the plan that compares with it); a year no plan
    # governs has no figures to lock, and the latest tree places its units.
    return governing_plans(plans).get(year) or plans[max(plans)]


class LockIndex:
    """The approvals in force, indexed by (year, quarter) → unit → lock, each lock's units expanded once."""

    def __init__(self, locks: list[Lock], plans: dict[int, Plan]) -> None:
        self.locks = [lock for lock in locks if lock.active]
        self._everyone: dict[tuple[int, int], Lock] = {}
        self._units: dict[tuple[int, int], dict[str, Lock]] = {}
        for lock in self.locks:
            key = (lock.year, lock.quarter)
            if lock.unit is None:
                self._everyone.setdefault(key, lock)
                continue
            covered = descendants(_plan_for(plans, lock.year), [lock.unit]) if lock.with_children else {lock.unit}
            per_unit = self._units.setdefault(key, {})
            for code in covered:
                per_unit.setdefault(code, lock)

    def __bool__(self) -> bool:
        return bool(self.locks)

    def lock_for(self, unit: str, period: str) -> Lock | None:
        """The approval that locks a figure of `unit` for `period` (any stored period code), or None: one of its
        year's quarters from the one its span ends in onwards is approved for the unit (the earliest is named)."""
        year = parse_period(period).year
        for quarter in range(span_end(period), 5):
            key = (year, quarter)
            lock = self._everyone.get(key) or self._units.get(key, {}).get(unit)
            if lock is not None:
                return lock
        return None


def all_locks(conn: Connection) -> list[Lock]:
    """Every approval ever made, reopened ones included, newest first."""
    rows = conn.execute(sa.select(period_locks).order_by(period_locks.c.id.desc())).all()
    return [_lock(row) for row in rows]


def lock_index(conn: Connection, plans: dict[int, Plan]) -> LockIndex:
    """The approvals in force, ready to ask."""
    rows = conn.execute(sa.select(period_locks).where(period_locks.c.reopened_at.is_(None))).all()
    return LockIndex([_lock(row) for row in rows], plans)


def _quarter(period: str) -> tuple[int, int]:
    try:
        parsed = parse_period(period)
    except ValueError:
        raise ApprovalError("not_a_quarter", period=period[:40]) from None
    if parsed.is_year or parsed.view:
        raise ApprovalError("not_a_quarter", period=period[:40])
    return parsed.year, parsed.quarter


def approve(store: Store, plans: dict[int, Plan], actor: Actor, period: str, unit: str | None = None,
            with_children: bool = False) -> Lock:
    """Lock quarter `period` (`2024-Q3`) for `unit` (None: every unit), and the units below it when
    `with_children`; audited, and the data version rises (a file checked before must be checked again).
    Raises ApprovalError: not allowed, not a quarter, unknown unit, already locked the same way."""
    if not actor.may(Permission.APPROVE):
        raise ApprovalError("not_allowed")
    year, quarter = _quarter(period)
    if unit is not None:
        unit = unit.strip().upper()
        if not any(unit in {u.code for u in plan.units} for plan in plans.values()):
            raise ApprovalError("unknown_unit", unit=unit[:40])
    with store.begin() as conn:
        same = conn.execute(sa.select(period_locks.c.id).where(
            period_locks.c.year == year, period_locks.c.quarter == quarter, period_locks.c.reopened_at.is_(None),
            period_locks.c.unit_code.is_(None) if unit is None else period_locks.c.unit_code == unit,
            period_locks.c.with_children == with_children)).first()
        if same is not None:
            raise ApprovalError("already_locked", period=f"{year}-Q{quarter}", lock=int(same.id))
        lock_id = conn.execute(period_locks.insert().values(
            year=year, quarter=quarter, unit_code=unit, with_children=with_children, approved_by=actor.name,
            approved_at=now()).returning(period_locks.c.id)).scalar_one()
        record(conn, actor.name, Action.APPROVE, f"{year}-Q{quarter}",
               {"lock": int(lock_id), "unit": unit or "*", "with_children": with_children})
        bump_data_version(conn)
        row = conn.execute(sa.select(period_locks).where(period_locks.c.id == lock_id)).one()
    return _lock(row)


def reopen(store: Store, actor: Actor, lock_id: int, reason: str) -> Lock:
    """Reopen approval `lock_id` with `reason` (required, recorded); audited, data version raised."""
    if not actor.may(Permission.APPROVE):
        raise ApprovalError("not_allowed")
    reason = " ".join(reason.split())
    if not reason:
        raise ApprovalError("reason_required")
    if len(reason) > MAX_REASON_CHARS:
        raise ApprovalError("reason_too_long", n=MAX_REASON_CHARS)
    with store.begin() as conn:
        row = conn.execute(sa.select(period_locks).where(period_locks.c.id == lock_id)).first()
        if row is None:
            raise ApprovalError("unknown_lock", lock=lock_id)
        if row.reopened_at is not None:
            raise ApprovalError("already_reopened", lock=lock_id)
        conn.execute(period_locks.update().where(period_locks.c.id == lock_id)
                     .values(reopened_by=actor.name, reopened_at=now(), reopen_reason=reason))
        record(conn, actor.name, Action.REOPEN, f"{row.year}-Q{row.quarter}",
               {"lock": lock_id, "unit": row.unit_code or "*", "reason": reason})
        bump_data_version(conn)
        row = conn.execute(sa.select(period_locks).where(period_locks.c.id == lock_id)).one()
    return _lock(row)


def locks_frame(conn: Connection) -> pd.DataFrame:
    """Every approval, newest first: id, period, unit (None: all), with_children, approved_by, approved_at (UTC),
    reopened_by, reopened_at, reopen_reason, active."""
    import pandas as pd

    locks = all_locks(conn)
    return pd.DataFrame([{"id": lk.id, "period": lk.period, "unit": lk.unit, "with_children": lk.with_children,
                          "approved_by": lk.approved_by, "approved_at": lk.approved_at,
                          "reopened_by": lk.reopened_by, "reopened_at": lk.reopened_at,
                          "reopen_reason": lk.reopen_reason, "active": lk.active} for lk in locks],
                        columns=["id", "period", "unit", "with_children", "approved_by", "approved_at",
                                 "reopened_by", "reopened_at", "reopen_reason", "active"])
