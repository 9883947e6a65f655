"""``check``, ``backup``, ``restore``, ``encrypt`` and ``change-passphrase``: keeping the
database file safe."""

from __future__ import annotations

import argparse

from auditapp.cli.prompts import (
    SERVER_FILES,
    db_path,
    new_passphrase,
    passphrase,
    path_arg,
)
from auditapp.errors import PassphraseRequiredError, UserError
from auditapp.storage import backups, encryption
from auditapp.storage.connection import AppDatabase
from auditapp.storage.engine import Database


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``check``, ``backup``, ``restore``, ``encrypt`` and ``change-passphrase``."""
    ck = commands.add_parser("check", help="check integrity, schema version and history chain")
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


def _check(db: Database, _args: argparse.Namespace) -> int:
    from auditapp.services import maintenance

    report = maintenance.check_database(db)
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
    path = db_path(args)
    old = passphrase(args)
    if old is None:
        raise PassphraseRequiredError(f"Give the current passphrase of {path}.")
    rekeyed = encryption.change_passphrase(path, old, new_passphrase(args))
    print(f"Changed the passphrase of {path} and of {len(rekeyed)} backup"
          f"{'s' if len(rekeyed) != 1 else ''}.")
    return 0
