"""Database files before they are opened: what kind of file, is it sound, copying it safely.

Everything here reads through read-only connections, so checking a file never changes it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import sqlcipher3

from auditapp.errors import (
    DatabaseCorruptError,
    DatabaseOpenError,
    NewerDatabaseError,
    NotAnAuditappDatabaseError,
    PassphraseRequiredError,
    ReadOnlyError,
    WrongPassphraseError,
)
from auditapp.storage.engine import connect_sqlcipher, quote_passphrase
from auditapp.storage.private_files import create_private, private_folder
from auditapp.storage.schema import known_revisions

SQLITE_HEADER = b"SQLite format 3\x00"
NEW, PLAIN, ENCRYPTED, FOREIGN = "new", "plain", "encrypted", "foreign"
#: Headers of files people open by mistake, which are never encrypted databases.
KNOWN_HEADERS = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff")
SIDE_FILES = ("-wal", "-shm", "-journal")


def file_kind(path: Path) -> str:
    """NEW (missing or empty), PLAIN (an SQLite file), ENCRYPTED (looks like SQLCipher:
    whole pages of bytes with no header) or FOREIGN (anything else)."""
    if not path.exists() or path.stat().st_size == 0:
        return NEW
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head == SQLITE_HEADER:
        return PLAIN
    printable = all(32 <= b < 127 or b in b"\t\r\n" for b in head)
    if size >= 1024 and size % 512 == 0 and not printable and not head.startswith(KNOWN_HEADERS):
        return ENCRYPTED
    return FOREIGN


def is_encrypted(path: Path) -> bool:
    """Whether a database file is encrypted (judged from its first bytes; needs no passphrase)."""
    return file_kind(path) == ENCRYPTED


def side_files(path: Path) -> list[Path]:
    """The journal files SQLite keeps beside a database, those that exist."""
    return [p for p in (path.with_name(path.name + s) for s in SIDE_FILES) if p.exists()]


def sqlite_problem(exc: BaseException) -> str:
    """What an SQLite error means for the user: full, readonly, notadb, corrupt, io, cantopen,
    busy or other."""
    text = str(exc).lower()
    for needle, problem in (("disk is full", "full"), ("readonly", "readonly"),
                            ("read-only", "readonly"), ("not a database", "notadb"),
                            ("malformed", "corrupt"), ("corrupt", "corrupt"),
                            ("disk i/o", "io"), ("unable to open", "cantopen"),
                            ("locked", "busy"), ("busy", "busy")):
        if needle in text:
            return problem
    return "other"


def connect_read_only(path: Path, passphrase: str | None = None) -> Any:
    """A read-only DB-API connection: reading through it never changes the file."""
    connection = sqlcipher3.connect(path.as_uri() + "?mode=ro", uri=True, isolation_level=None)
    connection.execute("PRAGMA cipher_log_level = NONE")
    if passphrase is not None:
        connection.execute(f"PRAGMA key = {quote_passphrase(passphrase)}")
    return connection


def _read_facts(path: Path, key: str | None, thorough: bool, scan: bool
                ) -> tuple[set[str], list[str], str | None]:
    connection = connect_read_only(path, key)
    try:
        tables = {r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        check = "integrity_check" if thorough else "quick_check"
        problems = [r[0] for r in connection.execute(f"PRAGMA {check}")] if scan else ["ok"]
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        return tables, problems, revision
    finally:
        connection.close()


def _open_problem(path: Path, kind: str, exc: BaseException) -> DatabaseOpenError:
    problem = sqlite_problem(exc)
    if problem == "notadb" and kind == ENCRYPTED:
        return WrongPassphraseError(
            f"That passphrase does not open {path} (or the file is not an auditapp database). "
            "Nothing has been changed; try the passphrase again.")
    if problem in ("notadb", "corrupt"):
        return DatabaseCorruptError(
            f"{path} is damaged or cut short (SQLite says: {exc}). auditapp has not changed it.")
    if problem in ("readonly", "cantopen"):
        return ReadOnlyError(f"auditapp cannot read {path} ({exc}). Check that the file and its "
                             "folder are yours and that the drive is still connected.")
    return DatabaseOpenError(f"{path} cannot be read ({exc}). auditapp has not changed it.")


def inspect_file(path: Path, passphrase: str | None = None, thorough: bool = False, *,
                 scan: bool = True) -> str | None:
    """Check an existing file is a sound auditapp database this code can open, without
    changing it; returns its schema revision (None for an empty SQLite file).

    ``thorough`` runs SQLite's full integrity check instead of the quick one. ``scan=False``
    reads every page of the file through neither: it checks the header, the passphrase, the
    schema and its revision, in a time that does not grow with the file (for opening it; the
    scan then runs in the background, in the daily backup and in ``auditapp check``). Raises a
    :class:`~auditapp.errors.DatabaseOpenError` subclass that says what is wrong.
    """
    kind = file_kind(path)
    if kind == FOREIGN:
        raise NotAnAuditappDatabaseError(
            f"{path} is not an auditapp database (it is not an SQLite file). "
            "It has not been changed.")
    if kind == ENCRYPTED and passphrase is None:
        raise PassphraseRequiredError(
            f"{path} is encrypted (or is not a database at all): give its passphrase to open it.")
    try:
        tables, problems, revision = _read_facts(
            path, passphrase if kind == ENCRYPTED else None, thorough, scan)
    except sqlcipher3.Error as exc:
        raise _open_problem(path, kind, exc) from None
    if problems != ["ok"]:
        raise DatabaseCorruptError(
            f"{path} is damaged: SQLite's check found {len(problems)} problem"
            f"{'s' if len(problems) > 1 else ''} (first: {problems[0]}). "
            "auditapp has not changed it.")
    if revision is None and tables:
        raise NotAnAuditappDatabaseError(
            f"{path} holds tables that are not auditapp's. It has not been changed.")
    if revision is not None and revision not in known_revisions():
        raise NewerDatabaseError(
            f"{path} was written by a newer auditapp (schema {revision}). "
            "Update auditapp to open it; the file has not been changed.")
    return revision


def _export(source: Any, target: Path, passphrase: str | None) -> None:
    """Copy between a plain and an encrypted database, which the backup API cannot do."""
    source.execute("ATTACH DATABASE ? AS copy_target KEY ?", (str(target), passphrase or ""))
    try:
        source.execute("SELECT sqlcipher_export('copy_target')")
    finally:
        source.execute("DETACH DATABASE copy_target")


def _backup(source: Any, target: Path, passphrase: str | None) -> None:
    connection = connect_sqlcipher(target, passphrase)
    try:
        source.backup(connection)
        connection.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        connection.close()


def copy_database(source: Any, destination: Path, passphrase: str | None,
                  source_encrypted: bool) -> Path:
    """Copy an open DB-API connection's database to ``destination``, encrypted with
    ``passphrase`` when one is given.

    Between two files of the same kind this is SQLite's online backup API (safe while the
    source is in use); between plain and encrypted it is SQLCipher's ``sqlcipher_export``,
    which needs a read-write source connection. The copy is written under a temporary name
    and renamed only when complete, so a full disk or a crash never leaves half a copy under
    the real name.
    """
    private_folder(destination.parent)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        create_private(partial)  # SQLite keeps the mode, and gives it to the journal
        if source_encrypted == (passphrase is not None):
            _backup(source, partial, passphrase)
        else:
            _export(source, partial, passphrase)
        os.replace(partial, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    return destination
