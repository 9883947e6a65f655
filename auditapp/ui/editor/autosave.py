"""Autosave for one open audit: every change reaches the database within half a second.

The editor tells the autosaver what changed; the autosaver batches changes and writes them
with :func:`auditapp.services.audits.editing.save_changes` on a single background thread, so
saves never freeze the window and always happen in order. A failed save keeps its changes
queued (newer edits win) and is retried, so nothing the user typed is dropped.

Each save names the audit's revision the editor last saw. If someone else saved the audit
since (on a shared database, or the actions tracker), the save is refused: the autosaver
stops saving, keeps the changes, and says so with :attr:`AutoSaver.conflicted`, until the
editor reloads the audit and calls :meth:`AutoSaver.rebase`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from auditapp.errors import ConcurrentEditError
from auditapp.rules.permissions import Actor
from auditapp.services.audits.editing import (
    AnswerChange,
    AuditChanges,
    JudgementChange,
    SavedGrades,
    save_changes,
)
from auditapp.services.templates import TemplateInfo
from auditapp.storage.engine import Database
from auditapp.ui.widgets.workers import start_job

#: The first change of a batch is written this long after it was made, at the latest.
SAVE_DELAY_MS = 300
RETRY_DELAY_MS = 3000


def _merge(older: AuditChanges, newer: AuditChanges) -> AuditChanges:
    """Changes that failed to save, overlaid with the ones made since (which win)."""
    return AuditChanges(
        answers={**older.answers, **newer.answers},
        judgements={**older.judgements, **newer.judgements},
        overall=newer.overall if newer.overall is not None else older.overall,
        narrative={**older.narrative, **newer.narrative},
    )


@dataclass(frozen=True)
class _Conflict:
    """A save refused because someone else saved the audit first."""

    message: str


class AutoSaver(QObject):
    """Collects an editor's changes and saves them in the background."""

    saved = Signal(object)  # SavedGrades
    save_failed = Signal(str)
    saving = Signal()
    conflicted = Signal(str)  # someone else saved the audit: reload it, then rebase

    def __init__(self, db: Database, audit_id: int, template: TemplateInfo, actor: Actor,
                 parent: QObject | None = None, revision: int | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.audit_id = audit_id
        self.template = template
        self.actor = actor
        #: The audit's revision as last read or saved here (None: saves do not check it).
        self.revision = revision
        #: Why saving has stopped ("" while it has not): someone else saved the audit.
        self.conflict = ""
        self.last_saved: datetime | None = None
        self.last_error = ""
        self._pending = AuditChanges()
        self._in_flight: AuditChanges | None = None
        #: The revision the last successful save wrote (set on the saving thread).
        self._landed: int | None = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # saves happen one at a time, in order
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._start_save)

    # --- what the editor calls -----------------------------------------------------------

    def set_answer(self, question_id: int, response: str | None, evidence: str) -> None:
        """Queue a question's answer and evidence."""
        self._pending.answers[question_id] = AnswerChange(question_id, response, evidence)
        self._schedule()

    def set_judgement(self, section_id: int, grade: int | None, comment: str) -> None:
        """Queue a section's grade and comment."""
        self._pending.judgements[section_id] = JudgementChange(section_id, grade, comment)
        self._schedule()

    def set_overall(self, grade: int | None, rationale: str) -> None:
        """Queue the overall grade and its rationale."""
        self._pending.overall = (grade, rationale)
        self._schedule()

    def set_narrative(self, field: str, text: str) -> None:
        """Queue strengths, areas for development or the young person's voice."""
        self._pending.narrative[field] = text
        self._schedule()

    @property
    def has_unsaved(self) -> bool:
        """Whether any change is not yet in the database."""
        return bool(self._pending) or self._in_flight is not None

    @property
    def unsaved(self) -> AuditChanges:
        """The changes not yet in the database (to show again over a reloaded audit)."""
        return _merge(self._in_flight or AuditChanges(), self._pending)

    def rebase(self, revision: int) -> None:
        """The editor has reloaded the audit at ``revision``: save the kept changes on top."""
        self.revision = revision
        self.conflict = ""
        self.last_error = ""
        if self._pending:
            self._schedule()

    def _save(self, changes: AuditChanges, revision: int | None) -> SavedGrades | _Conflict:
        try:
            result = save_changes(self.db, self.audit_id, changes, self.actor, self.template,
                                  revision)
        except ConcurrentEditError as exc:
            return _Conflict(str(exc))
        self._landed = result.revision  # read by flush() before the result's signal arrives
        return result

    def flush(self) -> bool:
        """Write everything now (used on close and before submitting); True on success."""
        self._timer.stop()
        self._pool.waitForDone()
        if self.revision is not None and self._landed is not None:
            # A background save has landed but its result is still queued: build on it, or
            # this save would be refused as someone else's.
            self.revision = max(self.revision, self._landed)
        if not self._pending or self.conflict:
            return not self.last_error
        changes, self._pending = self._pending, AuditChanges()
        try:
            result = self._save(changes, self.revision)
        except Exception as exc:  # keep the changes; the caller tells the user
            self._pending = _merge(changes, self._pending)
            self._report_failure(str(exc))
            return False
        if isinstance(result, _Conflict):
            self._pending = _merge(changes, self._pending)
            self._report_conflict(result.message)
            return False
        self._report_saved(result)
        return True

    # --- the background save ---------------------------------------------------------------

    def _schedule(self, delay: int = SAVE_DELAY_MS) -> None:
        if not self._timer.isActive():
            self._timer.start(delay)

    def _start_save(self) -> None:
        if self._in_flight is not None or not self._pending or self.conflict:
            return
        changes, self._pending = self._pending, AuditChanges()
        self._in_flight = changes
        self.saving.emit()
        revision = self.revision
        start_job(self, lambda: self._save(changes, revision),
                  on_finished=self._on_saved, on_failed=self._on_failed, pool=self._pool)

    def _on_saved(self, result: SavedGrades | _Conflict) -> None:
        if isinstance(result, _Conflict):
            refused, self._in_flight = self._in_flight or AuditChanges(), None
            self._pending = _merge(refused, self._pending)
            self._report_conflict(result.message)
            return
        self._in_flight = None
        self._report_saved(result)
        if self._pending:
            self._start_save()

    def _on_failed(self, message: str) -> None:
        failed, self._in_flight = self._in_flight or AuditChanges(), None
        self._pending = _merge(failed, self._pending)
        self._report_failure(message)
        self._schedule(RETRY_DELAY_MS)

    def _report_saved(self, result: SavedGrades) -> None:
        self.last_error = ""
        self.last_saved = datetime.now()
        if self.revision is not None:
            # Forward only: a background save's result can arrive after a later change (an
            # action saved once flush() had waited for the thread) moved the revision on.
            self.revision = max(self.revision, result.revision)
        self.saved.emit(result)

    def _report_conflict(self, message: str) -> None:
        self.conflict = message
        self.last_error = message
        self.conflicted.emit(message)

    def _report_failure(self, message: str) -> None:
        self.last_error = message
        self.save_failed.emit(message)
