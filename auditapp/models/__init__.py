"""SQLAlchemy ORM models and the database session; nothing else lives here.

The names are loaded on first use (PEP 562): the enums alone
(``auditapp.models.enums``, or an enum named here) load no SQLAlchemy, so the desktop app's
first screen and the light commands can use them before it has loaded. The first mapped
class asked for loads every model module, so that relationships named by string always find
their classes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: The modules holding mapped classes (and their helpers), all loaded together.
_MODEL_MODULES = ("base", "user", "template", "case", "audit", "history", "release", "setting",
                  "sync", "board_report", "programme")
_ENUMS = frozenset({"ActionPriority", "ActionStatus", "AuditStatus", "CareLeaverCategory",
                    "Role"})


def __getattr__(name: str) -> Any:
    """Load ``name`` on first use; every name is then in the package's namespace, so this
    runs once per name, not on every use."""
    if name in _ENUMS:
        enums = importlib.import_module("auditapp.models.enums")
        globals().update({enum: getattr(enums, enum) for enum in _ENUMS})
    elif name in __all__:
        for module in [importlib.import_module(f"auditapp.models.{m}") for m in _MODEL_MODULES]:
            globals().update({found: getattr(module, found) for found in __all__
                              if hasattr(module, found)})
    if name not in globals():
        raise AttributeError(f"module 'auditapp.models' has no attribute {name!r}")
    return globals()[name]


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
