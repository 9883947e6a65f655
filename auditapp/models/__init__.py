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
from auditapp.models.base import Base, utcnow
from auditapp.models.case import Case
from auditapp.models.enums import (
    ActionPriority,
    ActionStatus,
    AuditStatus,
    CareLeaverCategory,
    Role,
)
from auditapp.models.history import ChangeEvent
from auditapp.models.session import Database, sqlite_engine
from auditapp.models.setting import Setting
from auditapp.models.template import Question, Section, Template
from auditapp.models.user import User

__all__ = [
    "Action",
    "ActionPriority",
    "ActionStatus",
    "Answer",
    "Audit",
    "AuditStatus",
    "Base",
    "CareLeaverCategory",
    "Case",
    "ChangeEvent",
    "Database",
    "ModeratedSection",
    "Moderation",
    "ModerationSample",
    "ModerationSampleAudit",
    "Question",
    "Role",
    "Section",
    "SectionJudgement",
    "Setting",
    "Template",
    "User",
    "sqlite_engine",
    "utcnow",
]
