"""Open a store ready for use: schema created and the plan files copied in (only when they changed)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa

from kpi.catalogue import sync_plan
from kpi.plan import DEFAULT_PLANS_DIR, Plan, load_plans
from kpi.store import SCHEMA_TABLES, Store, meta


def _plan_digest(plan: Plan) -> str:
    # The schema's description is part of it: a store whose catalogue gained a table is synced again on start-up.
    return hashlib.sha256((SCHEMA_TABLES + plan.model_dump_json(exclude={"source"})).encode()).hexdigest()


def sync_plans(store: Store, plans: dict[int, Plan]) -> list[int]:
    """Copy each plan whose file changed since the last sync into the catalogue tables; returns the years synced."""
    synced = []
    for year, plan in sorted(plans.items()):
        key, digest = f"plan_digest:{year}", _plan_digest(plan)
        with store.connect() as conn:
            stored = conn.execute(sa.select(meta.c.value).where(meta.c.key == key)).scalar()
        if stored == digest:
            continue
        sync_plan(store, plan)
        with store.begin() as conn:
            conn.execute(meta.delete().where(meta.c.key == key))
            conn.execute(meta.insert().values(key=key, value=digest))
        synced.append(year)
    return synced


def open_store(url: str, plans_dir: str | Path = DEFAULT_PLANS_DIR) -> tuple[Store, dict[int, Plan]]:
    """The store at `url` with its schema and the plans of `plans_dir` loaded; PlanError if a plan file is wrong."""
    plans = load_plans(plans_dir)
    store = Store(url)
    with store.setup_lock():
        store.create_schema()
        sync_plans(store, plans)
    return store, plans
