"""Signing in: password hashes (argon2id), sign-in with lock-out, sessions that end when idle, kiosk tokens.

Sessions live in the database, so every app server knows them and a sign-out on one ends them on all. A session's
token is a random 256-bit string held by the browser tab's server-side session; the database keeps only its
SHA-256, so a copy of the table signs nobody in. Every outcome is audited.
"""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection

from kpi.access import Actor
from kpi.audit import Action, record
from kpi.settings import load_settings
from kpi.store import Store, now, sessions, users
from kpi.users import UserError, UserRecord, get_user, normalise_username

#: argon2id with the library's defaults (RFC 9106's second recommended profile: 64 MiB, 3 passes).
_HASHER = PasswordHasher()
#: Checked against when the user is unknown, so that an unknown name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
#: A session's last request is written at most this often (every rerun would otherwise write), and at least every
#: tenth of the idle time (`_touch_after`): a session in use must not end as if idle.
TOUCH_SECONDS = 60
WEB, KIOSK = "web", "kiosk"
#: How often a sign-in's write is tried when DuckDB reports a conflict with a simultaneous one.
CONFLICT_ATTEMPTS = 20
#: The audit's actor for a sign-in attempt with a name that is no user.
UNKNOWN_USER = "(unknown)"
T = TypeVar("T")


class SignInError(Exception):
    """A refused sign-in: `code` is `bad_credentials` (unknown user, wrong password or disabled: never said
    which) or `locked` (with `until`, UTC)."""

    def __init__(self, code: str, until: datetime | None = None) -> None:
        super().__init__(code)
        self.code, self.until = code, until


@dataclass(frozen=True)
class Session:
    """A signed-in session: the token the browser tab keeps, and who it is."""

    token: str
    actor: Actor


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted, with its parameters), for `users.password_hash`."""
    return _HASHER.hash(password)


def check_password_rules(username: str, password: str) -> None:
    """Raise UserError unless `password` is 10–256 characters and not the user name."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError("password_short", n=MIN_PASSWORD_CHARS)
    if len(password) > MAX_PASSWORD_CHARS:
        raise UserError("password_long", n=MAX_PASSWORD_CHARS)
    if username.lower() in password.lower():
        raise UserError("password_has_name")


def set_password(store: Store, actor: str, username: str, password: str) -> None:
    """Store a new password for `username` (hashed; audited without it) and end that user's signed-in sessions
    (kiosk tokens are separate credentials: they end when revoked or the user is disabled)."""
    name = normalise_username(username)
    check_password_rules(name, password)
    hashed = hash_password(password)
    with store.begin() as conn:
        if get_user(conn, name) is None:
            raise UserError("unknown_user", username=username[:80])
        conn.execute(users.update().where(users.c.username == name)
                     .values(password_hash=hashed, failed_signins=0, locked_until=None))
        conn.execute(sessions.update().where(sessions.c.username == name, sessions.c.kind == WEB,
                                             sessions.c.ended_at.is_(None)).values(ended_at=now()))
        record(conn, actor, Action.PASSWORD_SET, name)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_session(conn: Connection, username: str, kind: str, label: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    stamp = now()
    conn.execute(sessions.insert().values(token_sha256=_digest(token), username=username, kind=kind, label=label,
                                          created_at=stamp, last_seen=stamp))
    return token


def _verify(hashed: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(hashed or _DUMMY_HASH, password) and hashed is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _in_transaction(store: Store, work: Callable[[Connection], T]) -> T:
    """Run `work` in a transaction, again when DuckDB reports a write conflict (two sign-ins of one user at the
    same instant update the same row; PostgreSQL makes the second wait instead). Every failure must be counted
    and audited, so a conflict is retried rather than lost."""
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            with store.begin() as conn:
                return work(conn)
        except sa.exc.DBAPIError as exc:
            if "conflict" not in str(exc).lower() or attempt == CONFLICT_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
    raise AssertionError("unreachable")


def sign_in(store: Store, username: str, password: str, *, via: str = "app") -> Session:
    """Check `username` and `password`; on success a new session. After the settings' `max_failures` wrong
    passwords in a row the account is locked for `lockout_minutes`. Raises SignInError. `via` (app | cli) goes
    into the audit. A locked account's password is still checked (and ignored), so that a locked name answers
    as slowly as any other."""
    name = username.strip().lower()[:64]
    with store.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == name)).first()
        settings = load_settings(conn)
    good = _verify(row.password_hash if row is not None else None, password[:MAX_PASSWORD_CHARS])
    if row is not None and row.locked_until is not None and row.locked_until > now():
        _in_transaction(store, lambda conn: record(conn, name, Action.SIGN_IN_FAILED, name,
                                                   {"reason": "locked", "via": via}))
        raise SignInError("locked", row.locked_until)
    if row is None or row.disabled or not good:
        _in_transaction(store, lambda conn: _failed(conn, name, row, settings.max_failures,
                                                    settings.lockout_minutes, via))
        raise SignInError("bad_credentials")

    def succeed(conn: Connection) -> tuple[str, UserRecord | None]:
        values: dict[str, object] = {"failed_signins": 0, "locked_until": None}
        if _HASHER.check_needs_rehash(row.password_hash):
            values["password_hash"] = hash_password(password)
        conn.execute(users.update().where(users.c.username == name).values(**values))
        token = _new_session(conn, name, WEB)
        record(conn, name, Action.SIGN_IN, name, {"via": via})
        return token, get_user(conn, name)

    token, user = _in_transaction(store, succeed)
    return Session(token, user.actor())  # type: ignore[union-attr]


def _failed(conn: Connection, name: str, row: sa.Row | None, max_failures: int, lockout_minutes: int,
            via: str) -> None:
    """Count and audit a failed sign-in (in `conn`'s transaction); lock the account at `max_failures`. A name
    that is no user is audited by a digest only: it may be a password typed into the wrong box."""
    if row is None:
        digest = hashlib.sha256(name.encode()).hexdigest()[:16]
        record(conn, UNKNOWN_USER, Action.SIGN_IN_FAILED, None, {"reason": "unknown_user", "via": via,
                                                                 "name_sha256": digest})
        return
    record(conn, name, Action.SIGN_IN_FAILED, name, {"reason": "disabled" if row.disabled else "wrong_password",
                                                     "via": via})
    failures = conn.execute(users.update().where(users.c.username == name)
                            .values(failed_signins=users.c.failed_signins + 1)
                            .returning(users.c.failed_signins)).scalar_one()
    if failures >= max_failures:
        until = now() + timedelta(minutes=lockout_minutes)
        conn.execute(users.update().where(users.c.username == name).values(locked_until=until, failed_signins=0))
        record(conn, name, Action.LOCKED_OUT, name, {"failures": failures, "until": until.isoformat()})


def sign_in_by_email(store: Store, email: str) -> Session | None:
    """A session for the enabled user whose e-mail an OpenID Connect provider vouched for, or None when no
    such user exists (the audit says so either way)."""
    from kpi.users import user_by_email

    with store.begin() as conn:
        user = user_by_email(conn, email)
        if user is None:
            record(conn, email[:64], Action.SIGN_IN_FAILED, email[:200], {"reason": "unknown_email", "via": "oidc"})
            return None
        token = _new_session(conn, user.username, WEB)
        record(conn, user.username, Action.SIGN_IN, user.username, {"via": "oidc"})
    return Session(token, user.actor())


def resume(store: Store, token: str | None, *, kind: str = WEB) -> Actor | None:
    """Who holds `token`, or None when it is unknown, signed out, revoked, of another kind, idle longer than the
    settings allow (it is then ended and audited), or its user is disabled. Records the request time."""
    if not token:
        return None
    digest = _digest(token)
    with store.connect() as conn:
        row = conn.execute(sa.select(sessions).where(sessions.c.token_sha256 == digest)).first()
        if row is None or row.ended_at is not None or row.kind != kind:
            return None
        settings = load_settings(conn)
        user: UserRecord | None = get_user(conn, row.username)
    stamp = now()
    idle = stamp - row.last_seen
    if kind == WEB and idle > timedelta(minutes=settings.idle_minutes):
        with store.begin() as conn:
            ended = conn.execute(sessions.update().where(sessions.c.token_sha256 == digest,
                                                         sessions.c.ended_at.is_(None)).values(ended_at=stamp))
            if ended.rowcount:
                record(conn, row.username, Action.SESSION_EXPIRED, row.username,
                       {"idle_minutes": int(idle.total_seconds() // 60)})
        return None
    if user is None or user.disabled:
        return None
    if idle > _touch_after(settings.idle_minutes):
        _in_transaction(store, lambda conn: conn.execute(
            sessions.update().where(sessions.c.token_sha256 == digest).values(last_seen=stamp)))
    return user.actor(kiosk=kind == KIOSK)


def _touch_after(idle_minutes: int) -> timedelta:
    """How stale a session's recorded last request may get: `TOUCH_SECONDS`, or a tenth of the idle time when that
    is shorter (with `idle_minutes` = 1 a once-a-minute write would let every session end a minute after sign-in)."""
    return timedelta(seconds=min(TOUCH_SECONDS, idle_minutes * 6))


def sign_out(store: Store, token: str | None) -> None:
    """End the session of `token` at once (on every server); audited. Unknown or ended tokens are ignored."""
    if not token:
        return
    with store.begin() as conn:
        row = conn.execute(sa.select(sessions.c.username).where(sessions.c.token_sha256 == _digest(token),
                                                                sessions.c.ended_at.is_(None))).first()
        if row is None:
            return
        conn.execute(sessions.update().where(sessions.c.token_sha256 == _digest(token)).values(ended_at=now()))
        record(conn, row.username, Action.SIGN_OUT, row.username)


def _label(label: str) -> str:
    """A kiosk token's room name as stored and as looked up again: trimmed, at most 120 characters."""
    return label.strip()[:120]


def issue_kiosk_token(store: Store, actor: str, username: str, label: str) -> str:
    """A read-only token for a meeting-room screen (`/?view=projector&kiosk=TOKEN`), acting as `username` with
    viewing rights only; it does not expire when idle and ends when revoked or the user is disabled."""
    with store.begin() as conn:
        user = get_user(conn, username)
        if user is None:
            raise UserError("unknown_user", username=username[:80])
        token = _new_session(conn, user.username, KIOSK, _label(label) or None)
        record(conn, actor, Action.KIOSK_TOKEN, user.username, {"label": _label(label)})  # never any of the token
    return token


def revoke_kiosk_tokens(store: Store, actor: str, label: str) -> int:
    """End every live kiosk token labelled `label`; returns how many (audited)."""
    with store.begin() as conn:
        done = conn.execute(sessions.update().where(sessions.c.kind == KIOSK, sessions.c.label == _label(label),
                                                    sessions.c.ended_at.is_(None)).values(ended_at=now()))
        record(conn, actor, Action.KIOSK_REVOKE, label, {"ended": done.rowcount})
        return int(done.rowcount)
