"""Conflicts in words: what a field of a snapshot is, and its values as a person reads them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from auditapp.rules.grades import grade_label
from auditapp.rules.wording import day_text
from auditapp.services.sync.merge import MISSING, FieldConflict
from auditapp.services.sync.snapshots import DATE_FIELDS, TIME_FIELDS
from auditapp.services.templates import TemplateInfo

AUDIT_WORDS = {
    "auditor": "Auditor", "audit_date": "Audit date", "status": "Status",
    "created_at": "Started", "submitted_at": "Submitted", "overall_grade": "Overall grade",
    "grade_rationale": "Rationale for the overall grade", "strengths": "Strengths",
    "areas_for_development": "Areas for development",
    "young_person_voice": "The young person's voice",
    "returned_comment": "Returned for rework because",
}
_GRADES = {"overall_grade", "grade", "blind_grade"}


def _grade_words(value: int | None) -> str:
    try:
        return grade_label(value, "not graded")
    except ValueError:
        return str(value)


def when_words(field: str, value: Any) -> str:
    """A snapshot's date (or UTC date and time) as people read it; other values, or a value
    that is not the date it should be, as they are."""
    try:
        if field in DATE_FIELDS:
            return day_text(date.fromisoformat(value))
        if field in TIME_FIELDS:
            moment = datetime.fromisoformat(value)
            return f"{day_text(moment)} {moment:%H:%M} UTC"
    except (TypeError, ValueError):
        pass
    return str(value)


class ConflictWords:
    """Names and values of one audit's conflicts, from its template."""

    def __init__(self, template: TemplateInfo) -> None:
        self.questions = {f"{s.key}/{q.key}": q for s in template.sections for q in s.questions}
        self.sections = {s.key: s.title for s in template.sections}

    def what(self, conflict: FieldConflict) -> str:
        """The field in words: "Question A.1 (Is there a plan?): answer"."""
        kind, _, key = conflict.group.partition(" ")
        name = conflict.field.replace("_", " ")
        if kind == "audit":
            return AUDIT_WORDS.get(conflict.field, name)
        if kind == "case":
            return f"Case: {name}"
        if kind == "answer":
            question = self.questions.get(key)
            text = f" ({question.text})" if question else ""
            part = "answer" if name == "response" else name
            return f"Question {key.split('/')[-1]}{text}: {part}"
        if kind == "judgement":
            return f"Section {key} ({self.sections.get(key, '')}): {name}"
        if kind == "action":
            subject = self._action_name(conflict)
            return f"Action {subject}" + (f": {name}" if name else "")
        return "Moderation" + (f": {name}" if name else "")

    def _action_name(self, conflict: FieldConflict) -> str:
        for value in (conflict.local, conflict.remote, conflict.base):
            if isinstance(value, dict) and value.get("text"):
                return f"'{value['text'][:40]}'"
        return "(no text)"

    def value(self, conflict: FieldConflict, value: Any) -> str:
        """A value as a person reads it."""
        if value is MISSING:
            return "(removed)" if conflict.field == "" else "(none)"
        if value is None or value == "":
            return "(blank)"
        if isinstance(value, dict):
            return self._summary(conflict, value)
        if conflict.field == "response":
            question = self.questions.get(conflict.group.partition(" ")[2])
            option = question.option(value) if question else None
            return option["label"] if option else str(value)
        if isinstance(value, int) and (conflict.field in _GRADES
                                       or conflict.field.endswith(" grade")):
            return _grade_words(value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return when_words(conflict.field, value)

    @staticmethod
    def _summary(conflict: FieldConflict, value: dict[str, Any]) -> str:
        if conflict.group == "moderation":
            return (f"graded {_grade_words(value.get('grade'))} by "
                    f"{value.get('moderator', '?')} on "
                    f"{when_words('moderated_on', value.get('moderated_on', '?'))}")
        due = when_words("due_date", value["due_date"]) if value.get("due_date") else "no date"
        return (f"{value.get('text', '')} (owner {value.get('owner') or 'none'}, due "
                f"{due}, {value.get('status', '')})")
