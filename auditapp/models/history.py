"""Who changed what, and when: one row per changed field of an audit, hash-chained."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from auditapp.models.base import Base, new_uid, utcnow


class ChangeEvent(Base):
    """One change to an audit. Values are stored as text as the user saw them.

    Entries form one chain over the whole database: ``seq`` numbers them 1, 2, 3... and
    ``hash`` is the SHA-256 of the previous entry's hash and this entry's fields (see
    :mod:`auditapp.services.history`), so an edited, inserted or removed entry shows.
    """

    __tablename__ = "change_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The same entry in every database its audit travels to (not part of the hash: the chain
    #: is this database's own).
    uid: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=new_uid)
    #: Position in the chain; unique, so two writers can never fork it.
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    #: What was changed: "answer", "judgement", "audit", "action" or "moderation".
    entity: Mapped[str] = mapped_column(String(20))
    #: Which one: a question or section key, an action id; empty for the audit itself.
    entity_key: Mapped[str] = mapped_column(String(80), default="")
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
