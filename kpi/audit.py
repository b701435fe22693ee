"""The audit: who did what and when. Rows are only ever added (`record`) and read (`audit_frame`).

Every change of state that matters to a department's IT officer is recorded in the same transaction as the
change itself, so a change without its audit row cannot exist.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.store import audit, now

if TYPE_CHECKING:
    import pandas as pd


class Action(StrEnum):
    """What an audit row records."""

    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKED_OUT = "locked_out"
    SIGN_OUT = "sign_out"
    SESSION_EXPIRED = "session_expired"
    UPLOAD = "upload"
    UNDO = "undo"
    APPROVE = "approve"
    REOPEN = "reopen"
    USER_ADD = "user_add"
    USER_CHANGE = "user_change"
    PASSWORD_SET = "password_set"
    USER_DISABLE = "user_disable"
    USER_ENABLE = "user_enable"
    KIOSK_TOKEN = "kiosk_token"
    KIOSK_REVOKE = "kiosk_revoke"
    SETTING = "setting"


def record(conn: Connection, actor: str, action: Action, target: str | None = None,
           detail: dict[str, object] | None = None, at: datetime | None = None) -> None:
    """Add one audit row in `conn`'s transaction: `actor` (a username), `action`, its `target` (a username, an
    upload, a period) and a `detail` stored as JSON (never a password)."""
    conn.execute(audit.insert().values(
        happened_at=at or now(), actor=actor[:64], action=str(action), target=target,
        detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True) if detail else None))


def audit_frame(conn: Connection, *, since: datetime | None = None, user: str | None = None,
                action: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Audit rows, newest first: id, happened_at (UTC), actor, action, target, detail (JSON text). `since` (UTC) keeps
    rows at or after it; `user` keeps rows by that actor or about that user; `action` one kind of row."""
    import pandas as pd

    query = sa.select(audit).order_by(audit.c.id.desc())
    if since is not None:
        query = query.where(audit.c.happened_at >= since)
    if user:
        query = query.where(sa.or_(audit.c.actor == user, audit.c.target == user))
    if action:
        query = query.where(audit.c.action == action)
    if limit:
        query = query.limit(limit)
    return pd.read_sql(query, conn)
