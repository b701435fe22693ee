"""Who may write these rows: a file with rows for units outside the actor's units, or for a quarter that is
approved (locked), is refused whole, each such row named in the same problem list as every other problem.

The rules themselves live in `kpi.access` (which units an actor may write for) and `kpi.approval` (which
figures a lock covers); this step asks them about the file's distinct (unit, period) pairs and lists the lines.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from kpi.access import Actor, WriteRights
from kpi.approval import lock_index
from kpi.fmt import format_time
from kpi.plan import Plan
from kpi.problems import Problem
from kpi.store import Store, data_version

#: At most this many rows are named per kind of refusal (the rest are counted).
MAX_LISTED = 500


def permission_problems(con: duckdb.DuckDBPyConnection, store: Store, plans: dict[int, Plan], actor: Actor,
                        headers: dict[str, str]) -> tuple[list[Problem], int]:
    """Problems for the rows of the typed table `t` in `con` that `actor` may not write: `unit_not_permitted`
    (a unit outside the actor's units and their children) and `period_locked` (a quarter approved for the unit,
    naming the approval). Rows whose unit or period is already wrong are left to the other checks. Also returns
    the store's data version read before the approvals: an approval that lands after it raises the version, so
    a commit claiming this version fails and the file is checked again."""
    rights = WriteRights(actor, plans)
    with store.connect() as conn:
        version = data_version(conn)
        locks = lock_index(conn, plans)
    if rights.everything and not locks:
        return [], version
    pairs = con.execute("SELECT DISTINCT unit, period, year FROM t WHERE unit_ok AND period IS NOT NULL").fetchall()
    foreign = [(unit, period) for unit, period, year in pairs if not rights.allows(unit, year)]
    locked = {}
    if locks:
        for unit, period, _ in pairs:
            lock = locks.lock_for(unit, period)
            if lock is not None:
                locked[(unit, period)] = lock
    problems: list[Problem] = []
    if foreign:
        con.register("_foreign", pa.table({"unit": [u for u, _ in foreign], "period": [p for _, p in foreign]}))
        rows = con.execute("SELECT DISTINCT line, unit FROM t JOIN _foreign USING (unit, period) "
                           "ORDER BY line").fetchall()
        con.unregister("_foreign")
        problems += _listed([Problem("unit_not_permitted", int(line), headers.get("unit"), unit,
                                     {"user": actor.name}) for line, unit in rows])
    if locked:
        keys = pa.table({"unit": [u for u, _ in locked], "period": [p for _, p in locked]})
        con.register("_locked", keys)
        rows = con.execute("SELECT t.line, t.unit, t.period, t.period_text, t.value_column FROM t "
                           "JOIN _locked USING (unit, period) ORDER BY t.line").fetchall()
        con.unregister("_locked")
        listed = []
        for line, unit, period, text, cell in rows:
            lock = locked[(unit, period)]
            listed.append(Problem("period_locked", int(line), cell or headers.get("period"), text or period,
                                  {"period": lock.period, "unit": unit, "by": lock.approved_by,
                                   "at": format_time(lock.approved_at), "lock": lock.id}))
        problems += _listed(listed)
    return problems, version


def _listed(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_LISTED:
        return problems
    rest = len(problems) - MAX_LISTED
    return problems[:MAX_LISTED] + [Problem("too_many", params={"n": rest, "limit": MAX_LISTED})]
