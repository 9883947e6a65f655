"""Checklist templates: a versioned template holds ordered sections of ordered questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.models.base import Base, utcnow


class Template(Base):
    """One version of a checklist; a changed template with the same key is a new row."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Percentages of the available answer score at which a section is suggested Good / RI.
    grading: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: SHA-256 of the canonical content, so re-importing an unchanged file is a no-op.
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    #: The template exactly as imported (canonical YAML), for export and audit trail.
    source_text: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(255), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired: Mapped[bool] = mapped_column(default=False)

    sections: Mapped[list[Section]] = relationship(
        back_populates="template", order_by="Section.position", cascade="all, delete-orphan"
    )


class Section(Base):
    """A part of a checklist, graded as a whole."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("template_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: A limiting section graded Inadequate makes the overall grade Inadequate.
    limiting: Mapped[bool] = mapped_column(default=False)
    #: Case flag that must be set for the section to apply (e.g. "uasc"); None means always.
    applies_when: Mapped[str | None] = mapped_column(String(40))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)

    template: Mapped[Template] = relationship(back_populates="sections")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    """One checklist question with its answer scale."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("section_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")
    #: Ordered options: [{"code": "Y", "label": "Yes", "score": 2}, ...]; score None = not scored.
    scale: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: A critical question answered with the lowest option limits the grades (see grading).
    critical: Mapped[bool] = mapped_column(default=False)
    #: Response codes that need an evidence note before the audit can be submitted.
    evidence_required: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)

    section: Mapped[Section] = relationship(back_populates="questions")
