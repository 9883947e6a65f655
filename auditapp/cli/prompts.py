"""What every command shares: argument types, the command line's actor, passphrases read from
a file, the environment or a prompt, and progress on stderr.

Passphrases are never taken on the command line itself (other users can read a process's
arguments, and shells keep them in their history).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from auditapp.errors import UserError
from auditapp.rules.limits import PASSPHRASE_CHARS, date_problem
from auditapp.rules.permissions import Actor
from auditapp.storage.engine import Database
from auditapp.storage.paths import default_db_path, is_server_url

EXIT_USER_ERROR = 2
#: The largest number a command takes (a database's record numbers are 32-bit on PostgreSQL).
MAX_NUMBER = 2**31 - 1
PASSPHRASE_ENV = "AUDITAPP_PASSPHRASE"
NEW_PASSPHRASE_ENV = "AUDITAPP_NEW_PASSPHRASE"
BUNDLE_PASSPHRASE_ENV = "AUDITAPP_BUNDLE_PASSPHRASE"
SERVER_FILES = ("Backups, restores and passphrases are for database files. A shared "
                "PostgreSQL database is backed up, restored and encrypted by its server "
                "(pg_dump, the server's disk encryption): ask whoever runs it.")


def login() -> str:
    """The operating system login that names the command line's profile."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def cli_actor(db: Database) -> Actor:
    """Who the history names for changes made from the command line: the profile
    ``<login> (command line)``, a practice lead (made if need be)."""
    from auditapp.services.users import command_line_profile  # the ORM: not for every command

    return command_line_profile(db, login())


def date_arg(text: str) -> date:
    """An argument type: a date as YYYY-MM-DD, from 1900 to 2100."""
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a date (use YYYY-MM-DD)") from None
    problem = date_problem("the date", value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def path_arg(text: str) -> Path:
    """An argument type: a file name (never with a NUL, which no file system takes)."""
    if "\x00" in text:
        raise argparse.ArgumentTypeError("a file name cannot contain a NUL character")
    return Path(text)


def db_location_arg(text: str) -> Path | str:
    """A database file, or a database server's SQLAlchemy URL (kept as text)."""
    return text if is_server_url(text) else path_arg(text)


def positive_arg(text: str) -> int:
    """An argument type: a whole number of 1 or more."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= number <= MAX_NUMBER:
        raise argparse.ArgumentTypeError(f"{text[:40]} must be from 1 to {MAX_NUMBER:,}")
    return number


def report_progress(progress: Iterator[tuple[int, int]], what: str) -> None:
    """Run a generator of progress to the end, showing it on stderr at a terminal."""
    interactive = sys.stderr.isatty()
    for done, total in progress:
        if interactive:
            print(f"\r{what}: {done}/{total}", end="", file=sys.stderr, flush=True)
    if interactive:
        print(file=sys.stderr)


def _checked_secret(secret: str, where: str) -> str:
    """A passphrase as read, refused when it could not be one: too long, or holding a control
    character (a NUL cannot even reach SQLCipher)."""
    if len(secret) > PASSPHRASE_CHARS:
        raise UserError(f"The passphrase in {where} is longer than {PASSPHRASE_CHARS:,} "
                        "characters: is it the right file?")
    if any(unicodedata.category(c) == "Cc" for c in secret):
        raise UserError(f"The passphrase in {where} holds a control character (such as a NUL "
                        "byte or a tab), which no passphrase has: is it the right file?")
    return secret


def _first_line(file: Path) -> str:
    """The first line of a passphrase file, reading no more than a passphrase can need."""
    try:
        with file.open("rb") as handle:
            head = handle.read(4 * PASSPHRASE_CHARS + 2)
    except OSError as exc:
        raise UserError(f"Cannot read the passphrase file {file}: "
                        f"{exc.strerror or exc}") from None
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return line.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"The passphrase file {file} is not UTF-8 text.") from None


def read_secret(file: Path | None, env: str, prompt: str | None) -> str | None:
    """A passphrase from a file (its first line), else the environment, else a prompt at a
    terminal."""
    if file is not None:
        return _checked_secret(_first_line(file), f"the file {file}")
    if os.environ.get(env):
        return _checked_secret(os.environ[env], env)
    if prompt is not None and sys.stdin is not None and sys.stdin.isatty():
        return _checked_secret(getpass.getpass(prompt), "what was typed")
    return None


def passphrase(args: argparse.Namespace, prompt: bool = False) -> str | None:
    """The database passphrase, from ``--passphrase-file``, the environment or (asked) a
    prompt."""
    return read_secret(args.passphrase_file, PASSPHRASE_ENV, "Passphrase: " if prompt else None)


def new_passphrase(args: argparse.Namespace) -> str:
    """A new database passphrase, typed twice when it comes from a prompt."""
    secret = read_secret(args.new_passphrase_file, NEW_PASSPHRASE_ENV, "New passphrase: ")
    if secret is None:
        raise UserError(f"Give the new passphrase in a file (--new-passphrase-file) or in "
                        f"{NEW_PASSPHRASE_ENV}, or run this at a terminal to be asked.")
    if args.new_passphrase_file is None and not os.environ.get(NEW_PASSPHRASE_ENV) \
            and getpass.getpass("Again: ") != secret:
        raise UserError("The two passphrases differ; nothing was changed.")
    from auditapp.storage.encryption import check_new_passphrase

    return check_new_passphrase(secret)


#: The options whose files a command reads: an ``--out`` naming one of them is refused.
READ_OPTIONS = {"passphrase_file": "--passphrase-file",
                "new_passphrase_file": "--new-passphrase-file",
                "bundle_passphrase_file": "--bundle-passphrase-file", "file": "FILE",
                "against": "--against"}


def refuse_output_over_inputs(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` that names a file the same command reads: ``bundle export --out
    pass.txt --bundle-passphrase-file pass.txt`` wrote the bundle over the passphrase file
    (found by the deep command-line fuzz run), which may be the only copy of the database's
    passphrase."""
    out = getattr(args, "out", None)
    if out is None:
        return
    target = os.path.abspath(os.path.expanduser(out))
    for attribute, option in READ_OPTIONS.items():
        value = getattr(args, attribute, None)
        for path in value if isinstance(value, list) else [value]:
            if path is not None and os.path.abspath(os.path.expanduser(path)) == target:
                raise UserError(f"--out {out} is the file given as {option}, which this "
                                "command reads; auditapp never writes over it. Give another "
                                "file name. Nothing was changed.")


def db_path(args: argparse.Namespace) -> Path:
    """The database file a command works on (refusing a server URL: it has no file)."""
    if is_server_url(args.db or ""):
        raise UserError(SERVER_FILES)
    return Path(args.db or default_db_path()).expanduser().resolve()
