"""The manifest every report carries: enough to show later what it counted, and to rebuild it.

A board pack carries it as an embedded file and in its metadata, a workbook as a sheet. It
names the auditapp version; the period and scope; the suppression threshold; the date
actions were judged at; when the report was produced (which also fixes the PDF's creation
date, so that the same inputs give the same bytes); every audit counted, with its uid and
revision (raised by every change to the audit); every template version those audits use; the
head of the change history's hash chain; the release the report belongs to, if any, and the
earlier releases whose figures it repeats; and a SHA-256 of the figures it publishes.

:func:`changes_since` compares a manifest with the database now: the audits added to its
scope, removed from it, or changed (a new revision) since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from auditapp import __version__
from auditapp.errors import UserError
from auditapp.models import Audit, Case, Template
from auditapp.services.history import chain_head
from auditapp.services.reporting.figures import ReportScope, scoped_audits
from auditapp.services.sync.bundles import database_id
from auditapp.storage.engine import Database

FORMAT = 1
BOARD_PACK = "board pack"
WORKBOOK = "findings workbook"


@dataclass(frozen=True, order=True)
class AuditRef:
    """One audit counted: its number here, its uid everywhere, its revision."""

    id: int
    uid: str
    revision: int


@dataclass(frozen=True)
class TemplateRef:
    """One template version the audits counted were done on."""

    key: str
    version: int
    content_hash: str


@dataclass(frozen=True)
class Manifest:
    """What a report counted and how it was made (see the module's docstring)."""

    kind: str
    auditapp: str
    produced_at: datetime  # UTC, whole seconds
    scope: ReportScope
    as_at: date
    threshold: int | None
    audits: tuple[AuditRef, ...]
    templates: tuple[TemplateRef, ...]
    database: str
    history_seq: int
    history_hash: str
    figures_hash: str
    release: str | None = None  # the release register's uid, for a pack released
    repeats: tuple[str, ...] = ()  # uids of the releases whose figures it repeats
    extra_scopes: tuple[ReportScope, ...] = ()  # further periods counted (previous, trend)

    def to_json(self) -> str:
        """The manifest as canonical JSON (sorted keys, no spaces): what is embedded."""
        data = asdict(self)
        data["format"] = FORMAT
        for scope in [data["scope"], *data["extra_scopes"]]:
            del scope["reader"]  # who it was made for shows in what it counts, not by name
        return json.dumps(data, sort_keys=True, separators=(",", ":"), default=_plain,
                          ensure_ascii=True)

    @property
    def digest(self) -> str:
        """SHA-256 of :meth:`to_json`: the file id a PDF is given."""
        return hashlib.sha256(self.to_json().encode("ascii")).hexdigest()

    @staticmethod
    def from_json(text: str, source: str) -> Manifest:
        """Read a manifest; a damaged or foreign one is a :class:`UserError` naming
        ``source``."""
        try:
            data = json.loads(text)
            if data.pop("format") != FORMAT:
                raise ValueError(f"format {data.get('format')} is not known")
            return Manifest(
                kind=str(data["kind"]), auditapp=str(data["auditapp"]),
                produced_at=datetime.fromisoformat(data["produced_at"]),
                scope=_scope(data["scope"]), as_at=date.fromisoformat(data["as_at"]),
                threshold=data["threshold"],
                audits=tuple(AuditRef(**a) for a in data["audits"]),
                templates=tuple(TemplateRef(**t) for t in data["templates"]),
                database=str(data["database"]), history_seq=int(data["history_seq"]),
                history_hash=str(data["history_hash"]),
                figures_hash=str(data["figures_hash"]), release=data["release"],
                repeats=tuple(data["repeats"]),
                extra_scopes=tuple(_scope(s) for s in data["extra_scopes"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UserError(f"{source}: its auditapp manifest cannot be read ({exc}).") from exc


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _scope(data: Mapping[str, Any]) -> ReportScope:
    def day(text: str | None) -> date | None:
        return date.fromisoformat(text) if text else None

    return ReportScope(day(data["date_from"]), day(data["date_to"]), data["team"],
                       data["template_key"])


def figures_hash(figures: Mapping[str, str] | Iterable[Sequence[object]]) -> str:
    """SHA-256 of published figures: a mapping of figure to printed text, or rows of cells."""
    digest = hashlib.sha256()
    items = sorted(figures.items()) if isinstance(figures, Mapping) else figures
    for item in items:
        digest.update(json.dumps(list(item), default=str, ensure_ascii=True).encode("ascii"))
        digest.update(b"\n")
    return digest.hexdigest()


def now() -> datetime:
    """The time a report is produced: UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


def audit_refs(db: Database, scopes: Iterable[ReportScope]) -> tuple[AuditRef, ...]:
    """Every audit the scopes count, once each, by number."""
    found: set[AuditRef] = set()
    with db.transaction() as session:
        for scope in scopes:
            query = scoped_audits(scope).with_only_columns(Audit.id, Audit.uid, Audit.revision)
            found |= {AuditRef(*row) for row in session.execute(query)}
    return tuple(sorted(found))


def template_refs(db: Database, audits: Iterable[AuditRef]) -> tuple[TemplateRef, ...]:
    """The template versions of the audits."""
    ids = [a.id for a in audits]
    rows: set[TemplateRef] = set()
    with db.transaction() as session:
        for start in range(0, len(ids), 500):
            query = (select(Template.key, Template.version, Template.content_hash)
                     .join(Audit, Audit.template_id == Template.id)
                     .where(Audit.id.in_(ids[start:start + 500])).distinct())
            rows |= {TemplateRef(*row) for row in session.execute(query)}
    return tuple(sorted(rows, key=lambda t: (t.key, t.version)))


def make_manifest(db: Database, kind: str, scope: ReportScope, as_at: date,
                  threshold: int | None, figures: str, produced_at: datetime,
                  extra_scopes: Sequence[ReportScope] = (), release: str | None = None,
                  repeats: Sequence[str] = ()) -> Manifest:
    """The manifest of a report about ``scope`` (and ``extra_scopes``), with ``figures`` the
    hash of what it publishes."""
    audits = audit_refs(db, [scope, *extra_scopes])
    seq, head = chain_head(db)
    return Manifest(kind, __version__, produced_at, scope, as_at, threshold, audits,
                    template_refs(db, audits), database_id(db), seq, head, figures, release,
                    tuple(repeats), tuple(extra_scopes))


@dataclass(frozen=True)
class AuditChanges:
    """How the audits a manifest counted differ from what its scope counts now."""

    added: tuple[AuditRef, ...]  # counted now, not then
    removed: tuple[AuditRef, ...]  # counted then, not now (or deleted)
    changed: tuple[tuple[AuditRef, AuditRef], ...]  # (then, now): a new revision
    references: Mapping[str, str]  # case references by audit uid, for people

    @property
    def none(self) -> bool:
        """Whether the report would count exactly the same audits in the same states."""
        return not (self.added or self.removed or self.changed)

    def lines(self) -> list[str]:
        """One line per audit that changed, for people."""
        def name(audit: AuditRef) -> str:
            reference = self.references.get(audit.uid)
            return f"audit {audit.id} ({reference})" if reference else f"audit {audit.id}"

        return ([f"{name(a)} is counted now, not then" for a in self.added]
                + [f"{name(a)} was counted then, not now (no longer submitted, moved out of "
                   "the period or deleted)" for a in self.removed]
                + [f"{name(new)} changed: revision {old.revision} then, {new.revision} now"
                   for old, new in self.changed])


def changes_since(db: Database, manifest: Manifest) -> AuditChanges:
    """Which audits were added to, removed from or changed in the manifest's scope since."""
    now_refs = {a.uid: a for a in audit_refs(db, [manifest.scope, *manifest.extra_scopes])}
    then = {a.uid: a for a in manifest.audits}
    with db.transaction() as session:
        references = dict(session.execute(
            select(Audit.uid, Case.reference).join(Case, Case.id == Audit.case_id)
            .where(Audit.uid.in_(list(now_refs.keys() ^ then.keys())
                                 + [u for u in now_refs.keys() & then.keys()
                                    if then[u].revision != now_refs[u].revision]))).all())
    return AuditChanges(
        tuple(now_refs[u] for u in sorted(now_refs.keys() - then.keys())),
        tuple(then[u] for u in sorted(then.keys() - now_refs.keys())),
        tuple((then[u], now_refs[u]) for u in sorted(then.keys() & now_refs.keys())
              if then[u].revision != now_refs[u].revision), references)
