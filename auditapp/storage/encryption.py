"""Encryption at rest with SQLCipher: encrypting a plain database, changing the passphrase.

SQLCipher encrypts every page of the file (AES-256, with a key derived from the passphrase by
PBKDF2-HMAC-SHA512) and authenticates each page with an HMAC, so a wrong passphrase or a
tampered page is detected rather than read as garbage. The passphrase is never stored.

These functions work on a database that is not open (each takes the instance lock).
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import sqlcipher3

from auditapp.errors import (
    BackupError,
    DiskFullError,
    UserError,
)
from auditapp.storage.backups import backup_name, check_backup, list_backups
from auditapp.storage.engine import connect_sqlcipher, quote_passphrase
from auditapp.storage.instance_lock import acquire_instance_lock
from auditapp.storage.sqlite_files import (
    ENCRYPTED,
    PLAIN,
    copy_database,
    file_kind,
    inspect_file,
    side_files,
    sqlite_problem,
)

MIN_PASSPHRASE = 10


def check_new_passphrase(passphrase: str) -> str:
    """A new passphrase, checked: long enough, no control characters."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(f"A passphrase needs at least {MIN_PASSPHRASE} characters; a few "
                        "unrelated words are easy to remember and hard to guess.")
    if any(unicodedata.category(c) == "Cc" for c in passphrase):
        raise UserError("A passphrase cannot contain control characters (such as tabs or "
                        "line breaks).")
    return passphrase


def _verify(path: Path, passphrase: str) -> None:
    """Raise WrongPassphraseError unless ``passphrase`` opens ``path``."""
    inspect_file(path, passphrase)


def _table_counts(connection: sqlcipher3.Connection) -> dict[str, int]:
    tables = [r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _copy_failed(exc: BaseException, where: Path) -> UserError:
    if getattr(exc, "errno", None) == 28 or (isinstance(exc, sqlcipher3.Error)
                                             and sqlite_problem(exc) == "full"):
        return DiskFullError(f"The disk holding {where.parent} is full, so the database was "
                             "not encrypted; it is as it was.")
    return BackupError(f"The database was not encrypted ({exc}); it is as it was.")


def encrypt_database(path: Path, passphrase: str) -> Path:
    """Encrypt the plain database at ``path`` in place; returns the plain copy kept.

    The plain copy stays in the backups folder until :func:`confirm_encryption` deletes it
    (with every other plain backup), once the user has seen the encrypted database open.
    The encrypted file is written beside the database, checked (integrity and the row count
    of every table) and only then renamed over it, so a failure leaves the plain file as it was.
    """
    path = path.expanduser().resolve()
    check_new_passphrase(passphrase)
    kind = file_kind(path)
    if kind == ENCRYPTED:
        raise UserError(f"{path} is already encrypted. Use change-passphrase to change its "
                        "passphrase.")
    if kind != PLAIN:
        raise UserError(f"There is no auditapp database at {path} to encrypt.")
    inspect_file(path)
    lock = acquire_instance_lock(path)
    try:
        plain_copy = backup_name(path, "plain")
        staged = path.with_name(path.name + ".encrypting")
        source = connect_sqlcipher(path)
        try:
            source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            counts = _table_counts(source)
            copy_database(source, plain_copy, None, source_encrypted=False)
            copy_database(source, staged, passphrase, source_encrypted=False)
        except (OSError, sqlcipher3.Error) as exc:
            staged.unlink(missing_ok=True)
            raise _copy_failed(exc, path) from exc
        finally:
            source.close()
        _check_copy(staged, passphrase, counts)
        _drop_empty_journal(path)
        os.replace(staged, path)
        return plain_copy
    finally:
        lock.release()


def _drop_empty_journal(path: Path) -> None:
    """Remove the plain file's WAL index and (checkpointed, empty) log, so that they are not
    applied to the encrypted file that takes its place."""
    for side in side_files(path):
        if side.name.endswith("-wal") and side.stat().st_size > 0:
            raise BackupError(f"{side} still holds unsaved pages, so the database was not "
                              "encrypted. Close every copy of auditapp and try again.")
        side.unlink()


def _check_copy(staged: Path, passphrase: str, counts: dict[str, int]) -> None:
    inspect_file(staged, passphrase, thorough=True)
    check = connect_sqlcipher(staged, passphrase)
    try:
        copied = _table_counts(check)
    finally:
        check.close()
    if copied != counts:
        staged.unlink(missing_ok=True)
        raise BackupError("The encrypted copy did not match the database, so nothing was "
                          "changed.")


def pending_plain_copies(path: Path) -> list[Path]:
    """Unencrypted backups of an encrypted database, which :func:`confirm_encryption` removes.

    The UI should remind the user while this is not empty."""
    if file_kind(path) != ENCRYPTED:
        return []
    return [b.path for b in list_backups(path) if file_kind(b.path) == PLAIN]


def confirm_encryption(path: Path, passphrase: str) -> list[Path]:
    """Once the encrypted database has been seen to open, delete every plain backup of it.

    Checks the passphrase first (WrongPassphraseError, nothing deleted). Returns what was
    deleted. Deleting a file does not scrub the disk: see the README.
    """
    path = path.expanduser().resolve()
    _verify(path, passphrase)
    doomed = pending_plain_copies(path)
    for copy in doomed:
        copy.unlink()
    return doomed


def _rekey(path: Path, old: str, new: str) -> None:
    connection = connect_sqlcipher(path, old)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.execute(f"PRAGMA rekey = {quote_passphrase(new)}")
    finally:
        connection.close()


def change_passphrase(path: Path, old: str, new: str) -> list[Path]:
    """Change an encrypted database's passphrase, and re-encrypt with the new one each backup
    the old one opens; returns those backups.

    A wrong old passphrase raises :class:`WrongPassphraseError` and changes nothing. SQLCipher
    re-encrypts every page in one transaction, so a crash leaves the old passphrase working.
    """
    path = path.expanduser().resolve()
    check_new_passphrase(new)
    if file_kind(path) != ENCRYPTED:
        raise UserError(f"{path} is not encrypted. Use encrypt to encrypt it.")
    _verify(path, old)
    lock = acquire_instance_lock(path)
    try:
        _rekey(path, old, new)
        rekeyed = []
        for backup in list_backups(path):
            if file_kind(backup.path) != ENCRYPTED:
                continue
            try:
                check_backup(backup.path, old)
            except UserError:
                continue
            _rekey(backup.path, old, new)
            rekeyed.append(backup.path)
        return rekeyed
    finally:
        lock.release()
