"""Closed vocabularies stored in the database (part of the schema, so they live here)."""

from __future__ import annotations

from enum import StrEnum


class CareLeaverCategory(StrEnum):
    """Legal category of a care leaver (Children Act 1989, Children (Leaving Care) Act 2000)."""

    ELIGIBLE = "eligible"
    RELEVANT = "relevant"
    FORMER_RELEVANT = "former relevant"
    QUALIFYING = "qualifying"


class AuditStatus(StrEnum):
    """Where an audit is in its life: draft -> submitted -> moderated -> closed."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    MODERATED = "moderated"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    """State of an action raised by an audit; 'overdue' is derived from the due date, not stored."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class ActionPriority(StrEnum):
    """How soon an action must happen; immediate means a safeguarding concern."""

    IMMEDIATE = "immediate"
    HIGH = "high"
    NORMAL = "normal"


class Role(StrEnum):
    """What a local user profile may do."""

    AUDITOR = "auditor"
    MODERATOR = "moderator"
    PRACTICE_LEAD = "practice lead"
    PEER_REVIEWER = "peer reviewer"
