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

An audit that is closed or moderated here is never changed by an import except through a
conflict the user settles: every field the bundle would change in it is a conflict, and
only a practice lead may take the bundle's side of one.

An import is one transaction, and runs only when every conflict has a choice: with any left
unsettled nothing at all is imported. Everything it would write is checked first by the
rules of the editor and the services (:mod:`auditapp.services.sync.validation`); anything
wrong refuses the whole bundle. Every change it makes is recorded in this database's
history as an import (:class:`~auditapp.models.BundleImport`: who imported which bundle,
from which database), each value from and to. History entries the bundle carries are
appended after this database's own, each once (by its uid), marked as carried in by that
import. Importing the same bundle again changes nothing.

People are matched by profile: the local profile with the uid the bundle gives the person,
else the one with their name (ignoring case and spacing), else a new profile with the
bundle's uid and name (an auditor, or a moderator for someone who moderated).

Exporting needs :attr:`~auditapp.rules.permissions.Permission.EXPORT_BUNDLES` (anyone
exports their own audits, a practice lead any); importing needs
:attr:`~auditapp.rules.permissions.Permission.IMPORT_BUNDLES`. An export never holds an audit
whose grades are withheld from its exporter (blind moderation), and its manifest records the
head of this database's history chain (``check --against`` compares it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from auditapp import __version__
from auditapp.checklists.format import TemplateSpec, load_template_text
from auditapp.errors import PermissionDeniedError, UserError
from auditapp.models import (
    Action,
    Audit,
    AuditStatus,
    BundleImport,
    Case,
    ChangeEvent,
    Moderation,
    Role,
    Setting,
    SyncState,
    Template,
    User,
    new_uid,
    utcnow,
)
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.history import SEAL, chain_tail, chained_event, record_change
from auditapp.services.sync import merge, snapshots, validation
from auditapp.services.sync.bundle_file import BundleError, read_bundle, write_bundle
from auditapp.services.sync.changes import record_import_changes
from auditapp.services.sync.labels import ConflictWords, when_words
from auditapp.services.sync.parts import (
    AuditEntry,
    HistoryEntry,
    Manifest,
    TemplateEntry,
)
from auditapp.services.templates import (
    TemplateInfo,
    add_template_version,
    read_template_info,
    spec_info,
)
from auditapp.services.users import add_profile, as_actor, find_profile
from auditapp.services.visibility import withheld_condition
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


def _chosen_audits(session: Session, actor: Actor, since: date | None,
                   auditor: str | None) -> list[Audit]:
    """The audits an export holds: those chosen, of those the actor may export (their own,
    unless a practice lead), leaving out any whose grades are withheld from them."""
    query = select(Audit).where(~withheld_condition(actor)).order_by(Audit.id)
    if actor.role != Role.PRACTICE_LEAD:
        moderated = select(Moderation.audit_id).where(Moderation.moderator_id == actor.id)
        query = query.where(or_(Audit.auditor_id == actor.id, Audit.id.in_(moderated)))
    if since is not None:
        query = query.where(Audit.updated_at >= datetime.combine(since, time.min))
    if auditor:
        profile = find_profile(session, auditor)
        query = query.where(Audit.auditor_id == (profile.id if profile else -1))
    return list(session.scalars(query))


def _history_part(session: Session, audits: list[Audit]) -> list[HistoryEntry]:
    """The audits' history as it travels: this database's own entries and those it carried
    in, never its seals or the record of its own imports (which belong to this database)."""
    by_id = {a.id: a for a in audits}
    actions = {str(a.id): a.uid for audit in audits for a in audit.actions}
    uids = dict(session.execute(select(User.id, User.uid)).all())
    events = session.scalars(select(ChangeEvent).where(
        ChangeEvent.audit_id.in_(by_id), ChangeEvent.entity != SEAL,
        or_(ChangeEvent.import_id.is_(None), ChangeEvent.carried))
        .order_by(ChangeEvent.seq))
    return [{"uid": e.uid, "audit": by_id[e.audit_id].uid, "at": e.at.isoformat(),
             "actor": e.actor, "actor_uid": uids.get(e.actor_id), "entity": e.entity,
             "entity_key": e.entity_key,
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

    Anyone may export their own audits (a moderator: those they moderated), a practice
    lead any; an audit whose grades are withheld from ``actor`` is left out. The states
    exported are remembered here, so that a later import of what others made of them is
    recognised."""
    require(actor, Permission.EXPORT_BUNDLES)
    with db.transaction() as session:
        audits = _chosen_audits(session, actor, since, auditor)
        if not audits:
            mine = "" if actor.role == Role.PRACTICE_LEAD else " of yours"
            raise UserError(f"No audits{mine} match, so no bundle was written.")
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
             "known_states": known[a.uid], "people": snapshots.people_of(session, snapshot)}
            for a, state, snapshot in snapshotted]
        seq, head = chain_tail(session)
        manifest: Manifest = {
            "database_id": _database_id(session), "created_at": utcnow().isoformat(),
            "chain_head": {"seq": seq, "hash": head},
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
    sha256: str = ""  # of the whole file, naming exactly which bundle it was

    @property
    def source(self) -> str:
        """Where it came from, in words."""
        written = when_words("created_at", self.manifest.get("created_at", "?"))
        return (f"database {self.manifest.get('database_id', '?')}, written by "
                f"{self.manifest.get('creator', '?')} at {written}")


def open_bundle(path: Path, passphrase: str | None = None) -> Bundle:
    """Read and check a bundle file: refused whole if damaged, changed, or if the passphrase
    is wrong (see :mod:`auditapp.services.sync.bundle_file`). What it holds is checked
    against this database's rules when it is previewed or imported."""
    contents = read_bundle(path, passphrase)
    missing = [name for name in PARTS if name not in contents.parts]
    if missing:
        raise BundleError(f"{path.name} lacks its {', '.join(missing)}: nothing was imported.")
    parts = contents.parts
    shapes = [(name, kind) for name, kind in (("audits.json", list), ("templates.json", list),
                                              ("cases.json", dict), ("history.json", list))
              if not isinstance(parts[name], kind)]
    if shapes:
        raise BundleError(f"{path.name}: {shapes[0][0]} is not a {shapes[0][1].__name__}. "
                          "Nothing was imported.")
    for entry in parts["audits.json"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("snapshot"), dict) \
                or snapshots.state_hash(entry["snapshot"]) != entry.get("state"):
            uid = entry.get("uid", "?") if isinstance(entry, dict) else "?"
            raise BundleError(f"{path.name}: audit {uid} does not match its own "
                              "state. Nothing was imported.")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    # The shapes are those of auditapp.services.sync.parts, checked in full on import.
    return Bundle(path, cast(Manifest, contents.manifest), parts["audits.json"],
                  parts["templates.json"], parts["cases.json"], parts["history.json"],
                  contents.encrypted, digest)


def bundle_head(path: Path, passphrase: str | None = None) -> tuple[str, int, str]:
    """The database id and the chain head (number and hash of the last entry) a bundle's
    manifest recorded when it was written, for ``check --against``."""
    bundle = open_bundle(path, passphrase)
    head = bundle.manifest.get("chain_head")
    if not isinstance(head, dict) or not isinstance(head.get("seq"), int) \
            or not isinstance(head.get("hash"), str):
        raise BundleError(f"{path.name} records no chain head (it was written by an older "
                          "auditapp), so it cannot vouch for this history.")
    return str(bundle.manifest.get("database_id", "")), head["seq"], head["hash"]


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


def _label(snapshot: snapshots.Snapshot, titles: Mapping[str, str]) -> str:
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


#: Statuses in which an audit here is finished with: an import changes it only through
#: conflicts the user settles.
FINISHED = (AuditStatus.MODERATED, AuditStatus.CLOSED)


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
    if audit.status in FINISHED:
        # Finished here: every field the bundle would change is the user's to settle.
        base = None
        outcome = MERGED
    elif state in remote_known:
        return _Plan(entry, label, audit, UPDATED)
    else:
        base = _base(session, audit.uid, remote_known)
        outcome = MERGED
    plan = _Plan(entry, label, audit, outcome, merge.three_way(base, local, remote))
    assert plan.merge_plan is not None
    words = ConflictWords(templates.get(audit.template_id)[0])
    plan.conflicts = [ConflictInfo(audit.uid, label, c.key, words.what(c), words.value(c, c.base),
                                   words.value(c, c.local), words.value(c, c.remote))
                      for c in plan.merge_plan.conflicts]
    return plan


def _shipped_templates(bundle: Bundle) -> tuple[dict[tuple[str, str], TemplateSpec],
                                                 list[str]]:
    """The template versions the bundle brings, each checked as a template file is."""
    specs: dict[tuple[str, str], TemplateSpec] = {}
    problems = []
    for number, shipped in enumerate(bundle.templates, start=1):
        where = f"template {number} of templates.json"
        if not isinstance(shipped, dict) or not all(
                isinstance(shipped.get(k), str) for k in ("key", "content_hash", "source_text",
                                                            "source_name", "title")):
            problems.append(f"{where}: is not a template entry")
            continue
        try:
            spec = load_template_text(shipped["source_text"], shipped["source_name"]
                                      or shipped["key"])
        except UserError as exc:
            problems.append(f"{where} ({shipped['key']}): {str(exc).splitlines()[0]}")
            continue
        if spec.key != shipped["key"] or spec.content_hash() != shipped["content_hash"]:
            problems.append(f"{where} ({shipped['key']}): does not match its content hash")
            continue
        specs[(spec.key, spec.content_hash())] = spec
    return specs, problems


def _template_finder(session: Session, specs: Mapping[tuple[str, str], TemplateSpec]
                     ) -> validation.Templates:
    found: dict[tuple[str, str], TemplateInfo | None] = {}

    def find(key: str, content_hash: str) -> TemplateInfo | None:
        if (key, content_hash) not in found:
            local = session.scalar(select(Template.id).where(
                Template.key == key, Template.content_hash == content_hash))
            spec = specs.get((key, content_hash))
            found[(key, content_hash)] = read_template_info(session, local) \
                if local is not None else spec_info(spec) if spec is not None else None
        return found[(key, content_hash)]

    return find


def bundle_problems(session: Session, bundle: Bundle) -> list[str]:
    """Everything wrong with what the bundle would write (see
    :mod:`auditapp.services.sync.validation`), one line each."""
    specs, problems = _shipped_templates(bundle)
    find = _template_finder(session, specs)
    titles = {t["key"]: t["title"] for t in bundle.templates if isinstance(t, dict)}
    uids = set()
    for entry in bundle.audits:
        label = _safe_label(entry, titles)
        problems += validation.audit_problems(entry, label, find)
        problems += validation.people_problems(label, entry.get("people"))
        uids.add(entry.get("uid"))
    if len(uids) < len(bundle.audits):
        problems.append("audits.json: holds an audit twice")
    for reference, uid in bundle.cases.items():
        if not isinstance(uid, str) or not validation.UID.match(uid):
            problems.append(f"cases.json: case {reference!r}: its uid is not 32 hexadecimal "
                            "digits")
    problems += validation.history_problems(bundle.history, {u for u in uids if u})
    created = bundle.manifest.get("created_at")
    try:
        datetime.fromisoformat(str(created))
    except ValueError:
        problems.append("manifest.json: when it was written is not a date and time")
    return problems


def _safe_label(entry: Any, titles: Mapping[str, str]) -> str:
    try:
        return f"audit {_label(entry['snapshot'], titles)}"
    except (KeyError, TypeError, AttributeError):
        uid = entry.get("uid") if isinstance(entry, dict) else None
        return f"audit {uid if isinstance(uid, str) else '?'}"[:80]


class BundleRefusedError(BundleError):
    """What a bundle would write breaks the rules: nothing was imported. ``problems`` lists
    every problem, each naming the audit or entry and the field."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" \
            if len(problems) > 1 else ""
        super().__init__(f"{name} was refused: {problems[0]}{more}. Nothing was imported.")


def _checked(session: Session, bundle: Bundle) -> None:
    problems = bundle_problems(session, bundle)
    if problems:
        raise BundleRefusedError(bundle.path.name, problems)


def _plans(session: Session, bundle: Bundle) -> list[_Plan]:
    _checked(session, bundle)
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


def preview_import(db: Database, bundle: Bundle, actor: Actor) -> ImportReport:
    """What importing the bundle would do, with every conflict; changes nothing. Refuses a
    bundle with anything wrong in it (:class:`BundleRefusedError`), as the import would."""
    require(actor, Permission.IMPORT_BUNDLES)
    with db.transaction() as session:
        return _report(bundle, _plans(session, bundle), applied=False)


# --- applying an import ---------------------------------------------------------------------------


def _local_template(session: Session, bundle: Bundle, key: str, content_hash: str,
                    actor: Actor) -> int:
    """This database's copy of a template version, added from the bundle if need be (which
    needs the permission to import templates)."""
    found = session.scalar(select(Template.id).where(Template.key == key,
                                                     Template.content_hash == content_hash))
    if found is not None:
        return found
    require(actor, Permission.IMPORT_TEMPLATES)
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


class _People:
    """Finds the local profile of each person the bundle names (see the module docstring),
    making one where there is none."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.uids: dict[str, str] = {}
        self.found: dict[str, int] = {}

    def know(self, people: Mapping[str, str] | None) -> None:
        """Learn the profile uids an audit entry gives its people."""
        self.uids.update(people or {})

    def __call__(self, name: str | None, role: Role, uid: str | None = None) -> int | None:
        if not name:
            return None
        uid = uid or self.uids.get(name)
        if name not in self.found or uid is not None:
            user = (self.session.scalar(select(User).where(User.uid == uid)) if uid else None) \
                or find_profile(self.session, name) or add_profile(self.session, name, role, uid)
            self.found[name] = user.id
        return self.found[name]

    def actor(self, name: str, uid: str | None) -> Actor:
        """The profile an entry carried in the bundle names, as its actor."""
        user = self.session.get(User, self(name, Role.AUDITOR, uid))
        assert user is not None
        return as_actor(user)


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
                        actor: Actor, import_id: int) -> None:
    assert plan.audit is not None
    for conflict in plan.conflicts:
        kept = chosen[conflict.key]
        value = conflict.local if kept == merge.Side.LOCAL else conflict.remote
        record_change(session, plan.audit.id, actor, "bundle", conflict.key[:80],
                      "conflict settled", f"here: {conflict.local}; bundle: {conflict.remote}",
                      f"kept {'this database' if kept == merge.Side.LOCAL else 'the bundle'}"
                      f"'s: {value}", import_id=import_id)


def _check_finished(plan: _Plan, chosen: Mapping[str, str], actor: Actor) -> None:
    """Taking the bundle's side into an audit finished here is a practice lead's call."""
    assert plan.audit is not None
    if plan.audit.status in FINISHED and merge.Side.REMOTE in chosen.values() \
            and actor.role != Role.PRACTICE_LEAD:
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role.value}) may not take the bundle's changes into "
            f"{plan.label}: it is {plan.audit.status.value} here, so only a practice lead "
            "may change it. Keep this database's values, or ask a practice lead to import "
            "the bundle. Nothing was imported.")


def _apply(session: Session, bundle: Bundle, plan: _Plan, chosen: Mapping[str, str],
           actor: Actor, people: _People, import_id: int) -> None:
    remote = plan.entry["snapshot"]
    if plan.outcome == UNCHANGED:
        return
    people.know(plan.entry.get("people"))
    template_id = _local_template(session, bundle, remote["template"]["key"],
                                  remote["template"]["content_hash"], actor)
    template = read_template_info(session, template_id)
    content_hash = remote["template"]["content_hash"]
    before = snapshots.read_snapshot(session, plan.audit, template, content_hash) \
        if plan.audit is not None else None
    snapshot = remote
    if plan.outcome == ADDED:
        plan.audit = snapshots.new_audit(session, remote, template,
                                         _local_case(session, bundle, remote), people)
    elif plan.outcome == MERGED:
        assert plan.merge_plan is not None
        snapshot = merge.from_groups(merge.resolve(plan.merge_plan, chosen), remote)
    assert plan.audit is not None
    snapshots.write_snapshot(session, plan.audit, snapshot, template, people)
    session.flush()
    session.expire_all()  # the names of the people it points at are read again
    after = snapshots.read_snapshot(session, plan.audit, template, content_hash)
    record_import_changes(session, plan.audit, before, after, actor, import_id)
    if plan.conflicts:
        _record_settlements(session, plan, chosen, actor, import_id)


def _import_history(session: Session, bundle: Bundle, people: _People, import_id: int) -> int:
    """Append the bundle's history entries not yet here after this database's own, in the
    bundle's order, each marked as carried in by this import; returns how many."""
    known = set(session.scalars(select(ChangeEvent.uid).where(
        ChangeEvent.uid.in_([e["uid"] for e in bundle.history]))))
    fresh = [e for e in bundle.history if e["uid"] not in known]
    audits = dict(session.execute(select(Audit.uid, Audit.id).where(
        Audit.uid.in_({e["audit"] for e in fresh}))).all())
    actions = dict(session.execute(select(Action.uid, Action.id).where(
        Action.uid.in_({e["action"] for e in fresh if e.get("action")}))).all())
    for event in fresh:
        action = event.get("action")
        key = str(actions[action]) if action is not None and action in actions \
            else event["entity_key"]
        author = people.actor(event["actor"], event.get("actor_uid"))
        session.add(ChangeEvent(**chained_event(
            session, audits[event["audit"]], author, event["entity"], key,
            event["field"], event["old_value"], event["new_value"],
            at=datetime.fromisoformat(event["at"]), uid=event["uid"], import_id=import_id,
            carried=True)))
    return len(fresh)


def _remember_remote(session: Session, bundle: Bundle, plans: list[_Plan]) -> None:
    peer = str(bundle.manifest.get("database_id", ""))[:32]
    for plan in plans:
        uid = plan.entry["uid"]
        _remember(session, uid, plan.entry["state"], plan.entry["snapshot"], peer)
        for state in plan.entry["known_states"]:
            _remember(session, uid, state, None, peer)


def _log(session: Session, bundle: Bundle, actor: Actor) -> BundleImport:
    """The record of this import, which every history entry it writes points at."""
    created = bundle.manifest.get("created_at")
    row = BundleImport(
        actor_id=actor.id, file_name=bundle.path.name[:255], file_sha256=bundle.sha256,
        source_database=str(bundle.manifest.get("database_id", ""))[:32],
        bundle_created_at=datetime.fromisoformat(created) if created else utcnow())
    session.add(row)
    session.flush()
    return row


def _counted(row: BundleImport, report: ImportReport) -> None:
    row.added = report.count(ADDED)
    row.updated = report.count(UPDATED) + report.count(MERGED)
    row.unchanged = report.count(UNCHANGED)
    row.conflicts = len(report.conflicts)


def import_bundle(db: Database, bundle: Bundle, actor: Actor,
                  choices: Mapping[str, str] | None = None, prefer: str | None = None
                  ) -> Iterator[tuple[int, int] | ImportReport]:
    """Merge a bundle into this database in one transaction; yields progress, then the
    :class:`ImportReport`.

    ``choices`` settles conflicts by :attr:`ConflictInfo.id` (``"local"`` keeps this
    database's value, ``"remote"`` takes the bundle's); ``prefer`` settles every other one
    the same way. With any conflict unsettled, raises :class:`UnsettledConflictsError` and
    imports nothing; with anything in the bundle against the rules, raises
    :class:`BundleRefusedError` and imports nothing. Closing the generator early imports
    nothing either. Needs the permission to import bundles.
    """
    require(actor, Permission.IMPORT_BUNDLES)
    if prefer is not None and prefer not in PREFERENCES:
        raise UserError(f"Prefer '{merge.Side.LOCAL}' or '{merge.Side.REMOTE}', "
                        f"not '{prefer}'.")
    choices = choices or {}
    with db.transaction() as session:
        plans = _plans(session, bundle)
        chosen = [_choices(plan, choices, prefer) for plan in plans]
        if any(len(c) < len(p.conflicts) for c, p in zip(chosen, plans, strict=True)):
            raise UnsettledConflictsError(_report(bundle, plans, applied=False))
        for plan, settled in zip(plans, chosen, strict=True):
            if plan.conflicts:
                _check_finished(plan, settled, actor)
        log = _log(session, bundle, actor)
        people = _People(session)
        for entry in bundle.audits:
            people.know(entry.get("people"))
        for done, (plan, settled) in enumerate(zip(plans, chosen, strict=True), start=1):
            _apply(session, bundle, plan, settled, actor, people, log.id)
            yield done, len(plans) + 1
        history = _import_history(session, bundle, people, log.id)
        _remember_remote(session, bundle, plans)
        report = _report(bundle, plans, applied=True, history=history)
        if history or any(p.outcome != UNCHANGED for p in plans):
            _counted(log, report)
        else:  # nothing happened: no trace of it either
            session.delete(log)
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
