"""Who changed what, and when: one row per changed field of an audit, hash-chained; and each
audit's content as its history last sealed it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base, new_uid, utcnow


class ChangeEvent(Base):
    """One change to an audit. Values are stored as text as the user saw them.

    Entries form one chain over the whole database: ``seq`` numbers them 1, 2, 3... and
    ``hash`` links each to the one before (see :mod:`auditapp.services.history`), so an
    edited, inserted or removed entry shows. An entry of ``entity`` "seal" records the
    digest of its audit's content after a transaction changed it, which ``check`` compares
    with the stored data.
    """

    __tablename__ = "change_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The same entry in every database its audit travels to.
    uid: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=new_uid,
                                     server_default="")
    #: Position in the chain; unique, so two writers can never fork it.
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who made the change: a profile (for an entry carried in a bundle, the profile the
    #: bundle names). ``actor`` is that profile's name as it was recorded.
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    #: What was changed: "answer", "judgement", "audit", "action", "moderation", "case",
    #: "bundle" (a conflict settled) or "seal".
    entity: Mapped[str] = mapped_column(String(20))
    #: Which one: a question or section key, an action id; empty for the audit itself.
    entity_key: Mapped[str] = mapped_column(String(80), default="")
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    #: The bundle import that wrote this entry (a change the import made here, or an entry
    #: it carried in); None for a change made here by a person.
    import_id: Mapped[int | None] = mapped_column(ForeignKey("bundle_imports.id"), index=True)
    #: Carried in a bundle: an entry of the database the bundle came from, appended here
    #: with its original time and author (who are the bundle's claim, not this database's).
    carried: Mapped[bool] = mapped_column(default=False, server_default=false())


class AuditSeal(Base):
    """An audit's content as the newest seal entry of its history recorded it (compressed
    canonical JSON), so that ``check`` can name the field a direct edit changed. The seal
    entry's digest vouches for it: an edit here shows too."""

    __tablename__ = "audit_seals"

    audit_id: Mapped[int] = mapped_column(
        ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True)
    #: The seal entry that vouches for this content.
    seq: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
