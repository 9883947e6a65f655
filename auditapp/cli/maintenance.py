"""``check``, ``backup``, ``restore``, ``encrypt`` and ``change-passphrase``: keeping the
database file safe."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from auditapp.cli.prompts import (
    BUNDLE_PASSPHRASE_ENV,
    SERVER_FILES,
    db_path,
    new_passphrase,
    passphrase,
    path_arg,
    read_secret,
)
from auditapp.errors import PassphraseRequiredError, UserError
from auditapp.storage import backups
from auditapp.storage.connection import AppDatabase
from auditapp.storage.engine import Database

if TYPE_CHECKING:
    from auditapp.services.integrity import KeptHead


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``check``, ``backup``, ``restore``, ``encrypt`` and ``change-passphrase``."""
    ck = commands.add_parser("check", help="check integrity, schema version, the history chain "
                                           "and the data it covers")
    ck.add_argument("--against", type=path_arg, metavar="FILE", action="append", default=[],
                    help="also compare the history with the chain head FILE keeps (a backup "
                         "or a bundle of this database); may be given more than once")
    ck.add_argument("--bundle-passphrase-file", type=path_arg, metavar="FILE",
                    help="the passphrase of an encrypted bundle given to --against")
    ck.set_defaults(handler=_check)
    bk = commands.add_parser("backup", help="back up the database now")
    bk.add_argument("--out", type=path_arg, metavar="FILE",
                    help="write the backup here (default: the backups folder)")
    bk.set_defaults(handler=_backup)
    rs = commands.add_parser("restore", help="replace the database with a checked backup")
    rs.add_argument("file", type=path_arg, metavar="FILE")
    rs.set_defaults(handler=_restore, needs_db=False)


def add_encryption_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]
                            ) -> None:
    """``encrypt`` and ``change-passphrase``."""
    en = commands.add_parser("encrypt", help="encrypt the database with a new passphrase")
    en.add_argument("--new-passphrase-file", type=path_arg, metavar="FILE")
    en.add_argument("--confirm", action="store_true",
                    help="after checking the encrypted database, delete its plain backups")
    en.set_defaults(handler=_encrypt, needs_db=False)
    cp = commands.add_parser("change-passphrase", help="change the database's passphrase")
    cp.add_argument("--new-passphrase-file", type=path_arg, metavar="FILE")
    cp.set_defaults(handler=_change_passphrase, needs_db=False)


def _heads(db: Database, args: argparse.Namespace) -> list[KeptHead]:
    from auditapp.services import maintenance

    secret = getattr(db, "passphrase", None)
    bundle_secret = None
    if args.bundle_passphrase_file is not None or os.environ.get(BUNDLE_PASSPHRASE_ENV):
        bundle_secret = read_secret(args.bundle_passphrase_file, BUNDLE_PASSPHRASE_ENV, None)
    return [maintenance.kept_head(path, secret, bundle_secret) for path in args.against]


def _check(db: Database, args: argparse.Namespace) -> int:
    from auditapp.services import maintenance

    report = maintenance.check_database(db, _heads(db, args))
    print(f"Database: {db.location}")
    if db.is_server:
        print("Integrity and foreign keys: kept by the database server")
    else:
        print(f"Integrity: {'; '.join(report.integrity)}")
        print(f"Foreign key problems: {report.foreign_key_problems}")
    print(f"Schema: {report.schema_revision} (this auditapp: {report.code_revision})")
    history = report.history
    print(f"History: {history.entries} entries, "
          f"{'chain intact' if history.ok else f'{len(history.breaks)} BREAKS'}; "
          f"last entry {history.last_seq} hash {history.last_hash}")
    for line in history.breaks:
        print(f"  break: {line}")
    if history.keyed_from is not None:
        keyed = "every entry" if history.keyed_from <= 1 else \
            f"entries from {history.keyed_from} on"
        print(f"History key: {keyed} keyed with this database's passphrase-protected key")
    print(f"Data: {'as its history sealed it' if not report.content else ''}"
          f"{f'{len(report.content)} CHANGED OUTSIDE AUDITAPP' if report.content else ''}")
    for line in report.content:
        print(f"  changed: {line}")
    for source in report.compared:
        print(f"Compared with {source}")
    for line in report.against:
        print(f"  against: {line}")
    if report.unvouched:
        where = "on a database server" if db.is_server else "in a plain (unencrypted) file"
        print(f"Not vouched for: {', '.join(report.unvouched)}. The history does not cover "
              f"them, so {where} a change made outside auditapp leaves no trace for this "
              "check to find" + ("." if db.is_server else
                                 "; an encrypted file refuses any changed page "
                                 "('auditapp encrypt')."))
    print("Result: ok" if report.ok else "Result: PROBLEMS FOUND")
    return 0 if report.ok else 1


def _backup(db: AppDatabase, args: argparse.Namespace) -> int:
    if db.path is None:
        raise UserError(SERVER_FILES)
    if args.out is None:
        made = backups.make_backup(db, "manual").path
    elif args.out.exists():
        raise UserError(f"{args.out} already exists; auditapp never overwrites a file. "
                        "Choose another name.")
    else:
        made = backups.backup_open_database(db, args.out)
    print(f"Backed up {db.path} to {made}{' (encrypted)' if db.encrypted else ''}")
    return 0


def _restore(_db: None, args: argparse.Namespace) -> int:
    path = db_path(args)
    aside = backups.restore_backup(path, args.file, passphrase(args))
    print(f"Restored {args.file} to {path}")
    if aside is not None:
        print(f"The database it replaced is kept as {aside}")
    return 0


def _encrypt(_db: None, args: argparse.Namespace) -> int:
    from auditapp.storage import encryption  # only here: no other command needs it

    path = db_path(args)
    if args.confirm:
        secret = passphrase(args)
        if secret is None:
            raise PassphraseRequiredError(f"Give the passphrase of {path} to confirm it.")
        deleted = encryption.confirm_encryption(path, secret)
        print(f"Deleted {len(deleted)} unencrypted backup{'s' if len(deleted) != 1 else ''} "
              f"of {path}.")
        return 0
    plain = encryption.encrypt_database(path, new_passphrase(args))
    print(f"Encrypted {path}.\nA plain copy is kept at {plain} until you confirm: open "
          "auditapp with the new passphrase, check your audits, then run "
          "'auditapp encrypt --confirm' to delete every unencrypted backup.")
    return 0


def _change_passphrase(_db: None, args: argparse.Namespace) -> int:
    from auditapp.storage import encryption

    path = db_path(args)
    old = passphrase(args)
    if old is None:
        raise PassphraseRequiredError(f"Give the current passphrase of {path}.")
    rekeyed = encryption.change_passphrase(path, old, new_passphrase(args))
    print(f"Changed the passphrase of {path} and of {len(rekeyed)} backup"
          f"{'s' if len(rekeyed) != 1 else ''}.")
    return 0
