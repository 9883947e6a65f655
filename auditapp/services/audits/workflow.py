"""An audit after submission: closing, and reopening a closed audit.

draft --submit--> submitted --moderate--> moderated --close--> closed --reopen--> draft.
A submitted audit may also be closed without moderation, or returned to its auditor for
rework (moderation is in :mod:`auditapp.services.moderation`). Every step is recorded in the
audit's history and checked against the actor's role (see
:mod:`auditapp.rules.permissions`).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from auditapp.errors import NotFoundError, UserError
from auditapp.models import Audit, AuditStatus
from auditapp.rules.limits import LONG_TEXT_CHARS, require_length
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.audits.editing import AuditLockedError
from auditapp.services.history import record_change
from auditapp.storage.engine import Database

_AWAITING_CLOSE = (AuditStatus.SUBMITTED, AuditStatus.MODERATED)


def _status_change(session: Session, audit: Audit, actor: Actor, status: AuditStatus) -> None:
    record_change(session, audit.id, actor, "audit", "", "status", audit.status.value,
                  status.value)
    audit.status = status


def can_be_closed(status: str) -> bool:
    """Whether an audit in ``status`` may be closed: once submitted, moderated or not."""
    return status in _AWAITING_CLOSE


def close_audit(db: Database, audit_id: int, actor: Actor) -> None:
    """Close a submitted or moderated audit: from now on nobody can change it. Leads only."""
    require(actor, Permission.CLOSE)
    with db.transaction() as session:
        audit = session.get(Audit, audit_id)
        if audit is None:
            raise NotFoundError(f"No audit with number {audit_id}.")
        if not can_be_closed(audit.status):
            raise AuditLockedError(f"Only a submitted or moderated audit can be closed; this "
                                   f"one is {audit.status.value}.")
        _status_change(session, audit, actor, AuditStatus.CLOSED)


def reopen_audit(db: Database, audit_id: int, reason: str, actor: Actor) -> None:
    """Reopen a closed audit as a draft its auditor can correct. Practice leads only; the
    reason is required and kept in the history with who did it and when."""
    require(actor, Permission.REOPEN)
    if not reason.strip():
        raise UserError("Say why the audit is being reopened: the reason is kept in its history.")
    require_length("The reason", reason, LONG_TEXT_CHARS)
    with db.transaction() as session:
        audit = session.get(Audit, audit_id)
        if audit is None:
            raise NotFoundError(f"No audit with number {audit_id}.")
        if audit.status != AuditStatus.CLOSED:
            raise UserError(f"Only a closed audit can be reopened; this one is "
                            f"{audit.status.value}.")
        record_change(session, audit.id, actor, "audit", "", "reopened", None, reason.strip())
        _status_change(session, audit, actor, AuditStatus.DRAFT)
