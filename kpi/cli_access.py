"""The `kpi` commands about people and approvals: users, approve, reopen, locks, audit, settings; and who a
command acts as (`--as USER` or $KPI_USER; without either, the local administrator)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from datetime import datetime

from kpi.access import Actor, Permission, Role, whoami
from kpi.i18n import t
from kpi.store import Store

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
USER_ENV = "KPI_USER"


class ActorError(Exception):
    """`--as` names a user who does not exist or is disabled."""


def add_actor_option(parser: argparse.ArgumentParser) -> None:
    """`--as USER` on a command's parser."""
    parser.add_argument("--as", dest="as_user", metavar="USER",
                        help=f"act as this user, with their rights (default: ${USER_ENV}, else the local "
                             "administrator)")


def command_actor(args: argparse.Namespace, store: Store) -> Actor:
    """Who the command acts as: the user `--as` (or $KPI_USER) names, else the local administrator (whoever
    runs commands on the server can already open its database). Raises ActorError for an unknown or disabled
    user."""
    from kpi.users import get_user

    name = getattr(args, "as_user", None) or os.environ.get(USER_ENV)
    if not name:
        return Actor.local_admin(whoami())
    with store.connect() as conn:
        user = get_user(conn, name)
    if user is None or user.disabled:
        raise ActorError(name)
    return user.actor()


def add_parsers(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """The access commands' parsers."""
    users = sub.add_parser("users", parents=[common], help="users: add, list, change, set-password, disable, "
                           "enable, kiosk, revoke-kiosk")
    verbs = users.add_subparsers(dest="verb", required=True)
    add = verbs.add_parser("add", parents=[common], help="add a user (prompts for the password)")
    add.add_argument("name")
    _role_unit_options(add, required=True)
    add.add_argument("--display-name", default="", help="the name shown in the app")
    add.add_argument("--email", help="maps a sign-in through OpenID Connect to this user")
    _password_options(add)
    add.add_argument("--no-password", action="store_true", help="no password: signs in only through OpenID "
                     "Connect (by e-mail)")
    listing = verbs.add_parser("list", parents=[common], help="every user with roles and units")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")
    change = verbs.add_parser("change", parents=[common], help="replace a user's roles and/or units")
    change.add_argument("name")
    _role_unit_options(change, required=False)
    change.add_argument("--display-name")
    change.add_argument("--email")
    password = verbs.add_parser("set-password", parents=[common], help="set a password (prompts; never on the "
                                "command line)")
    password.add_argument("name")
    _password_options(password)
    for verb in ("disable", "enable"):
        verbs.add_parser(verb, parents=[common], help=f"{verb} a user").add_argument("name")
    kiosk = verbs.add_parser("kiosk", parents=[common], help="a read-only token for a meeting-room screen")
    kiosk.add_argument("name", help="the user the screen signs in as (viewing only)")
    kiosk.add_argument("--label", required=True, help="the room, e.g. 'Phong hop tang 2'")
    revoke = verbs.add_parser("revoke-kiosk", parents=[common], help="end every kiosk token with this label")
    revoke.add_argument("--label", required=True)

    approve = sub.add_parser("approve", parents=[common], help="approve (lock) a quarter")
    approve.add_argument("period", help="a quarter, e.g. 2024-Q3")
    approve.add_argument("--unit", help="unit code (default: every unit)")
    approve.add_argument("--with-children", action="store_true", help="the unit and every unit below it")
    reopen = sub.add_parser("reopen", parents=[common], help="reopen an approved quarter (a reason is required)")
    reopen.add_argument("lock_id", type=int, metavar="APPROVAL_ID")
    reopen.add_argument("--reason", required=True)
    locks = sub.add_parser("approvals", parents=[common], help="every approval, reopened ones included")
    locks.add_argument("--format", choices=("table", "csv", "json"), default="table")

    audit = sub.add_parser("audit", parents=[common], help="the audit: who did what, when")
    audit.add_argument("--since", type=_date, help="from this day (YYYY-MM-DD, Vietnam time) on")
    audit.add_argument("--user", help="rows by or about this user")
    audit.add_argument("--action", help="one kind of row (sign_in, upload, undo, approve, reopen, …)")
    audit.add_argument("--limit", type=int, default=None)
    audit.add_argument("--format", choices=("table", "csv", "json"), default="table")

    settings = sub.add_parser("settings", parents=[common], help="show the access settings, or set one")
    settings.add_argument("name", nargs="?", help="anonymous_viewing, idle_minutes, max_failures, "
                          "lockout_minutes")
    settings.add_argument("value", nargs="?", help="on/off, or a number of minutes or attempts")


def _role_unit_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument("--role", action="append", required=required, choices=[r.value for r in Role],
                        help="a role (repeat for several)")
    parser.add_argument("--unit", action="append", help="a unit an analyst reports for (repeat for several)")


def _password_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--password-stdin", action="store_true", help="read the password from the first line of "
                        "standard input (for scripts; it never appears on the command line)")


def _date(text: str) -> datetime:
    from kpi.fmt import vietnam_day_start

    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError("YYYY-MM-DD") from None
    return vietnam_day_start(day)


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(t("cli.password", args.lang))
    again = getpass.getpass(t("cli.password_again", args.lang))
    if first != again:
        raise _Refused(t("cli.password_mismatch", args.lang))
    return first


class _Refused(Exception):
    pass


def run(args: argparse.Namespace, store_and_plans: Callable[[], tuple]) -> int:
    """Run an access command; returns the exit code."""
    from kpi.approval import ApprovalError
    from kpi.settings import SettingError
    from kpi.users import UserError

    store, plans = store_and_plans()
    try:
        actor = command_actor(args, store)
    except ActorError as exc:
        print(t("cli.unknown_actor", args.lang, user=str(exc)), file=sys.stderr)
        return EXIT_USAGE
    needed = Permission.APPROVE if args.command in ("approve", "reopen") else Permission.ADMIN
    if args.command == "approvals":
        needed = Permission.VIEW
    if not actor.may(needed):
        print(t("cli.not_allowed", args.lang, user=actor.name), file=sys.stderr)
        return EXIT_REFUSED
    try:
        return _HANDLERS[args.command](args, store, plans, actor)
    except UserError as exc:
        print(t(f"user.{exc.code}", args.lang, **exc.params), file=sys.stderr)
    except ApprovalError as exc:
        print(t(f"approval.{exc.code}", args.lang, **exc.params), file=sys.stderr)
    except SettingError as exc:
        print(t(f"setting.{exc.code}", args.lang, name=exc.name, value=exc.value), file=sys.stderr)
    except _Refused as exc:
        print(str(exc), file=sys.stderr)
    return EXIT_REFUSED


def _units(plans: dict) -> set[str]:
    return {u.code for plan in plans.values() for u in plan.units}


def _users(args: argparse.Namespace, store: Store, plans: dict, actor: Actor) -> int:
    from kpi.auth import check_password_rules, hash_password, issue_kiosk_token, revoke_kiosk_tokens, set_password
    from kpi.users import add_user, change_user, list_users, normalise_username, set_disabled

    verb = args.verb
    if verb == "list":
        from kpi.cli import print_frame

        with store.connect() as conn:
            print_frame(list_users(conn), args.format)
        return EXIT_OK
    if verb == "add":
        name = normalise_username(args.name)
        hashed = None
        if not args.no_password:
            password = _read_password(args)
            check_password_rules(name, password)
            hashed = hash_password(password)
        user = add_user(store, actor.name, name, roles=args.role, units=args.unit or [], known_units=_units(plans),
                        display_name=args.display_name, email=args.email, password_hash=hashed)
        print(t("cli.user_added", args.lang, user=user.username, roles=", ".join(sorted(user.roles)),
                units=", ".join(sorted(user.units)) or "—"))
    elif verb == "change":
        user = change_user(store, actor.name, args.name, roles=args.role, units=args.unit,
                           known_units=_units(plans), display_name=args.display_name, email=args.email)
        print(t("cli.user_changed", args.lang, user=user.username, roles=", ".join(sorted(user.roles)),
                units=", ".join(sorted(user.units)) or "—"))
    elif verb == "set-password":
        set_password(store, actor.name, args.name, _read_password(args))
        print(t("cli.password_set", args.lang, user=args.name))
    elif verb in ("disable", "enable"):
        set_disabled(store, actor.name, args.name, verb == "disable")
        print(t(f"cli.user_{verb}d", args.lang, user=args.name))
    elif verb == "kiosk":
        token = issue_kiosk_token(store, actor.name, args.name, args.label)
        print(t("cli.kiosk", args.lang, label=args.label))
        print(f"/?view=projector&kiosk={token}")
    else:
        print(t("cli.kiosk_revoked", args.lang, n=revoke_kiosk_tokens(store, actor.name, args.label),
                label=args.label))
    return EXIT_OK


def _approve(args: argparse.Namespace, store: Store, plans: dict, actor: Actor) -> int:
    from kpi.approval import approve

    lock = approve(store, plans, actor, args.period, args.unit, args.with_children)
    print(t("approval.done", args.lang, lock=lock.id, period=lock.period, unit=lock.unit or "*"))
    return EXIT_OK


def _reopen(args: argparse.Namespace, store: Store, plans: dict, actor: Actor) -> int:
    from kpi.approval import reopen

    lock = reopen(store, actor, args.lock_id, args.reason)
    print(t("approval.reopened", args.lang, lock=lock.id, period=lock.period, unit=lock.unit or "*"))
    return EXIT_OK


def _approvals(args: argparse.Namespace, store: Store, plans: dict, actor: Actor) -> int:
    from kpi.approval import locks_frame
    from kpi.cli import print_frame

    with store.connect() as conn:
        print_frame(locks_frame(conn), args.format)
    return EXIT_OK


def _audit(args: argparse.Namespace, store: Store, plans: dict, actor: Actor) -> int:
    from kpi.audit import audit_frame
    from kpi.cli import print_frame

    with store.connect() as conn:
        frame = audit_frame(conn, since=args.since, user=args.user, action=args.action, limit=args.limit)
    print_frame(frame, args.format)
    return EXIT_OK


def _settings(args: argparse.Namespace, store: Store, plans: dict, actor: Actor) -> int:
    from dataclasses import asdict

    from kpi.settings import change_setting, load_settings

    if args.name is None:
        with store.connect() as conn:
            current = load_settings(conn)
    elif args.value is None:
        raise _Refused(t("setting.value_missing", args.lang, name=args.name))
    else:
        current = change_setting(store, actor.name, args.name, args.value)
    for name, value in asdict(current).items():
        shown = ("on" if value else "off") if isinstance(value, bool) else value
        print(f"{name} = {shown}")
    return EXIT_OK


_HANDLERS = {"users": _users, "approve": _approve, "reopen": _reopen, "approvals": _approvals, "audit": _audit,
             "settings": _settings}
COMMANDS = tuple(_HANDLERS)
