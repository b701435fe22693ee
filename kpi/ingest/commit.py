"""`commit`: write a `Checked` file exactly as it was checked, as one upload, in one transaction.

The store's data version is claimed with a compare-and-set in the same transaction: when another upload or an
undo landed after the check, the file is checked again, and if that changes what would be written the caller
gets `Outdated` with the fresh check (the upload page shows it again; the CLI writes the fresh one).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.access import Actor
from kpi.audit import Action, record
from kpi.ingest.checked import CHANGE_NEW, CHANGE_REVISED, CHANGE_UNCHANGED, Checked
from kpi.plan import Plan
from kpi.store import DatabaseBusy, Store, meta, now, submissions, uploads

if TYPE_CHECKING:
    import pyarrow as pa

SUBMISSION_COLUMNS = ("upload_id", "unit_code", "indicator_code", "period", "year", "quarter", "value", "qualifier",
                      "note", "estimate")
ATTEMPTS = 3


class Outdated(Exception):
    """The stored figures changed after the check in a way that changes what the file would write; `fresh` is
    the file checked again."""

    def __init__(self, fresh: Checked) -> None:
        super().__init__("the stored figures changed since the file was checked")
        self.fresh = fresh


class _Moved(Exception):
    pass


def _claim_version(conn: Connection, expected: int) -> bool:
    """Raise the data version from `expected` by one; False when it is no longer `expected` (another write came
    first). On PostgreSQL the UPDATE waits for a concurrent writer and then sees its value."""
    bumped = sa.cast(sa.cast(meta.c.value, sa.BigInteger) + 1, sa.Text)
    row = conn.execute(meta.update().where(meta.c.key == "data_version", meta.c.value == str(expected))
                       .values(value=bumped).returning(meta.c.value)).first()
    return row is not None


def insert_submissions(conn: Connection, rows: pa.Table, upload_id: int) -> None:
    """Write `rows` (Arrow: unit, indicator, period, year, quarter, value, qualifier, note, estimate) as the figures
    of upload `upload_id`, in bulk: DuckDB reads the Arrow table itself, PostgreSQL gets COPY."""
    if conn.dialect.name == "duckdb":
        raw = conn.connection.dbapi_connection
        raw.register("_incoming", rows)
        # One upload's figures are distinct keys: their order among themselves means nothing, and not keeping it
        # lets DuckDB write them in parallel (a million figures in about half the time). SESSION: the plain SET is
        # global, and would reach every other connection (the app's sessions) to this database in the process.
        raw.execute("SET SESSION preserve_insertion_order = false")
        try:
            raw.execute("INSERT INTO submissions (upload_id, unit_code, indicator_code, period, year, quarter, value, "
                        "qualifier, note, estimate) SELECT $upload, unit, indicator, period, year, quarter, value, "
                        "qualifier, note, estimate FROM _incoming", {"upload": upload_id})
        finally:
            # A failed insert aborted the transaction, which refuses even RESET: the error that matters is already
            # on its way, and the setting dies with this connection, which a file database closes with the request.
            with contextlib.suppress(duckdb.Error):
                raw.execute("RESET SESSION preserve_insertion_order")
            raw.unregister("_incoming")
        return
    names = ("unit", "indicator", "period", "year", "quarter", "value", "qualifier", "note", "estimate")
    columns = [rows.column(name).to_pylist() for name in names]
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY submissions ({', '.join(SUBMISSION_COLUMNS)}) FROM STDIN") as copy:
            for record in zip(*columns):
                copy.write_row((upload_id, *record))
        return
    conn.execute(submissions.insert(), [dict(zip(SUBMISSION_COLUMNS, (upload_id, *record)))
                                        for record in zip(*columns)])


def _write(store: Store, checked: Checked, upload_values: dict) -> int | None:
    with store.begin() as conn:
        if checked.data_version is None or not _claim_version(conn, checked.data_version):
            raise _Moved
        upload_id = conn.execute(uploads.insert().values(
            **upload_values, n_rows=sum(checked.counts.values()), n_new=checked.count(CHANGE_NEW),
            n_revised=checked.count(CHANGE_REVISED), n_unchanged=checked.count(CHANGE_UNCHANGED),
        ).returning(uploads.c.id)).scalar_one()
        insert_submissions(conn, checked.rows, int(upload_id))
        record(conn, upload_values["author"], Action.UPLOAD, f"#{upload_id}",
               {"file": checked.file_name, "sha256": checked.source.digest, "via": upload_values["source"],
                "new": checked.count(CHANGE_NEW), "revised": checked.count(CHANGE_REVISED)})
    return int(upload_id)


def _rights_now(store: Store, actor: Actor) -> Actor:
    """`actor` with the roles and units their stored user holds now (none when disabled or gone), so that a change
    made after the check (it raised the data version) counts at commit. Others are kept as they are."""
    if actor.local or not actor.signed_in:
        return actor
    from kpi.users import get_user

    with store.connect() as conn:
        user = get_user(conn, actor.name)
    if user is None or user.disabled:
        return Actor(actor.name, signed_in=True, display_name=actor.display_name)  # may write nothing
    return user.actor(kiosk=actor.kiosk)


def commit(store: Store, plans: dict[int, Plan], checked: Checked, *, created_by: str | None = None,
           source: str = "cli", received_at: datetime | None = None) -> Checked:
    """Write `checked` as one upload by the actor it was checked for (recorded as its author and in the audit)
    and return it with `upload_id` set (None when nothing is new or revised). `created_by` is the name shown in
    the history (default: the actor's display name); `source` says where it came from (cli | app | sample);
    `received_at` (UTC) dates an upload that arrived earlier (the sample data). Raises ValueError for a
    rejected file, Outdated when a fresh check would write
    something else, DatabaseBusy when writers keep coming first."""
    from kpi.ingest.pipeline import check

    if not checked.ok:
        raise ValueError("a rejected file cannot be committed")
    actor = checked.actor
    assert actor is not None  # check() always sets it
    values = {"file_name": checked.file_name, "file_sha256": checked.source.digest, "source": source,
              "created_by": (created_by or actor.display_name or actor.name)[:200], "author": actor.name,
              "created_at": received_at or now()}
    for _ in range(ATTEMPTS):
        if checked.to_write == 0:
            return replace(checked, upload_id=None, dry_run=False)
        try:
            return replace(checked, upload_id=_write(store, checked, values), dry_run=False)
        except _Moved:
            fresh = check(store, plans, checked.source, decimal=checked.decimal_option,
                          actor=_rights_now(store, actor))
            if not fresh.same_writes(checked):
                raise Outdated(fresh) from None
            checked = fresh
        except sa.exc.DBAPIError as exc:  # DuckDB: another thread of this process wrote first
            if "conflict" not in str(exc).lower():
                raise
            checked = replace(checked, data_version=-1)
    raise DatabaseBusy("busy")
