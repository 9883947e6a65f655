"""The command line's entry point: parse, open the database, run one command, and turn any
user error into one line on stderr with exit status 2 (never a traceback)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from auditapp.cli.parser import build_parser
from auditapp.cli.prompts import EXIT_USER_ERROR, PASSPHRASE_ENV, passphrase
from auditapp.errors import PassphraseRequiredError, UserError
from auditapp.services import templates
from auditapp.storage import backups
from auditapp.storage.connection import AppDatabase
from auditapp.storage.database import is_server_url, open_database
from auditapp.storage.paths import default_db_path


def open_for_cli(path: Path | str | None, args: argparse.Namespace | None = None
                 ) -> AppDatabase:
    """Open the named (or default) database and make sure the shipped templates are in it.

    An encrypted database is opened with the passphrase from ``--passphrase-file`` or
    ``AUDITAPP_PASSPHRASE``, or one asked for at a terminal."""
    path = path or default_db_path()
    secret = passphrase(args) if args is not None and not is_server_url(path) else None
    # Scripts run many commands: the daily backup below, not a full copy on every command.
    try:
        db = open_database(path, secret, backup=False)
    except PassphraseRequiredError as exc:
        asked = passphrase(args, prompt=True) if args is not None else None
        if asked is None:
            raise PassphraseRequiredError(
                f"{exc} Use --passphrase-file FILE or set {PASSPHRASE_ENV}.") from None
        db = open_database(path, asked, backup=False)
    if db.path is not None:  # a server database is backed up by its server
        try:
            damaged = backups.checked_backup(db, "daily")
        except UserError as exc:
            db.warnings.append(f"The daily backup failed: {exc}")
        else:
            if damaged:
                db.warnings.append(damaged)
    for warning in db.warnings:
        print(f"auditapp: warning: {warning}", file=sys.stderr)
    templates.install_shipped_templates(db)
    return db


def run(argv: Sequence[str] | None = None,
        start_gui: Callable[[Path | str | None], int] | None = None) -> int:
    """Run one command; with none, hand over to ``start_gui``. Returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        if start_gui is None:
            build_parser().print_help()
            return 0
        return start_gui(args.db)
    db = open_for_cli(args.db, args) if getattr(args, "needs_db", True) else None
    try:
        return int(args.handler(db, args))
    finally:
        if db is not None:
            db.dispose()


def main_cli(argv: Sequence[str] | None = None,
             start_gui: Callable[[Path | str | None], int] | None = None) -> int:
    """:func:`run`, with user errors printed as clear messages rather than tracebacks."""
    try:
        return run(argv, start_gui)
    except SystemExit as exc:  # argparse: --help, --version, or a usage error (already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    except UserError as exc:
        print(f"auditapp: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("auditapp: interrupted", file=sys.stderr)
        return 130
