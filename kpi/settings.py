"""Access settings an administrator can change (anonymous viewing, idle time, lock-out), kept in the database
so that every app server reads the same values."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kpi.audit import Action, record
from kpi.store import Store, meta

_PREFIX = "setting:"
_TRUE, _FALSE = ("on", "true", "yes", "1", "bật", "có"), ("off", "false", "no", "0", "tắt", "không")


@dataclass(frozen=True)
class Settings:
    """`anonymous_viewing`: dashboards and the projector open without signing in; `idle_minutes`: a session
    ends after this many minutes without a request; `max_failures` wrong passwords in a row lock an account for
    `lockout_minutes`."""

    anonymous_viewing: bool = True
    idle_minutes: int = 30
    max_failures: int = 5
    lockout_minutes: int = 15


#: The allowed range of each whole-number setting (minutes, attempts).
BOUNDS = {"idle_minutes": (1, 24 * 60), "max_failures": (1, 100), "lockout_minutes": (1, 24 * 60)}
NAMES = tuple(f.name for f in fields(Settings))


class SettingError(ValueError):
    """A setting that does not exist or a value outside its range; `code` names it for i18n."""

    def __init__(self, code: str, name: str, value: str = "") -> None:
        super().__init__(f"{code}: {name}={value}")
        self.code, self.name, self.value = code, name, value


def load_settings(conn: Connection) -> Settings:
    """The settings in the store (defaults for those never set)."""
    rows = conn.execute(sa.select(meta.c.key, meta.c.value).where(meta.c.key.startswith(_PREFIX))).all()
    values: dict[str, object] = {}
    for key, text in rows:
        name = key[len(_PREFIX):]
        if name in NAMES:
            values[name] = _parse(name, text)
    return replace(Settings(), **values)


def _parse(name: str, text: str) -> bool | int:
    if name not in NAMES:
        raise SettingError("unknown_setting", name, text)
    if name == "anonymous_viewing":
        word = text.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise SettingError("bad_setting", name, text)
    try:
        number = int(text.strip())
    except ValueError:
        raise SettingError("bad_setting", name, text) from None
    low, high = BOUNDS[name]
    if not low <= number <= high:
        raise SettingError("bad_setting", name, text)
    return number


def change_setting(store: Store, actor: str, name: str, value: str) -> Settings:
    """Set `name` to `value` (text as typed: `on`/`off`, a number of minutes), recorded in the audit; returns
    the settings now in force. Raises SettingError for an unknown name or a value outside its range."""
    parsed = _parse(name, value)
    stored = ("on" if parsed else "off") if isinstance(parsed, bool) else str(parsed)
    with store.begin() as conn:
        before = load_settings(conn)
        conn.execute(meta.delete().where(meta.c.key == _PREFIX + name))
        conn.execute(meta.insert().values(key=_PREFIX + name, value=stored))
        record(conn, actor, Action.SETTING, name, {"from": getattr(before, name), "to": parsed})
        return load_settings(conn)
