"""SQLAlchemy ORM models and the database session; nothing else lives here."""

from __future__ import annotations

from auditapp.models.audit import (
    Action,
    Answer,
    Audit,
    ModeratedSection,
    Moderation,
    ModerationSample,
    ModerationSampleAudit,
    SectionJudgement,
)
from auditapp.models.base import Base, new_uid, utcnow
from auditapp.models.board_report import BoardReport
from auditapp.models.case import Case
from auditapp.models.enums import (
    ActionPriority,
    ActionStatus,
    AuditStatus,
    CareLeaverCategory,
    Role,
)
from auditapp.models.history import AuditSeal, ChangeEvent
from auditapp.models.programme import PlannedAudits
from auditapp.models.release import Release, ReleasedAudit
from auditapp.models.setting import Setting
from auditapp.models.sync import BundleImport, SyncState
from auditapp.models.template import Question, Section, Template
from auditapp.models.user import User

__all__ = [
    "Action",
    "ActionPriority",
    "ActionStatus",
    "Answer",
    "Audit",
    "AuditSeal",
    "AuditStatus",
    "Base",
    "BoardReport",
    "BundleImport",
    "CareLeaverCategory",
    "Case",
    "ChangeEvent",
    "ModeratedSection",
    "Moderation",
    "ModerationSample",
    "ModerationSampleAudit",
    "PlannedAudits",
    "Question",
    "Release",
    "ReleasedAudit",
    "Role",
    "Section",
    "SectionJudgement",
    "Setting",
    "SyncState",
    "Template",
    "User",
    "new_uid",
    "utcnow",
]
