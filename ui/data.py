"""Cached access to the store: one engine per URL per process, results keyed on the store's data version.

`data_version` grows with every upload or undo (in any process, on any server), so a cached result is reused
until the figures change and never after.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from kpi.bootstrap import open_store
from kpi.plan import Plan
from kpi.scorecard import default_period, load_scorecard
from kpi.store import Store, data_as_of, data_version, figures_from_sample, latest_period, resolve_url


def _secrets_url() -> str | None:
    try:
        return st.secrets["connections"]["kpi"]["url"]
    except Exception:  # noqa: BLE001 - no secrets file, or no such entry
        return None


def database_url() -> str:
    """The URL the app uses: $KPI_DATABASE_URL, else `.streamlit/secrets.toml` [connections.kpi] url, else the
    embedded DuckDB file."""
    return resolve_url(None, _secrets_url())


@st.cache_resource(show_spinner=False)
def store_and_plans(url: str) -> tuple[Store, dict[int, Plan]]:
    """The store (schema ready, plans synced) and the plans, once per process and URL."""
    return open_store(url)


def version(store: Store) -> int:
    """The store's current data version (one small query)."""
    with store.connect() as conn:
        return data_version(conn)


@st.cache_data(show_spinner=False, max_entries=64)
def _facts(url: str, version_: int) -> tuple[bool, datetime | None, int]:
    store, _ = store_and_plans(url)
    with store.connect() as conn:
        return figures_from_sample(conn), data_as_of(conn), int(latest_period(conn) is not None)


def facts(store: Store, version_: int) -> tuple[bool, datetime | None, bool]:
    """(shows sample data, data as of, has any figure) for the current data version."""
    sample, as_of, has_data = _facts(store.url, version_)
    return sample, as_of, bool(has_data)


@st.cache_data(show_spinner=False, max_entries=64)
def _default_period(url: str, version_: int) -> str:
    store, plans = store_and_plans(url)
    return default_period(store, plans)


def latest(store: Store, version_: int) -> str:
    """The latest period with figures (cached per data version)."""
    return _default_period(store.url, version_)


@st.cache_data(show_spinner=False, max_entries=128)
def _scorecard(url: str, version_: int, period: str) -> pd.DataFrame:
    store, plans = store_and_plans(url)
    return load_scorecard(store, plans, period)[1]


def scorecard(store: Store, version_: int, period: str) -> pd.DataFrame:
    """The evaluation of every unit for `period` (cached per data version)."""
    return _scorecard(store.url, version_, period)
