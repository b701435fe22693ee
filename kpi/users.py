"""Users: who they are, their roles and units, enabled or not. Every change is audited and raises the data
version (what a user may write changes what a checked file may commit)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.access import Actor, Refused, Role
from kpi.audit import Action, record
from kpi.store import Store, bump_data_version, now, user_roles, user_units, users

if TYPE_CHECKING:
    import pandas as pd

#: Lower-case letters, digits and . _ -, starting with a letter or digit: safe in URLs, logs and file names.
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}$")


class UserError(Refused):
    """A user change that cannot be made (message `user.<code>`)."""


@dataclass(frozen=True)
class UserRecord:
    """A stored user, without the password hash."""

    username: str
    display_name: str
    email: str | None
    roles: frozenset[Role]
    units: frozenset[str]
    disabled: bool

    def actor(self, *, kiosk: bool = False) -> Actor:
        """The user as an `Actor` (a kiosk screen may only view)."""
        roles = frozenset({Role.VIEWER}) if kiosk else self.roles
        return Actor(self.username, roles, self.units, kiosk=kiosk, signed_in=True, display_name=self.display_name)


def normalise_username(name: str) -> str:
    """`name` trimmed and lower-cased; UserError('bad_username') unless it is 2–64 of a-z 0-9 . _ -."""
    cleaned = name.strip().lower()
    if not USERNAME.match(cleaned):
        raise UserError("bad_username", name=name[:80])
    return cleaned


def _roles(names: list[str] | tuple[str, ...]) -> frozenset[Role]:
    try:
        return frozenset(Role(n.strip().lower()) for n in names)
    except ValueError:
        raise UserError("bad_role", roles=", ".join(names), allowed=", ".join(r.value for r in Role)) from None


def _units(codes: list[str] | tuple[str, ...], known: set[str]) -> frozenset[str]:
    cleaned = frozenset(c.strip().upper() for c in codes)
    unknown = sorted(cleaned - known)
    if unknown:
        raise UserError("unknown_units", units=", ".join(unknown))
    return cleaned


def get_user(conn: Connection, username: str) -> UserRecord | None:
    """The stored user called `username` (case-insensitive), or None."""
    row = conn.execute(sa.select(users).where(users.c.username == username.strip().lower())).first()
    if row is None:
        return None
    roles = conn.execute(sa.select(user_roles.c.role).where(user_roles.c.username == row.username)).scalars().all()
    units = conn.execute(sa.select(user_units.c.unit_code).where(user_units.c.username == row.username)).scalars().all()
    return UserRecord(row.username, row.display_name, row.email, frozenset(Role(r) for r in roles),
                      frozenset(units), bool(row.disabled))


def user_by_email(conn: Connection, email: str) -> UserRecord | None:
    """The enabled user whose e-mail is `email` (case-insensitive), or None: how an OpenID Connect sign-in maps
    to roles."""
    name = conn.execute(sa.select(users.c.username).where(sa.func.lower(users.c.email) == email.strip().lower(),
                                                          users.c.disabled.is_(False))).scalar()
    return get_user(conn, name) if name else None


def list_users(conn: Connection) -> pd.DataFrame:
    """Every user: username, display_name, email, roles and units (comma-separated), disabled, locked_until
    (UTC), created_at (UTC). No password hash."""
    import pandas as pd

    rows = conn.execute(sa.select(users.c.username, users.c.display_name, users.c.email, users.c.disabled,
                                  users.c.locked_until, users.c.created_at).order_by(users.c.username)).all()
    roles = conn.execute(sa.select(user_roles.c.username, user_roles.c.role)).all()
    units = conn.execute(sa.select(user_units.c.username, user_units.c.unit_code)).all()
    frame = pd.DataFrame(rows, columns=["username", "display_name", "email", "disabled", "locked_until",
                                        "created_at"])
    order = {r.value: n for n, r in enumerate(Role)}
    frame.insert(3, "roles", [", ".join(sorted((r for u, r in roles if u == name), key=order.__getitem__))
                              for name in frame["username"]])
    frame.insert(4, "units", [", ".join(sorted(c for u, c in units if u == name)) for name in frame["username"]])
    return frame


def _replace_links(conn: Connection, username: str, roles: frozenset[Role], units: frozenset[str]) -> None:
    conn.execute(user_roles.delete().where(user_roles.c.username == username))
    conn.execute(user_units.delete().where(user_units.c.username == username))
    if roles:
        conn.execute(user_roles.insert(), [{"username": username, "role": r.value} for r in sorted(roles)])
    if units:
        conn.execute(user_units.insert(), [{"username": username, "unit_code": c} for c in sorted(units)])


def _check_email_free(conn: Connection, email: str | None, username: str) -> None:
    """UserError('email_taken') when another user has `email` (case-insensitive): an organisation sign-in by
    e-mail must map to one user only."""
    if not email:
        return
    other = conn.execute(sa.select(users.c.username).where(sa.func.lower(users.c.email) == email.strip().lower(),
                                                           users.c.username != username)).first()
    if other is not None:
        raise UserError("email_taken", email=email[:80])


def _check_analyst(roles: frozenset[Role], units: frozenset[str]) -> None:
    if Role.ANALYST in roles and not units:
        raise UserError("analyst_needs_unit")


def add_user(store: Store, actor: str, username: str, *, roles: list[str], units: list[str], known_units: set[str],
             display_name: str = "", email: str | None = None, password_hash: str | None = None) -> UserRecord:
    """Create a user (audited). `known_units` are the plans' unit codes. Raises UserError for a bad or taken
    name, an unknown role or unit, an analyst without a unit, or a malformed e-mail."""
    username = normalise_username(username)
    role_set, unit_set = _roles(roles), _units(units, known_units)
    if not role_set:
        raise UserError("no_role")
    _check_analyst(role_set, unit_set)
    if email is not None and not EMAIL.match(email.strip()):
        raise UserError("bad_email", email=email[:80])
    with store.begin() as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise UserError("user_exists", username=username)
        _check_email_free(conn, email, username)
        conn.execute(users.insert().values(username=username, display_name=(display_name.strip() or username)[:200],
                                           email=email.strip() if email else None, password_hash=password_hash,
                                           disabled=False, failed_signins=0, created_at=now()))
        _replace_links(conn, username, role_set, unit_set)
        record(conn, actor, Action.USER_ADD, username, {"roles": sorted(role_set), "units": sorted(unit_set),
                                                        "email": email})
        bump_data_version(conn)
        return get_user(conn, username)  # type: ignore[return-value]


def change_user(store: Store, actor: str, username: str, *, roles: list[str] | None = None,
                units: list[str] | None = None, known_units: set[str] | None = None,
                display_name: str | None = None, email: str | None = None) -> UserRecord:
    """Change a user's roles, units, display name or e-mail (only those given; audited, from → to)."""
    with store.begin() as conn:
        user = get_user(conn, username)
        if user is None:
            raise UserError("unknown_user", username=username[:80])
        role_set = _roles(roles) if roles is not None else user.roles
        unit_set = _units(units, known_units or set()) if units is not None else user.units
        if not role_set:
            raise UserError("no_role")
        _check_analyst(role_set, unit_set)
        values: dict[str, object] = {}
        if display_name is not None:
            values["display_name"] = display_name.strip()[:200] or user.username
        if email is not None:
            if email and not EMAIL.match(email.strip()):
                raise UserError("bad_email", email=email[:80])
            _check_email_free(conn, email, user.username)
            values["email"] = email.strip() or None
        if values:
            conn.execute(users.update().where(users.c.username == user.username).values(**values))
        _replace_links(conn, user.username, role_set, unit_set)
        record(conn, actor, Action.USER_CHANGE, user.username,
               {"roles": [sorted(user.roles), sorted(role_set)], "units": [sorted(user.units), sorted(unit_set)],
                **{k: [getattr(user, k), v] for k, v in values.items()}})
        bump_data_version(conn)
        return get_user(conn, user.username)  # type: ignore[return-value]


def set_disabled(store: Store, actor: str, username: str, disabled: bool) -> None:
    """Disable (or enable again) a user; a disabled user's sessions and kiosk tokens end at once (audited)."""
    from kpi.store import sessions

    with store.begin() as conn:
        user = get_user(conn, username)
        if user is None:
            raise UserError("unknown_user", username=username[:80])
        if disabled and user.username == actor:
            raise UserError("not_yourself")
        conn.execute(users.update().where(users.c.username == user.username)
                     .values(disabled=disabled, failed_signins=0, locked_until=None))
        if disabled:
            conn.execute(sessions.update().where(sessions.c.username == user.username, sessions.c.ended_at.is_(None))
                         .values(ended_at=now()))
        record(conn, actor, Action.USER_DISABLE if disabled else Action.USER_ENABLE, user.username)
        bump_data_version(conn)
