"""Encryption at rest with SQLCipher: encrypting a plain database, changing the passphrase.

SQLCipher encrypts every page of the file (AES-256, with a key derived from the passphrase by
PBKDF2-HMAC-SHA512) and authenticates each page with an HMAC, so a wrong passphrase or a
tampered page is detected rather than read as garbage. The passphrase is never stored.

These functions work on a database that is not open (each takes the instance lock).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import sqlcipher3

from auditapp.errors import (
    BackupError,
    DatabaseOpenError,
    DiskFullError,
    UserError,
)
from auditapp.storage import faults
from auditapp.storage.backups import backup_name, check_backup, list_backups
from auditapp.storage.engine import connect_sqlcipher
from auditapp.storage.history_chain import key_chain_in_file
from auditapp.storage.instance_lock import acquire_instance_lock
from auditapp.storage.operations import (
    ENCRYPTING,
    REKEYING,
    clear_journal,
    commit_rekey,
    delete,
    leftovers,
    recover,
    replace_live,
    write_journal,
)
from auditapp.storage.paths import journal_path
from auditapp.storage.sqlite_files import (
    EMPTY,
    ENCRYPTED,
    PLAIN,
    copy_database,
    exclusive_access,
    file_kind,
    inspect_file,
    sqlite_problem,
    use_wal,
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


def _copy_failed(exc: BaseException, where: Path,
                 outcome: str = "it was not encrypted") -> UserError:
    if getattr(exc, "errno", None) == 28 or (isinstance(exc, sqlcipher3.Error)
                                             and sqlite_problem(exc) == "full"):
        return DiskFullError(f"The disk holding {where.parent} is full, so {outcome}; the "
                             "database is as it was.")
    return BackupError(f"The database could not be copied ({exc}), so {outcome}; it is as "
                       "it was.")


def encrypt_database(path: Path, passphrase: str) -> Path:
    """Encrypt the plain database at ``path`` in place; returns the plain copy kept.

    The plain copy stays in the backups folder until :func:`confirm_encryption` deletes it
    (with every other plain backup), once the user has seen the encrypted database open.
    The encrypted file is written beside the database while no other program can have it
    open, checked (integrity and the row count of every table) and only then renamed over
    it, so a failure leaves the plain file as it was. Killed before the rename, the next
    start deletes the encrypted file and the plain copy (the database is as it was); killed
    after it, the next start finishes (see :mod:`auditapp.storage.operations`).
    """
    path = path.expanduser().absolute()
    check_new_passphrase(passphrase)
    kind = file_kind(path)
    if kind == ENCRYPTED:
        raise UserError(f"{path} is already encrypted. Use change-passphrase to change its "
                        "passphrase.")
    if kind != PLAIN:
        raise UserError(f"There is no auditapp database at {path} to encrypt.")
    lock = acquire_instance_lock(path)
    try:
        recover(path)
        inspect_file(path)
        plain_copy = backup_name(path, "plain")
        staged = path.with_name(path.name + ENCRYPTING)
        with exclusive_access(path) as hold:
            try:
                hold.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                counts = _table_counts(hold)
                write_journal(path, "encrypt", phase="prepare", staged=str(staged),
                              plain_copy=str(plain_copy))
                faults.step("encrypt")
                copy_database(hold, plain_copy, None, source_encrypted=False)
                faults.step("encrypt")
                copy_database(hold, staged, passphrase, source_encrypted=False)
                faults.step("encrypt")
            except (OSError, sqlcipher3.Error) as exc:
                recover(path)
                raise _copy_failed(exc, path) from exc
        _check_copy(path, staged, passphrase, counts)
        _key_chain(staged, passphrase)
        use_wal(staged, passphrase)
        faults.step("encrypt")
        write_journal(path, "encrypt", phase="commit", staged=str(staged),
                      plain_copy=str(plain_copy))
        faults.step("encrypt")
        replace_live(staged, path, "encrypt")
        clear_journal(path)
        return plain_copy
    finally:
        lock.release()


def _key_chain(staged: Path, passphrase: str) -> None:
    connection = connect_sqlcipher(staged, passphrase)
    try:
        key_chain_in_file(connection)
    finally:
        connection.close()


def _check_copy(path: Path, staged: Path, passphrase: str, counts: dict[str, int]) -> None:
    try:
        inspect_file(staged, passphrase, thorough=True)
        check = connect_sqlcipher(staged, passphrase)
        try:
            copied = _table_counts(check)
        finally:
            check.close()
    except (DatabaseOpenError, sqlcipher3.Error) as exc:
        recover(path)
        raise BackupError(f"The encrypted copy could not be checked ({exc}), so nothing was "
                          "changed.") from None
    if copied != counts:
        recover(path)
        raise BackupError("The encrypted copy did not match the database, so nothing was "
                          "changed.")


def plain_backups(path: Path) -> list[Path]:
    """Every unencrypted backup of a database, whatever its kind (``plain``, ``before-0001``,
    ``replaced``, ...), and any unfinished copy."""
    found = [b.path for b in list_backups(path) if file_kind(b.path) == PLAIN]
    return found + [p for p in leftovers(path) if file_kind(p) in (PLAIN, EMPTY)]


def pending_plain_copies(path: Path) -> list[Path]:
    """Unencrypted backups of an encrypted database, which :func:`confirm_encryption` removes.

    The UI should remind the user while this is not empty."""
    if file_kind(path) != ENCRYPTED:
        return []
    return plain_backups(path)


def confirm_encryption(path: Path, passphrase: str) -> list[Path]:
    """Once the encrypted database has been seen to open, delete every plain backup of it.

    Checks the passphrase first (WrongPassphraseError, nothing deleted). Returns what was
    deleted. It touches only backups, so the database may be open meanwhile (the app asks
    once it has opened it). Killed half-way, the next start deletes the rest. Deleting a file
    does not scrub the disk: see the README.
    """
    path = path.expanduser().absolute()
    _verify(path, passphrase)
    doomed = pending_plain_copies(path)
    if doomed:
        if journal_path(path).exists():
            raise UserError(f"An operation on {path} is unfinished; open the database once "
                            "(auditapp finishes it), then confirm again. Nothing was deleted.")
        write_journal(path, "confirm", files=[str(p) for p in doomed])
        faults.step("confirm")
        delete(doomed, "confirm")
        clear_journal(path)
    return doomed


def _rekey_copy(hold: Any, path: Path, old: str, new: str) -> None:
    """A copy of ``path`` under the new passphrase beside it, checked; the live database is
    copied through the connection that holds it (``hold``), in WAL mode."""
    staged = path.with_name(path.name + REKEYING)
    source = hold if hold is not None else connect_sqlcipher(path, old)
    try:
        copy_database(source, staged, new, source_encrypted=True, rekey=True,
                      check=lambda copy: inspect_file(copy, new, thorough=True))
    finally:
        if hold is None:
            source.close()
    if hold is not None:
        use_wal(staged, new)


def change_passphrase(path: Path, old: str, new: str) -> list[Path]:
    """Change an encrypted database's passphrase, and re-encrypt with the new one each backup
    the old one opens; returns those backups.

    A wrong old passphrase raises :class:`WrongPassphraseError` and changes nothing. Every
    file is first copied under the new passphrase beside itself and checked, while no other
    program can have the database open; only when all are ready are they renamed into
    place. Killed while copying, the next start deletes the copies (the old passphrase opens
    everything); killed while renaming, it finishes the renames (the new one opens
    everything). No file ever holds a hot journal.
    """
    path = path.expanduser().absolute()
    check_new_passphrase(new)
    if file_kind(path) != ENCRYPTED:
        raise UserError(f"{path} is not encrypted. Use encrypt to encrypt it.")
    lock = acquire_instance_lock(path)
    try:
        recover(path)
        _verify(path, old)
        files = [path, *_backups_opened_by(path, old)]
        with exclusive_access(path, old) as hold:
            hold.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            write_journal(path, "rekey", phase="prepare", files=[str(f) for f in files])
            faults.step("rekey")
            try:
                for file in files:
                    _rekey_copy(hold if file == path else None, file, old, new)
                    faults.step("rekey")
            except (OSError, sqlcipher3.Error, DatabaseOpenError) as exc:
                hold.close()
                recover(path)
                raise _copy_failed(exc, path, "its passphrase was not changed") from exc
        write_journal(path, "rekey", phase="commit", files=[str(f) for f in files])
        faults.step("rekey")
        commit_rekey(path, files, "rekey")
        clear_journal(path)
        return files[1:]
    finally:
        lock.release()


def _backups_opened_by(path: Path, passphrase: str) -> list[Path]:
    found = []
    for backup in list_backups(path):
        if file_kind(backup.path) != ENCRYPTED:
            continue
        try:
            check_backup(backup.path, passphrase)
        except UserError:
            continue
        found.append(backup.path)
    return found
