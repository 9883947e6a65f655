"""What this database knows about audits it has exchanged with others in audit bundles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base, utcnow
from auditapp.models.user import profile_name


class SyncState(Base):
    """A state of an audit that has been in another database too: one this database exported,
    or one it imported (or heard of as an earlier state of one it imported).

    An audit's states are identified by the hash of its content. Two databases that both
    know a state have met there; the newest state both know is the base of a three-way
    comparison when both have changed the audit since.
    """

    __tablename__ = "sync_states"
    __table_args__ = (UniqueConstraint("audit_uid", "state_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_uid: Mapped[str] = mapped_column(String(32), index=True)
    state_hash: Mapped[str] = mapped_column(String(64))
    #: The audit in that state (canonical JSON), or None for a state only heard of.
    snapshot: Mapped[str | None] = mapped_column(Text)
    #: The database it was exchanged with; empty for an export (the reader is not known).
    peer: Mapped[str] = mapped_column(String(32), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class BundleImport(Base):
    """One bundle imported here: where it came from, who imported it and what it did."""

    __tablename__ = "bundle_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Who imported it (read only: set ``actor_id``).
    actor: Mapped[str] = profile_name(actor_id)
    file_name: Mapped[str] = mapped_column(String(255), default="")
    #: The SHA-256 of the bundle file, naming exactly which bundle it was.
    file_sha256: Mapped[str] = mapped_column(String(64), default="", server_default="")
    source_database: Mapped[str] = mapped_column(String(32))
    bundle_created_at: Mapped[datetime] = mapped_column()
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
