"""What ``auditapp check`` proves about the history and the data it covers.

1. **The chain** (:func:`auditapp.services.history.check_history`): every entry links to the
   one before it; an edited, inserted or removed entry, or a gap in the numbering, is named.
2. **The data** (:func:`check_content`): every audit's stored content (answers, judgements,
   narrative, the audit's own fields, actions, moderation, their uids and the profiles they
   name) is exactly what its newest seal entry says; a direct edit is named by audit and
   field, with the value stored and the value the history sealed.
3. **Against a chain head kept elsewhere** (:func:`compare_with_head`): a backup holds the
   chain as it was when the backup was made, a bundle's manifest and every export's
   metadata (:class:`ChainStamp`) the database's id and the last entry's number and hash.
   Every entry the file knows must be here with the same hash: a deleted tail, or a chain
   rewritten and recomputed after the file was made, shows.

What no check can show: a database rolled back as a whole to an earlier consistent state
with no head kept elsewhere since; a rewrite of a plain database (or a server one) together
with every backup and head an attacker could also reach; changes to what the seals do not
cover (cases, templates, profiles and their roles, settings, moderation samples, the audit
programme).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import LargeBinary, cast, func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from auditapp.errors import UserError
from auditapp.models import Audit, AuditSeal, Case, ChangeEvent
from auditapp.services import seals
from auditapp.services.history import SEAL, chain_tail
from auditapp.storage.engine import Database
from auditapp.storage.history_chain import FileChain

#: What the seals do not cover, so that ``check`` cannot show a change to it in a plain file
#: or on a server (in an encrypted file SQLCipher's page HMAC refuses any changed page).
UNSEALED = ("case details", "templates", "profiles and their roles", "settings",
            "moderation samples", "the bundle import log",
            "board reports and the release register", "the audit programme")


def _latest_seals(session: Session) -> dict[int, tuple[int, str | None]]:
    """Each audit's newest seal entry: its number and the digest it records."""
    newest = (select(ChangeEvent.audit_id, func.max(ChangeEvent.seq).label("seq"))
              .where(ChangeEvent.entity == SEAL).group_by(ChangeEvent.audit_id).subquery())
    rows = session.execute(select(ChangeEvent.audit_id, ChangeEvent.seq, ChangeEvent.new_value)
                           .join(newest, ChangeEvent.seq == newest.c.seq)).all()
    return {audit_id: (seq, digest) for audit_id, seq, digest in rows}


@dataclass(frozen=True)
class _Kept:
    """An ``audit_seals`` row as stored (its content read as bytes, whatever was put there)."""

    seq: int
    content: bytes


def _audit_problems(session: Session, name: str, content: seals.Content,
                    seal: tuple[int, str | None] | None, kept: _Kept | None
                    ) -> Iterator[str]:
    if seal is None:
        yield (f"{name} has no seal in the history: it was added, or its history removed, "
               "outside auditapp")
        return
    seq, sealed_digest = seal
    stored_digest = seals.digest(content)
    sealed = seals.unpack(bytes(kept.content or b"")) \
        if kept is not None and kept.seq == seq else None
    sealed_ok = sealed is not None and seals.digest(sealed) == sealed_digest
    if stored_digest == sealed_digest:
        if not sealed_ok:
            yield (f"{name}: the copy of its content kept beside the history (audit_seals) "
                   f"does not match history entry {seq}: it was changed outside auditapp "
                   "(the audit's data itself is as its history says)")
        return
    if sealed is None or not sealed_ok:
        yield (f"{name}: its data is not what history entry {seq} sealed, and the copy kept "
               "to name the field was changed too: changed outside auditapp")
        return
    for difference in seals.differences(session, sealed, content):
        yield f"{name}: {difference.describe()} (entry {seq}): changed outside auditapp"


def check_content(db: Database) -> list[str]:
    """Every place where the stored data is not what the history sealed, one line each."""
    try:
        return _check_content(db)
    except (ValueError, TypeError, StatementError) as exc:  # a value of the wrong type
        return [f"the stored data cannot be read as auditapp writes it ({exc}): it was "
                "changed outside auditapp"]


def _check_content(db: Database) -> list[str]:
    with db.transaction() as session:
        contents = seals.read_contents(session)
        references = dict(session.execute(select(Audit.id, Case.reference)
                                          .join(Case, Case.id == Audit.case_id)).all())
        latest = _latest_seals(session)
        kept = {row.audit_id: _Kept(row.seq, row.content) for row in session.execute(
            select(AuditSeal.audit_id, AuditSeal.seq,
                   cast(AuditSeal.content, LargeBinary).label("content")))}
        problems: list[str] = []
        for audit_id, content in contents.items():
            name = f"audit {audit_id} ({references.get(audit_id, 'no case')})"
            problems += _audit_problems(session, name, content, latest.get(audit_id),
                                        kept.get(audit_id))
        problems += [f"the history seals audit {audit_id}, which is not in the database: it "
                     "was removed outside auditapp" for audit_id in sorted(latest)
                     if audit_id not in contents]
        return problems


# --- against a head kept elsewhere ------------------------------------------------------------


@dataclass(frozen=True)
class KeptHead:
    """A record of this database's chain made earlier and kept outside it: a backup's whole
    chain, or the last entry a bundle's manifest names."""

    source: str  # the file, in words
    database_id: str | None
    hashes: dict[int, str]  # entry number -> hash; one entry for a manifest's head

    @classmethod
    def of_file_chain(cls, path: Path, chain: FileChain) -> KeptHead:
        """The chain of a backup file."""
        return cls(f"the backup {path.name}", chain.database_id, chain.hashes)


def _live_hashes(session: Session, wanted: set[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    numbers = sorted(wanted)
    for start in range(0, len(numbers), seals.BATCH):
        found.update(session.execute(select(ChangeEvent.seq, ChangeEvent.hash).where(
            ChangeEvent.seq.in_(numbers[start:start + seals.BATCH]))).all())
    return found


def compare_with_head(db: Database, head: KeptHead, database_id: str) -> list[str]:
    """Where this database's chain departs from a head kept elsewhere, one line each."""
    if head.database_id is not None and head.database_id != database_id:
        raise UserError(f"{head.source} is of another database (id {head.database_id}), "
                        f"not this one (id {database_id}): it cannot vouch for this history.")
    if not head.hashes:
        return []
    with db.transaction() as session:
        live = _live_hashes(session, set(head.hashes))
        last = session.scalar(select(func.max(ChangeEvent.seq))) or 0
    missing = sorted(seq for seq in head.hashes if seq not in live)
    changed = sorted(seq for seq, digest in head.hashes.items()
                     if seq in live and live[seq] != digest)
    problems = []
    if missing:
        problems.append(
            f"{head.source} holds entries {missing[0]} to {missing[-1]} of the history that "
            f"are not here (the history here ends at entry {last}): the history was cut "
            "after it was made")
    if changed:
        problems.append(
            f"{len(changed)} entr{'y' if len(changed) == 1 else 'ies'} differ from "
            f"{head.source}, from entry {changed[0]} on: the history was rewritten (and its "
            "chain recomputed) after it was made")
    return problems


# --- the chain head an export records ---------------------------------------------------------

#: How an export's metadata states the chain head: the workbook's custom document property
#: and the PDF's keywords hold this text.
_STAMP = re.compile(rb"auditapp-history ([0-9A-Za-z-]{1,64}) entry ([0-9]{1,18}) ([0-9a-f]{64})")
#: The name of the workbook's custom document property that holds the stamp.
STAMP_PROPERTY = "auditapp history head"
#: The most of an export's metadata read while looking for its stamp.
_MAX_METADATA = 1024 * 1024
_SCAN_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class ChainStamp:
    """The head of this database's chain as an export records it in its metadata, so that
    every workbook and PDF handed out keeps a head that ``check --against`` can compare."""

    database_id: str
    seq: int
    hash: str

    def text(self) -> str:
        """The stamp as written into an export."""
        return f"auditapp-history {self.database_id} entry {self.seq} {self.hash}"


def chain_stamp(db: Database) -> ChainStamp:
    """This database's id and the number and hash of its chain's last entry, now."""
    from auditapp.services.sync.bundles import database_id  # and bundles' cryptography

    own_id = database_id(db)
    with db.transaction() as session:
        seq, digest = chain_tail(session)
    return ChainStamp(own_id, seq, digest)


def _stamp_in(data: bytes) -> ChainStamp | None:
    found = None
    for match in _STAMP.finditer(data):
        found = ChainStamp(match[1].decode("ascii"), int(match[2]), match[3].decode("ascii"))
    return found


def _workbook_stamp(path: Path) -> ChainStamp | None:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/custom.xml")
            if info.file_size > _MAX_METADATA:
                return None
            with archive.open(info) as member:
                return _stamp_in(member.read(_MAX_METADATA))
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError):
        return None


def _pdf_stamp(path: Path) -> ChainStamp | None:
    """The last stamp in the file (its document information, written uncompressed),
    read a block at a time so that a large PDF never fills the memory."""
    found, tail = None, b""
    with path.open("rb") as handle:
        while block := handle.read(_SCAN_BLOCK):
            data = tail + block
            found = _stamp_in(data) or found
            tail = data[-200:]
    return found


def export_head(path: Path) -> KeptHead:
    """The chain head an export (an Excel workbook or a PDF auditapp wrote) records."""
    try:
        with path.open("rb") as handle:
            start = handle.read(5)
        stamp = _pdf_stamp(path) if start == b"%PDF-" else _workbook_stamp(path)
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if stamp is None:
        raise UserError(f"{path.name} records no history head: it is not a backup, bundle or "
                        "export of auditapp 0005 or later.")
    return KeptHead(f"the export {path.name}", stamp.database_id,
                    {stamp.seq: stamp.hash} if stamp.seq else {})
