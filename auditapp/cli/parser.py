"""The argument parser: global options, then each command group's own commands."""

from __future__ import annotations

import argparse

from auditapp import __version__
from auditapp.cli import (
    audits,
    board_reports,
    bundles,
    maintenance,
    programme,
    reports,
    settings,
    templates,
)
from auditapp.cli.bundles import SUFFIX
from auditapp.cli.prompts import PASSPHRASE_ENV, db_location_arg, path_arg
from auditapp.storage.paths import default_db_path

#: The global options that take a value (what follows them is no command).
OPTIONS_WITH_A_VALUE = ("--db", "--passphrase-file")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="auditapp", description="Case file audits of care leavers' pathway plans.",
        usage="%(prog)s [-h] [--version] [--db PATH] [--passphrase-file FILE] "
              "[COMMAND ... | BUNDLE]",
        epilog=f"With no command the desktop app opens; with a bundle file (*{SUFFIX}) in "
               "place of a command it opens and offers to import that bundle.")
    parser.add_argument("--version", action="version", version=f"auditapp {__version__}")
    parser.add_argument("--db", type=db_location_arg, metavar="PATH",
                        help=f"database file (default: {default_db_path()}), or the URL of a "
                             "shared PostgreSQL database (postgresql+psycopg://user@host/name)")
    parser.add_argument("--passphrase-file", type=path_arg, metavar="FILE",
                        help=f"read the database passphrase from FILE (or set {PASSPHRASE_ENV}; "
                             "at a terminal auditapp asks)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    templates.add_commands(commands)
    reports.add_commands(commands)
    maintenance.add_commands(commands)
    audits.add_commands(commands)
    maintenance.add_encryption_commands(commands)
    settings.add_commands(commands)
    audits.add_workflow_commands(commands)
    reports.add_export_commands(commands)
    board_reports.add_commands(commands)
    bundles.add_commands(commands)
    programme.add_commands(commands)
    return parser
