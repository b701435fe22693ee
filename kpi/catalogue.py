"""Copy the plan files into the store's catalogue tables (units, memberships, indicators, targets).

The TOML files stay the source of truth; the tables let SQL users, exports and foreign keys see the same plan.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.plan import Plan
from kpi.store import Store, indicators, targets, unit_memberships, units
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
    existing = set(conn.execute(sa.select(units.c.code)).scalars())
    for unit in plan.units:
        values = {
            "name_vi": unit.name_vi,
            "name_en": unit.name_en,
            "kind": unit.kind,
            "valid_from": unit.valid_from,
            "valid_to": unit.valid_to,
        }
        if unit.code in existing:
            conn.execute(units.update().where(units.c.code == unit.code).values(**values))
        else:
            conn.execute(units.insert().values(code=unit.code, **values))


def sync_plan(store: Store, plan: Plan) -> None:
    """Write `plan` into the catalogue tables, replacing that year's copy; units are added or renamed, never
    removed, because submissions stay attached to the unit that sent them."""
    with store.begin() as conn:
        _sync_units(conn, plan)
        for table in (unit_memberships, indicators, targets):
            conn.execute(table.delete().where(table.c.plan_year == plan.year))
        conn.execute(
            unit_memberships.insert(),
            [
                {
                    "plan_year": plan.year,
                    "unit_code": u.code,
                    "parent_code": u.parent,
                    "cluster_code": c.code if (c := plan.cluster_of(u.code)) else None,
                }
                for u in plan.units
            ],
        )
        conn.execute(
            indicators.insert(),
            [
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
            ],
        )
        rows = target_rows(plan)
        if rows:
            conn.execute(targets.insert(), rows)
