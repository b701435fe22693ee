"""History of figures and uploads, and undoing an upload (which restores the figures it replaced).

Nothing is deleted: undoing marks the upload undone, so its revisions stop counting and the revisions they had
replaced become current again. An undone upload stays in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.access import Actor, WriteRights
from kpi.approval import lock_index
from kpi.audit import Action, record
from kpi.fmt import format_time
from kpi.plan import Plan, load_plans
from kpi.store import Store, bump_data_version, now, period_locks, submissions, uploads


class UndoError(ValueError):
    """An upload that cannot be undone: unknown, already undone, someone else's (`not_yours`), or touching an
    approved quarter (`locked`, with the approval in `params`); `code` names the reason for i18n."""

    def __init__(self, code: str, upload_id: int, **params: object) -> None:
        super().__init__(f"{code}: upload {upload_id}")
        self.code = code
        self.upload_id = upload_id
        self.params = params


@dataclass(frozen=True)
class UndoResult:
    """What an undo did: the upload, how many of its figures stopped counting, how many older ones came back."""

    upload_id: int
    withdrawn: int
    restored: int


def recent_uploads(conn: Connection, limit: int = 50) -> pd.DataFrame:
    """The latest uploads, newest first: id, file name, source, who, when, counts, and when it was undone."""
    query = sa.select(uploads).order_by(uploads.c.id.desc()).limit(limit)
    return pd.read_sql(query, conn)


def history(conn: Connection, unit: str | None = None, indicator: str | None = None,
            period: str | None = None) -> pd.DataFrame:
    """Every revision of the matching figures, newest first per figure (unit, indicator, period, value, qualifier,
    note, estimate), with its upload (file, who, when) and `state`: current, superseded (a later upload replaced
    it) or undone (its upload was undone)."""
    query = (
        sa.select(
            submissions.c.unit_code.label("unit"), submissions.c.indicator_code.label("indicator"),
            submissions.c.period, submissions.c.value, submissions.c.qualifier, submissions.c.note,
            submissions.c.estimate, submissions.c.upload_id, uploads.c.file_name, uploads.c.created_by,
            uploads.c.created_at, uploads.c.undone_at,
        )
        .join(uploads, uploads.c.id == submissions.c.upload_id)
        .order_by(submissions.c.indicator_code, submissions.c.unit_code, submissions.c.period,
                  submissions.c.upload_id.desc())
    )
    for column, wanted in ((submissions.c.unit_code, unit), (submissions.c.indicator_code, indicator),
                           (submissions.c.period, period)):
        if wanted:
            query = query.where(column == wanted)
    frame = pd.read_sql(query, conn)
    live = frame["undone_at"].isna()
    key = ["unit", "indicator", "period"]
    newest_live = frame[live].groupby(key)["upload_id"].transform("max")
    frame["state"] = "undone"
    frame.loc[live, "state"] = "superseded"
    frame.loc[live & (frame["upload_id"] == newest_live.reindex(frame.index)), "state"] = "current"
    return frame


def undo_upload(store: Store, upload_id: int, actor: Actor | str, plans: dict[int, Plan] | None = None) -> UndoResult:
    """Undo upload `upload_id` as `actor` (a name alone means the local administrator): its figures stop
    counting and the ones it replaced are current again; audited. Analysts may undo only their own uploads;
    nobody may undo an upload with a figure in an approved quarter (`plans` place units under a lock that covers
    children; without them the store's plan files are read).

    Raises UndoError('unknown_upload' | 'already_undone' | 'not_yours' | 'unit_not_permitted' | 'locked').
    """
    if isinstance(actor, str):
        actor = Actor.local_admin(actor)
    with store.begin() as conn:
        row = conn.execute(sa.select(uploads.c.undone_at, uploads.c.author).where(uploads.c.id == upload_id)).first()
        if row is None:
            raise UndoError("unknown_upload", upload_id)
        if row.undone_at is not None:
            raise UndoError("already_undone", upload_id)
        if not actor.may_undo(row.author):
            raise UndoError("not_yours", upload_id, author=row.author or "—")
        pairs = conn.execute(sa.select(submissions.c.unit_code, submissions.c.period, submissions.c.year).distinct()
                             .where(submissions.c.upload_id == upload_id)).all()
        if not actor.is_admin:
            plans = plans or load_plans()
            rights = WriteRights(actor, plans)
            # An analyst's own upload, but of a unit no longer theirs: only an administrator may take it back.
            foreign = next((unit for unit, _, year in pairs if not rights.allows(unit, year)), None)
            if foreign is not None:
                raise UndoError("unit_not_permitted", upload_id, unit=foreign, user=actor.name)
        _refuse_locked(conn, plans, pairs, upload_id)
        withdrawn, restored = _undo_counts(conn, upload_id)
        conn.execute(uploads.update().where(uploads.c.id == upload_id)
                     .values(undone_at=now(), undone_by=(actor.display_name or actor.name)[:200]))
        record(conn, actor.name, Action.UNDO, f"#{upload_id}", {"withdrawn": int(withdrawn),
                                                                "restored": int(restored)})
        bump_data_version(conn)
    return UndoResult(upload_id, int(withdrawn), int(restored))


def _live_revision(of: sa.FromClause, newer: bool, upload_id: int) -> sa.Exists:
    """Whether a live upload newer (`newer`) or older than `upload_id` sent the figure of row `of` too."""
    other, live = submissions.alias("other"), uploads.alias("live")
    later = other.c.upload_id > upload_id if newer else other.c.upload_id < upload_id
    return (sa.exists().select_from(other.join(live, live.c.id == other.c.upload_id))
            .where(live.c.undone_at.is_(None), later, other.c.unit_code == of.c.unit_code,
                   other.c.indicator_code == of.c.indicator_code, other.c.period == of.c.period))


def _undo_counts(conn: Connection, upload_id: int) -> tuple[int, int]:
    """(withdrawn, restored) by undoing `upload_id`: its figures that count now (no newer live upload sent them
    again), and of those the ones an older live upload had sent, which count again. A figure a later upload
    already replaced neither stops counting nor brings an older one back."""
    mine = submissions.alias("mine")
    counts = sa.select(sa.func.count(), sa.func.count().filter(_live_revision(mine, False, upload_id))).where(
        mine.c.upload_id == upload_id, ~_live_revision(mine, True, upload_id))
    withdrawn, restored = conn.execute(counts).one()
    return int(withdrawn), int(restored)


def _refuse_locked(conn: Connection, plans: dict[int, Plan] | None, pairs: list, upload_id: int) -> None:
    """Raise UndoError('locked') when a figure of the upload (its distinct `pairs` of unit, period, year) lies in
    an approved quarter (`kpi.approval`)."""
    if plans is None:
        live = sa.select(sa.func.count()).select_from(period_locks).where(period_locks.c.reopened_at.is_(None))
        if not conn.execute(live).scalar():
            return  # nothing is approved: no plan needed
        plans = load_plans()
    locks = lock_index(conn, plans)
    if not locks:
        return
    for unit, period, _ in pairs:
        lock = locks.lock_for(unit, period)
        if lock is not None:
            raise UndoError("locked", upload_id, unit=unit, period=lock.period, by=lock.approved_by,
                            at=format_time(lock.approved_at), lock=lock.id)
