"""The change history: recording every change to an audit, reading it, checking its chain.

Every entry is numbered (``seq``) and carries ``hash = SHA-256(previous hash + entry)``, one
chain over the whole database starting from sixty-four zeros. Editing an entry, inserting one
or removing one breaks the chain at that point, and :func:`check_history` says where. It is
tamper-*evident*, not tamper-proof: someone who can write the file and knows this rule can
rewrite the chain from the change onwards, which a backup or an earlier export then shows.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from auditapp.errors import NotFoundError, UserError
from auditapp.models import Audit, ChangeEvent, utcnow
from auditapp.rules.cells import cell_texts
from auditapp.rules.permissions import Actor
from auditapp.storage.engine import Database

GENESIS = "0" * 64
_TAIL = "history_tail"
_TOUCHED = "touched_audits"
#: The PostgreSQL advisory lock that lets one transaction at a time add to the chain.
CHAIN_LOCK = 0x6175646974  # "audit"


def entry_hash(previous: str, seq: int, audit_id: int, at: datetime, actor: str, entity: str,
               entity_key: str, field: str, old: str | None, new: str | None) -> str:
    """The chain hash of one entry (migration 0002 holds a frozen copy of this rule)."""
    payload = json.dumps([seq, audit_id, at.isoformat(sep=" "), actor, entity, entity_key,
                          field, old, new], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous + payload).encode("utf-8")).hexdigest()


def _as_text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def chain_tail(session: Session) -> tuple[int, str]:
    """The last entry's number and hash, as this transaction sees them (0 and zeros if none)."""
    tail = session.info.get(_TAIL)
    if tail is None:
        if session.get_bind().dialect.name == "postgresql":
            # Writers on a server take turns at the end of the chain (until they commit);
            # on SQLite the database's own write lock does this.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
        row = session.execute(select(ChangeEvent.seq, ChangeEvent.hash)
                              .order_by(ChangeEvent.seq.desc()).limit(1)).first()
        tail = (row.seq, row.hash) if row else (0, GENESIS)
    return tail


def chained_event(session: Session, audit_id: int, actor: str, entity: str, entity_key: str,
                  field: str, old: str | None, new: str | None,
                  at: datetime | None = None) -> dict[str, Any]:
    """The column values of the next entry, linked to the chain (for bulk inserts too)."""
    seq, previous = chain_tail(session)
    seq += 1
    at = at or utcnow()
    digest = entry_hash(previous, seq, audit_id, at, actor, entity, entity_key, field, old, new)
    session.info[_TAIL] = (seq, digest)
    return dict(seq=seq, hash=digest, audit_id=audit_id, at=at, actor=actor, entity=entity,
                entity_key=entity_key, field=field, old_value=old, new_value=new)


def touch_audit(session: Session, audit_id: int) -> None:
    """Mark an audit changed in this transaction: its revision goes up by one (once), and the
    write fails with a concurrent-edit error if someone else saved it since it was read."""
    touched = session.info.setdefault(_TOUCHED, set())
    if audit_id in touched:
        return
    touched.add(audit_id)
    audit = session.get(Audit, audit_id)
    if audit is not None:
        audit.updated_at = utcnow()


def record_change(session: Session, audit_id: int, actor: Actor, entity: str, entity_key: str,
                  field_name: str, old: object, new: object) -> None:
    """Add one entry to an audit's change history (only when the value really changed), and
    raise the audit's revision (see :func:`touch_audit`)."""
    old_text, new_text = _as_text(old), _as_text(new)
    if old_text == new_text:
        return
    session.add(ChangeEvent(**chained_event(session, audit_id, actor.name, entity, entity_key,
                                            field_name, old_text, new_text)))
    touch_audit(session, audit_id)


def chain_head(db: Database) -> tuple[int, str]:
    """The last entry's number and hash: what an export or a backup records, so that a
    later rewrite of the history shows against it."""
    with db.transaction() as session:
        return chain_tail(session)


@dataclass(frozen=True)
class HistoryRow:
    """One entry of an audit's history, as the history view and the export show it."""

    seq: int
    at: datetime  # UTC
    actor: str
    entity: str  # "answer", "judgement", "audit", "action", "moderation"
    entity_key: str  # question or section key, action number; "" for the audit itself
    field: str
    old_value: str | None
    new_value: str | None
    hash: str

    @property
    def what(self) -> str:
        """What changed, in words: "answer A.1 evidence", "audit status"."""
        return " ".join(part for part in (self.entity, self.entity_key, self.field) if part)


def audit_history(db: Database, audit_id: int) -> list[HistoryRow]:
    """Every change to one audit, oldest first."""
    with db.transaction() as session:
        if session.get(Audit, audit_id) is None:
            raise NotFoundError(f"No audit with number {audit_id}.")
        events = session.scalars(select(ChangeEvent).where(ChangeEvent.audit_id == audit_id)
                                 .order_by(ChangeEvent.seq)).all()
        return [HistoryRow(e.seq, e.at, e.actor, e.entity, e.entity_key, e.field, e.old_value,
                           e.new_value, e.hash) for e in events]


@dataclass(frozen=True)
class HistoryCheck:
    """What checking the whole chain found."""

    entries: int
    breaks: list[str]  # one line per place where the chain does not hold
    last_seq: int
    last_hash: str

    @property
    def ok(self) -> bool:
        """Whether every entry links to the one before it."""
        return not self.breaks


def _walk(rows: Iterable[Any]) -> Iterator[str]:
    previous, expected_seq = GENESIS, 1
    for row in rows:
        if row.seq != expected_seq:
            yield (f"entries {expected_seq} to {row.seq - 1} are missing "
                   f"(removed, or the history was cut)")
        digest = entry_hash(previous, row.seq, row.audit_id, row.at, row.actor, row.entity,
                            row.entity_key, row.field, row.old_value, row.new_value)
        if digest != row.hash:
            yield (f"entry {row.seq} (audit {row.audit_id}, {row.at:%Y-%m-%d %H:%M}, "
                   f"{row.entity} {row.entity_key} {row.field}) does not match its hash: it was "
                   "changed, or an entry before it was changed or removed")
        previous, expected_seq = row.hash, row.seq + 1


def check_history(db: Database) -> HistoryCheck:
    """Recompute the whole chain and list every break (``auditapp check`` reports them)."""
    with db.transaction() as session:
        rows = session.execute(select(ChangeEvent).order_by(ChangeEvent.seq)).scalars().all()
        breaks = list(_walk(rows))
        last = rows[-1] if rows else None
        return HistoryCheck(len(rows), breaks, last.seq if last else 0,
                            last.hash if last else GENESIS)


def _cell(value: str | None) -> str:
    return cell_texts(value or "", 1)[0].csv


def write_history_csv(rows: list[HistoryRow], path: Path) -> Path:
    """Write an audit's history as CSV (UTF-8 with BOM, so spreadsheet programs read it).

    Every text field goes through the one rule for cells (:mod:`auditapp.rules.cells`): a
    value that a spreadsheet would run as a formula is written with a leading ``'``, and one
    longer than a spreadsheet cell holds is cut with a marker saying how much is missing
    (``auditapp history AUDIT`` prints it whole).
    """
    try:
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["seq", "at_utc", "actor", "entity", "key", "field", "old_value",
                             "new_value", "hash"])
            for row in rows:
                writer.writerow([row.seq, row.at.isoformat(sep=" ", timespec="seconds"),
                                 _cell(row.actor), _cell(row.entity), _cell(row.entity_key),
                                 _cell(row.field), _cell(row.old_value), _cell(row.new_value),
                                 row.hash])
    except OSError as exc:
        raise UserError(f"Cannot write {path}: {exc.strerror or exc}") from exc
    return path
