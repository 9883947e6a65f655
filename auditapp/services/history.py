"""The change history: recording every change to an audit, sealing what it leaves, reading it.

Every entry is numbered (``seq``) and carries a hash that links it to the entry before it,
one chain over the whole database starting from sixty-four zeros:

- entries made since schema 0005: ``SHA-256(previous hash + entry)`` over the entry's
  number, uid, audit, time, profile id and name, what changed (entity, key, field), the old
  and new value, the import that wrote it and whether it was carried in a bundle; in an
  encrypted database an HMAC-SHA256 under a key kept inside the encrypted file instead
  (:mod:`auditapp.storage.history_chain`);
- entries made before: the rule of schema 0002 (no uid, profile or import).

At the end of every transaction that changed an audit, a *seal* entry records the digest of
the audit's content then (:mod:`auditapp.services.seals`), so the chain covers the data too:
``auditapp check`` (:mod:`auditapp.services.integrity`) compares the stored data with the
newest seal of each audit. Seal entries are the chain's own bookkeeping and are not shown
in an audit's history.

Tamper-*evident*, not tamper-proof: someone who can write a plain file and knows this rule
can rewrite the chain and the seals after their change, which only a chain head kept
elsewhere (a backup, a bundle, an export) then shows.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from auditapp.errors import UserError
from auditapp.models import Audit, AuditSeal, BundleImport, ChangeEvent, new_uid, utcnow
from auditapp.rules.cells import cell_texts
from auditapp.rules.permissions import Actor
from auditapp.rules.wording import day_text
from auditapp.services import seals
from auditapp.services.visibility import audit_withheld, withheld_entry
from auditapp.storage.atomic_files import atomic_output
from auditapp.storage.engine import Database
from auditapp.storage.history_chain import ChainSettings, read_chain_settings

GENESIS = "0" * 64
#: The entity of a seal entry: the digest of an audit's content after a transaction.
SEAL = "seal"
_TAIL = "history_tail"
_TOUCHED = "touched_audits"
#: The PostgreSQL advisory lock that lets one transaction at a time add to the chain.
CHAIN_LOCK = 0x6175646974  # "audit"


# --- the chain's rule ---------------------------------------------------------------------------


def entry_hash_v1(previous: str, seq: int, audit_id: int, at: datetime, actor: str,
                  entity: str, entity_key: str, field: str, old: str | None,
                  new: str | None) -> str:
    """The rule of schema 0002, for entries made before 0005 (0002 holds a frozen copy)."""
    payload = json.dumps([seq, audit_id, at.isoformat(sep=" "), actor, entity, entity_key,
                          field, old, new], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous + payload).encode("utf-8")).hexdigest()


def entry_hash(chain: ChainSettings, previous: str, row: Any) -> str:
    """The hash of one entry (anything with the columns of ``change_events``) after the
    entry whose hash is ``previous``, by the rule its number falls under (0005 holds a frozen
    copy of the unkeyed rule)."""
    if row.seq < chain.v2_from:
        return entry_hash_v1(previous, row.seq, row.audit_id, row.at, row.actor, row.entity,
                             row.entity_key, row.field, row.old_value, row.new_value)
    payload = json.dumps(
        [row.seq, row.uid, row.audit_id, row.at.isoformat(sep=" "), row.actor_id, row.actor,
         row.entity, row.entity_key, row.field, row.old_value, row.new_value, row.import_id,
         row.carried],
        ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    message = previous.encode("ascii") + payload
    if chain.key is not None and chain.keyed_from is not None and row.seq >= chain.keyed_from:
        return hmac.new(chain.key, message, hashlib.sha256).hexdigest()
    return hashlib.sha256(message).hexdigest()


@dataclass(frozen=True)
class _Entry:
    """The columns of an entry about to be added, as :func:`entry_hash` reads them."""

    seq: int
    uid: str
    audit_id: int
    at: datetime
    actor_id: int
    actor: str
    entity: str
    entity_key: str
    field: str
    old_value: str | None
    new_value: str | None
    import_id: int | None
    carried: bool


def _as_text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def chain_tail(session: Session) -> tuple[int, str]:
    """The last entry's number and hash, as this transaction sees them (0 and zeros if none)."""
    return _tail(session)[0]


def _tail(session: Session) -> tuple[tuple[int, str], ChainSettings]:
    cached = session.info.get(_TAIL)
    if cached is None:
        if session.get_bind().dialect.name == "postgresql":
            # Writers on a server take turns at the end of the chain (until they commit);
            # on SQLite the database's own write lock does this.
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
        row = session.execute(select(ChangeEvent.seq, ChangeEvent.hash)
                              .order_by(ChangeEvent.seq.desc()).limit(1)).first()
        cached = ((row.seq, row.hash) if row else (0, GENESIS), read_chain_settings(session))
        session.info[_TAIL] = cached
    return cached


def chained_event(session: Session, audit_id: int, actor: Actor, entity: str,
                  entity_key: str, field: str, old: str | None, new: str | None,
                  at: datetime | None = None, *, uid: str | None = None,
                  import_id: int | None = None, carried: bool = False) -> dict[str, Any]:
    """The column values of the next entry, linked to the chain (for bulk inserts too)."""
    (seq, previous), chain = _tail(session)
    entry = _Entry(seq + 1, uid or new_uid(), audit_id, at or utcnow(), actor.id,
                   actor.name[:120], entity, entity_key, field, old, new, import_id, carried)
    digest = entry_hash(chain, previous, entry)
    session.info[_TAIL] = ((entry.seq, digest), chain)
    return {**entry.__dict__, "hash": digest}


def touch_audit(session: Session, audit_id: int, actor: Actor,
                import_id: int | None = None) -> None:
    """Mark an audit changed in this transaction: its revision goes up by one (once), the
    write fails with a concurrent-edit error if someone else saved it since it was read,
    and its content is sealed into the history when the transaction commits."""
    touched: dict[int, tuple[Actor, int | None]] = session.info.setdefault(_TOUCHED, {})
    first = audit_id not in touched
    touched[audit_id] = (actor, import_id)
    if first:
        audit = session.get(Audit, audit_id)
        if audit is not None:
            audit.updated_at = utcnow()


def record_change(session: Session, audit_id: int, actor: Actor, entity: str, entity_key: str,
                  field_name: str, old: object, new: object, *,
                  import_id: int | None = None) -> None:
    """Add one entry to an audit's change history (only when the value really changed), and
    raise the audit's revision (see :func:`touch_audit`)."""
    old_text, new_text = _as_text(old), _as_text(new)
    if old_text == new_text:
        return
    session.add(ChangeEvent(**chained_event(session, audit_id, actor, entity, entity_key,
                                            field_name, old_text, new_text,
                                            import_id=import_id)))
    touch_audit(session, audit_id, actor, import_id)


def seal_values(session: Session, audit_id: int, actor: Actor, content: seals.Content,
                import_id: int | None = None, at: datetime | None = None
                ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The column values of a seal entry vouching for ``content`` (linked to the chain) and
    of the ``audit_seals`` row that keeps the content (for bulk writers: the demo data)."""
    return sealed_values(session, audit_id, actor, seals.sealed(content), import_id, at)


def sealed_values(session: Session, audit_id: int, actor: Actor, sealed: seals.Sealed,
                  import_id: int | None = None, at: datetime | None = None
                  ) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`seal_values` for a content already digested and packed."""
    values = chained_event(session, audit_id, actor, SEAL, "", "content", None,
                           sealed.digest, at, import_id=import_id)
    return values, {"audit_id": audit_id, "seq": values["seq"], "content": sealed.packed}


@event.listens_for(Session, "before_commit")
def _seal_changed_audits(session: Session) -> None:
    """Seal the content of every audit this transaction changed (see the module docstring)."""
    touched: dict[int, tuple[Actor, int | None]] | None = session.info.pop(_TOUCHED, None)
    if not touched:
        return
    session.flush()
    sealed = dict(session.execute(
        select(AuditSeal.audit_id, ChangeEvent.new_value)
        .join(ChangeEvent, ChangeEvent.seq == AuditSeal.seq)
        .where(AuditSeal.audit_id.in_(touched))).all())
    for audit_id, content in seals.read_contents(session, touched).items():
        if sealed.get(audit_id) == seals.digest(content):
            continue
        actor, import_id = touched[audit_id]
        entry, _kept = seal_values(session, audit_id, actor, content, import_id)
        session.add(ChangeEvent(**entry))
        seals.keep_seal(session, audit_id, entry["seq"], content)
    session.flush()


def chain_head(db: Database) -> tuple[int, str]:
    """The last entry's number and hash: what an export or a backup records, so that a
    later rewrite of the history shows against it."""
    with db.transaction() as session:
        return chain_tail(session)


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    """One entry of an audit's history, as the history view and the export show it."""

    seq: int
    at: datetime  # UTC; for an entry carried in a bundle, the time the bundle claims
    actor: str
    entity: str  # "answer", "judgement", "audit", "action", "moderation", "case", "bundle"
    entity_key: str  # question or section key, action number; "" for the audit itself
    field: str
    old_value: str | None
    new_value: str | None
    hash: str
    #: For an entry a bundle import wrote, in words: which bundle from which database, who
    #: imported it and when; "" for a change made here by a person.
    imported: str = ""
    #: Carried in that bundle: the other database's entry, whose time and author are the
    #: bundle's claim (False for a change the import itself made here).
    carried: bool = False

    @property
    def what(self) -> str:
        """What changed, in words: "answer A.1 evidence", "audit status"."""
        return " ".join(part for part in (self.entity, self.entity_key, self.field) if part)


#: What a withheld value reads as in a moderator's history (blind moderation).
WITHHELD = "(withheld until your blind grades are recorded)"


def _import_words(row: BundleImport | None, carried: bool) -> str:
    if row is None:
        return ""
    bundle = (f"{row.file_name} (database {row.source_database}), imported by {row.actor} on "
              f"{day_text(row.imported_at)} {row.imported_at:%H:%M} UTC")
    return f"carried in {bundle}" if carried else f"the import of {bundle}"


def audit_history(db: Database, audit_id: int, reader: Actor) -> list[HistoryRow]:
    """Every change to one audit, in the order this database recorded them (seal entries
    left out). A moderator yet to grade the audit blind sees no grade, grade comment or
    rationale in it (see :func:`~auditapp.rules.permissions.grades_withheld`)."""
    with db.transaction() as session:
        withheld = audit_withheld(session, audit_id, reader)
        events = session.scalars(select(ChangeEvent).where(
            ChangeEvent.audit_id == audit_id, ChangeEvent.entity != SEAL)
            .order_by(ChangeEvent.seq)).all()
        imports = {row.id: row for row in session.scalars(select(BundleImport).where(
            BundleImport.id.in_({e.import_id for e in events if e.import_id is not None})))}
        rows = []
        for e in events:
            hidden = withheld and withheld_entry(e.entity, e.field, e.entity_key)
            rows.append(HistoryRow(
                e.seq, e.at, e.actor, e.entity, e.entity_key, e.field,
                WITHHELD if hidden and e.old_value is not None else e.old_value,
                WITHHELD if hidden and e.new_value is not None else e.new_value, e.hash,
                _import_words(imports.get(e.import_id) if e.import_id else None, e.carried),
                e.carried))
        return rows


def _cell(value: str | None) -> str:
    return cell_texts(value or "", 1)[0].csv


def write_history_csv(rows: Iterable[HistoryRow], path: Path) -> Path:
    """Write an audit's history as CSV (UTF-8 with BOM, so spreadsheet programs read it),
    readable by its owner alone, complete or not at all.

    Every text field goes through the one rule for cells (:mod:`auditapp.rules.cells`): a
    value that a spreadsheet would run as a formula is written with a leading ``'``, and one
    longer than a spreadsheet cell holds is cut with a marker saying how much is missing
    (``auditapp history AUDIT`` prints it whole).
    """
    try:
        with atomic_output(path) as temporary, \
                temporary.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(["seq", "at_utc", "actor", "entity", "key", "field", "old_value",
                             "new_value", "imported", "hash"])
            for row in rows:
                writer.writerow([row.seq, row.at.isoformat(sep=" ", timespec="seconds"),
                                 _cell(row.actor), _cell(row.entity), _cell(row.entity_key),
                                 _cell(row.field), _cell(row.old_value), _cell(row.new_value),
                                 _cell(row.imported), row.hash])
    except OSError as exc:
        raise UserError(f"Cannot write {path}: {exc.strerror or exc}") from exc
    return path


# --- checking the chain -------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryCheck:
    """What checking the whole chain found."""

    entries: int
    breaks: list[str]  # one line per place where the chain does not hold
    last_seq: int
    last_hash: str
    #: The first entry whose hash is keyed (an encrypted database's), if any.
    keyed_from: int | None = None

    @property
    def ok(self) -> bool:
        """Whether every entry links to the one before it."""
        return not self.breaks


def walk_chain(chain: ChainSettings, rows: Iterable[Any]) -> Iterator[str]:
    """Every break in a run of entries, oldest first, as one line each."""
    previous, expected_seq = GENESIS, 1
    for row in rows:
        if row.seq != expected_seq:
            yield (f"entries {expected_seq} to {row.seq - 1} are missing "
                   f"(removed, or the history was cut)")
        if entry_hash(chain, previous, row) != row.hash:
            yield (f"entry {row.seq} (audit {row.audit_id}, {row.at:%Y-%m-%d %H:%M}, "
                   f"{row.entity} {row.entity_key} {row.field}) does not match its hash: it was "
                   "changed, or an entry before it was changed or removed")
        previous, expected_seq = row.hash, row.seq + 1


def check_history(db: Database) -> HistoryCheck:
    """Recompute the whole chain and list every break (``auditapp check`` reports them)."""
    with db.transaction() as session:
        chain = read_chain_settings(session)
        rows = session.execute(select(ChangeEvent).order_by(ChangeEvent.seq)).scalars().all()
        breaks = list(walk_chain(chain, rows))
        last = rows[-1] if rows else None
        return HistoryCheck(len(rows), breaks, last.seq if last else 0,
                            last.hash if last else GENESIS,
                            chain.keyed_from if chain.key is not None else None)
