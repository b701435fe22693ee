"""The store: a SQLAlchemy engine from a URL, the schema, and the few queries everything else builds on.

DuckDB (the embedded default) allows one writing process per file, so engines on a DuckDB file use no pool: every
request opens the file and closes it again, which lets the CLI write while the app serves. When another process
holds the file for a moment, `Store.begin()`/`Store.connect()` retry and then raise `DatabaseBusy`.
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, StaticPool

if TYPE_CHECKING:  # pandas and pyarrow load only where a function needs them: `kpi ingest` starts lean
    import duckdb
    import pandas as pd
    import pyarrow as pa

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"duckdb:///{PROJECT_ROOT / 'data' / 'kpi.duckdb'}"
ENV_VAR = "KPI_DATABASE_URL"
BUSY_RETRY_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5

metadata = sa.MetaData()

uploads_id = sa.Sequence("uploads_id_seq", metadata=metadata)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

units = sa.Table(
    "units",
    metadata,
    sa.Column("code", sa.String(20), primary_key=True),
    sa.Column("name_vi", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("valid_from", sa.String(10)),
    sa.Column("valid_to", sa.String(10)),
)

# A unit's place in one plan year's tree: registries change between years, history stays with the unit.
unit_memberships = sa.Table(
    "unit_memberships",
    metadata,
    sa.Column("plan_year", sa.Integer, primary_key=True),
    sa.Column("unit_code", sa.String(20), primary_key=True),
    sa.Column("parent_code", sa.String(20)),
    sa.Column("cluster_code", sa.String(30)),
)

# The tree of one plan year as a closure: each unit with itself (distance 0) and every unit above it. The evaluation
# inside the database (kpi.spans_sql) finds a unit's subtree and each parent's depth with one join, however deep.
unit_ancestors = sa.Table(
    "unit_ancestors",
    metadata,
    sa.Column("plan_year", sa.Integer, primary_key=True),
    sa.Column("unit_code", sa.String(20), primary_key=True),
    sa.Column("ancestor_code", sa.String(20), primary_key=True),
    sa.Column("distance", sa.SmallInteger, nullable=False),
)

# Who usually reports an indicator: the plan's `reported_by` names (a unit or a group) and the groups' members, kept
# apart so that a group of 20,000 communes is stored once, not once per indicator.
unit_groups = sa.Table(
    "unit_groups",
    metadata,
    sa.Column("plan_year", sa.Integer, primary_key=True),
    sa.Column("group_name", sa.Text, primary_key=True),
    sa.Column("unit_code", sa.String(20), primary_key=True),
)

indicator_reporters = sa.Table(
    "indicator_reporters",
    metadata,
    sa.Column("plan_year", sa.Integer, primary_key=True),
    sa.Column("indicator_code", sa.String(40), primary_key=True),
    sa.Column("reporter", sa.Text, primary_key=True),  # a unit's code or a group's name
)

indicators = sa.Table(
    "indicators",
    metadata,
    sa.Column("plan_year", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("name_vi", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("measure_vi", sa.Text, nullable=False),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("flow", sa.String(8), nullable=False),
    sa.Column("rollup", sa.String(8), nullable=False),
    sa.Column("lead_unit", sa.String(20), nullable=False),
    sa.Column("clause", sa.Text),
    sa.Column("wording_vi", sa.Text),
)

targets = sa.Table(
    "targets",
    metadata,
    sa.Column("plan_year", sa.Integer, primary_key=True),
    sa.Column("indicator_code", sa.String(40), primary_key=True),
    sa.Column("unit_code", sa.String(20), primary_key=True),
    sa.Column("target", sa.Double),
    sa.Column("stretch", sa.Double),
    sa.Column("baseline", sa.Double),
    sa.Column("baseline_qualifier", sa.String(1)),
)

uploads = sa.Table(
    "uploads",
    metadata,
    sa.Column("id", sa.BigInteger, uploads_id, server_default=uploads_id.next_value(), primary_key=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),  # cli | app | sample
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("n_new", sa.Integer, nullable=False),
    sa.Column("n_revised", sa.Integer, nullable=False),
    sa.Column("n_unchanged", sa.Integer, nullable=False),
    sa.Column("undone_at", sa.DateTime),
    sa.Column("undone_by", sa.Text),
    # The signed-in user (kpi.users) who made the upload; None before sign-in existed. Undo checks it.
    sa.Column("author", sa.String(64)),
)

# Every revision of every figure, never updated or deleted: the current figure is the newest revision (highest
# upload id) whose upload has not been undone. A file holds a figure once, so (upload, unit, indicator, period) is
# the key. DuckDB gets no key or index: its zone maps serve the scans, and bulk loads stay as fast as a plain
# table's; PostgreSQL gets both. `period` is a quarter (`2024-Q3`), a cumulative figure from 1 January (`2024-H1`,
# `2024-9M`) or the year (`2024`); `quarter` is the last quarter it covers, 0 for the year (kpi.periods.span_end).
submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("upload_id", sa.BigInteger, nullable=False),
    sa.Column("unit_code", sa.String(20), nullable=False),
    sa.Column("indicator_code", sa.String(40), nullable=False),
    sa.Column("period", sa.String(8), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("quarter", sa.SmallInteger, nullable=False),  # the last quarter covered: 2024-H1 → 2; 0 = the year
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("qualifier", sa.String(1)),  # ">" for a censored value such as a rank ">30"
    sa.Column("note", sa.Text),
    # An estimate ("ước thực hiện"), superseded later by the official figure as a revision. Last, so that the
    # column a start-up adds to an older store (`kpi.migrate.LEGACY_COLUMNS`) sits where a new store has it.
    sa.Column("estimate", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.PrimaryKeyConstraint("upload_id", "unit_code", "indicator_code", "period").ddl_if(dialect="postgresql"),
    sa.Index("ix_submissions_figure", "indicator_code", "unit_code", "period").ddl_if(dialect="postgresql"),
    sa.Index("ix_submissions_year", "year").ddl_if(dialect="postgresql"),
)


# ---- who may do what (kpi.users, kpi.auth, kpi.approval, kpi.audit)
audit_id = sa.Sequence("audit_id_seq", metadata=metadata)
locks_id = sa.Sequence("period_locks_id_seq", metadata=metadata)

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("email", sa.String(254)),  # maps a sign-in through OpenID Connect to this user
    sa.Column("password_hash", sa.Text),  # argon2id (kpi.auth); never the password itself
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_signins", sa.Integer, nullable=False, server_default="0"),  # since the last success
    sa.Column("locked_until", sa.DateTime),  # UTC; sign-in refused until then after repeated failures
    sa.Column("created_at", sa.DateTime, nullable=False),
)

user_roles = sa.Table(
    "user_roles",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), primary_key=True),  # kpi.access.Role
)

user_units = sa.Table(
    "user_units",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("unit_code", sa.String(20), primary_key=True),
)

# Sign-in sessions and kiosk tokens, kept in the database so that every app server knows them and a sign-out
# anywhere ends them everywhere. Only a SHA-256 of the token is stored: a copy of the table signs nobody in.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_sha256", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),  # web | kiosk
    sa.Column("label", sa.Text),  # a kiosk token's room name
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),  # signed out, timed out or revoked: never usable again
)

# Approved quarters: a lock on one quarter for a unit, a unit and the units below it, or every unit (unit NULL).
# Reopening fills `reopened_*` (with a reason); the row stays, so the history of approvals is the table itself.
period_locks = sa.Table(
    "period_locks",
    metadata,
    sa.Column("id", sa.BigInteger, locks_id, server_default=locks_id.next_value(), primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("quarter", sa.SmallInteger, nullable=False),  # 1-4: figures whose span ends in this quarter
    sa.Column("unit_code", sa.String(20)),  # None: every unit
    sa.Column("with_children", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("approved_by", sa.String(64), nullable=False),
    sa.Column("approved_at", sa.DateTime, nullable=False),
    sa.Column("reopened_by", sa.String(64)),
    sa.Column("reopened_at", sa.DateTime),
    sa.Column("reopen_reason", sa.Text),
)

# The audit: append-only. Nothing in the app or the CLI updates or deletes a row (on PostgreSQL a trigger refuses
# it as well).
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.BigInteger, audit_id, server_default=audit_id.next_value(), primary_key=True),
    sa.Column("happened_at", sa.DateTime, nullable=False),  # UTC
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),  # kpi.audit.Action
    sa.Column("target", sa.Text),
    sa.Column("detail", sa.Text),  # JSON
)


#: Rows per Arrow record batch when stored figures stream out of DuckDB.
ARROW_BATCH_ROWS = 100_000
#: Key of the PostgreSQL advisory lock held while a process creates the schema and copies the plans.
SETUP_LOCK_KEY = 7_240_024
_SETUP_LOCK = threading.Lock()


#: The tables and their columns this code expects, as recorded in `meta` once created: a store made by older code
#: records something else, and start-up brings it up to date.
#: The Alembic revision this code's schema is at (tests/test_migrations.py holds it to the newest revision file):
#: part of what `meta` records, so a revision that changes no table or column name still runs at start-up.
SCHEMA_REVISION = "0002"
SCHEMA_TABLES = SCHEMA_REVISION + ":" + ",".join(
    f"{name}({' '.join(table.columns.keys())})" for name, table in sorted(metadata.tables.items()))


def has_table(conn: Connection, table: str) -> bool:
    """True when the connection's current schema has `table` (information_schema, as `has_column`)."""
    query = sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                    "AND table_name = :table")
    return bool(conn.execute(query, {"table": table}).scalar())


def has_column(conn: Connection, table: str, column: str) -> bool:
    """True when `table` in the connection's current schema has `column` (information_schema: both DuckDB and
    PostgreSQL have it, where SQLAlchemy's inspector does not work on DuckDB)."""
    query = sa.text("SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = :table AND column_name = :column")
    return bool(conn.execute(query, {"table": table, "column": column}).scalar())

#: PostgreSQL refuses to change or delete audit rows (DuckDB has no triggers: there only the code keeps it so).
APPEND_ONLY_AUDIT = (
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit is append-only'; END $$",
    "DROP TRIGGER IF EXISTS audit_no_change ON audit",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "DROP TRIGGER IF EXISTS audit_no_truncate ON audit",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit FOR EACH STATEMENT "
    "EXECUTE FUNCTION audit_append_only()",
)


class DatabaseBusy(RuntimeError):
    """Another process holds the database file; raised after retrying for `BUSY_RETRY_SECONDS`."""


def resolve_url(cli_url: str | None = None, secrets_url: str | None = None) -> str:
    """The database URL: `--db`, else $KPI_DATABASE_URL, else the app's secrets, else data/kpi.duckdb."""
    return cli_url or os.environ.get(ENV_VAR) or secrets_url or DEFAULT_URL


def make_engine(url: str) -> Engine:
    """An engine for `url`; DuckDB files get no connection pool so that no lock outlives a request."""
    if url.startswith("duckdb"):
        database = sa.engine.make_url(url).database or ":memory:"
        if database == ":memory:":
            # Each new connection to :memory: would be a new, empty database: share one.
            return sa.create_engine(url, poolclass=StaticPool)
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        return sa.create_engine(url, poolclass=NullPool)
    # A server that does not answer (a restart, a network cut) must not hold a page forever: connecting gives up
    # after CONNECT_TIMEOUT_SECONDS unless the URL says otherwise, and the pool tests a connection before use.
    parsed = sa.engine.make_url(url)
    connect_args = ({"connect_timeout": CONNECT_TIMEOUT_SECONDS}
                    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query else {})
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _is_lock_conflict(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc))
    return "Could not set lock" in text or "Conflicting lock" in text


def now() -> datetime:
    """The current time in UTC, naive (stored as such in every dialect)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """A database reached through one engine; `begin()` for writes, `connect()` for reads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @property
    def dialect(self) -> str:
        """The SQLAlchemy dialect name: 'duckdb' or 'postgresql'."""
        return self.engine.dialect.name

    @contextmanager
    def _retrying(self, opener: str) -> Iterator[Connection]:
        deadline = time.monotonic() + BUSY_RETRY_SECONDS
        delay = 0.05
        while True:
            try:
                ctx = getattr(self.engine, opener)()
                conn = ctx.__enter__()
                break
            except sa.exc.DBAPIError as exc:
                if not _is_lock_conflict(exc):
                    raise
                if time.monotonic() > deadline:
                    raise DatabaseBusy("database busy: another process is writing; try again shortly") from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        try:
            yield conn
        except BaseException as exc:
            if not ctx.__exit__(type(exc), exc, exc.__traceback__):
                raise
        else:
            ctx.__exit__(None, None, None)

    def begin(self) -> AbstractContextManager[Connection]:
        """A connection in a transaction that commits on success (retries while the file is busy)."""
        return self._retrying("begin")

    def connect(self) -> AbstractContextManager[Connection]:
        """A connection for reading (retries while the file is busy)."""
        return self._retrying("connect")

    @contextmanager
    def setup_lock(self) -> Iterator[None]:
        """Hold the store's set-up lock: processes starting at once on an empty PostgreSQL database create the
        schema and copy the plans one after another (an advisory lock), never side by side. A DuckDB file is
        already locked by the process that writes it; threads of one process share a lock here."""
        with _SETUP_LOCK:
            if self.dialect != "postgresql":
                yield
                return
            with self.engine.connect() as conn:
                conn.execute(sa.select(sa.func.pg_advisory_lock(SETUP_LOCK_KEY)))
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(sa.select(sa.func.pg_advisory_unlock(SETUP_LOCK_KEY)))
                    conn.commit()

    def _schema_is_current(self) -> bool:
        try:
            with self.connect() as conn:
                stored = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_tables")).scalar()
        except sa.exc.DBAPIError:
            return False  # no meta table yet
        return stored == SCHEMA_TABLES

    def create_schema(self) -> None:
        """Bring the schema to the code's (kpi.migrate: created on an empty database, migrated with Alembic on an
        older one); safe to run again, and from several processes at once (call it under `setup_lock`). A store
        already current is recognised with one query, and Alembic is not even imported then."""
        if self._schema_is_current():
            return
        from kpi.migrate import upgrade

        with self.begin() as conn:
            upgrade(conn)

    def dispose(self) -> None:
        """Close pooled connections (releases a :memory: database)."""
        self.engine.dispose()


def bump_data_version(conn: Connection) -> None:
    """Mark that figures changed, so caches keyed on `data_version` refresh everywhere."""
    conn.execute(
        meta.update()
        .where(meta.c.key == "data_version")
        .values(value=sa.cast(sa.cast(meta.c.value, sa.BigInteger) + 1, sa.Text))
    )


def data_version(conn: Connection) -> int:
    """A number that grows whenever an upload or an undo lands (0 for a new database)."""
    value = conn.execute(sa.select(meta.c.value).where(meta.c.key == "data_version")).scalar()
    return int(value or 0)


def current_figures_query(years: Sequence[int] | None = None, units: Sequence[str] | sa.Select | None = None,
                          indicators: Sequence[str] | None = None) -> sa.Select:
    """The query behind `current_figures`: the newest revision per unit × indicator × period, undone uploads left
    out; of `years`, `units` (codes, or a query that selects them) and `indicators` where given."""
    live = (
        sa.select(
            submissions.c.unit_code.label("unit"),
            submissions.c.indicator_code.label("indicator"),
            submissions.c.period,
            submissions.c.year,
            submissions.c.quarter,
            submissions.c.value,
            submissions.c.qualifier,
            submissions.c.note,
            submissions.c.estimate,
            submissions.c.upload_id,
            sa.func.row_number()
            .over(
                partition_by=(submissions.c.unit_code, submissions.c.indicator_code, submissions.c.period),
                order_by=submissions.c.upload_id.desc(),
            )
            .label("rn"),
        )
        .join(uploads, uploads.c.id == submissions.c.upload_id)
        .where(uploads.c.undone_at.is_(None))
    )
    if years is not None:
        live = live.where(submissions.c.year.in_(list(years)))
    if units is not None:
        live = live.where(submissions.c.unit_code.in_(units if isinstance(units, sa.Select) else list(units)))
    if indicators is not None:
        live = live.where(submissions.c.indicator_code.in_(list(indicators)))
    sub = live.subquery()
    return sa.select(*[c for c in sub.c if c.name != "rn"]).where(sub.c.rn == 1)


def compile_for_duckdb(conn: Connection, query: sa.Select) -> tuple[str, list | dict]:
    """(SQL text, its bound parameters) of `query` for DuckDB's own API; values are bound, never inlined."""
    compiled = query.compile(conn, compile_kwargs={"render_postcompile": True})
    params = [compiled.params[name] for name in compiled.positiontup] if compiled.positional else compiled.params
    return str(compiled), params


def _duckdb_result(conn: Connection, query: sa.Select | tuple[str, list | dict]) -> duckdb.DuckDBPyConnection:
    """`query` (or its `compile_for_duckdb` form) run on `conn`'s own DuckDB connection (same transaction); fetch
    its result from the returned connection."""
    sql, params = compile_for_duckdb(conn, query) if isinstance(query, sa.Select) else query
    return conn.connection.dbapi_connection.execute(sql, params)


def read_frame(conn: Connection, query: sa.Select, compiled: tuple[str, list | dict] | None = None) -> pd.DataFrame:
    """The rows of `query` as a DataFrame. DuckDB hands its result over in columns (much faster than fetching
    rows through the DB-API for a million figures), compiled once by the caller where `compiled` is given; other
    databases go through pandas.read_sql (SQLAlchemy caches their compiled form itself)."""
    import pandas as pd

    if conn.dialect.name == "duckdb":
        return _duckdb_result(conn, compiled or query).df()
    return pd.read_sql(query, conn)


def read_arrow(conn: Connection, query: sa.Select) -> pa.Table | pa.RecordBatchReader:
    """The rows of `query` as Arrow: from DuckDB a stream of record batches (a million stored figures never sit
    in memory twice); from other databases a table built row by row."""
    import pyarrow as pa

    if conn.dialect.name == "duckdb":
        with warnings.catch_warnings():  # DuckDB notes the copy Arrow makes of a DB-API result: a small cost here
            warnings.simplefilter("ignore", UserWarning)
            return _duckdb_result(conn, query).to_arrow_reader(ARROW_BATCH_ROWS)
    result = conn.execute(query)
    names = list(result.keys())
    rows = result.all()
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})


def current_figures(conn: Connection, years: Sequence[int] | None = None, units: Sequence[str] | None = None,
                    indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """The current revision of every figure (of `years`, `units` and `indicators` where given), one row per unit ×
    indicator × period.

    Columns: unit, indicator, period, year, quarter (the last quarter the figure covers, 0 for a year), value,
    qualifier, note, estimate (bool), upload_id.
    """
    frame = read_frame(conn, current_figures_query(years, units, indicators))
    frame["estimate"] = frame["estimate"].astype(bool)
    frame["quarter"] = frame["quarter"].astype("int64")
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    return frame


def insert_many(conn: Connection, table: sa.Table, rows: Sequence[dict]) -> None:
    """Insert `rows` (dicts keyed by column name, all with the same keys) into `table` in one statement where the
    driver allows: DuckDB reads them as one Arrow table (its DB-API inserts row by row, seconds for 20,000 units);
    other databases get SQLAlchemy's batched executemany."""
    if not rows:
        return
    if conn.dialect.name != "duckdb":
        conn.execute(table.insert(), list(rows))
        return
    import pyarrow as pa

    names = list(rows[0])
    batch = pa.table({name: [row[name] for row in rows] for name in names})
    raw = conn.connection.dbapi_connection
    raw.register("_insert_many", batch)
    try:
        incoming = sa.select(*(sa.column(name) for name in names)).select_from(sa.table("_insert_many"))
        conn.execute(table.insert().from_select([table.c[name] for name in names], incoming))
    finally:
        raw.unregister("_insert_many")


def figures_from_sample(conn: Connection) -> bool:
    """True when any current figure came from the generated sample data (the UI must say so)."""
    query = (
        sa.select(sa.func.count())
        .select_from(uploads)
        .where(uploads.c.source == "sample", uploads.c.undone_at.is_(None))
    )
    return bool(conn.execute(query).scalar())


def latest_period(conn: Connection) -> str | None:
    """The code of the period whose figures in effect reach furthest, or None: a year after its Q4; `2024-H1` and
    `2024-Q2` end together, and the quarter's code is returned when both are in."""
    query = (
        sa.select(submissions.c.year, submissions.c.quarter, submissions.c.period)
        .join(uploads, uploads.c.id == submissions.c.upload_id)
        .where(uploads.c.undone_at.is_(None))
        .distinct()
    )
    rows = conn.execute(query).all()
    if not rows:
        return None
    return max(rows, key=lambda r: (r[0], r[1] if r[1] else 5, "-Q" in r[2]))[2]


def data_as_of(conn: Connection) -> datetime | None:
    """When the newest upload or undo that is in effect landed (UTC), or None for an empty store."""
    loaded = conn.execute(sa.select(sa.func.max(uploads.c.created_at)).where(uploads.c.undone_at.is_(None))).scalar()
    undone = conn.execute(sa.select(sa.func.max(uploads.c.undone_at))).scalar()
    stamps = [s for s in (loaded, undone) if s is not None]
    return max(stamps) if stamps else None


def receipts(conn: Connection, year: int, units: Sequence[str] | None = None) -> pd.DataFrame:
    """When each figure of `year` (of the unit codes `units` where given) first arrived: unit, indicator, period,
    quarter, received (UTC; the earliest upload, not undone, that carried it)."""
    query = (
        sa.select(submissions.c.unit_code.label("unit"), submissions.c.indicator_code.label("indicator"),
                  submissions.c.period, submissions.c.quarter, sa.func.min(uploads.c.created_at).label("received"))
        .join(uploads, uploads.c.id == submissions.c.upload_id)
        .where(uploads.c.undone_at.is_(None), submissions.c.year == year)
        .group_by(submissions.c.unit_code, submissions.c.indicator_code, submissions.c.period, submissions.c.quarter)
    )
    if units is not None:
        query = query.where(submissions.c.unit_code.in_(list(units)))
    import pandas as pd

    return pd.read_sql(query, conn)
