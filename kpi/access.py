"""Who may do what: roles, what each role permits, and which units an analyst may write for.

This module is the one place those rules are written; the app's frame, the upload pipeline, undo, approvals and
the CLI all ask it. It holds no database code: `kpi.users` stores users, `kpi.approval` stores locks.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from kpi.plan import Plan, governing_plans


class Role(StrEnum):
    """A role a user holds; a user may hold several."""

    VIEWER = "viewer"  # dashboards and the projector
    ANALYST = "analyst"  # uploads (and undoes their own uploads) for their units and those units' children
    APPROVER = "approver"  # approves (locks) and reopens quarters
    ADMIN = "admin"  # users, settings, the audit, and everything the others may do


class Permission(StrEnum):
    """Something a page or a command needs."""

    VIEW = "view"
    UPLOAD = "upload"
    APPROVE = "approve"
    ADMIN = "admin"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.ANALYST: frozenset({Permission.VIEW, Permission.UPLOAD}),
    Role.APPROVER: frozenset({Permission.VIEW, Permission.APPROVE}),
    Role.ADMIN: frozenset(Permission),
}

class Refused(ValueError):
    """Something the rules refuse (a user change, an approval): `code` names the reason for i18n (its message is
    `<area>.<code>` in the catalogue), `params` fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code}: {params}")
        self.code, self.params = code, params


#: The name an anonymous viewer has in the audit.
ANONYMOUS = "(anonymous)"


@dataclass(frozen=True)
class Actor:
    """Someone acting on the store: a signed-in user, an anonymous viewer, a kiosk screen, or the local
    administrator (the CLI without `--as`). `units` are the units an analyst is bound to (their children are
    included by `WriteRights`)."""

    name: str
    roles: frozenset[Role] = frozenset()
    units: frozenset[str] = frozenset()
    local: bool = False  # the machine's own administrator (CLI without --as): every permission
    kiosk: bool = False  # a meeting-room screen signed in by its token: viewing only
    signed_in: bool = False
    display_name: str = ""
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        granted: set[Permission] = set()
        for role in self.roles:
            granted |= ROLE_PERMISSIONS[role]
        if self.local:
            granted = set(Permission)
        object.__setattr__(self, "permissions", frozenset(granted))

    @classmethod
    def local_admin(cls, name: str) -> Actor:
        """The operating-system user running the CLI without `--as`: acts as administrator, as before sign-in
        existed (whoever can run commands on the server can already open the database file)."""
        return cls(name=name, local=True, signed_in=True, display_name=name)

    @classmethod
    def anonymous(cls, may_view: bool) -> Actor:
        """A visitor who has not signed in; may view the dashboards when the settings allow it."""
        return cls(name=ANONYMOUS, roles=frozenset({Role.VIEWER}) if may_view else frozenset())

    @property
    def is_admin(self) -> bool:
        """True for an administrator (or the local administrator)."""
        return Permission.ADMIN in self.permissions

    def may(self, permission: Permission) -> bool:
        """True when the actor holds `permission`."""
        return permission in self.permissions

    def may_undo(self, author: str | None) -> bool:
        """True when the actor may undo an upload made by `author` (a username; None for uploads made before
        sign-in existed): administrators any, analysts only their own."""
        if self.is_admin:
            return True
        return self.may(Permission.UPLOAD) and author is not None and author == self.name


def whoami() -> str:
    """The operating-system user running the command ('unknown' when there is none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def descendants(plan: Plan, roots: Iterable[str]) -> set[str]:
    """The unit codes of `roots` and every unit below them in `plan`'s tree (codes unknown to the plan are
    kept as given, so a unit bound to an analyst still counts in a year whose registry lacks it)."""
    return set().union(*(plan.subtree(root) for root in roots))


class WriteRights:
    """Which units `actor` may send figures for: every unit for an administrator; for an analyst their units and
    the units below them in the tree of the plan that governs the figure's year (a unit that moves under another
    parent next year is not theirs this year); none for anyone without the upload permission."""

    def __init__(self, actor: Actor, plans: dict[int, Plan]) -> None:
        self.actor = actor
        self._governing = governing_plans(plans)
        self._by_year: dict[int, set[str]] = {}

    @property
    def everything(self) -> bool:
        """True when every unit is allowed (an administrator)."""
        return self.actor.is_admin

    def allows(self, unit: str, year: int) -> bool:
        """True when the actor may write a figure of `unit` for a period of `year`."""
        if self.actor.is_admin:
            return True
        if not self.actor.may(Permission.UPLOAD):
            return False
        if year not in self._by_year:
            plan = self._governing.get(year)
            self._by_year[year] = descendants(plan, self.actor.units) if plan else set(self.actor.units)
        return unit in self._by_year[year]
