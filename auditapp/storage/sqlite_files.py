"""Database files before they are opened: what kind of file, is it sound, copying it safely.

Everything here reads through read-only connections, so checking a file never changes it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from auditapp.errors import (
    DatabaseCorruptError,
    DatabaseInUseError,
    DatabaseOpenError,
    NewerDatabaseError,
    NotAnAuditappDatabaseError,
    PassphraseRequiredError,
    ReadOnlyError,
    WrongPassphraseError,
)
from auditapp.storage.engine import connect_sqlcipher, quote_passphrase
from auditapp.storage.first_read import SQLITE_HEADER
from auditapp.storage.journals import (
    ENCRYPTED_PAGE_SIZE,
    foreign_wal_problem,
    header_facts,
    hot_journal,
    read_wal,
)
from auditapp.storage.private_files import create_private, private_folder
from auditapp.storage.schema import known_revisions

NEW, EMPTY, PLAIN, ENCRYPTED, FOREIGN = "new", "empty", "plain", "encrypted", "foreign"
#: Headers of files people open by mistake, which are never encrypted databases.
KNOWN_HEADERS = (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff")
SIDE_FILES = ("-wal", "-shm", "-journal")
#: What reading a file through SQLite can raise: SQLite's own errors, and UnicodeDecodeError
#: when SQLite's message quotes a name from a damaged schema (``malformed database schema
#: (us\xe5rs)``): Python decodes the message strictly, so the report of the damage becomes a
#: decoding error. :func:`open_problem` turns either into the refusal to show.
READ_ERRORS = (sqlcipher3.Error, UnicodeDecodeError)


def file_kind(path: Path) -> str:
    """NEW (no file), EMPTY (a file of 0 bytes: never made into a database, since the empty
    file may be a database cut short), PLAIN (an SQLite file), ENCRYPTED (looks like
    SQLCipher: whole pages of bytes with no header) or FOREIGN (anything else). A file that
    cannot be read raises :class:`~auditapp.errors.ReadOnlyError`."""
    try:
        if not path.exists():
            return NEW
        size = path.stat().st_size
        if size == 0:
            return EMPTY
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ReadOnlyError(f"auditapp cannot read {path} ({exc.strerror or exc}). Check that "
                            "the file is yours and that its drive is still connected.") from None
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


def connect_read_only(path: Path, passphrase: str | None = None, *,
                      without_log: bool = False) -> Any:
    """A read-only DB-API connection: reading through it never changes the file.
    ``without_log`` reads the file alone, ignoring any write-ahead log beside it."""
    query = "?immutable=1" if without_log else "?mode=ro"
    connection = sqlcipher3.connect(path.absolute().as_uri() + query, uri=True,
                                    isolation_level=None)
    connection.execute("PRAGMA cipher_log_level = NONE")
    if passphrase is not None:
        connection.execute(f"PRAGMA key = {quote_passphrase(passphrase)}")
    return connection


def _lenient_text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _read_facts(path: Path, key: str | None, thorough: bool, scan: bool
                ) -> tuple[set[str], list[str], str | None]:
    connection = connect_read_only(path, key)
    connection.text_factory = _lenient_text  # a damaged name is reported, not raised
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


def open_problem(path: Path, kind: str, exc: BaseException) -> DatabaseOpenError:
    """The refusal to show for an error SQLite raised (one of :data:`READ_ERRORS`)."""
    if isinstance(exc, UnicodeDecodeError):
        return DatabaseCorruptError(
            f"{path} is damaged: its schema (the list of its tables) holds bytes that are not "
            "text, so SQLite cannot read it. auditapp has not changed it.")
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


def _identity(path: Path, passphrase: str | None, *, without_log: bool) -> int | None:
    """The database's identity as SQLite reads it (None when it cannot be read)."""
    try:
        connection = connect_read_only(path, passphrase, without_log=without_log)
        try:
            return int(connection.execute("PRAGMA user_version").fetchone()[0])
        finally:
            connection.close()
    except READ_ERRORS:
        return None


def check_journals(path: Path, passphrase: str | None = None) -> None:
    """Refuse a database beside which lies a journal that is not its own (see
    :mod:`auditapp.storage.journals`), before SQLite can apply it; nothing is changed."""
    journal = path.with_name(path.name + "-journal")
    if hot_journal(journal):
        raise DatabaseCorruptError(
            f"Beside {path} is a rollback journal ({journal.name}) that auditapp did not leave "
            "(it keeps its databases in WAL mode); SQLite would play it into the database. "
            "auditapp has changed neither. If you did not put it there, move it away and "
            "open the database again.")
    encrypted = file_kind(path) == ENCRYPTED
    wal_path = path.with_name(path.name + "-wal")
    wal = read_wal(wal_path, encrypted)
    if not wal.transactions or (encrypted and passphrase is None):
        return
    if encrypted:
        page_size, identity = ENCRYPTED_PAGE_SIZE, _identity(path, passphrase, without_log=True)
        if identity is None:
            return  # a wrong passphrase: opening says so
    else:
        page_size, identity = header_facts(path)
    problem = foreign_wal_problem(wal, page_size, identity)
    # Page 1 in the log is encrypted: read it through SQLCipher, whose page HMAC also refuses
    # a page written under another key.
    if problem is None and encrypted and identity \
            and _identity(path, passphrase, without_log=False) != identity:
        problem = "it was written to another database"
    if problem:
        raise DatabaseCorruptError(
            f"Beside {path} is a write-ahead log ({wal_path.name}) that does not belong to it: "
            f"{problem}. SQLite would merge it in; auditapp has changed neither the database "
            "nor the log. If you copied the database here, move the log away and open it "
            "again; otherwise restore a good backup.")


def new_identity() -> int:
    """A database's identity: a random number, written in its header (``user_version``)."""
    return secrets.randbelow(2**31 - 2) + 1


def set_identity(connection: Any, identity: int | None = None) -> int:
    """Give the database open on ``connection`` an identity (a new one unless given)."""
    value = identity or new_identity()
    connection.execute(f"PRAGMA user_version = {int(value)}")
    return value


def identity_of(connection: Any) -> int:
    """The identity of the database open on ``connection`` (0: none yet)."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


@contextlib.contextmanager
def exclusive_access(path: Path, passphrase: str | None = None) -> Iterator[Any]:
    """A connection holding the database file exclusively while the block runs: no other
    process, auditapp or not (an SQLite browser, a script), can read or write it meanwhile.
    Raises :class:`~auditapp.errors.DatabaseInUseError` when another process has it open,
    even idly."""
    connection = connect_sqlcipher(path, passphrase, timeout=1.0)
    try:
        connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.execute("COMMIT")  # the lock stays: that is what EXCLUSIVE mode does
    except READ_ERRORS as exc:
        connection.close()
        if sqlite_problem(exc) == "busy":
            raise DatabaseInUseError(
                f"Another program has {path} open (perhaps an SQLite browser or a script, or "
                "a copy of auditapp on another computer through a shared folder). Close it "
                "and try again; nothing has been changed.") from None
        raise
    try:
        yield connection
    finally:
        connection.close()


def inspect_file(path: Path, passphrase: str | None = None, thorough: bool = False, *,
                 scan: bool = True) -> str | None:
    """Check an existing file is a sound auditapp database this code can open, without
    changing it; returns its schema revision (None for an empty SQLite file).

    ``thorough`` runs SQLite's full integrity check instead of the quick one. ``scan=False``
    reads every page of the file through neither: it checks the header, the journals beside
    the file, the passphrase, the schema and its revision, in a time that does not grow with
    the file (for opening it; the scan then runs in the background, in the start-up and daily
    backups, and in ``auditapp check``). Raises a
    :class:`~auditapp.errors.DatabaseOpenError` subclass that says what is wrong.
    """
    kind = file_kind(path)
    if kind == EMPTY:
        raise DatabaseCorruptError(
            f"{path} is empty (0 bytes): whatever it held is gone, perhaps cut short by a full "
            "disk or a copy that did not finish. auditapp has not changed it.")
    if kind == NEW:
        raise DatabaseOpenError(f"{path}: no such file.")
    check_journals(path, passphrase if kind == ENCRYPTED else None)
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
    except READ_ERRORS as exc:
        raise open_problem(path, kind, exc) from None
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
    """Copy between a plain and an encrypted database, or between two keys, which the
    backup API cannot do."""
    source.execute("ATTACH DATABASE ? AS copy_target KEY ?", (str(target), passphrase or ""))
    try:
        source.execute("SELECT sqlcipher_export('copy_target')")
        source.execute(f"PRAGMA copy_target.user_version = {identity_of(source)}")
    finally:
        source.execute("DETACH DATABASE copy_target")


def _backup(source: Any, target: Path, passphrase: str | None) -> None:
    connection = connect_sqlcipher(target, passphrase)
    try:
        source.backup(connection)
        connection.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        connection.close()


def sync_folder(folder: Path) -> None:
    """Make renames and deletions in ``folder`` durable (on Windows a rename already is)."""
    if os.name == "nt":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def partial_name(destination: Path) -> Path:
    """Where a copy to ``destination`` is written until it is complete."""
    return destination.with_name(destination.name + ".partial")


def copy_database(source: Any, destination: Path, passphrase: str | None,
                  source_encrypted: bool, *, rekey: bool = False,
                  check: Callable[[Path], object] | None = None) -> Path:
    """Copy an open DB-API connection's database to ``destination``, encrypted with
    ``passphrase`` when one is given (``rekey``: a new passphrase for an encrypted source).

    Between two files of the same kind this is SQLite's online backup API (safe while the
    source is in use); between plain and encrypted, or to a new key, it is SQLCipher's
    ``sqlcipher_export``, which needs a read-write source connection. The copy is written
    under a temporary name, checked by ``check`` if given, and renamed only when complete and
    sound, so a full disk, a failed check or a crash never leaves a copy under the real name
    (a crash leaves the temporary file, which the next start deletes).
    """
    private_folder(destination.parent)
    partial = partial_name(destination)
    partial.unlink(missing_ok=True)
    try:
        create_private(partial)  # SQLite keeps the mode, and gives it to the journal
        if source_encrypted == (passphrase is not None) and not rekey:
            _backup(source, partial, passphrase)
        else:
            _export(source, partial, passphrase)
        if check is not None:
            check(partial)
        os.replace(partial, destination)
        sync_folder(destination.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise
    return destination


def use_wal(path: Path, passphrase: str | None) -> None:
    """Switch a closed copy to WAL mode, as auditapp keeps every live database, so that it
    never needs a rollback journal once in place."""
    connection = connect_sqlcipher(path, passphrase)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()
