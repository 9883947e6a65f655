"""Audit bundles: carrying audits from one database to another, and merging them there.

Every audit is known everywhere by its uid. When a database exports an audit, or imports
one, it remembers the state the audit was in (a hash of its snapshot, and the snapshot), so
two databases can tell where they last met. On import, for each audit in the bundle:

- not here yet: **added**;
- in the same state here, or in a state here that came after the bundle's: **unchanged**;
- changed only in the bundle since the two last met: **updated** to the bundle's state;
- changed on **both** sides: compared field by field with the state they last shared. A
  field changed on one side only takes that side's value (**merged**); a field changed on
  both sides to different values is a **conflict**, for the user to settle.

An import is one transaction, and runs only when every conflict has a choice: with any left
unsettled nothing at all is imported. History entries are carried over too (each once, by
its uid) and chained into this database's own history. Importing the same bundle again
changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditapp import __version__
from auditapp.checklists.format import load_template_text
from auditapp.errors import UserError
from auditapp.models import (
    Action,
    Audit,
    BundleImport,
    Case,
    ChangeEvent,
    Setting,
    SyncState,
    Template,
    new_uid,
    utcnow,
)
from auditapp.rules.permissions import Actor
from auditapp.services.history import chained_event, record_change
from auditapp.services.sync import merge, snapshots
from auditapp.services.sync.bundle_file import BundleError, read_bundle, write_bundle
from auditapp.services.sync.labels import ConflictWords, when_words
from auditapp.services.sync.parts import (
    AuditEntry,
    HistoryEntry,
    Manifest,
    TemplateEntry,
)
from auditapp.services.templates import TemplateInfo, add_template_version, read_template_info
from auditapp.storage.engine import Database
from auditapp.storage.schema import head_revision

DATABASE_ID = "database_id"
PARTS = ("audits.json", "templates.json", "cases.json", "history.json")


class Outcome(StrEnum):
    """What an import does (or did) to one audit (see the module's docstring)."""

    ADDED = "added"
    UPDATED = "updated"
    MERGED = "merged"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"  # before it is settled


#: The outcomes by their short names, as callers write them (``bundles.ADDED``).
ADDED, UPDATED, MERGED, UNCHANGED, CONFLICT = (Outcome.ADDED, Outcome.UPDATED, Outcome.MERGED,
                                              Outcome.UNCHANGED, Outcome.CONFLICT)
#: What ``prefer`` may be: keep this database's value, or take the bundle's.
PREFERENCES = tuple(merge.Side)


def _database_id(session: Session) -> str:
    setting = session.get(Setting, DATABASE_ID)
    if setting is None:  # migration 0004 gives every database one; this is a safety net
        setting = Setting(key=DATABASE_ID, value=new_uid())
        session.add(setting)
    return str(setting.value)


def database_id(db: Database) -> str:
    """This database's own id, which names it in the bundles it writes."""
    with db.transaction() as session:
        return _database_id(session)


# --- export -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    """What a bundle export wrote."""

    path: Path
    audits: int
    encrypted: bool


class _Templates:
    """Template versions met during one transaction, read once each."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.info: dict[int, TemplateInfo] = {}
        self.rows: dict[int, Template] = {}

    def get(self, template_id: int) -> tuple[TemplateInfo, Template]:
        if template_id not in self.info:
            self.info[template_id] = read_template_info(self.session, template_id)
            row = self.session.get(Template, template_id)
            assert row is not None
            self.rows[template_id] = row
        return self.info[template_id], self.rows[template_id]


def _snapshot(templates: _Templates, audit: Audit) -> snapshots.Snapshot:
    info, row = templates.get(audit.template_id)
    return snapshots.read_snapshot(templates.session, audit, info, row.content_hash)


def _remember(session: Session, uid: str, state: str, snapshot: snapshots.Snapshot | None,
              peer: str) -> None:
    """Record a state of an audit (keeping its snapshot when it is known)."""
    row = session.scalar(select(SyncState).where(SyncState.audit_uid == uid,
                                                 SyncState.state_hash == state))
    if row is None:
        session.add(SyncState(audit_uid=uid, state_hash=state, peer=peer, snapshot=(
            snapshots.canonical_json(snapshot) if snapshot is not None else None)))
    elif row.snapshot is None and snapshot is not None:
        row.snapshot = snapshots.canonical_json(snapshot)
    session.flush()


def _known_states(session: Session, uids: list[str]) -> dict[str, list[str]]:
    known: dict[str, list[str]] = {uid: [] for uid in uids}
    for uid, state in session.execute(select(SyncState.audit_uid, SyncState.state_hash)
                                      .where(SyncState.audit_uid.in_(uids))
                                      .order_by(SyncState.id)):
        known[uid].append(state)
    return known


def _chosen_audits(session: Session, since: date | None, auditor: str | None) -> list[Audit]:
    query = select(Audit).order_by(Audit.id)
    if since is not None:
        query = query.where(Audit.updated_at >= datetime.combine(since, time.min))
    if auditor:
        query = query.where(Audit.auditor == auditor)
    return list(session.scalars(query))


def _history_part(session: Session, audits: list[Audit]) -> list[HistoryEntry]:
    by_id = {a.id: a for a in audits}
    actions = {str(a.id): a.uid for audit in audits for a in audit.actions}
    events = session.scalars(select(ChangeEvent).where(ChangeEvent.audit_id.in_(by_id))
                             .order_by(ChangeEvent.seq))
    return [{"uid": e.uid, "audit": by_id[e.audit_id].uid, "at": e.at.isoformat(),
             "actor": e.actor, "entity": e.entity, "entity_key": e.entity_key,
             "action": actions.get(e.entity_key) if e.entity == "action" else None,
             "field": e.field, "old_value": e.old_value, "new_value": e.new_value}
            for e in events]


def _templates_part(templates: _Templates) -> list[TemplateEntry]:
    return [{"key": t.key, "version": t.version, "title": t.title,
             "content_hash": t.content_hash, "source_text": t.source_text,
             "source_name": t.source_name} for t in templates.rows.values()]


def export_bundle(db: Database, out: Path, actor: Actor, *, since: date | None = None,
                  auditor: str | None = None, passphrase: str | None = None
                  ) -> Iterator[tuple[int, int] | ExportResult]:
    """Write the chosen audits (all; changed since ``since``; of one auditor) to a bundle,
    encrypted when a passphrase is given. Yields progress, then the :class:`ExportResult`.

    The states exported are remembered here, so that a later import of what others made of
    them is recognised."""
    with db.transaction() as session:
        audits = _chosen_audits(session, since, auditor)
        if not audits:
            raise UserError("No audits match, so no bundle was written.")
        templates = _Templates(session)
        snapshotted: list[tuple[Audit, str, snapshots.Snapshot]] = []
        for done, audit in enumerate(audits, start=1):
            snapshot = _snapshot(templates, audit)
            state = snapshots.state_hash(snapshot)
            _remember(session, audit.uid, state, snapshot, "")
            snapshotted.append((audit, state, snapshot))
            yield done, len(audits) + 1
        known = _known_states(session, [a.uid for a in audits])
        entries: list[AuditEntry] = [
            {"uid": a.uid, "revision": a.revision, "state": state, "snapshot": snapshot,
             "known_states": known[a.uid]} for a, state, snapshot in snapshotted]
        manifest: Manifest = {
            "database_id": _database_id(session), "created_at": utcnow().isoformat(),
            "creator": actor.name, "auditapp_version": __version__, "schema": head_revision(),
            "chosen": {"since": since.isoformat() if since else None, "auditor": auditor},
            "audits": [{"uid": a.uid, "case_reference": a.case.reference,
                        "auditor": a.auditor, "status": a.status.value,
                        "revision": a.revision, "state": e["state"]}
                       for a, e in zip(audits, entries, strict=True)]}
        parts = {"audits.json": entries, "templates.json": _templates_part(templates),
                 "cases.json": {a.case.reference: a.case.uid for a in audits},
                 "history.json": _history_part(session, audits)}
        path = write_bundle(out, manifest, parts, passphrase)
        yield len(audits) + 1, len(audits) + 1
    yield ExportResult(path, len(audits), passphrase is not None)


# --- reading a bundle -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    """A bundle read from a file and checked, ready to preview and import."""

    path: Path
    manifest: Manifest
    audits: list[AuditEntry]
    templates: list[TemplateEntry]
    cases: dict[str, str]
    history: list[HistoryEntry]
    encrypted: bool

    @property
    def source(self) -> str:
        """Where it came from, in words."""
        written = when_words("created_at", self.manifest.get("created_at", "?"))
        return (f"database {self.manifest.get('database_id', '?')}, written by "
                f"{self.manifest.get('creator', '?')} at {written}")


def open_bundle(path: Path, passphrase: str | None = None) -> Bundle:
    """Read and check a bundle file: refused whole if damaged, changed, or if the passphrase
    is wrong (see :mod:`auditapp.services.sync.bundle_file`)."""
    contents = read_bundle(path, passphrase)
    missing = [name for name in PARTS if name not in contents.parts]
    if missing:
        raise BundleError(f"{path.name} lacks its {', '.join(missing)}: nothing was imported.")
    parts = contents.parts
    for entry in parts["audits.json"]:
        if snapshots.state_hash(entry["snapshot"]) != entry["state"]:
            raise BundleError(f"{path.name}: audit {entry['uid']} does not match its own "
                              "state. Nothing was imported.")
    # The shapes are those of auditapp.services.sync.parts.
    return Bundle(path, cast(Manifest, contents.manifest), parts["audits.json"],
                  parts["templates.json"],
                  parts["cases.json"], parts["history.json"], contents.encrypted)


# --- what an import does --------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictInfo:
    """One field changed on both sides, with the value each side has, in words."""

    audit_uid: str
    audit: str  # which audit, in words
    key: str  # the field within the audit
    what: str
    base: str
    local: str
    remote: str

    @property
    def id(self) -> str:
        """Names the conflict in a bundle: what a choice is keyed by."""
        return f"{self.audit_uid}:{self.key}"


@dataclass(frozen=True)
class AuditOutcome:
    """What an import does (or did) to one audit."""

    uid: str
    audit: str
    outcome: Outcome


@dataclass(frozen=True)
class ImportReport:
    """What an import did or, before it runs, would do."""

    source: str
    outcomes: tuple[AuditOutcome, ...]
    conflicts: tuple[ConflictInfo, ...]
    applied: bool
    history_added: int = 0

    def count(self, outcome: Outcome) -> int:
        """How many audits had this outcome."""
        return sum(o.outcome == outcome for o in self.outcomes)

    def summary(self) -> str:
        """One line: added, updated, unchanged, conflicts."""
        updated = self.count(UPDATED) + self.count(MERGED)
        merged = f" ({self.count(MERGED)} merged)" if self.count(MERGED) else ""
        conflicts = len(self.conflicts)
        settled = " settled" if self.applied and conflicts else ""
        return (f"{self.count(ADDED)} added, {updated} updated{merged}, "
                f"{self.count(UNCHANGED)} unchanged, {conflicts} conflict"
                f"{'' if conflicts == 1 else 's'}{settled}")


class UnsettledConflictsError(UserError):
    """Fields changed on both sides have no choice yet: nothing was imported."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(f"{len(report.conflicts)} field(s) were changed both here and in the "
                         "bundle since the two last met. Choose which to keep for each: "
                         "nothing was imported.")


@dataclass
class _Plan:
    entry: AuditEntry
    label: str
    audit: Audit | None
    outcome: Outcome
    merge_plan: merge.MergePlan | None = None
    conflicts: list[ConflictInfo] = field(default_factory=list)


def _label(snapshot: snapshots.Snapshot, titles: dict[str, str]) -> str:
    title = titles.get(snapshot["template"]["key"], snapshot["template"]["key"])
    return (f"{snapshot['case']['reference']} · {title} · {snapshot['audit']['auditor']} · "
            f"{when_words('audit_date', snapshot['audit']['audit_date'])}")


def _base(session: Session, uid: str, remote_known: set[str]) -> snapshots.Snapshot | None:
    """The newest state of the audit both sides know, whose snapshot is kept here."""
    row = session.scalar(select(SyncState).where(
        SyncState.audit_uid == uid, SyncState.state_hash.in_(remote_known),
        SyncState.snapshot.is_not(None)).order_by(SyncState.id.desc()).limit(1))
    return json.loads(row.snapshot) if row is not None and row.snapshot else None


def _local_known(session: Session, uid: str) -> set[str]:
    return set(session.scalars(select(SyncState.state_hash).where(SyncState.audit_uid == uid)))


def _classify(templates: _Templates, entry: AuditEntry, label: str) -> _Plan:
    session = templates.session
    audit = session.scalar(select(Audit).where(Audit.uid == entry["uid"]))
    if audit is None:
        return _Plan(entry, label, None, ADDED)
    local = _snapshot(templates, audit)
    remote = entry["snapshot"]
    if local["template"] != remote["template"]:
        raise BundleError(f"{label}: the bundle has this audit on another template version "
                          "than this database. Nothing was imported.")
    state, remote_known = snapshots.state_hash(local), {*entry["known_states"], entry["state"]}
    if state == entry["state"] or entry["state"] in _local_known(session, audit.uid):
        return _Plan(entry, label, audit, UNCHANGED)
    if state in remote_known:
        return _Plan(entry, label, audit, UPDATED)
    base = _base(session, audit.uid, remote_known)
    plan = _Plan(entry, label, audit, MERGED, merge.three_way(base, local, remote))
    assert plan.merge_plan is not None
    words = ConflictWords(templates.get(audit.template_id)[0])
    plan.conflicts = [ConflictInfo(audit.uid, label, c.key, words.what(c), words.value(c, c.base),
                                   words.value(c, c.local), words.value(c, c.remote))
                      for c in plan.merge_plan.conflicts]
    return plan


def _plans(session: Session, bundle: Bundle) -> list[_Plan]:
    titles = {t["key"]: t["title"] for t in bundle.templates}
    templates = _Templates(session)
    return [_classify(templates, entry, _label(entry["snapshot"], titles))
            for entry in bundle.audits]


def _report(bundle: Bundle, plans: list[_Plan], applied: bool, history: int = 0
            ) -> ImportReport:
    conflicts = tuple(c for p in plans for c in p.conflicts)
    return ImportReport(bundle.source, tuple(
        AuditOutcome(p.entry["uid"], p.label,
                     CONFLICT if p.conflicts and not applied else p.outcome)
        for p in plans), conflicts, applied, history)


def preview_import(db: Database, bundle: Bundle) -> ImportReport:
    """What importing the bundle would do, with every conflict; changes nothing."""
    with db.transaction() as session:
        return _report(bundle, _plans(session, bundle), applied=False)


# --- applying an import ---------------------------------------------------------------------------


def _local_template(session: Session, bundle: Bundle, key: str, content_hash: str) -> int:
    """This database's copy of a template version, added from the bundle if need be."""
    found = session.scalar(select(Template.id).where(Template.key == key,
                                                     Template.content_hash == content_hash))
    if found is not None:
        return found
    shipped = next((t for t in bundle.templates
                    if t["key"] == key and t["content_hash"] == content_hash), None)
    if shipped is None:
        raise BundleError(f"The bundle lacks template '{key}' ({content_hash[:12]}) that its "
                          "audits use. Nothing was imported.")
    spec = load_template_text(shipped["source_text"], shipped["source_name"] or key)
    if spec.content_hash() != content_hash:
        raise BundleError(f"Template '{key}' in the bundle does not match its content hash. "
                          "Nothing was imported.")
    add_template_version(session, spec, shipped["source_name"])
    found = session.scalar(select(Template.id).where(Template.key == key,
                                                     Template.content_hash == content_hash))
    assert found is not None
    return found


def _local_case(session: Session, bundle: Bundle, snapshot: snapshots.Snapshot) -> Case:
    reference = snapshot["case"]["reference"]
    uid = bundle.cases.get(reference)
    case = session.scalar(select(Case).where(Case.uid == uid)) if uid else None
    case = case or session.scalar(select(Case).where(Case.reference == reference))
    if case is None:
        case = Case(uid=uid or new_uid(), reference=reference)
        snapshots.write_case(case, snapshot["case"])
        session.add(case)
        session.flush()
    return case


def _choices(plan: _Plan, choices: Mapping[str, str], prefer: str | None) -> dict[str, str]:
    chosen = {}
    for conflict in plan.conflicts:
        choice = choices.get(conflict.id, prefer)
        if choice is not None:
            chosen[conflict.key] = choice
    return chosen


def _record_settlements(session: Session, plan: _Plan, chosen: Mapping[str, str],
                        actor: Actor) -> None:
    assert plan.audit is not None
    for conflict in plan.conflicts:
        kept = chosen[conflict.key]
        value = conflict.local if kept == merge.Side.LOCAL else conflict.remote
        record_change(session, plan.audit.id, actor, "bundle", conflict.key[:80],
                      "conflict settled", f"here: {conflict.local}; bundle: {conflict.remote}",
                      f"kept {'this database' if kept == merge.Side.LOCAL else 'the bundle'}"
                      f"'s: {value}")


def _apply(session: Session, bundle: Bundle, plan: _Plan, chosen: Mapping[str, str],
           actor: Actor) -> None:
    remote = plan.entry["snapshot"]
    if plan.outcome == UNCHANGED:
        return
    template_id = _local_template(session, bundle, remote["template"]["key"],
                                  remote["template"]["content_hash"])
    template = read_template_info(session, template_id)
    snapshot = remote
    if plan.outcome == ADDED:
        plan.audit = snapshots.new_audit(session, remote, template,
                                         _local_case(session, bundle, remote))
    elif plan.outcome == MERGED:
        assert plan.merge_plan is not None
        snapshot = merge.from_groups(merge.resolve(plan.merge_plan, chosen), remote)
    assert plan.audit is not None
    snapshots.write_snapshot(session, plan.audit, snapshot, template)
    if plan.conflicts:
        _record_settlements(session, plan, chosen, actor)


def _import_history(session: Session, bundle: Bundle) -> int:
    """Add the bundle's history entries not yet here, oldest first; returns how many."""
    known = set(session.scalars(select(ChangeEvent.uid).where(
        ChangeEvent.uid.in_([e["uid"] for e in bundle.history]))))
    fresh = sorted((e for e in bundle.history if e["uid"] not in known),
                   key=lambda e: datetime.fromisoformat(e["at"]))
    audits = dict(session.execute(select(Audit.uid, Audit.id).where(
        Audit.uid.in_({e["audit"] for e in fresh}))).all())
    actions = dict(session.execute(select(Action.uid, Action.id).where(
        Action.uid.in_({e["action"] for e in fresh if e.get("action")}))).all())
    for event in fresh:
        action = event.get("action")
        key = str(actions[action]) if action is not None and action in actions \
            else event["entity_key"]
        session.add(ChangeEvent(uid=event["uid"], **chained_event(
            session, audits[event["audit"]], event["actor"], event["entity"], key,
            event["field"], event["old_value"], event["new_value"],
            at=datetime.fromisoformat(event["at"]))))
    return len(fresh)


def _remember_remote(session: Session, bundle: Bundle, plans: list[_Plan]) -> None:
    peer = str(bundle.manifest.get("database_id", ""))[:32]
    for plan in plans:
        uid = plan.entry["uid"]
        _remember(session, uid, plan.entry["state"], plan.entry["snapshot"], peer)
        for state in plan.entry["known_states"]:
            _remember(session, uid, state, None, peer)


def _log(session: Session, bundle: Bundle, report: ImportReport, actor: Actor) -> None:
    created = bundle.manifest.get("created_at")
    session.add(BundleImport(
        actor=actor.name, file_name=bundle.path.name[:255],
        source_database=str(bundle.manifest.get("database_id", ""))[:32],
        bundle_created_at=datetime.fromisoformat(created) if created else utcnow(),
        added=report.count(ADDED), updated=report.count(UPDATED) + report.count(MERGED),
        unchanged=report.count(UNCHANGED), conflicts=len(report.conflicts)))


def import_bundle(db: Database, bundle: Bundle, actor: Actor,
                  choices: Mapping[str, str] | None = None, prefer: str | None = None
                  ) -> Iterator[tuple[int, int] | ImportReport]:
    """Merge a bundle into this database in one transaction; yields progress, then the
    :class:`ImportReport`.

    ``choices`` settles conflicts by :attr:`ConflictInfo.id` (``"local"`` keeps this
    database's value, ``"remote"`` takes the bundle's); ``prefer`` settles every other one
    the same way. With any conflict unsettled, raises :class:`UnsettledConflictsError` and
    imports nothing. Closing the generator early imports nothing either.
    """
    if prefer is not None and prefer not in PREFERENCES:
        raise UserError(f"Prefer '{merge.Side.LOCAL}' or '{merge.Side.REMOTE}', "
                        f"not '{prefer}'.")
    choices = choices or {}
    with db.transaction() as session:
        plans = _plans(session, bundle)
        chosen = [_choices(plan, choices, prefer) for plan in plans]
        if any(len(c) < len(p.conflicts) for c, p in zip(chosen, plans, strict=True)):
            raise UnsettledConflictsError(_report(bundle, plans, applied=False))
        for done, (plan, settled) in enumerate(zip(plans, chosen, strict=True), start=1):
            _apply(session, bundle, plan, settled, actor)
            yield done, len(plans) + 1
        history = _import_history(session, bundle)
        _remember_remote(session, bundle, plans)
        report = _report(bundle, plans, applied=True, history=history)
        if history or any(p.outcome != UNCHANGED for p in plans):
            _log(session, bundle, report, actor)
        yield len(plans) + 1, len(plans) + 1
    yield report


def run_import(db: Database, bundle: Bundle, actor: Actor,
               choices: Mapping[str, str] | None = None, prefer: str | None = None
               ) -> ImportReport:
    """:func:`import_bundle` run to its end (for scripts and tests)."""
    *_progress, result = import_bundle(db, bundle, actor, choices, prefer)
    assert isinstance(result, ImportReport)
    return result


def run_export(db: Database, out: Path, actor: Actor, **chosen: Any) -> ExportResult:
    """:func:`export_bundle` run to its end (for scripts and tests)."""
    *_progress, result = export_bundle(db, out, actor, **chosen)
    assert isinstance(result, ExportResult)
    return result
