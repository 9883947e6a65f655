"""Moderation: the queue, reproducible samples, blind grading, and agreement figures.

Blind moderation runs in two steps. First the moderator grades each section and the whole
audit from the answers and evidence alone: :func:`load_for_moderation` withholds the
auditor's grades, comments and rationale until the blind grades are recorded. Then
:func:`moderation_comparison` shows both side by side, and :func:`finalise_moderation`
keeps or changes each grade, a change always with its reason. The auditor's grades and the
suggested grades are kept; the final moderated grade is the one every count uses.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auditapp.errors import NotFoundError, UserError
from auditapp.models import (
    Audit,
    AuditStatus,
    Case,
    ModeratedSection,
    Moderation,
    ModerationSample,
    ModerationSampleAudit,
    Section,
    SectionJudgement,
    Template,
)
from auditapp.rules.agreement import Agreement, agreement
from auditapp.rules.grades import Grade, grade_label
from auditapp.rules.limits import LONG_TEXT_CHARS, require_date, require_length
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.audits.editing import (
    AuditDocument,
    AuditLockedError,
    load_audit,
    withhold_grades,
)
from auditapp.services.history import record_change
from auditapp.services.reporting.stats import counted_audits
from auditapp.services.visibility import withheld_condition
from auditapp.storage.engine import Database


class Stratum(StrEnum):
    """What a moderation sample may be drawn in proportion to."""

    TEAM = "team"
    CATEGORY = "category"


STRATA = tuple(Stratum)


class BlindModerationError(UserError):
    """The auditor's grades are not shown before the moderator's own are recorded."""


# --- the queue and samples --------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """A submitted audit waiting for moderation. Carries no grade: moderation is blind."""

    audit_id: int
    case_reference: str
    category: str
    team: str
    auditor: str
    audit_date: date
    template_title: str
    sampled: bool
    blind_recorded: bool


@dataclass(frozen=True)
class SampleInfo:
    """A moderation sample as recorded."""

    id: int
    seed: int
    size: int
    stratify_by: str | None
    date_from: date | None
    date_to: date | None
    created_by: str
    audit_ids: tuple[int, ...]


def moderation_queue(db: Database, actor: Actor) -> list[QueueRow]:
    """Submitted audits awaiting moderation, sampled ones first, then oldest first."""
    require(actor, Permission.MODERATE)
    sampled = select(ModerationSampleAudit.audit_id).scalar_subquery()
    query = (
        select(Audit.id, Case.reference, Case.category, Case.team, Audit.auditor,
               Audit.audit_date, Template.title, Audit.id.in_(sampled),
               Moderation.blind_grade.is_not(None))
        .join(Case, Case.id == Audit.case_id).join(Template, Template.id == Audit.template_id)
        .outerjoin(Moderation, Moderation.audit_id == Audit.id)
        .where(Audit.status == AuditStatus.SUBMITTED)
    )
    with db.transaction() as session:
        rows = [QueueRow(r[0], r[1], r[2].value, r[3], r[4], r[5], r[6], bool(r[7]),
                         bool(r[8])) for r in session.execute(query)]
    return sorted(rows, key=lambda r: (not r.sampled, r.audit_date, r.audit_id))


def _allocate(strata: Mapping[str, list[int]], size: int) -> dict[str, int]:
    """Proportional allocation by largest remainder, so the sample mirrors the strata."""
    total = sum(len(ids) for ids in strata.values())
    exact = {name: size * len(ids) / total for name, ids in strata.items()}
    counts = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(strata, key=lambda n: (exact[n] - counts[n], n), reverse=True)
    for name in by_remainder[:size - sum(counts.values())]:
        counts[name] += 1
    return counts


def _draw(population: list[tuple[int, str]], size: int, seed: int,
          stratify_by: str | None) -> list[int]:
    rng = random.Random(seed)
    if stratify_by is None:
        return sorted(rng.sample(sorted(a for a, _s in population), size))
    strata: dict[str, list[int]] = defaultdict(list)
    for audit_id, stratum in sorted(population):
        strata[stratum].append(audit_id)
    chosen: list[int] = []
    for name, count in sorted(_allocate(strata, size).items()):
        chosen += rng.sample(strata[name], count)
    return sorted(chosen)


def draw_sample(db: Database, actor: Actor, size: int, *, seed: int | None = None,
                stratify_by: str | None = None, date_from: date | None = None,
                date_to: date | None = None) -> SampleInfo:
    """Draw and record a random sample of submitted audits (practice leads only).

    The seed is recorded (a new one is chosen when none is given), so the same seed over
    the same submitted audits draws the same sample. ``stratify_by`` "team" or "category"
    draws from each in proportion to its share of the audits.
    """
    require(actor, Permission.CLOSE)  # choosing what is moderated is a lead's job
    if stratify_by is not None and stratify_by not in STRATA:
        raise UserError(f"A sample can be stratified by {' or '.join(STRATA)}, "
                        f"not '{stratify_by}'.")
    if size < 1:
        raise UserError("A sample needs at least one audit.")
    require_date("The start of the period", date_from)
    require_date("The end of the period", date_to)
    seed = seed if seed is not None else secrets.randbelow(2**31)
    stratum = Case.team if stratify_by == Stratum.TEAM else Case.category
    query = (select(Audit.id, stratum).join(Case, Case.id == Audit.case_id)
             .where(Audit.status == AuditStatus.SUBMITTED))
    if date_from is not None:
        query = query.where(Audit.audit_date >= date_from)
    if date_to is not None:
        query = query.where(Audit.audit_date <= date_to)
    with db.transaction() as session:
        population = [(a, str(getattr(s, "value", s))) for a, s in session.execute(query)]
        if size > len(population):
            raise UserError(f"Only {len(population)} submitted audits are waiting in that "
                            f"period: a sample of {size} cannot be drawn.")
        chosen = _draw(population, size, seed, stratify_by)
        sample = ModerationSample(created_by_id=actor.id, seed=seed, size=size,
                                  stratify_by=stratify_by, date_from=date_from, date_to=date_to)
        sample.audits = [ModerationSampleAudit(audit_id=a) for a in chosen]
        session.add(sample)
        session.flush()
        return SampleInfo(sample.id, seed, size, stratify_by, date_from, date_to, actor.name,
                          tuple(chosen))


def list_samples(db: Database) -> list[SampleInfo]:
    """Every sample drawn, newest first."""
    with db.transaction() as session:
        samples = session.scalars(select(ModerationSample)
                                  .order_by(ModerationSample.id.desc())).all()
        return [SampleInfo(s.id, s.seed, s.size, s.stratify_by, s.date_from, s.date_to,
                           s.created_by, tuple(sorted(a.audit_id for a in s.audits)))
                for s in samples]


# --- blind grading ------------------------------------------------------------------------------


def _submitted_audit(session: Session, audit_id: int, actor: Actor) -> Audit:
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise NotFoundError(f"No audit with number {audit_id}.")
    require(actor, Permission.MODERATE, owner_id=audit.auditor_id, owner_name=audit.auditor)
    if audit.status != AuditStatus.SUBMITTED:
        raise AuditLockedError(f"Only a submitted audit can be moderated; this one is "
                               f"{audit.status.value}.")
    return audit


def load_for_moderation(db: Database, audit_id: int, actor: Actor) -> AuditDocument:
    """The audit as the moderator first sees it: answers and evidence, with the auditor's
    grades, grade comments and rationale withheld until the blind grades are recorded."""
    with db.transaction() as session:
        audit = _submitted_audit(session, audit_id, actor)
        blind_done = audit.moderation is not None and audit.moderation.blind_grade is not None
    document = load_audit(db, audit_id, actor)
    return document if blind_done else withhold_grades(document)


def record_blind_grades(db: Database, audit_id: int, actor: Actor,
                        sections: Mapping[int, int | None], overall: int) -> None:
    """Record the moderator's own grades, given before seeing the auditor's."""
    Grade(overall)
    with db.transaction() as session:
        audit = _submitted_audit(session, audit_id, actor)
        known = set(session.scalars(select(Section.id)
                                    .where(Section.template_id == audit.template_id)))
        if set(sections) - known:
            raise UserError("Those sections are not part of this audit's template.")
        # The final grade stays empty until the moderation is finalised: a blind grade alone
        # never counts (it is the moderator's first reading, not the moderated grade).
        row = audit.moderation or Moderation(audit_id=audit.id, moderator_id=actor.id,
                                             moderated_on=date.today(), grade=None,
                                             agreed=False, comment="")
        if row.blind_grade is not None:
            raise BlindModerationError("The blind grades are already recorded; compare them "
                                       "with the auditor's now.")
        row.moderator_id, row.blind_grade = actor.id, overall
        row.sections = [ModeratedSection(section_id=sid, blind_grade=grade)
                        for sid, grade in sections.items()]
        row.sample_id = session.scalar(select(ModerationSampleAudit.sample_id)
                                       .where(ModerationSampleAudit.audit_id == audit.id)
                                       .order_by(ModerationSampleAudit.sample_id.desc()))
        session.add(row)
        record_change(session, audit.id, actor, "moderation", "", "blind grade", None,
                      grade_label(overall))


@dataclass(frozen=True)
class ComparedGrade:
    """One grade seen three ways: suggested by the rule, given by the auditor, given blind
    by the moderator."""

    section_id: int | None  # None for the overall grade
    key: str
    title: str
    suggested: int | None
    auditor: int | None
    moderator_blind: int | None


def moderation_comparison(db: Database, audit_id: int, actor: Actor) -> list[ComparedGrade]:
    """The auditor's and the moderator's grades side by side, sections first, then overall.
    Refused until the moderator's blind grades are recorded."""
    with db.transaction() as session:
        audit = _submitted_audit(session, audit_id, actor)
        moderation = audit.moderation
        if moderation is None or moderation.blind_grade is None:
            raise BlindModerationError("Grade the audit yourself first: the auditor's grades "
                                       "are shown once your own are recorded.")
        blind = {s.section_id: s.blind_grade for s in moderation.sections}
        rows = session.execute(
            select(Section.id, Section.key, Section.title, SectionJudgement.suggested_grade,
                   SectionJudgement.grade)
            .join(SectionJudgement, SectionJudgement.section_id == Section.id)
            .where(SectionJudgement.audit_id == audit_id).order_by(Section.position)).all()
        compared = [ComparedGrade(sid, key, title, suggested, given, blind.get(sid))
                    for sid, key, title, suggested, given in rows
                    if sid in blind or given is not None]
        compared.append(ComparedGrade(None, "", "Overall", audit.suggested_grade,
                                      audit.overall_grade, moderation.blind_grade))
        return compared


def finalise_moderation(db: Database, audit_id: int, actor: Actor,
                        sections: Mapping[int, tuple[int | None, str]],
                        overall: tuple[int, str]) -> None:
    """Keep or change each grade after comparing: ``sections`` maps a section id to its final
    grade and reason, ``overall`` is the final overall grade and reason. A grade that
    differs from the auditor's needs a reason. The audit becomes moderated."""
    final, reason = overall
    Grade(final)
    for why in [reason, *(why for _grade, why in sections.values())]:
        require_length("A reason", why, LONG_TEXT_CHARS)
    with db.transaction() as session:
        audit = _submitted_audit(session, audit_id, actor)
        moderation = audit.moderation
        if moderation is None or moderation.blind_grade is None:
            raise BlindModerationError("Grade the audit yourself first.")
        given = dict(session.execute(select(SectionJudgement.section_id, SectionJudgement.grade)
                                     .where(SectionJudgement.audit_id == audit_id)).all())
        problems = [key for key, (grade, why) in _with_keys(session, sections).items()
                    if grade != given.get(key[0]) and not why.strip()]
        if final != audit.overall_grade and not reason.strip():
            problems.append((0, "Overall"))
        if problems:
            names = ", ".join(name for _sid, name in problems)
            raise UserError(f"Give a reason for each grade you change: {names}.")
        rows = {s.section_id: s for s in moderation.sections}
        for section_id, (grade, why) in sections.items():
            row = rows.get(section_id) or ModeratedSection(section_id=section_id)
            row.grade, row.reason = grade, why.strip()
            if section_id not in rows:
                moderation.sections.append(row)
        # Each moderation is a new judgement: earlier ones stay in the history.
        record_change(session, audit.id, actor, "moderation", "", "grade", None,
                      grade_label(final))
        record_change(session, audit.id, actor, "moderation", "", "comment", None,
                      reason.strip())
        moderation.grade, moderation.comment = final, reason.strip()
        moderation.agreed = final == audit.overall_grade
        moderation.moderator_id, moderation.moderated_on = actor.id, date.today()
        record_change(session, audit.id, actor, "audit", "", "status", audit.status.value,
                      AuditStatus.MODERATED.value)
        audit.status = AuditStatus.MODERATED


def _with_keys(session: Session, sections: Mapping[int, tuple[int | None, str]]
               ) -> dict[tuple[int, str], tuple[int | None, str]]:
    names = dict(session.execute(select(Section.id, Section.key)
                                 .where(Section.id.in_(sections))).all())
    return {(sid, names.get(sid, str(sid))): value for sid, value in sections.items()}


def return_for_rework(db: Database, audit_id: int, actor: Actor, comment: str) -> None:
    """Send a submitted audit back to its auditor as a draft, with what to put right."""
    if not comment.strip():
        raise UserError("Say what the auditor should put right.")
    require_length("The comment", comment, LONG_TEXT_CHARS)
    with db.transaction() as session:
        audit = _submitted_audit(session, audit_id, actor)
        record_change(session, audit.id, actor, "audit", "", "returned for rework", None,
                      comment.strip())
        record_change(session, audit.id, actor, "audit", "", "status", audit.status.value,
                      AuditStatus.DRAFT.value)
        audit.status = AuditStatus.DRAFT
        audit.returned_comment = comment.strip()
        audit.submitted_at = None


# --- agreement figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionAgreement:
    """Agreement on one section of one template (every version)."""

    template_key: str
    section_key: str
    title: str
    agreement: Agreement


@dataclass(frozen=True)
class AuditorAgreement:
    """Agreement with one auditor's grades: for the practice lead's eyes only."""

    auditor: str
    agreement: Agreement


@dataclass(frozen=True)
class AgreementFigures:
    """Moderation and agreement for a period."""

    audits: int  # submitted or later in the period
    moderated: int
    overall: Agreement  # auditor's grade against the moderator's (blind where recorded)
    sections: tuple[SectionAgreement, ...]
    auditors: tuple[AuditorAgreement, ...]

    @property
    def moderated_share(self) -> float | None:
        """The share of the period's audits that were moderated."""
        return self.moderated / self.audits if self.audits else None

    def as_json(self, include_auditors: bool = False) -> dict[str, object]:
        """The figures as plain JSON data (auditors only when asked for)."""
        data: dict[str, object] = {
            "audits": self.audits, "moderated": self.moderated,
            "moderated_share": self.moderated_share, "overall": _agreement_json(self.overall),
            "sections": [{"template": s.template_key, "section": s.section_key,
                          "title": s.title, **_agreement_json(s.agreement)}
                         for s in self.sections]}
        if include_auditors:
            data["auditors"] = [{"auditor": a.auditor, **_agreement_json(a.agreement)}
                                for a in self.auditors]
        return data


def _agreement_json(figures: Agreement) -> dict[str, object]:
    return {"pairs": figures.pairs, "exact": figures.exact, "within_one": figures.within_one,
            "exact_share": figures.exact_share, "within_one_share": figures.within_one_share,
            "weighted_kappa": figures.kappa, "raised": figures.raised,
            "lowered": figures.lowered}


def agreement_figures(db: Database, date_from: date | None = None,
                      date_to: date | None = None, team: str | None = None,
                      template_key: str | None = None,
                      reader: Actor | None = None) -> AgreementFigures:
    """Agreement between auditors and moderators on the audits of a period.

    Each pair is (the auditor's grade, the moderator's blind grade), or the final moderated
    grade where the audit was moderated before blind grading; "raised" and "lowered" count
    the final moderated grade against the auditor's. Only finalised moderations count. The
    audits whose grades are withheld from ``reader`` are left out.
    """
    scope = counted_audits(date_from, date_to)
    if reader is not None:
        scope = scope.where(~withheld_condition(reader))
    if team is not None:
        scope = scope.join(Case, Case.id == Audit.case_id).where(Case.team == team)
    if template_key is not None:
        scope = scope.join(Template, Template.id == Audit.template_id) \
            .where(Template.key == template_key)
    ids = scope.subquery()
    with db.transaction() as session:
        audits = session.scalar(select(func.count()).select_from(ids)) or 0
        overall_rows = session.execute(
            select(Audit.auditor, Audit.overall_grade, Moderation.blind_grade, Moderation.grade)
            .join(Moderation, Moderation.audit_id == Audit.id)
            .where(Audit.id.in_(select(ids.c.id)), Moderation.grade.is_not(None))).all()
        section_rows = session.execute(
            select(Template.key, Section.key, Section.title, SectionJudgement.grade,
                   ModeratedSection.blind_grade, ModeratedSection.grade, Section.position)
            .join(Moderation, Moderation.id == ModeratedSection.moderation_id)
            .join(Section, Section.id == ModeratedSection.section_id)
            .join(Template, Template.id == Section.template_id)
            .join(SectionJudgement, (SectionJudgement.audit_id == Moderation.audit_id)
                  & (SectionJudgement.section_id == Section.id))
            .where(Moderation.audit_id.in_(select(ids.c.id)),
                   Moderation.grade.is_not(None))).all()
    return AgreementFigures(audits, len(overall_rows), _overall(overall_rows),
                            _by_section(section_rows), _by_auditor(overall_rows))


def _pairs(rows: Sequence[tuple[int | None, int | None, int | None]]
           ) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for given, blind, final in rows:
        other = blind if blind is not None else final
        if given is not None and other is not None:
            pairs.append((given, other))
    return pairs


def _overall(rows: Sequence[tuple[str, int | None, int | None, int | None]]) -> Agreement:
    pairs = _pairs([(g, b, f) for _a, g, b, f in rows])
    moved = [(g, f) for _a, g, _b, f in rows if g is not None and f is not None]
    figures = agreement(pairs)
    return replace(figures, raised=sum(f > g for g, f in moved),
                   lowered=sum(f < g for g, f in moved))


def _by_section(rows: Sequence[tuple[str, str, str, int | None, int | None, int | None, int]]
                ) -> tuple[SectionAgreement, ...]:
    grouped: dict[tuple[str, str], list[tuple[int | None, int | None, int | None]]] = \
        defaultdict(list)
    titles: dict[tuple[str, str], tuple[int, str]] = {}
    for template_key, section_key, title, given, blind, final, position in rows:
        grouped[(template_key, section_key)].append((given, blind, final))
        titles[(template_key, section_key)] = (position, title)
    order = sorted(grouped, key=lambda k: (k[0], titles[k][0]))  # as the template orders them
    return tuple(SectionAgreement(t, s, titles[(t, s)][1], agreement(_pairs(grouped[(t, s)])))
                 for t, s in order)


def _by_auditor(rows: Sequence[tuple[str, int | None, int | None, int | None]]
                ) -> tuple[AuditorAgreement, ...]:
    grouped: dict[str, list[tuple[str, int | None, int | None, int | None]]] = \
        defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return tuple(AuditorAgreement(name, _overall(grouped[name])) for name in sorted(grouped))

