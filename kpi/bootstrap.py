"""Open a store ready for use: schema created and the plan files copied in (only when they changed)."""

from __future__ import annotations

from pathlib import Path

from kpi.catalogue import plan_digest, stored_digest, sync_plan
from kpi.plan import DEFAULT_PLANS_DIR, Plan, load_plans
from kpi.store import Store


def sync_plans(store: Store, plans: dict[int, Plan]) -> list[int]:
    """Copy each plan whose file changed since the last sync into the catalogue tables; returns the years synced."""
    synced = []
    for year, plan in sorted(plans.items()):
        with store.connect() as conn:
            if stored_digest(conn, year) == plan_digest(plan):
                continue
        sync_plan(store, plan)
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
