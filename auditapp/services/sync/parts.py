"""The shapes of a bundle's JSON parts (the README's "The bundle file" describes them).

``manifest.json`` says what the bundle holds; ``audits.json`` holds each audit's snapshot
(:mod:`auditapp.services.sync.snapshots`) with the states it has been in;
``templates.json`` the template versions the audits use; ``cases.json`` each case reference's
uid; ``history.json`` the audits' change history.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from auditapp.services.sync.snapshots import Snapshot


class ChosenAudits(TypedDict):
    """How the audits were chosen at export."""

    since: str | None
    auditor: str | None


class ManifestAudit(TypedDict):
    """One audit as the manifest lists it."""

    uid: str
    case_reference: str
    auditor: str
    status: str
    revision: int
    state: str


class ChainHead(TypedDict):
    """The last entry of the exporting database's history chain when the bundle was written
    (``check --against`` compares it)."""

    seq: int
    hash: str


class Manifest(TypedDict, total=False):
    """What the bundle holds and where it came from (``parts``, the SHA-256 of each part, is
    added by :func:`auditapp.services.sync.bundle_file.write_bundle`)."""

    database_id: str
    created_at: str
    creator: str
    auditapp_version: str
    schema: str
    chosen: ChosenAudits
    audits: list[ManifestAudit]
    parts: dict[str, str]
    chain_head: ChainHead


class AuditEntry(TypedDict):
    """One audit in ``audits.json``."""

    uid: str
    revision: int
    state: str  # the SHA-256 of its snapshot
    snapshot: Snapshot
    known_states: list[str]  # every state this database knew the audit in, oldest first
    #: The profile uid of each person the snapshot names, by name (bundles of auditapp
    #: before schema 0005 have none: people are then matched by name).
    people: NotRequired[dict[str, str]]


class TemplateEntry(TypedDict):
    """One template version in ``templates.json``."""

    key: str
    version: int
    title: str
    content_hash: str
    source_text: str
    source_name: str


class HistoryEntry(TypedDict):
    """One change history entry in ``history.json``."""

    uid: str
    audit: str  # the audit's uid
    at: str  # ISO time, UTC
    actor: str
    actor_uid: NotRequired[str | None]  # the author's profile uid
    entity: str
    entity_key: str
    action: str | None  # the action's uid, for an entry about an action
    field: str
    old_value: str | None
    new_value: str | None
