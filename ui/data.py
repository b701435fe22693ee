"""Cached access to the store: one engine per URL per process, results keyed on the store's data version.

`data_version` grows with every upload or undo (in any process, on any server), so a cached result is reused
until the figures change and never after.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from kpi.bootstrap import open_store
from kpi.completeness import unit_receipts
from kpi.plan import Plan, plans_dir
from kpi.report.content import Review, build_review
from kpi.report.workbook import review_workbook
from kpi.scorecard import default_period, load_scorecard
from kpi.series import stored_quarter_series
from kpi.store import (
    Store,
    current_figures,
    data_as_of,
    data_version,
    figures_from_sample,
    latest_period,
    resolve_url,
)


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
    """The store (schema ready, plans synced) and the plans ($KPI_PLANS_DIR, else data/plans), once per process
    and URL."""
    return open_store(url, plans_dir())


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
def _scorecard(url: str, version_: int, period: str, units: tuple[str, ...] | None,
               indicators: tuple[str, ...] | None) -> pd.DataFrame:
    store, plans = store_and_plans(url)
    return load_scorecard(store, plans, period, None if units is None else list(units),
                          None if indicators is None else list(indicators))[1]


def scorecard(store: Store, version_: int, period: str, units: tuple[str, ...] | None = None,
              indicators: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The evaluation for `period` of `units` (None: every unit) and `indicators` (None: all), cached per data
    version. A page asks for the units and indicators it shows: the database then reads their subtrees' figures
    of those indicators only, however many units the registry holds."""
    return _scorecard(store.url, version_, period, units, indicators)


@st.cache_data(show_spinner=False, max_entries=32)
def _figures(url: str, version_: int, years: tuple[int, ...], units: tuple[str, ...],
             indicator: str) -> pd.DataFrame:
    store, _ = store_and_plans(url)
    with store.connect() as conn:
        return current_figures(conn, list(years), list(units), [indicator])


def figures(store: Store, version_: int, plan: Plan, units: tuple[str, ...], indicator: str) -> pd.DataFrame:
    """The current figures of `units` for `indicator` in the plan's year and its baseline year (cached per data
    version): only those rows leave the database."""
    return _figures(store.url, version_, (plan.baseline_year, plan.year), units, indicator)


@st.cache_data(show_spinner=False, max_entries=64)
def _quarters(url: str, version_: int, year: int, unit: str) -> pd.DataFrame:
    store, plans = store_and_plans(url)
    with store.connect() as conn:
        return stored_quarter_series(conn, plans[year], unit)


def quarters(store: Store, version_: int, plan: Plan, unit: str) -> pd.DataFrame:
    """The quarter-by-quarter series of `unit` in the plan's year (cached per data version)."""
    return _quarters(store.url, version_, plan.year, unit)


@st.cache_data(show_spinner=False, max_entries=32)
def _receipts(url: str, version_: int, year: int, unit: str) -> pd.DataFrame:
    store, plans = store_and_plans(url)
    with store.connect() as conn:
        return unit_receipts(conn, plans[year], unit)


def received(store: Store, version_: int, year: int, unit: str) -> pd.DataFrame:
    """When each figure of `year` sent by `unit` or a unit below it first arrived (cached per data version): only
    that subtree's rows leave the database."""
    return _receipts(store.url, version_, year, unit)


# An hour at most: a report states when it was made, and a date days old on a fresh print would mislead.
@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _review(url: str, version_: int, period: str, unit: str, lang: str) -> tuple[Review, bytes]:
    store, plans = store_and_plans(url)
    review = build_review(store, plans, period, unit, lang)
    return review, review_workbook(review)


def review(store: Store, version_: int, period: str, unit: str, lang: str) -> tuple[Review, bytes]:
    """The review report of `period` for `unit` and its workbook's bytes (cached per data version)."""
    return _review(store.url, version_, period, unit, lang)


@st.cache_data(show_spinner=False, max_entries=8, ttl=3600)
def _printable(url: str, version_: int, period: str, unit: str, lang: str) -> tuple[bytes, bytes]:
    from kpi.report.document import review_charts, review_docx, review_pdf  # Kaleido only when a print is asked

    review_, _ = _review(url, version_, period, unit, lang)
    charts = review_charts(review_)  # drawn once for both files
    return review_docx(review_, charts), review_pdf(review_, charts)


def printable(store: Store, version_: int, period: str, unit: str, lang: str) -> tuple[bytes, bytes]:
    """The review report of `period` for `unit` as (.docx bytes, PDF bytes), cached per data version: drawing the
    charts takes seconds, so the page asks for it only on request."""
    return _printable(store.url, version_, period, unit, lang)
