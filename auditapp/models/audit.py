"""An audit of one case against one template version, with everything the auditor records."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auditapp.models.base import Base, new_uid, str_enum, utcnow
from auditapp.models.case import Case
from auditapp.models.enums import ActionPriority, ActionStatus, AuditStatus
from auditapp.models.template import Question, Section, Template
from auditapp.models.user import profile_name


class Audit(Base):
    """A case file audit. Grades are stored as Ofsted ordinals 1 (Inadequate) to 4."""

    __tablename__ = "audits"
    #: A profile's audits of one status, oldest first: My work's drafts and returned audits
    #: are read through it without visiting the profile's other audits. It replaces the
    #: index on ``auditor_id`` alone (0009), which it serves as well.
    __table_args__ = (Index("ix_audits_auditor_status", "auditor_id", "status", "audit_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True, default=new_uid)
    #: Bumped by every change to the audit or anything in it (see
    #: :func:`auditapp.services.history.record_change`). It is also the optimistic lock: an
    #: UPDATE names the revision it read, so a write based on a stale read changes nothing.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: The earlier audit of the same case that this one follows (a re-audit), if any: its
    #: answers, grades and open actions are shown beside this audit's.
    follows_id: Mapped[int | None] = mapped_column(
        ForeignKey("audits.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)
    #: Indexed by ``ix_audits_auditor_status``, which leads with it.
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The auditor's profile name (read only: set ``auditor_id``).
    auditor: Mapped[str] = profile_name(auditor_id)
    audit_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[AuditStatus] = mapped_column(
        str_enum(AuditStatus, "audit_status"), default=AuditStatus.DRAFT, index=True
    )
    #: The grade the rule suggests from the section grades, kept up to date on every save.
    suggested_grade: Mapped[int | None] = mapped_column(Integer)
    #: The auditor's overall grade; may differ from the suggestion with a rationale.
    overall_grade: Mapped[int | None] = mapped_column(Integer)
    grade_rationale: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    areas_for_development: Mapped[str] = mapped_column(Text, default="")
    young_person_voice: Mapped[str] = mapped_column(Text, default="")
    #: Why a moderator returned the audit to its auditor for rework; cleared on resubmission.
    returned_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Progress, kept with every save so lists need not count 600,000 answers.
    answered: Mapped[int] = mapped_column(Integer, default=0)
    applicable: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column()

    case: Mapped[Case] = relationship(back_populates="audits")
    template: Mapped[Template] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    judgements: Mapped[list[SectionJudgement]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    actions: Mapped[list[Action]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", order_by="Action.id"
    )
    moderation: Mapped[Moderation | None] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": revision}


class Answer(Base):
    """The response to one question and the evidence the auditor found for it."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("audit_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    #: A code from the question's scale, or None while unanswered.
    response: Mapped[str | None] = mapped_column(String(10))
    evidence: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()


class SectionJudgement(Base):
    """The grade an auditor gives a section, beside the grade the rule suggests."""

    __tablename__ = "section_judgements"
    __table_args__ = (UniqueConstraint("audit_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"), index=True)
    suggested_grade: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    audit: Mapped[Audit] = relationship(back_populates="judgements")
    section: Mapped[Section] = relationship()


class Action(Base):
    """Something that must happen for the young person because of what the audit found."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The same action in every database its audit travels to.
    uid: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=new_uid,
                                     server_default="")
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120), default="")
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    priority: Mapped[ActionPriority] = mapped_column(
        str_enum(ActionPriority, "action_priority"), default=ActionPriority.NORMAL
    )
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN, index=True
    )
    completed_on: Mapped[date | None] = mapped_column(Date)
    #: Completion evidence, or the reason an action was cancelled.
    status_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who raised it, and who last marked it done or cancelled (None while open).
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    raised_by: Mapped[str | None] = profile_name(raised_by_id)
    closed_by: Mapped[str | None] = profile_name(closed_by_id)

    audit: Mapped[Audit] = relationship(back_populates="actions")
    question: Mapped[Question | None] = relationship()


class Moderation(Base):
    """A second, usually more senior, reader's grade for the audit; never overwrites the audit's."""

    __tablename__ = "moderations"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(
        ForeignKey("audits.id", ondelete="CASCADE"), unique=True
    )
    moderator_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The moderator's profile name (read only: set ``moderator_id``).
    moderator: Mapped[str] = profile_name(moderator_id)
    moderated_on: Mapped[date] = mapped_column(Date)
    #: The final moderated grade, used in every count; None until the moderation is
    #: finalised (the blind grade alone never counts).
    grade: Mapped[int | None] = mapped_column(Integer)
    #: The grade the moderator gave before seeing the auditor's (blind moderation).
    blind_grade: Mapped[int | None] = mapped_column(Integer)
    agreed: Mapped[bool] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    sample_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderation_samples.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="moderation")
    sections: Mapped[list[ModeratedSection]] = relationship(
        back_populates="moderation", cascade="all, delete-orphan")


class ModeratedSection(Base):
    """A moderator's grades for one section: blind first, then final with a reason."""

    __tablename__ = "moderated_sections"
    __table_args__ = (UniqueConstraint("moderation_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation_id: Mapped[int] = mapped_column(
        ForeignKey("moderations.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"), index=True)
    blind_grade: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")

    moderation: Mapped[Moderation] = relationship(back_populates="sections")


class ModerationSample(Base):
    """A reproducible random sample of submitted audits chosen for moderation."""

    __tablename__ = "moderation_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = profile_name(created_by_id)
    #: Drawing again with this seed from the same audits gives the same sample.
    seed: Mapped[int] = mapped_column(BigInteger)
    size: Mapped[int] = mapped_column(Integer)
    #: "team", "category" or None: the strata drawn from in proportion.
    stratify_by: Mapped[str | None] = mapped_column(String(20))
    date_from: Mapped[date | None] = mapped_column(Date)
    date_to: Mapped[date | None] = mapped_column(Date)
    audits: Mapped[list[ModerationSampleAudit]] = relationship(cascade="all, delete-orphan")


class ModerationSampleAudit(Base):
    """An audit drawn into a moderation sample."""

    __tablename__ = "moderation_sample_audits"

    sample_id: Mapped[int] = mapped_column(
        ForeignKey("moderation_samples.id", ondelete="CASCADE"), primary_key=True)
    audit_id: Mapped[int] = mapped_column(
        ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True, index=True)
