"""Copy the plan files into the store's catalogue tables (units, memberships, indicators, targets).

The TOML files stay the source of truth; the tables let SQL users, exports and foreign keys see the same plan.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.plan import Plan
from kpi.store import (
    SCHEMA_TABLES,
    Store,
    indicator_reporters,
    indicators,
    insert_many,
    meta,
    targets,
    unit_ancestors,
    unit_groups,
    unit_memberships,
    units,
)
from kpi.values import parse_censored


def target_rows(plan: Plan) -> list[dict]:
    """One row per indicator × unit that has a target, a stretch or a baseline in the plan file."""
    rows = []
    scope = plan.plan.scope_unit
    for ind in plan.indicators:
        per_unit: dict[str, dict] = {}
        if ind.target is not None or ind.stretch is not None:
            per_unit[scope] = {"target": ind.target, "stretch": ind.stretch}
        for code, value in ind.unit_targets.items():
            per_unit.setdefault(code, {})["target"] = value
        for code, raw in ind.baselines.items():
            value, qualifier = parse_censored(raw)
            per_unit.setdefault(code, {}).update(baseline=value, baseline_qualifier=qualifier)
        for code, fields in per_unit.items():
            rows.append(
                {
                    "plan_year": plan.year,
                    "indicator_code": ind.code,
                    "unit_code": code,
                    "target": fields.get("target"),
                    "stretch": fields.get("stretch"),
                    "baseline": fields.get("baseline"),
                    "baseline_qualifier": fields.get("baseline_qualifier"),
                }
            )
    return rows


def _sync_units(conn: Connection, plan: Plan) -> None:
    """Add the plan's new units and update the ones whose names, kind or dates changed, in bulk: a national
    registry has tens of thousands of units and almost none change between syncs."""
    columns = ("name_vi", "name_en", "kind", "valid_from", "valid_to")
    stored = {row[0]: tuple(row[1:]) for row in conn.execute(sa.select(units.c.code, *(units.c[c] for c in columns)))}
    fresh, changed = [], []
    for unit in plan.units:
        values = {c: getattr(unit, c) for c in columns}
        if unit.code not in stored:
            fresh.append({"code": unit.code, **values})
        elif stored[unit.code] != tuple(values.values()):
            changed.append({"_code": unit.code, **values})
    insert_many(conn, units, fresh)
    if changed:
        conn.execute(units.update().where(units.c.code == sa.bindparam("_code")), changed)


def ancestor_rows(plan: Plan) -> list[dict]:
    """The plan's tree as a closure (`unit_ancestors`): each unit with itself at distance 0 and every unit above it
    at its distance (1 for the parent)."""
    parent = {u.code: u.parent for u in plan.units}
    rows = []
    for code in parent:
        distance, node = 0, code
        while node is not None:
            rows.append({"plan_year": plan.year, "unit_code": code, "ancestor_code": node, "distance": distance})
            distance, node = distance + 1, parent[node]
    return rows


def _reporter_rows(plan: Plan) -> tuple[list[dict], list[dict]]:
    """(`unit_groups` rows, `indicator_reporters` rows) of the plan."""
    groups = [{"plan_year": plan.year, "group_name": name, "unit_code": code}
              for name, members in plan.groups.items() for code in dict.fromkeys(members)]
    reporters = [{"plan_year": plan.year, "indicator_code": i.code, "reporter": name}
                 for i in plan.indicators for name in dict.fromkeys(i.reported_by)]
    return groups, reporters


def plan_digest(plan: Plan) -> str:
    """A SHA-256 (hex) of the plan's content and of the schema's description (a store whose catalogue gained a
    table is synced again); worked out once per plan object."""
    return plan.cached("_digest", lambda: hashlib.sha256(
        (SCHEMA_TABLES + plan.model_dump_json(exclude={"source"})).encode()).hexdigest())


def stored_digest(conn: Connection, year: int) -> str | None:
    """The `plan_digest` of the plan whose copy the catalogue holds for `year`, or None."""
    return conn.execute(sa.select(meta.c.value).where(meta.c.key == f"plan_digest:{year}")).scalar()


def sync_plan(store: Store, plan: Plan) -> None:
    """Write `plan` into the catalogue tables, replacing that year's copy, and record its digest (in the same
    transaction: the digest always names the copy the tables hold); units are added or renamed, never removed,
    because submissions stay attached to the unit that sent them."""
    groups, reporters = _reporter_rows(plan)
    with store.begin() as conn:
        conn.execute(meta.delete().where(meta.c.key == f"plan_digest:{plan.year}"))
        conn.execute(meta.insert().values(key=f"plan_digest:{plan.year}", value=plan_digest(plan)))
        _sync_units(conn, plan)
        for table in (unit_memberships, indicators, targets, unit_ancestors, unit_groups, indicator_reporters):
            conn.execute(table.delete().where(table.c.plan_year == plan.year))
        insert_many(conn, unit_memberships, [
            {
                "plan_year": plan.year,
                "unit_code": u.code,
                "parent_code": u.parent,
                "cluster_code": c.code if (c := plan.cluster_of(u.code)) else None,
            }
            for u in plan.units
        ])
        insert_many(conn, unit_ancestors, ancestor_rows(plan))
        insert_many(conn, unit_groups, groups)
        insert_many(conn, indicator_reporters, reporters)
        insert_many(conn, indicators, [
            {
                "plan_year": plan.year,
                "code": i.code,
                "name_vi": i.name_vi,
                "name_en": i.name_en,
                "measure_vi": i.measure_vi,
                "kind": i.kind,
                "flow": i.flow,
                "rollup": i.rollup,
                "lead_unit": i.lead_unit,
                "clause": i.clause,
                "wording_vi": i.wording_vi,
            }
            for i in plan.indicators
        ])
        insert_many(conn, targets, target_rows(plan))
        if conn.dialect.name == "postgresql":
            # Fresh statistics for the planner now, not whenever autovacuum comes by: the evaluation joins these.
            for table in (unit_ancestors, unit_groups, indicator_reporters, unit_memberships):
                conn.execute(sa.text(f"ANALYZE {table.name}"))
