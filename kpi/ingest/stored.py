"""The stored figures a check compares with, copied from the store into the check's DuckDB connection as
`_before`: the current revision of each figure of the file's indicators (and units, when they are few) for the
file's years and the year before (a first quarter is compared with last year's quarters)."""

from __future__ import annotations

import duckdb
from sqlalchemy.engine import Connection

from kpi.store import current_figures_query, data_version, read_arrow

#: Up to this many distinct units, the stored figures are filtered by unit in the database too.
UNIT_FILTER_MAX = 1000


def load_before(conn: Connection, con: duckdb.DuckDBPyConnection) -> int:
    """Create `_before` (unit, indicator, period, year, quarter, value, qualifier, note, estimate) in `con` from the
    store behind `conn`, for the figures in `figures`; returns the store's data version read in the same
    transaction."""
    years = [row[0] for row in con.execute("SELECT DISTINCT year FROM figures").fetchall()]
    indicators = [row[0] for row in con.execute("SELECT DISTINCT indicator FROM figures ORDER BY 1").fetchall()]
    units = [row[0] for row in con.execute(f"SELECT DISTINCT unit FROM figures ORDER BY 1 "
                                           f"LIMIT {UNIT_FILTER_MAX + 1}").fetchall()]
    version = data_version(conn)
    wanted = sorted(set(years) | {y - 1 for y in years})
    query = current_figures_query(wanted, units if len(units) <= UNIT_FILTER_MAX else None, indicators)
    stored = read_arrow(conn, query) if years else None
    con.execute("CREATE TEMP TABLE _before (unit VARCHAR, indicator VARCHAR, period VARCHAR, year INTEGER, "
                "quarter INTEGER, value DOUBLE, qualifier VARCHAR, note VARCHAR, estimate BOOLEAN)")
    if stored is not None:
        con.register("_before_rows", stored)
        con.execute("INSERT INTO _before SELECT unit, indicator, period, year, quarter, value, qualifier, note, "
                    "estimate FROM _before_rows")
        con.unregister("_before_rows")
    return version
