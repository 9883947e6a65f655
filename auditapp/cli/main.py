"""The command line's entry point: parse, open the database, run one command, and turn any
user error into one line on stderr with exit status 2 (never a traceback)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from auditapp.cli.bundles import SUFFIX
from auditapp.cli.parser import OPTIONS_WITH_A_VALUE, build_parser
from auditapp.cli.prompts import (
    EXIT_USER_ERROR,
    PASSPHRASE_ENV,
    cli_actor,
    login,
    passphrase,
    refuse_output_over_inputs,
)
from auditapp.errors import PassphraseRequiredError, UserError
from auditapp.services.command_line import find_command_line_profile
from auditapp.services.shipped_templates import shipped_templates_current
from auditapp.storage import backups
from auditapp.storage.connection import AppDatabase, storage_error
from auditapp.storage.database import open_database
from auditapp.storage.paths import default_db_path, is_server_url

#: The exit status of a fault in auditapp itself (BSD's EX_SOFTWARE); tests fail on it.
EXIT_INTERNAL_ERROR = 70


def open_for_cli(path: Path | str | None, args: argparse.Namespace | None = None
                 ) -> AppDatabase:
    """Open the named (or default) database and make sure the shipped templates and the
    command line's own profile are in it.

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
    _make_ready(db)
    return db


def _make_ready(db: AppDatabase) -> None:
    """Make sure the database holds the shipped templates and the command line's profile.

    Made on opening, not by the first command that writes: a command refused for its input
    then leaves the file as it was (made inside the command, the profile would be a change
    that a refused command makes). Both are looked for first by SQL text, so that a command
    that only reads loads the ORM only the first time (see tests/cli/test_light_imports.py).
    """
    with db.reading() as connection:
        current = shipped_templates_current(connection)
        profile = find_command_line_profile(connection, login())
    if not current:
        from auditapp.services.templates import install_shipped_templates

        install_shipped_templates(db)
    if profile is None:
        cli_actor(db)


@dataclass(frozen=True)
class GuiStart:
    """What the desktop app is asked to do when no command is given."""

    #: The database (a file or a server URL); None for the default file.
    db: Path | str | None = None
    #: A bundle file to offer to import once the app is open (a double-clicked bundle).
    bundle: Path | None = None
    #: ``--smoke-test PROFILE``: open as this profile and close once ready.
    smoke_profile: str | None = None


#: Opens the desktop app as a profile and closes it once it is ready, for the smoke test of
#: the built program (see auditapp.ui.shell.startup_check). Read here, before argparse, so
#: that only this exact spelling starts it (argparse would take any abbreviation, such as
#: "--s"), and left out of --help.
SMOKE_TEST_OPTION = "--smoke-test"


def take_smoke_test(argv: Sequence[str]) -> tuple[list[str], str | None]:
    """Take ``--smoke-test PROFILE`` (or ``--smoke-test=PROFILE``) off the arguments."""
    args, profile = list(argv), None
    for index, arg in enumerate(args):
        if arg == SMOKE_TEST_OPTION and index + 1 < len(args):
            profile = args[index + 1]
            del args[index:index + 2]
            break
        if arg == SMOKE_TEST_OPTION or arg.startswith(f"{SMOKE_TEST_OPTION}="):
            profile = arg.partition("=")[2]
            del args[index]
            break
    if profile is not None and not profile.strip():
        raise UserError(f"{SMOKE_TEST_OPTION} needs the name of a profile.")
    return args, profile


def split_bundle(argv: Sequence[str]) -> tuple[list[str], Path | None]:
    """Take a bundle file given in place of a command (``auditapp FILE.auditbundle``, as the
    Windows file association runs it) off the arguments. The rest are returned as they are
    when the last argument is no bundle file or a command comes before it."""
    args = list(argv)
    if not args or not args[-1].lower().endswith(SUFFIX):
        return args, None
    last, index = len(args) - 1, 0
    while index < last:
        if args[index] in OPTIONS_WITH_A_VALUE:
            index += 1  # its value, which may be the last argument itself
        elif not args[index].startswith("-"):
            return args, None  # a command, whose argument the bundle is
        index += 1
    if index > last:
        return args, None
    return args[:-1], Path(args[-1])


def run(argv: Sequence[str] | None = None,
        start_gui: Callable[[GuiStart], int] | None = None) -> int:
    """Run one command; with none, hand over to ``start_gui``. Returns the exit status."""
    rest, smoke_profile = take_smoke_test(sys.argv[1:] if argv is None else argv)
    rest, bundle = split_bundle(rest)
    args = build_parser().parse_args(rest)
    if args.command is None:
        if bundle is not None and not bundle.is_file():
            raise UserError(f"{bundle}: no such bundle file.")
        if start_gui is None:
            build_parser().print_help()
            return 0
        return start_gui(GuiStart(args.db, bundle, smoke_profile))
    if smoke_profile is not None:
        raise UserError(f"{SMOKE_TEST_OPTION} starts the desktop app: give no command.")
    refuse_output_over_inputs(args)
    db = open_for_cli(args.db, args) if getattr(args, "needs_db", True) else None
    try:
        return int(args.handler(db, args))
    finally:
        if db is not None:
            db.dispose()


def main_cli(argv: Sequence[str] | None = None,
             start_gui: Callable[[GuiStart], int] | None = None) -> int:
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
    except UnicodeDecodeError:
        print("auditapp: error: the database holds text that is not valid UTF-8: it was "
              "damaged or changed. Run 'auditapp check' and restore a good backup.",
              file=sys.stderr)
        return EXIT_USER_ERROR
    except DBAPIError as exc:
        problem = storage_error(exc)
        print(f"auditapp: error: {problem or f'the database failed: {exc.orig}'}",
              file=sys.stderr)
        return EXIT_USER_ERROR
    except Exception as exc:  # a fault of auditapp's own: one line, not a traceback
        print(f"auditapp: internal error: {type(exc).__name__}: {str(exc)[:300]}. This is a "
              "fault in auditapp; please report it with the command you ran.", file=sys.stderr)
        return EXIT_INTERNAL_ERROR
