"""What an audit holds, as the history vouches for it: its content, sealed after every change.

An audit's *content* is everything a person records in it: the audit's own fields (its uid,
auditor, date, status, overall grade and rationale, narrative, the return-for-rework
comment), every answer and evidence note, every section grade and comment, every action
(by uid, with who raised and closed it) and the moderation with its section grades. The
figures worked out from them (suggested grades, progress) and the revision are not
content: they are derived, and worked out again whenever the audit is saved.

At the end of every transaction that changed an audit, its content's SHA-256 goes into the
history as a *seal* entry (chained like every other entry), and the content itself is kept
in ``audit_seals``. ``auditapp check`` reads every audit's content again and compares it with
its newest seal: a direct edit of any data row shows, named by audit and field.

Migration 0005 holds a frozen copy of :func:`read_contents` for the audits it seals.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditapp.models import (
    Action,
    Answer,
    Audit,
    AuditSeal,
    ModeratedSection,
    Moderation,
    Question,
    Section,
    SectionJudgement,
)

Content = dict[str, Any]
AUDIT_FIELDS = ("uid", "auditor_id", "case_id", "template_id", "audit_date", "status",
                "submitted_at", "overall_grade", "grade_rationale", "strengths",
                "areas_for_development", "young_person_voice", "returned_comment")
ACTION_FIELDS = ("question_id", "text", "owner", "due_date", "priority", "status",
                 "completed_on", "status_note", "raised_by_id", "closed_by_id", "created_at")
MODERATION_FIELDS = ("moderator_id", "moderated_on", "grade", "blind_grade", "agreed",
                     "comment")
#: Audits read per query when every audit is read (SQLite takes at most 32,766 parameters).
BATCH = 500
#: The most a kept content may unpack to (far beyond any audit's: its text is bounded by
#: :mod:`auditapp.rules.limits`), so a doctored one cannot fill the memory.
MAX_CONTENT = 64 * 1024 * 1024


def plain(value: Any) -> Any:
    """A stored value as content holds it: dates and times as ISO text, enums as values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def canonical(content: Content) -> bytes:
    """The one byte string of a content: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def digest(content: Content) -> str:
    """The SHA-256 of a content, as a seal entry records it."""
    return hashlib.sha256(canonical(content)).hexdigest()


def pack(content: Content) -> bytes:
    """A content as ``audit_seals`` keeps it (compressed)."""
    return zlib.compress(canonical(content), 6)


def unpack(data: bytes) -> Content | None:
    """A kept content, or None if what is kept is not exactly one (it was changed)."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, MAX_CONTENT)
        content = json.loads(raw.decode("utf-8"))
    except (zlib.error, ValueError, UnicodeDecodeError):
        return None
    if not inflater.eof or inflater.unused_data:
        return None
    return content if isinstance(content, dict) else None


class Sealed(NamedTuple):
    """A content as a seal records it: its digest, and the packed copy ``audit_seals`` keeps."""

    digest: str
    packed: bytes


def sealed(content: Content) -> Sealed:
    """The digest and packed copy of a content (its canonical bytes made once)."""
    data = canonical(content)
    return Sealed(hashlib.sha256(data).hexdigest(), zlib.compress(data, 6))


def content_of(audit: Mapping[str, Any], answers: Iterable[Mapping[str, Any]],
               judgements: Iterable[Mapping[str, Any]], actions: Iterable[Mapping[str, Any]],
               moderation: Mapping[str, Any] | None,
               moderated_sections: Iterable[Mapping[str, Any]]) -> Content:
    """The content of an audit from the column values a bulk writer is about to store (the
    demo data), without reading them back: what :func:`read_contents` reads once they are
    stored. Each row is keyed by column name and must give every column content holds
    (``tests/services/test_stats_and_demo.py`` holds the two to each other)."""
    content = _empty(SimpleNamespace(**audit))
    content["answers"] = {str(row["question_id"]): [row["response"], row["evidence"]]
                          for row in answers}
    content["judgements"] = {str(row["section_id"]): [row["grade"], row["comment"]]
                             for row in judgements}
    content["actions"] = {row["uid"]: {name: plain(row[name]) for name in ACTION_FIELDS}
                          for row in actions}
    if moderation is not None:
        content["moderation"] = {name: plain(moderation[name]) for name in MODERATION_FIELDS}
        content["moderation"]["sections"] = {
            str(row["section_id"]): [row["blind_grade"], row["grade"], row["reason"]]
            for row in moderated_sections}
    return content


def _empty(row: Any) -> Content:
    return {"audit": {name: plain(getattr(row, name)) for name in AUDIT_FIELDS},
            "answers": {}, "judgements": {}, "actions": {}, "moderation": None}


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def read_contents(session: Session, audit_ids: Collection[int] | None = None
                  ) -> dict[int, Content]:
    """The content of each audit (every audit when ``audit_ids`` is None), read from the
    stored rows as they are (column by column, never through the session's objects)."""
    query = select(Audit.id, *(getattr(Audit, n) for n in AUDIT_FIELDS)).order_by(Audit.id)
    if audit_ids is None:
        audits = session.execute(query).all()
    else:
        wanted = sorted(set(audit_ids))
        audits = [row for chunk in _chunks(wanted)
                  for row in session.execute(query.where(Audit.id.in_(chunk)))]
    contents = {row.id: _empty(row) for row in audits}
    for chunk in _chunks(list(contents)):
        _add_rows(session, contents, chunk)
    return contents


def _add_rows(session: Session, contents: dict[int, Content], ids: list[int]) -> None:
    for audit_id, question, response, evidence in session.execute(
            select(Answer.audit_id, Answer.question_id, Answer.response, Answer.evidence)
            .where(Answer.audit_id.in_(ids))):
        contents[audit_id]["answers"][str(question)] = [response, evidence]
    for audit_id, section, grade, comment in session.execute(
            select(SectionJudgement.audit_id, SectionJudgement.section_id,
                   SectionJudgement.grade, SectionJudgement.comment)
            .where(SectionJudgement.audit_id.in_(ids))):
        contents[audit_id]["judgements"][str(section)] = [grade, comment]
    for row in session.execute(select(Action.audit_id, Action.uid,
                                      *(getattr(Action, n) for n in ACTION_FIELDS))
                               .where(Action.audit_id.in_(ids))):
        contents[row.audit_id]["actions"][row.uid] = {
            name: plain(getattr(row, name)) for name in ACTION_FIELDS}
    moderations: dict[int, Content] = {}
    for row in session.execute(select(Moderation.id, Moderation.audit_id,
                                      *(getattr(Moderation, n) for n in MODERATION_FIELDS))
                               .where(Moderation.audit_id.in_(ids))):
        moderation = {name: plain(getattr(row, name)) for name in MODERATION_FIELDS}
        moderation["sections"] = {}
        contents[row.audit_id]["moderation"] = moderations[row.id] = moderation
    if moderations:
        for moderation_id, section, blind, grade, reason in session.execute(
                select(ModeratedSection.moderation_id, ModeratedSection.section_id,
                       ModeratedSection.blind_grade, ModeratedSection.grade,
                       ModeratedSection.reason)
                .where(ModeratedSection.moderation_id.in_(moderations))):
            moderations[moderation_id]["sections"][str(section)] = [blind, grade, reason]


def keep_seal(session: Session, audit_id: int, seq: int, content: Content) -> None:
    """Keep ``content`` as the audit's sealed content, vouched for by the seal entry ``seq``."""
    row = session.get(AuditSeal, audit_id)
    if row is None:
        session.add(AuditSeal(audit_id=audit_id, seq=seq, content=pack(content)))
    else:
        row.seq, row.content = seq, pack(content)


# --- naming what changed ------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDifference:
    """One field whose stored value is not what the audit's history sealed."""

    what: str  # "answer A.1 response", "moderation grade", "action <uid> text"
    sealed: Any
    stored: Any

    def describe(self) -> str:
        """The difference in words."""
        return (f"{self.what} is {_shown(self.stored)} but its history says "
                f"{_shown(self.sealed)}")


def _shown(value: Any) -> str:
    if value is _MISSING:
        return "absent"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…\""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


def _flatten(content: Content, names: _Names) -> dict[str, Any]:
    flat: dict[str, Any] = {f"audit {k}": v for k, v in content.get("audit", {}).items()}
    for question, values in content.get("answers", {}).items():
        for part, value in zip(("response", "evidence"), values, strict=False):
            flat[f"answer {names.question(question)} {part}"] = value
    for section, values in content.get("judgements", {}).items():
        for part, value in zip(("grade", "comment"), values, strict=False):
            flat[f"judgement {names.section(section)} {part}"] = value
    for uid, fields in content.get("actions", {}).items():
        flat.update({f"action {uid} {k}": v for k, v in fields.items()})
    moderation = content.get("moderation")
    if isinstance(moderation, dict):
        flat.update({f"moderation {k}": v for k, v in moderation.items() if k != "sections"})
        for section, values in moderation.get("sections", {}).items():
            for part, value in zip(("blind_grade", "grade", "reason"), values, strict=False):
                flat[f"moderation section {names.section(section)} {part}"] = value
    return flat


class _Names:
    """Question and section keys by id, for messages a person can follow."""

    def __init__(self, session: Session) -> None:
        self.questions = {str(i): k for i, k in session.execute(
            select(Question.id, Question.key))}
        self.sections = {str(i): k for i, k in session.execute(select(Section.id, Section.key))}

    def question(self, question_id: str) -> str:
        return self.questions.get(question_id, f"#{question_id}")

    def section(self, section_id: str) -> str:
        return self.sections.get(section_id, f"#{section_id}")


def differences(session: Session, sealed: Content, stored: Content) -> list[FieldDifference]:
    """Every field whose stored value differs from the sealed one, in a stable order."""
    names = _Names(session)
    before, after = _flatten(sealed, names), _flatten(stored, names)
    return [FieldDifference(key, before.get(key, _MISSING), after.get(key, _MISSING))
            for key in sorted(set(before) | set(after))
            if before.get(key, _MISSING) != after.get(key, _MISSING)]
