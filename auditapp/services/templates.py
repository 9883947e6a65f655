"""Checklist templates in the database: importing versions, listing and reading them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditapp.errors import NotFoundError, UserError
from auditapp.models import Question, Section, Setting, Template
from auditapp.rules.limits import FILE_NAME_CHARS
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.shipped_templates import (
    SHIPPED_SETTING,
    fingerprints,
    installed_fingerprints,
    shipped_template_texts,
)
from auditapp.storage.atomic_files import atomic_output
from auditapp.storage.engine import Database

if TYPE_CHECKING:
    from auditapp.checklists.format import TemplateSpec
# The template readers (YAML, and openpyxl for workbooks) are imported where a template is
# read: every command installs the shipped templates, but reads them only when they changed.

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class TemplateImportResult:
    """What importing a template file did."""

    key: str
    version: int
    title: str
    questions: int
    created: bool  # False when an identical version was already there


@dataclass(frozen=True)
class QuestionInfo:
    """A question of a template version, with everything the auditor needs to answer it."""

    id: int
    key: str
    text: str
    guidance: str
    scale: tuple[dict[str, Any], ...]
    critical: bool
    evidence_required: tuple[str, ...]
    tags: tuple[str, ...]

    def option(self, code: str | None) -> dict[str, Any] | None:
        """The scale option with ``code``, if any."""
        return next((o for o in self.scale if o["code"] == code), None)

    @cached_property
    def score_range(self) -> tuple[int, int]:
        """The lowest and the highest score on the scale (worked out once: every answer
        scored asks for them)."""
        scores = [o["score"] for o in self.scale if o["score"] is not None]
        return min(scores), max(scores)


@dataclass(frozen=True)
class SectionInfo:
    """A section of a template version."""

    id: int
    key: str
    title: str
    description: str
    limiting: bool
    applies_when: str | None
    tags: tuple[str, ...]
    questions: tuple[QuestionInfo, ...]


@dataclass(frozen=True)
class TemplateInfo:
    """A template version in full."""

    id: int
    key: str
    version: int
    title: str
    description: str
    grading: dict[str, float]
    retired: bool
    sections: tuple[SectionInfo, ...]

    @property
    def question_count(self) -> int:
        """How many questions the template asks."""
        return sum(len(s.questions) for s in self.sections)

    def section(self, section_id: int) -> SectionInfo:
        """The section with ``section_id``; KeyError if this version has none."""
        return self._sections_by_id[section_id]

    def question(self, question_id: int) -> QuestionInfo:
        """The question with ``question_id``; KeyError if this version has none."""
        return self._questions_by_id[question_id][1]

    def section_of(self, question_id: int) -> SectionInfo:
        """The section that asks question ``question_id``; KeyError if none does."""
        return self._questions_by_id[question_id][0]

    @cached_property
    def _sections_by_id(self) -> dict[int, SectionInfo]:
        return {s.id: s for s in self.sections}

    @cached_property
    def _questions_by_id(self) -> dict[int, tuple[SectionInfo, QuestionInfo]]:
        return {q.id: (s, q) for s in self.sections for q in s.questions}


def add_template_version(session: Session, spec: TemplateSpec, source_name: str
                         ) -> TemplateImportResult:
    """Store a validated template in an open transaction: an unchanged one is found again, a
    changed one becomes the next version."""
    content_hash = spec.content_hash()
    existing = session.scalars(
        select(Template).where(Template.key == spec.key).order_by(Template.version.desc())
    ).all()
    for template in existing:
        if template.content_hash == content_hash:
            return TemplateImportResult(
                spec.key, template.version, template.title, spec.question_count, created=False
            )
    version = existing[0].version + 1 if existing else 1
    source_name = source_name[:FILE_NAME_CHARS]
    template = Template(
        key=spec.key,
        version=version,
        title=spec.title,
        description=spec.description,
        grading={"good": spec.grading.good,
                 "requires_improvement": spec.grading.requires_improvement},
        content_hash=content_hash,
        source_text=spec.to_yaml(),
        source_name=source_name,
    )
    for s_pos, s in enumerate(spec.sections):
        section = Section(key=s.key, position=s_pos, title=s.title, description=s.description,
                          limiting=s.limiting, applies_when=s.applies_when, tags=list(s.tags))
        section.questions = [
            Question(key=q.key, position=q_pos, text=q.text, guidance=q.guidance,
                     scale=[{"code": o.code, "label": o.label, "score": o.score} for o in q.scale],
                     critical=q.critical, evidence_required=list(q.evidence_required),
                     tags=list(q.tags))
            for q_pos, q in enumerate(s.questions)
        ]
        template.sections.append(section)
    session.add(template)
    session.flush()
    return TemplateImportResult(spec.key, version, spec.title, spec.question_count, created=True)


def import_template_spec(
    db: Database, spec: TemplateSpec, source_name: str, actor: Actor
) -> TemplateImportResult:
    """Store a validated template; a changed template with a known id becomes a new version."""
    require(actor, Permission.IMPORT_TEMPLATES)
    with db.transaction() as session:
        return add_template_version(session, spec, source_name)


def load_template_any(path: Path) -> TemplateSpec:
    """Read and validate a template from YAML or from an Excel workbook (by its suffix)."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        from auditapp.checklists.workbook import load_template_workbook  # openpyxl: only here

        return load_template_workbook(path)
    from auditapp.checklists.format import load_template_file

    return load_template_file(path)


def import_template_file(db: Database, path: Path, actor: Actor) -> TemplateImportResult:
    """Validate a YAML or Excel template and store it (see :func:`import_template_spec`)."""
    require(actor, Permission.IMPORT_TEMPLATES)
    return import_template_spec(db, load_template_any(path), path.name, actor)


def template_spec(db: Database, template_id: int) -> TemplateSpec:
    """A stored template version as the file format sees it."""
    with db.transaction() as session:
        template = session.get(Template, template_id)
        if template is None:
            raise NotFoundError(f"No template version with number {template_id}.")
        text, name = template.source_text, f"{template.key} v{template.version}"
    from auditapp.checklists.format import load_template_text

    return load_template_text(text, name)


def export_template_workbook(db: Database, template_id: int, path: Path) -> None:
    """Write a stored template version as an Excel workbook peer reviewers can edit (complete
    or not at all, readable by its owner alone)."""
    from auditapp.checklists.workbook import write_template_workbook  # openpyxl: only here

    spec = template_spec(db, template_id)
    with atomic_output(path) as temporary:
        write_template_workbook(spec, temporary)


def set_template_retired(db: Database, template_id: int, retired: bool, actor: Actor) -> None:
    """Retire a version (no new audits on it; audits already started keep it), or restore it."""
    require(actor, Permission.IMPORT_TEMPLATES)
    with db.transaction() as session:
        template = session.get(Template, template_id)
        if template is None:
            raise NotFoundError(f"No template version with number {template_id}.")
        template.retired = retired


def install_shipped_templates(db: Database) -> list[TemplateImportResult]:
    """Import any shipped template not yet imported (cheap when nothing changed)."""
    texts = shipped_template_texts()
    wanted = fingerprints(texts)
    with db.transaction() as session:
        known = installed_fingerprints(session.connection())
        if known == wanted:
            return []
        from auditapp.checklists.format import load_template_text

        results = [
            add_template_version(session, load_template_text(text, name), name)
            for name, text in texts.items() if known.get(name) != wanted[name]
        ]
        session.merge(Setting(key=SHIPPED_SETTING, value=wanted))
    return results


def find_template_id(db: Database, key: str, version: int | None = None) -> int:
    """The id of a template version by key: the given version, or the newest one in use."""
    query = select(Template.id, Template.version, Template.retired).where(Template.key == key)
    with db.transaction() as session:
        rows = session.execute(query.order_by(Template.version.desc())).all()
    if not rows:
        raise NotFoundError(f"No template with id '{key}'. See 'auditapp templates list'.")
    if version is not None:
        for row in rows:
            if row.version == version:
                return int(row.id)
        raise NotFoundError(f"Template '{key}' has no version {version}.")
    for row in rows:
        if not row.retired:
            return int(row.id)
    raise UserError(f"Every version of template '{key}' is retired.")


def template_info(db: Database, template_id: int) -> TemplateInfo:
    """A template version with its sections and questions, as plain data."""
    with db.transaction() as session:
        return read_template_info(session, template_id)


def spec_info(spec: TemplateSpec) -> TemplateInfo:
    """A template not stored yet, as :class:`TemplateInfo` (its ids are positions, 0 for the
    template): enough to check answers and grades against it before anything is written."""
    number = iter(range(1, 1_000_000))
    sections = tuple(
        SectionInfo(next(number), s.key, s.title, s.description, s.limiting, s.applies_when,
                    tuple(s.tags), tuple(
                        QuestionInfo(next(number), q.key, q.text, q.guidance,
                                     tuple({"code": o.code, "label": o.label, "score": o.score}
                                           for o in q.scale),
                                     q.critical, tuple(q.evidence_required), tuple(q.tags))
                        for q in s.questions))
        for s in spec.sections)
    return TemplateInfo(0, spec.key, 0, spec.title, spec.description,
                        {"good": spec.grading.good,
                         "requires_improvement": spec.grading.requires_improvement},
                        False, sections)


def read_template_info(session: Session, template_id: int) -> TemplateInfo:
    """:func:`template_info` inside a transaction already open (which may have added it)."""
    template = session.get(Template, template_id)
    if template is None:
        raise NotFoundError(f"No template version with number {template_id}.")
    sections = session.scalars(
        select(Section).where(Section.template_id == template_id).order_by(Section.position)
    ).all()
    questions = session.scalars(
        select(Question).join(Section).where(Section.template_id == template_id)
        .order_by(Section.position, Question.position)
    ).all()
    by_section: dict[int, list[QuestionInfo]] = {s.id: [] for s in sections}
    for q in questions:
        by_section[q.section_id].append(QuestionInfo(
            q.id, q.key, q.text, q.guidance, tuple(q.scale), q.critical,
            tuple(q.evidence_required), tuple(q.tags)))
    return TemplateInfo(
        template.id, template.key, template.version, template.title, template.description,
        dict(template.grading), template.retired,
        tuple(SectionInfo(s.id, s.key, s.title, s.description, s.limiting, s.applies_when,
                          tuple(s.tags), tuple(by_section[s.id])) for s in sections),
    )
