"""Checking a database: SQLite's own integrity checks, the schema version, the history's
chain, the data it covers, and chain heads kept in other files (see
:mod:`auditapp.services.integrity`).

The bundle services, and the cryptography they load, are imported only when a head kept in
another file is read: a plain ``check`` needs neither (tests/cli/test_light_imports.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from auditapp.errors import UserError
from auditapp.services.history import HistoryCheck, check_history
from auditapp.services.integrity import (
    UNSEALED,
    KeptHead,
    check_content,
    compare_with_head,
    export_head,
)
from auditapp.storage.engine import Database
from auditapp.storage.history_chain import read_file_chain
from auditapp.storage.schema import current_revision, head_revision
from auditapp.storage.sqlite_files import is_encrypted, sqlite_problem

UNREAD = "not read: the file is damaged"


@dataclass(frozen=True)
class CheckReport:
    """What ``auditapp check`` found."""

    integrity: list[str]  # ["ok"] when SQLite finds nothing wrong
    foreign_key_problems: int
    schema_revision: str | None
    code_revision: str
    history: HistoryCheck
    #: Where the stored data is not what the history sealed (a direct edit), one line each.
    content: list[str] = field(default_factory=list)
    #: What comparing with chain heads kept in other files found, one line each.
    against: list[str] = field(default_factory=list)
    #: The files compared with.
    compared: list[str] = field(default_factory=list)
    #: What this check cannot vouch for (see :data:`~auditapp.services.integrity.UNSEALED`):
    #: in a plain or server database, a change to these leaves no trace for it to find.
    unvouched: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the database is sound, at the code's schema, with an unbroken history that
        covers its data and agrees with every head it was compared with."""
        return (self.integrity == ["ok"] and self.foreign_key_problems == 0
                and self.schema_revision == self.code_revision and self.history.ok
                and not self.content and not self.against)


def kept_head(path: Path, passphrase: str | None, bundle_passphrase: str | None) -> KeptHead:
    """The chain head a file keeps: a backup's whole chain, a bundle manifest's head, or the
    head an export (Excel workbook, PDF) records in its metadata."""
    from auditapp.services.sync.bundle_file import MAGIC
    from auditapp.services.sync.bundles import bundle_head

    try:
        with path.open("rb") as handle:
            start = handle.read(len(MAGIC))
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if start == MAGIC:
        database, seq, digest = bundle_head(path, bundle_passphrase)
        return KeptHead(f"the bundle {path.name}", database, {seq: digest} if seq else {})
    if start.startswith((b"%PDF-", b"PK\x03\x04")):
        return export_head(path)
    return KeptHead.of_file_chain(path, read_file_chain(path, passphrase))


def check_database(db: Database, against: list[KeptHead] | None = None) -> CheckReport:
    """Run SQLite's integrity and foreign key checks, compare schema versions, check the
    change history's chain and the data it seals, and compare the chain with each head in
    ``against``. A PostgreSQL server checks its own pages and enforces foreign keys on
    every write, so there the integrity and foreign key checks are the server's. Unless the
    database is an encrypted file, the report lists what the check cannot vouch for."""
    unvouched = () if db.path is not None and is_encrypted(db.path) else UNSEALED
    integrity, foreign = ["ok"], 0
    heads = against or []
    with db.engine.connect() as connection:
        if not db.is_server:
            try:
                integrity = [str(row[0]) for row in connection.execute(
                    text("PRAGMA integrity_check"))]
                foreign = len(connection.execute(text("PRAGMA foreign_key_check")).all())
            except DBAPIError as exc:
                # A page SQLite refuses to read at all (in an encrypted database, one whose
                # HMAC fails): opening reads too little to meet it, so it is met here.
                if exc.orig is None or sqlite_problem(exc.orig) != "corrupt":
                    raise
                return CheckReport(
                    [f"a page cannot be read (SQLite says: {exc.orig}): the file is damaged"],
                    0, None, head_revision(), HistoryCheck(0, [UNREAD], 0, ""), [UNREAD], [],
                    [head.source for head in heads], unvouched)
        revision = current_revision(connection)
    try:
        history, content = check_history(db), check_content(db)
        own_id = ""
        if heads:
            from auditapp.services.sync.bundles import database_id

            own_id = database_id(db)
        compared = [problem for head in heads for problem in compare_with_head(db, head, own_id)]
    except UnicodeDecodeError as exc:
        # Text stored as UTF-8 that no longer is: a changed byte SQLite's check cannot see.
        integrity = [*(i for i in integrity if i != "ok"),
                     f"a stored text is not valid UTF-8 ({exc.reason}): it was changed"]
        history = HistoryCheck(0, ["the history could not be read"], 0, "")
        content, compared = ["the data could not be read to compare with its seals"], []
    return CheckReport(integrity, foreign, revision, head_revision(), history, content,
                       compared, [head.source for head in heads], unvouched)
