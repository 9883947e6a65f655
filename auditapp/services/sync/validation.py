"""Everything a bundle would write, checked by the rules the editor and the services apply.

A plain bundle's checksums stop accidents, not a forger, who can recompute them; so what an
import writes is checked as if a person had typed it in: answer codes on their question's
scale, grades from 1 to 4, text and names within :mod:`auditapp.rules.limits`, dates from
1900 to 2100, case references and categories as the case import takes them, actions as the
editor takes them (an immediate one due within five working days), known templates, and a
status only with what reaching it needs: a submitted, moderated or closed audit passes the
checks of *Check and submit*; a moderated one has a finalised moderation; nobody moderates
their own audit. History entries must name an audit of the bundle and a known kind of
change, within the limits. Anything wrong refuses the whole bundle: :func:`bundle_problems`
lists every problem, each naming the audit or entry and the field.

The shapes of the parts are :mod:`auditapp.services.sync.parts`; a part of the wrong shape
is reported here as a problem too, never met as a crash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from auditapp.models import ActionPriority, ActionStatus, AuditStatus, CareLeaverCategory
from auditapp.rules import limits
from auditapp.rules.actions import immediate_due_problem
from auditapp.rules.grades import Grade, SectionSuggestion
from auditapp.rules.names import name_key
from auditapp.services.audits.editing import (
    ActionInfo,
    AnswerState,
    AuditDocument,
    JudgementState,
    submission_problems,
)
from auditapp.services.audits.scoring import score_audit
from auditapp.services.sync.snapshots import ACTION_FIELDS, AUDIT_FIELDS, CASE_FIELDS
from auditapp.services.templates import TemplateInfo

UID = re.compile(r"^[0-9a-f]{32}$")
STATE = re.compile(r"^[0-9a-f]{64}$")
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$")
MIN_AGE, MAX_AGE = 16, 25
#: What a history entry may be about (a "seal" is this database's own, never carried).
ENTITIES = frozenset({"answer", "judgement", "audit", "action", "moderation", "case",
                      "bundle"})
MODERATION_FIELDS = ("moderator", "moderated_on", "grade", "blind_grade", "agreed", "comment",
                     "created_at")
#: Finds the template version an audit is on: this database's, or one the bundle brings.
Templates = Callable[[str, str], TemplateInfo | None]


class _Checks:
    """Problems found so far, each located."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def text(self, where: str, value: Any, limit: int, *, required: bool = False) -> bool:
        if not isinstance(value, str):
            self.add(where, f"must be text, not {_kind(value)}")
            return False
        too_long = limits.length_problem("it", value, limit)
        if too_long:
            self.add(where, too_long)
            return False
        if required and not value.strip():
            self.add(where, "is empty")
            return False
        return True

    def name(self, where: str, value: Any, *, required: bool = True) -> None:
        if value is None and not required:
            return
        self.text(where, value, limits.NAME_CHARS, required=True)

    def grade(self, where: str, value: Any, *, required: bool = False) -> None:
        if value is None and not required:
            return
        if isinstance(value, bool) or not isinstance(value, int) or \
                value not in set(Grade):
            self.add(where, f"{value!r} is not a grade (1 Inadequate to 4 Outstanding)")

    def day(self, where: str, value: Any, *, required: bool = True) -> date | None:
        if value is None and not required:
            return None
        try:
            day = date.fromisoformat(value)
        except (TypeError, ValueError):
            self.add(where, f"{_shown(value)} is not a date (YYYY-MM-DD)")
            return None
        problem = limits.date_problem("the date", day)
        if problem:
            self.add(where, problem)
            return None
        return day

    def moment(self, where: str, value: Any, *, required: bool = True) -> datetime | None:
        if value is None and not required:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            self.add(where, f"{_shown(value)} is not a date and time")
            return None
        problem = limits.date_problem("the date", moment.date())
        if problem:
            self.add(where, problem)
            return None
        return moment

    def choice(self, where: str, value: Any, allowed: set[str]) -> bool:
        if value not in allowed:
            self.add(where, f"{_shown(value)} is not one of {', '.join(sorted(allowed))}")
            return False
        return True

    def mapping(self, where: str, value: Any, keys: tuple[str, ...] = ()) -> bool:
        if not isinstance(value, dict):
            self.add(where, f"must be an object, not {_kind(value)}")
            return False
        missing = [k for k in keys if k not in value]
        if missing:
            self.add(where, f"lacks {', '.join(missing)}")
            return False
        return True


def _kind(value: Any) -> str:
    return {type(None): "nothing", bool: "yes/no", int: "a number", float: "a number",
            str: "text", list: "a list", dict: "an object"}.get(type(value), "something else")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}… ({len(text):,} characters)"


# --- one audit ----------------------------------------------------------------------------------


def _case(checks: _Checks, where: str, case: Any) -> bool:
    if not checks.mapping(f"{where} case", case, ("reference", *CASE_FIELDS)):
        return False
    reference = case["reference"]
    if not isinstance(reference, str) or not REFERENCE.match(reference):
        checks.add(f"{where} case reference", f"{_shown(reference)} is not a case reference")
    checks.choice(f"{where} case category", case["category"],
                  {c.value for c in CareLeaverCategory})
    if not isinstance(case["uasc"], bool):
        checks.add(f"{where} case uasc", "must be yes or no")
    age = case["age_at_audit"]
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)
                            or not MIN_AGE <= age <= MAX_AGE):
        checks.add(f"{where} case age", f"{_shown(age)} is not an age from 16 to 25")
    for field in ("team", "worker"):
        checks.text(f"{where} case {field}", case[field], limits.NAME_CHARS)
    return True


def _audit_fields(checks: _Checks, where: str, fields: Any) -> bool:
    if not checks.mapping(f"{where} audit", fields, AUDIT_FIELDS):
        return False
    checks.name(f"{where} auditor", fields["auditor"])
    checks.day(f"{where} audit date", fields["audit_date"])
    checks.choice(f"{where} status", fields["status"], {s.value for s in AuditStatus})
    checks.moment(f"{where} started", fields["created_at"])
    checks.moment(f"{where} submitted", fields["submitted_at"], required=False)
    checks.grade(f"{where} overall grade", fields["overall_grade"])
    for field in ("grade_rationale", "strengths", "areas_for_development",
                  "young_person_voice", "returned_comment"):
        checks.text(f"{where} {field.replace('_', ' ')}", fields[field], limits.LONG_TEXT_CHARS)
    return True


def _answers(checks: _Checks, where: str, answers: Any, template: TemplateInfo) -> None:
    if not checks.mapping(f"{where} answers", answers):
        return
    questions = {f"{s.key}/{q.key}": q for s in template.sections for q in s.questions}
    for key, answer in answers.items():
        here = f"{where} answer {key}"
        question = questions.get(key)
        if question is None:
            checks.add(here, f"{template.key} asks no such question")
            continue
        if not checks.mapping(here, answer, ("response", "evidence")):
            continue
        code = answer["response"]
        if code is not None and (not isinstance(code, str)
                                 or len(code) > limits.ANSWER_CODE_CHARS
                                 or question.option(code) is None):
            scale = ", ".join(o["code"] for o in question.scale)
            checks.add(here, f"{_shown(code)} is not an answer on its scale ({scale})")
        checks.text(f"{here} evidence", answer["evidence"], limits.LONG_TEXT_CHARS)


def _judgements(checks: _Checks, where: str, judgements: Any, template: TemplateInfo) -> None:
    if not checks.mapping(f"{where} section grades", judgements):
        return
    sections = {s.key for s in template.sections}
    for key, judgement in judgements.items():
        here = f"{where} section {key}"
        if key not in sections:
            checks.add(here, f"{template.key} has no such section")
        elif checks.mapping(here, judgement, ("grade", "comment")):
            checks.grade(f"{here} grade", judgement["grade"])
            checks.text(f"{here} comment", judgement["comment"], limits.LONG_TEXT_CHARS)


def _actions(checks: _Checks, where: str, actions: Any, template: TemplateInfo) -> None:
    if not checks.mapping(f"{where} actions", actions):
        return
    questions = {f"{s.key}/{q.key}" for s in template.sections for q in s.questions}
    for uid, action in actions.items():
        here = f"{where} action {uid}"
        if not isinstance(uid, str) or not UID.match(uid):
            checks.add(here, "its uid is not 32 hexadecimal digits")
        if not checks.mapping(here, action, tuple(f for f in ACTION_FIELDS
                                                  if f not in ("raised_by", "closed_by"))):
            continue
        if action["question"] is not None and action["question"] not in questions:
            checks.add(f"{here} question", f"{template.key} asks no such question")
        checks.text(f"{here} text", action["text"], limits.LONG_TEXT_CHARS, required=True)
        checks.text(f"{here} owner", action["owner"], limits.NAME_CHARS)
        due = checks.day(f"{here} due date", action["due_date"], required=False)
        checks.choice(f"{here} status", action["status"], {s.value for s in ActionStatus})
        checks.day(f"{here} completed on", action["completed_on"], required=False)
        checks.text(f"{here} note", action["status_note"], limits.LONG_TEXT_CHARS)
        raised = checks.moment(f"{here} raised", action["created_at"])
        for person in ("raised_by", "closed_by"):
            checks.name(f"{here} {person.replace('_', ' ')}", action.get(person),
                        required=False)
        if checks.choice(f"{here} priority", action["priority"],
                         {p.value for p in ActionPriority}) \
                and action["priority"] == ActionPriority.IMMEDIATE and raised is not None:
            problem = immediate_due_problem(due, raised.date())
            if problem:
                checks.add(here, problem)


def _moderation(checks: _Checks, where: str, moderation: Any, auditor: Any,
                template: TemplateInfo) -> None:
    if moderation is None:
        return
    if not checks.mapping(f"{where} moderation", moderation, (*MODERATION_FIELDS, "sections")):
        return
    checks.name(f"{where} moderator", moderation["moderator"])
    if isinstance(moderation["moderator"], str) and isinstance(auditor, str) \
            and name_key(moderation["moderator"]) == name_key(auditor):
        checks.add(f"{where} moderation", "the auditor moderated their own audit")
    checks.day(f"{where} moderated on", moderation["moderated_on"])
    checks.grade(f"{where} moderated grade", moderation["grade"])
    checks.grade(f"{where} blind grade", moderation["blind_grade"])
    if not isinstance(moderation["agreed"], bool):
        checks.add(f"{where} moderation agreed", "must be yes or no")
    checks.text(f"{where} moderation comment", moderation["comment"], limits.LONG_TEXT_CHARS)
    checks.moment(f"{where} moderation started", moderation["created_at"])
    if not checks.mapping(f"{where} moderated sections", moderation["sections"]):
        return
    sections = {s.key for s in template.sections}
    for key, grades in moderation["sections"].items():
        here = f"{where} moderated section {key}"
        if key not in sections:
            checks.add(here, f"{template.key} has no such section")
        elif checks.mapping(here, grades, ("blind_grade", "grade", "reason")):
            checks.grade(f"{here} blind grade", grades["blind_grade"])
            checks.grade(f"{here} grade", grades["grade"])
            checks.text(f"{here} reason", grades["reason"], limits.LONG_TEXT_CHARS)


def _suggested(suggestion: SectionSuggestion | None) -> int | None:
    return int(suggestion.grade) if suggestion is not None and suggestion.grade else None


def _document(snapshot: Mapping[str, Any], template: TemplateInfo) -> AuditDocument:
    """The audit as the editor would hold it, to ask the editor's own questions of it."""
    questions = {f"{s.key}/{q.key}": q.id for s in template.sections for q in s.questions}
    sections = {s.key: s.id for s in template.sections}
    answers = {questions[k]: AnswerState(a["response"], a["evidence"])
               for k, a in snapshot["answers"].items()}
    given = {sections[k]: j["grade"] for k, j in snapshot["judgements"].items()}
    scored = score_audit(template, snapshot["case"]["uasc"],
                         {q: a.response for q, a in answers.items()}, given)
    judgements = {s.id: JudgementState(_suggested(scored.sections.get(s.id)), given.get(s.id),
                                       snapshot["judgements"].get(s.key, {}).get("comment", ""))
                  for s in template.sections}
    fields = snapshot["audit"]
    actions = tuple(ActionInfo(0, a["text"], a["owner"],
                               date.fromisoformat(a["due_date"]) if a["due_date"] else None,
                               a["priority"], a["status"], None, None, a["status_note"])
                    for a in snapshot["actions"].values())
    return AuditDocument(
        0, snapshot["uid"], fields["status"], 0, snapshot["case"]["reference"],
        snapshot["case"]["category"], snapshot["case"]["uasc"], None, "", "", template,
        fields["auditor"], date.fromisoformat(fields["audit_date"]),
        int(scored.overall) if scored.overall is not None else None, fields["overall_grade"],
        fields["grade_rationale"], "", "", "", answers, judgements, actions, None, None,
        datetime.min)


def _status(checks: _Checks, where: str, snapshot: Mapping[str, Any],
            template: TemplateInfo) -> None:
    """A status reached only by the steps that lead to it, with what each step needs."""
    status = snapshot["audit"]["status"]
    if status == AuditStatus.DRAFT:
        return
    if snapshot["audit"]["submitted_at"] is None:
        checks.add(f"{where} status", f"is {status} but the audit was never submitted")
    problems = submission_problems(_document(snapshot, template))
    if problems:
        checks.add(f"{where} status", f"is {status}, but the audit could not have been "
                   f"submitted: {problems[0].message}"
                   + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    moderation = snapshot["moderation"]
    if status == AuditStatus.MODERATED and (moderation is None or moderation["grade"] is None):
        checks.add(f"{where} status", "is moderated, but no moderation was finalised")


def audit_problems(entry: Any, label: str, templates: Templates) -> list[str]:
    """Every problem with one audit of ``audits.json`` (``label`` names it)."""
    checks = _Checks()
    if not checks.mapping(label, entry, ("uid", "revision", "state", "snapshot",
                                         "known_states")):
        return checks.problems
    if not isinstance(entry["uid"], str) or not UID.match(entry["uid"]):
        checks.add(label, "its uid is not 32 hexadecimal digits")
    states = entry["known_states"]
    if not isinstance(states, list) or not all(isinstance(s, str) and STATE.match(s)
                                               for s in states):
        checks.add(label, "its known states are not a list of SHA-256 digests")
    snapshot = entry["snapshot"]
    if not checks.mapping(label, snapshot, ("uid", "template", "case", "audit", "answers",
                                            "judgements", "actions", "moderation")):
        return checks.problems
    if snapshot["uid"] != entry["uid"]:
        checks.add(label, "its snapshot is of another audit")
    template = None
    if checks.mapping(f"{label} template", snapshot["template"], ("key", "content_hash")):
        template = templates(str(snapshot["template"]["key"]),
                             str(snapshot["template"]["content_hash"]))
        if template is None:
            checks.add(f"{label} template", f"{_shown(snapshot['template']['key'])} is a "
                       "template version neither this database nor the bundle holds")
    case_ok = _case(checks, label, snapshot["case"])
    audit_ok = _audit_fields(checks, label, snapshot["audit"])
    if template is None:
        return checks.problems
    _answers(checks, label, snapshot["answers"], template)
    _judgements(checks, label, snapshot["judgements"], template)
    _actions(checks, label, snapshot["actions"], template)
    _moderation(checks, label, snapshot["moderation"],
                snapshot["audit"].get("auditor") if audit_ok else None, template)
    if case_ok and audit_ok and not checks.problems:
        _status(checks, label, snapshot, template)
    return checks.problems


def history_problems(entries: Any, audit_uids: set[str]) -> Iterator[str]:
    """Every problem with ``history.json``."""
    if not isinstance(entries, list):
        yield "history.json: must be a list of entries"
        return
    checks = _Checks()
    for number, entry in enumerate(entries, start=1):
        here = f"history entry {number}"
        if not checks.mapping(here, entry, ("uid", "audit", "at", "actor", "entity",
                                            "entity_key", "action", "field", "old_value",
                                            "new_value")):
            continue
        if not isinstance(entry["uid"], str) or not UID.match(entry["uid"]):
            checks.add(here, "its uid is not 32 hexadecimal digits")
        if entry["audit"] not in audit_uids:
            checks.add(here, "is about an audit the bundle does not hold")
        checks.moment(f"{here} time", entry["at"])
        checks.name(f"{here} author", entry["actor"])
        if checks.text(f"{here} kind", entry["entity"], 20):
            checks.choice(f"{here} kind", entry["entity"], set(ENTITIES))
        checks.text(f"{here} key", entry["entity_key"], 80)
        checks.text(f"{here} field", entry["field"], 40, required=True)
        action = entry["action"]
        if action is not None and (not isinstance(action, str) or not UID.match(action)):
            checks.add(f"{here} action", "is not an action's uid")
        for value in ("old_value", "new_value"):
            if entry[value] is not None:
                checks.text(f"{here} {value.replace('_', ' ')}", entry[value],
                            limits.LONG_TEXT_CHARS)
        uid = entry.get("actor_uid")
        if uid is not None and (not isinstance(uid, str) or not UID.match(uid)):
            checks.add(f"{here} author", "its profile uid is not 32 hexadecimal digits")
    yield from checks.problems


def people_problems(label: str, people: Any) -> list[str]:
    """Problems with the profile uids an audit entry carries for the people it names."""
    checks = _Checks()
    if people is None:
        return []
    if not checks.mapping(f"{label} people", people):
        return checks.problems
    for name, uid in people.items():
        checks.name(f"{label} person", name)
        if not isinstance(uid, str) or not UID.match(uid):
            checks.add(f"{label} person {_shown(name)}", "the profile uid is not 32 "
                       "hexadecimal digits")
    return checks.problems
