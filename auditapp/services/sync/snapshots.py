"""An audit as database-independent data: what travels in a bundle, and is compared.

A snapshot names everything by what is the same in every database: the audit and its
actions by uid, the case by its reference, the template by key and content hash, questions
and sections by their keys, people by their profile's name (a bundle carries each name's
profile uid beside the snapshot, see :func:`people_of`). Local ids, revisions, times of
saving and the figures derived from the answers (suggested grades, progress) are left out:
they are worked out again where the snapshot is written. Two databases holding the same
audit in the same state give the same snapshot, so the same :func:`state_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditapp.models import (
    Action,
    ActionPriority,
    ActionStatus,
    Answer,
    Audit,
    AuditStatus,
    CareLeaverCategory,
    Case,
    ModeratedSection,
    Moderation,
    Role,
    SectionJudgement,
    User,
    utcnow,
)
from auditapp.services.audits.editing import refresh_suggestions
from auditapp.services.templates import TemplateInfo

Snapshot = dict[str, Any]
#: Finds (or makes) the local profile of a person a snapshot names, with the role a new
#: profile gets; None for no one.
People = Callable[[str | None, Role], int | None]
AUDIT_FIELDS = ("auditor", "audit_date", "status", "created_at", "submitted_at",
                "overall_grade", "grade_rationale", "strengths", "areas_for_development",
                "young_person_voice", "returned_comment")
CASE_FIELDS = ("category", "uasc", "age_at_audit", "team", "worker")
ACTION_FIELDS = ("question", "text", "owner", "due_date", "priority", "status",
                 "completed_on", "status_note", "created_at", "raised_by", "closed_by")
#: Fields that name a person (by profile name), and the role a profile made for them gets.
PERSON_FIELDS = {"auditor": Role.AUDITOR, "moderator": Role.MODERATOR,
                 "raised_by": Role.AUDITOR, "closed_by": Role.AUDITOR}
MODERATION_FIELDS = ("moderator", "moderated_on", "grade", "blind_grade", "agreed", "comment",
                     "created_at")
#: Fields a snapshot holds as ISO dates, and as ISO date and time (UTC).
DATE_FIELDS = {"audit_date", "due_date", "completed_on", "moderated_on"}
TIME_FIELDS = {"created_at", "submitted_at"}


def canonical_json(data: Any) -> str:
    """The one JSON text of ``data``: sorted keys, no spaces, so equal data hashes alike."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def state_hash(snapshot: Snapshot) -> str:
    """The SHA-256 of a snapshot: names the state an audit is in."""
    return hashlib.sha256(canonical_json(snapshot).encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _fields(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in names}


def question_keys(template: TemplateInfo) -> dict[int, str]:
    """Each question's id and its key in snapshots ("section/question")."""
    return {q.id: f"{s.key}/{q.key}" for s in template.sections for q in s.questions}


def _moderation(moderation: Moderation | None, sections: dict[int, str]) -> Snapshot | None:
    if moderation is None:
        return None
    data = _fields(moderation, MODERATION_FIELDS)
    data["sections"] = {sections[row.section_id]: {"blind_grade": row.blind_grade,
                                                   "grade": row.grade, "reason": row.reason}
                        for row in moderation.sections
                        if row.blind_grade is not None or row.grade is not None}
    return data


def read_snapshot(session: Session, audit: Audit, template: TemplateInfo,
                  content_hash: str) -> Snapshot:
    """The audit as a snapshot (``content_hash`` is its template version's)."""
    questions = question_keys(template)
    sections = {s.id: s.key for s in template.sections}
    answers = session.execute(select(Answer.question_id, Answer.response, Answer.evidence)
                              .where(Answer.audit_id == audit.id)).all()
    judgements = session.execute(
        select(SectionJudgement.section_id, SectionJudgement.grade, SectionJudgement.comment)
        .where(SectionJudgement.audit_id == audit.id)).all()
    actions = {a.uid: {**_fields(a, ACTION_FIELDS[1:]),
                       "question": questions.get(a.question_id or 0)} for a in audit.actions}
    return {
        "uid": audit.uid,
        "template": {"key": template.key, "content_hash": content_hash},
        "case": {"reference": audit.case.reference, **_fields(audit.case, CASE_FIELDS)},
        "audit": _fields(audit, AUDIT_FIELDS),
        "answers": {questions[q]: {"response": r, "evidence": e} for q, r, e in answers},
        "judgements": {sections[s]: {"grade": g, "comment": c} for s, g, c in judgements},
        "actions": actions,
        "moderation": _moderation(audit.moderation, sections),
    }


# --- writing ----------------------------------------------------------------------------------


def people_of(session: Session, snapshot: Snapshot) -> dict[str, str]:
    """The profile uid of every person a snapshot names, by name (carried beside it in a
    bundle, so that the importing database can tell people apart by profile)."""
    names = {snapshot["audit"]["auditor"]}
    names |= {a[f] for a in snapshot["actions"].values() for f in ("raised_by", "closed_by")}
    if snapshot["moderation"] is not None:
        names.add(snapshot["moderation"]["moderator"])
    names.discard(None)
    return dict(session.execute(select(User.name, User.uid).where(User.name.in_(names))).all())


def _value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in DATE_FIELDS:
        return date.fromisoformat(value)
    if name in TIME_FIELDS:
        return datetime.fromisoformat(value)
    return value


def _assign(row: Any, data: Snapshot, names: tuple[str, ...], people: People) -> None:
    for name in names:
        if name in PERSON_FIELDS:
            value = people(data.get(name), PERSON_FIELDS[name])
            name = f"{name}_id"
        else:
            value = _value(name, data[name])
        if getattr(row, name) != value:
            setattr(row, name, value)


def new_audit(session: Session, snapshot: Snapshot, template: TemplateInfo,
              case: Case, people: People) -> Audit:
    """An empty audit with the snapshot's uid, ready for :func:`write_snapshot`."""
    fields = snapshot["audit"]
    audit = Audit(uid=snapshot["uid"], case=case, template_id=template.id,
                  auditor_id=people(fields["auditor"], Role.AUDITOR),
                  audit_date=_value("audit_date", fields["audit_date"]))
    session.add(audit)
    session.flush()
    session.add_all(Answer(audit_id=audit.id, question_id=q) for q in question_keys(template))
    session.add_all(SectionJudgement(audit_id=audit.id, section_id=s.id)
                    for s in template.sections)
    session.flush()
    return audit


def write_case(case: Case, data: Snapshot) -> None:
    """Give a case the details a snapshot holds."""
    values = {**data, "category": CareLeaverCategory(data["category"])}
    _assign(case, values, CASE_FIELDS, _nobody)


def _nobody(_name: str | None, _role: Role) -> int | None:
    return None


def _write_answers(session: Session, audit: Audit, snapshot: Snapshot,
                   template: TemplateInfo, people: People) -> None:
    by_key = {key: q for q, key in question_keys(template).items()}
    rows = {a.question_id: a for a in session.scalars(
        select(Answer).where(Answer.audit_id == audit.id))}
    for key, answer in snapshot["answers"].items():
        row = rows[by_key[key]]
        _assign(row, answer, ("response", "evidence"), people)
    sections = {s.key: s.id for s in template.sections}
    judgements = {j.section_id: j for j in session.scalars(
        select(SectionJudgement).where(SectionJudgement.audit_id == audit.id))}
    for key, judgement in snapshot["judgements"].items():
        _assign(judgements[sections[key]], judgement, ("grade", "comment"), people)


def _write_actions(session: Session, audit: Audit, snapshot: Snapshot,
                   template: TemplateInfo, people: People) -> None:
    by_key = {key: q for q, key in question_keys(template).items()}
    existing = {a.uid: a for a in audit.actions}
    for uid, row in existing.items():
        if uid not in snapshot["actions"]:
            session.delete(row)
            audit.actions.remove(row)
    for uid, data in snapshot["actions"].items():
        action = existing.get(uid)
        if action is None:
            action = Action(uid=uid, text=data["text"])
            audit.actions.append(action)
        values = {**data, "priority": ActionPriority(data["priority"]),
                  "status": ActionStatus(data["status"])}
        _assign(action, values, ACTION_FIELDS[1:], people)
        question = by_key.get(data["question"]) if data["question"] else None
        if action.question_id != question:
            action.question_id = question


def _write_moderation(session: Session, audit: Audit, data: Snapshot | None,
                      template: TemplateInfo, people: People) -> None:
    if data is None:
        if audit.moderation is not None:
            session.delete(audit.moderation)
            audit.moderation = None
        return
    moderation = audit.moderation or Moderation(audit_id=audit.id)
    _assign(moderation, data, MODERATION_FIELDS, people)
    sections = {s.key: s.id for s in template.sections}
    rows = {sections[key]: value for key, value in data["sections"].items()}
    for row in list(moderation.sections):
        if row.section_id not in rows:
            moderation.sections.remove(row)
    present = {row.section_id: row for row in moderation.sections}
    for section_id, value in rows.items():
        section = present.get(section_id)
        if section is None:
            section = ModeratedSection(section_id=section_id)
            moderation.sections.append(section)
        _assign(section, value, ("blind_grade", "grade", "reason"), people)
    audit.moderation = moderation


def write_snapshot(session: Session, audit: Audit, snapshot: Snapshot,
                   template: TemplateInfo, people: People) -> None:
    """Make the audit (and its case) what the snapshot says, then work out its suggested
    grades and progress again. The audit's revision goes up."""
    write_case(audit.case, snapshot["case"])
    fields = {**snapshot["audit"], "status": AuditStatus(snapshot["audit"]["status"])}
    _assign(audit, fields, AUDIT_FIELDS, people)
    _write_answers(session, audit, snapshot, template, people)
    _write_actions(session, audit, snapshot, template, people)
    _write_moderation(session, audit, snapshot["moderation"], template, people)
    audit.updated_at = utcnow()
    session.flush()
    refresh_suggestions(session, audit, template)
