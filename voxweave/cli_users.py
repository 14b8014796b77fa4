"""The `voxweave users ...` subcommands: the team's accounts, for admins at the server's terminal.

A new or reset password is read from standard input (--password-stdin) or generated and printed
once. Password hashes are never printed. A refused request (the last admin, a taken or unknown
username, a short password) is one line on standard error and exit code 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from voxweave.accounts import ROLES, AccountError, AccountStore, User, new_password
from voxweave.cli import EXIT_OK, EXIT_USAGE


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Add `users` (with its actions) to the `voxweave` command line."""
    users = subparsers.add_parser("users", help="list, add and manage the web app's accounts (admins)")
    actions = users.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    password = argparse.ArgumentParser(add_help=False)
    password.add_argument("--password-stdin", action="store_true",
                          help="read the password from standard input (default: generate one and print it once)")

    actions.add_parser("list", help="every account: username, name, role, whether disabled")
    add = actions.add_parser("add", parents=[password], help="create an account")
    add.add_argument("username", help="2-32 characters: lower-case letters, digits, '.', '_' or '-'")
    add.add_argument("--name", default="", help="the name shown in the app (default: the username)")
    add.add_argument("--role", default="member", choices=ROLES)
    reset = actions.add_parser("reset", parents=[password], help="give an account a new password")
    reset.add_argument("username")
    for action, text in (("disable", "stop an account from logging in (its jobs are kept)"),
                         ("enable", "let a disabled account log in again")):
        actions.add_parser(action, help=text).add_argument("username")
    role = actions.add_parser("role", help="make an account an admin or a member")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)


def _store() -> AccountStore:
    from voxweave.config import Settings

    return AccountStore.from_settings(Settings())


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """The password to set and whether it was generated (and so must be shown)."""
    if not args.password_stdin:
        return new_password(), True
    if sys.stdin.isatty():
        return getpass.getpass("password: "), False
    return sys.stdin.readline().rstrip("\r\n"), False


def _show_once(username: str, password: str) -> None:
    print(f"password for {username}: {password}")
    print("(shown once: pass it on now; it can be changed in Settings or with `voxweave users reset`)")


def _line(user: User) -> str:
    return f"{user.username:20s} {user.name:28s} {user.role:7s} {'disabled' if user.disabled else 'active'}"


def cmd_users(args: argparse.Namespace) -> int:
    store = _store()
    username = getattr(args, "username", "").strip().lower()
    try:
        if args.user_action == "list":
            print(f"{'USERNAME':20s} {'NAME':28s} {'ROLE':7s} STATUS")
            for user in store.users():
                print(_line(user))
        elif args.user_action in ("add", "reset"):
            password, generated = _password(args)
            if args.user_action == "add":
                print(_line(store.add(username, args.name, password, role=args.role)))
            else:
                store.set_password(username, password)
                print(f"new password set for {username}")
            if generated:
                _show_once(username, password)
        elif args.user_action in ("disable", "enable"):
            store.set_disabled(username, args.user_action == "disable")
            print(_line(_get(store, username)))
        elif args.user_action == "role":
            store.set_role(username, args.role)
            print(_line(_get(store, username)))
        return EXIT_OK
    except AccountError as e:
        print(f"voxweave: {e}", file=sys.stderr)
        return EXIT_USAGE


def _get(store: AccountStore, username: str) -> User:
    user = store.get(username)
    if user is None:
        raise AccountError(f"there is no user {username!r}")
    return user


USER_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "users": cmd_users,
}
