"""The journal files SQLite keeps beside a database, read as bytes before SQLite sees them.

SQLite applies any write-ahead log (``-wal``) or hot rollback journal (``-journal``) it finds
beside a database, whoever wrote it: a log left from another database, or from the copy a
user put in the database's place, would be merged in and the file rewritten. So before a
database is opened, whatever journal lies beside it is checked here, and refused (never
applied, never deleted) unless it belongs to this database:

- auditapp keeps its databases in WAL mode, so a hot rollback journal is never its own;
- every database auditapp makes carries an identity (a random number in the header's
  ``user_version`` field), and every transaction auditapp commits writes it again
  (:func:`auditapp.storage.engine.sqlite_engine`), so each committed transaction in a log of
  auditapp's holds page 1 with the database's identity, in a log of the database's page
  size. A log failing either is another database's.

A database from before identities (``user_version`` 0) is checked for its page size only,
until it is first opened by this version, which gives it one.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

WAL_MAGIC = (0x377F0682, 0x377F0683)
WAL_HEADER = 32
FRAME_HEADER = 24
HOT_JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")
#: Where the database header keeps the page size and the identity (``user_version``).
PAGE_SIZE_OFFSET = 16
IDENTITY_OFFSET = 60
#: SQLCipher's page size (its header is encrypted, so it cannot be read from the file).
ENCRYPTED_PAGE_SIZE = 4096


@dataclass
class WalContents:
    """What a write-ahead log holds: its page size and its committed transactions, each as
    the pages it writes and the identity each copy of page 1 in it carries (None where the
    page is encrypted)."""

    page_size: int = 0
    transactions: list[list[int]] = field(default_factory=list)
    identities: list[int | None] = field(default_factory=list)


def read_wal(path: Path, encrypted: bool) -> WalContents:
    """The committed transactions of the log at ``path`` (frames carrying the header's salt,
    up to the last commit); an absent, empty or damaged log has none, as SQLite sees it."""
    contents = WalContents()
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return contents
    with handle:
        header = handle.read(WAL_HEADER)
        if len(header) < WAL_HEADER:
            return contents
        magic, _version, page_size, _sequence, salt1, salt2 = struct.unpack(">6I", header[:24])
        if magic not in WAL_MAGIC or page_size < 512 or page_size & (page_size - 1):
            return contents
        contents.page_size = page_size
        pending: list[int] = []
        identities: list[int | None] = []
        while True:
            frame = handle.read(FRAME_HEADER)
            if len(frame) < FRAME_HEADER:
                break
            page, commit, frame_salt1, frame_salt2 = struct.unpack(">4I", frame[:16])
            if (frame_salt1, frame_salt2) != (salt1, salt2):
                break
            data = handle.read(page_size)
            if len(data) < page_size:
                break
            pending.append(page)
            if page == 1:
                identities.append(None if encrypted else
                                  struct.unpack(">i", data[IDENTITY_OFFSET:IDENTITY_OFFSET + 4])[0])
            if commit:
                contents.transactions.append(pending)
                contents.identities.extend(identities)
                pending, identities = [], []
    return contents


def hot_journal(path: Path) -> bool:
    """Whether a rollback journal at ``path`` would be played back by SQLite."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(HOT_JOURNAL_MAGIC)) == HOT_JOURNAL_MAGIC
    except FileNotFoundError:
        return False


def header_facts(path: Path) -> tuple[int, int]:
    """A plain database's page size and identity, from its header."""
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100:
        return 0, 0
    page_size = struct.unpack(">H", header[PAGE_SIZE_OFFSET:PAGE_SIZE_OFFSET + 2])[0]
    identity = struct.unpack(">i", header[IDENTITY_OFFSET:IDENTITY_OFFSET + 4])[0]
    return (65536 if page_size == 1 else page_size), identity


def foreign_wal_problem(wal: WalContents, page_size: int, identity: int) -> str | None:
    """Why a log does not belong to a database of ``page_size`` and ``identity`` (0: none
    yet), or None when it does (or holds nothing SQLite would apply)."""
    if not wal.transactions:
        return None
    if wal.page_size != page_size:
        return (f"its pages are {wal.page_size:,} bytes and the database's are "
                f"{page_size:,}")
    if identity == 0:
        return None
    if any(1 not in pages for pages in wal.transactions):
        return "it holds a transaction that auditapp did not write"
    if any(found is not None and found != identity for found in wal.identities):
        return "it was written to another database"
    return None
