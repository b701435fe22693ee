"""History of figures and uploads, and undoing an upload (which restores the figures it replaced).

Nothing is deleted: undoing marks the upload undone, so its revisions stop counting and the revisions they had
replaced become current again. An undone upload stays in the history.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.store import Store, bump_data_version, now, submissions, uploads


class UndoError(ValueError):
    """An upload that cannot be undone (unknown, or already undone); `code` names the reason for i18n."""

    def __init__(self, code: str, upload_id: int) -> None:
        super().__init__(f"{code}: upload {upload_id}")
        self.code = code
        self.upload_id = upload_id


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


def undo_upload(store: Store, upload_id: int, undone_by: str) -> UndoResult:
    """Undo upload `upload_id`: its figures stop counting and the ones it replaced are current again.

    Raises UndoError('unknown_upload' | 'already_undone').
    """
    with store.begin() as conn:
        row = conn.execute(sa.select(uploads.c.undone_at).where(uploads.c.id == upload_id)).first()
        if row is None:
            raise UndoError("unknown_upload", upload_id)
        if row.undone_at is not None:
            raise UndoError("already_undone", upload_id)
        mine = sa.select(submissions.c.unit_code, submissions.c.indicator_code, submissions.c.period).where(
            submissions.c.upload_id == upload_id)
        withdrawn = conn.execute(sa.select(sa.func.count()).select_from(mine.subquery())).scalar_one()
        # Figures of this upload that an older, live upload had sent before: they come back.
        older = (
            sa.select(sa.func.count(sa.distinct(sa.tuple_(submissions.c.unit_code, submissions.c.indicator_code,
                                                            submissions.c.period))))
            .join(uploads, uploads.c.id == submissions.c.upload_id)
            .where(uploads.c.undone_at.is_(None), submissions.c.upload_id < upload_id,
                   sa.tuple_(submissions.c.unit_code, submissions.c.indicator_code, submissions.c.period).in_(mine))
        )
        restored = conn.execute(older).scalar_one()
        conn.execute(uploads.update().where(uploads.c.id == upload_id).values(undone_at=now(), undone_by=undone_by))
        bump_data_version(conn)
    return UndoResult(upload_id, int(withdrawn), int(restored))
