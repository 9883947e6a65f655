"""``users list|add``, ``idle-lock`` and ``council``: profiles and settings."""

from __future__ import annotations

import argparse

from auditapp.cli.prompts import cli_actor
from auditapp.models import Role
from auditapp.storage.engine import Database


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``users``, ``idle-lock`` and ``council``."""
    us = commands.add_parser("users", help="list or add local profiles")
    us_commands = us.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    us_commands.add_parser("list", help="list profiles").set_defaults(handler=_users_list)
    us_add = us_commands.add_parser("add", help="add a profile, or change its role")
    us_add.add_argument("name", metavar="NAME")
    us_add.add_argument("--role", required=True, choices=[r.value for r in Role])
    us_add.set_defaults(handler=_users_add)
    il = commands.add_parser("idle-lock", help="show or set the idle time before the app locks")
    il.add_argument("minutes", type=int, nargs="?", metavar="MINUTES")
    il.set_defaults(handler=_idle_lock)
    cn = commands.add_parser("council", help="show or set the council's name (printed on "
                             "board reports)")
    cn.add_argument("name", nargs="?", metavar="NAME", help="the name; \"\" clears it")
    cn.set_defaults(handler=_council)


def _users_list(db: Database, _args: argparse.Namespace) -> int:
    from auditapp.services.users import list_users

    for user in list_users(db):
        print(f"{user.name:<40} {user.role.value}")
    return 0


def _users_add(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services.users import save_user

    user = save_user(db, args.name, Role(args.role), cli_actor(db))
    print(f"Saved profile {user.name} ({user.role.value})")
    return 0


def _idle_lock(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services import settings

    if args.minutes is not None:
        settings.set_idle_lock_minutes(db, args.minutes, cli_actor(db))
    print(f"The app locks after {settings.idle_lock_minutes(db)} minutes without input.")
    return 0


def _council(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services import settings

    if args.name is not None:
        settings.set_council_name(db, args.name, cli_actor(db))
    name = settings.council_name(db)
    print(f"Council: {name}" if name else "No council name is set.")
    return 0
