"""The checklist templates that come with auditapp, and whether a database holds their
current versions.

Every command and every start makes sure of them; this module reads that with SQL text on a
plain connection and loads no ORM, so that a command that only reads stays light. Installing
them (when they changed) is :func:`~auditapp.services.templates.install_shipped_templates`.
"""

from __future__ import annotations

import hashlib
from importlib import resources

from sqlalchemy import JSON, Connection, text

SHIPPED_PACKAGE = "auditapp.audit_templates"
#: The setting that records the fingerprint of each shipped template file installed.
SHIPPED_SETTING = "shipped_templates"
_INSTALLED = text("SELECT value FROM settings WHERE key = :key").columns(value=JSON)


def shipped_template_texts() -> dict[str, str]:
    """The templates that come with auditapp, by file name."""
    folder = resources.files(SHIPPED_PACKAGE)
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    }


def fingerprints(texts: dict[str, str]) -> dict[str, str]:
    """Each template file's SHA-256, by file name."""
    return {name: hashlib.sha256(content.encode()).hexdigest()
            for name, content in texts.items()}


def installed_fingerprints(connection: Connection) -> dict[str, str]:
    """The fingerprints of the shipped template files the database holds (none yet: empty)."""
    return dict(connection.execute(_INSTALLED, {"key": SHIPPED_SETTING}).scalar() or {})


def shipped_templates_current(connection: Connection) -> bool:
    """Whether the database holds every shipped template as this version of auditapp ships
    it."""
    return installed_fingerprints(connection) == fingerprints(shipped_template_texts())
