"""Synthetic demonstration data: realistic in shape, invented in every detail.

Every case reference starts with ``DEMO-`` and the database records that it holds demo
data, so nobody mistakes it for real casework. The same seed and end date give the same
data. Rows are written in bulk so that ten thousand audits take seconds, not minutes; each
audit is sealed into the history like any other (:mod:`auditapp.services.seals`). The
invented auditors and moderators get profiles of their own.

Loading demo data is a practice lead's job, except into a database with no audits at all
(the first run offers it to whoever sets up the laptop).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from auditapp.errors import UserError
from auditapp.models import (
    Action,
    ActionPriority,
    ActionStatus,
    Answer,
    Audit,
    AuditSeal,
    AuditStatus,
    CareLeaverCategory,
    Case,
    ChangeEvent,
    ModeratedSection,
    Moderation,
    Role,
    SectionJudgement,
    Setting,
    new_uid,
)
from auditapp.rules.grades import Grade
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.rules.sections import section_applies
from auditapp.services.audits.scoring import overall_from, suggest_sections
from auditapp.services.history import chained_event, sealed_values
from auditapp.services.seals import Sealed, content_of, sealed
from auditapp.services.templates import (
    TemplateInfo,
    find_template_id,
    install_shipped_templates,
    template_info,
)
from auditapp.services.users import add_profile, as_actor, find_profile
from auditapp.storage.engine import Database, advance_id_sequences, insert_rows

DEMO_PREFIX = "DEMO-"
DEMO_SETTING = "demo_data"
BATCH = 200

TEAMS = ("Leaving Care North", "Leaving Care South", "Leaving Care Central",
         "Unaccompanied Young People", "16+ Transitions")
TEAM_QUALITY = (0.05, -0.03, 0.0, 0.02, -0.06)
AUDITORS = ("Alex Morgan", "Priya Shah", "Tom Reid", "Grace Okafor", "Jordan Lee",
            "Fatima Hussain", "Chris Walsh")
MODERATORS = ("Helen Brooks", "Daniel Price")
WORKERS = tuple(f"PA {letter}" for letter in "ABCDEFGHJKLMNPRSTUVW")
OWNERS = ("Personal adviser", "Team manager", "Social worker", "Service manager",
          "Virtual School", "Housing officer")
CATEGORIES = ((CareLeaverCategory.ELIGIBLE, 0.25), (CareLeaverCategory.RELEVANT, 0.1),
              (CareLeaverCategory.FORMER_RELEVANT, 0.55), (CareLeaverCategory.QUALIFYING, 0.1))
UASC_SHARE = 0.26

EVIDENCE = {
    "Y": ("Clearly recorded in the current plan and reviewed at the last meeting.",
          "Evidence found in case notes and the young person's own words in the plan.",
          "Plan sets out who will do what and by when; seen in the review minutes."),
    "P": ("Mentioned in the plan but without a named person or date.",
          "Recorded at the last review but not followed up since.",
          "Some evidence in visit notes; the plan itself is generic on this."),
    "N": ("No evidence of this on the file.",
          "Plan is silent on this; not discussed at the last review.",
          "Overdue: the last record of this is more than six months old."),
    "NA": ("Does not apply to this young person's circumstances.",),
}
STRENGTHS = ("Warm, persistent relationship between the young person and their PA.",
             "The plan is written to the young person in plain language.",
             "Good joint work with the college and the housing provider.",
             "The young person's wishes clearly shape the accommodation plan.")
AREAS = ("Contingency planning is generic and needs to be specific.",
         "Health passport not yet given; chase the final health assessment.",
         "Management oversight is task-focused rather than reflective.",
         "EET targets need dates and named responsibility.")
VOICES = ("Young person said they feel listened to and know how to reach their PA.",
          "Young person would like more help with budgeting.",
          "Young person was not spoken to as part of this audit.",
          "Young person said the plan 'is about me and what I want'.")
ACTION_TEXTS = ("Update the contingency plan with named people and out-of-hours contacts.",
                "Arrange the final health assessment and give the health passport.",
                "Hold a pathway plan review within 20 working days.",
                "Agree SMART EET targets with the young person and college.",
                "Complete the accommodation suitability assessment.",
                "Refer to the family network meeting service.")


@dataclass
class _Ids:
    """Next free primary keys, so that rows can be linked before they are inserted, and the
    demo people's profiles by name."""

    case: int
    audit: int
    moderation: int = 1
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    people: dict[str, Actor] = field(default_factory=dict)
    #: Each question's answer codes (see _codes), worked out once a question: a demo gives
    #: over a hundred thousand answers to a few hundred questions.
    codes: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)
    #: Each audit's content, sealed as its rows are made (audit, auditor, time, seal).
    sealed: list[tuple[int, Actor, datetime, Sealed]] = field(default_factory=list)


def _next_ids(db: Database) -> _Ids:
    with db.transaction() as session:
        case = (session.scalar(select(func.max(Case.id))) or 0) + 1
        audit = (session.scalar(select(func.max(Audit.id))) or 0) + 1
        moderation = (session.scalar(select(func.max(Moderation.id))) or 0) + 1
    return _Ids(case, audit, moderation)


def _pick_category(rng: random.Random) -> CareLeaverCategory:
    return rng.choices([c for c, _ in CATEGORIES], weights=[w for _, w in CATEGORIES])[0]


def _age(rng: random.Random, category: CareLeaverCategory) -> int:
    if category in (CareLeaverCategory.ELIGIBLE, CareLeaverCategory.RELEVANT):
        return rng.randint(16, 17)
    if category == CareLeaverCategory.QUALIFYING:
        return rng.randint(16, 21)
    return rng.choices(range(18, 26), weights=(9, 9, 8, 6, 3, 2, 1, 1))[0]


def _status(rng: random.Random, age_days: int) -> AuditStatus:
    if age_days < 30:
        weights = (50, 42, 8, 0)
    elif age_days < 120:
        weights = (5, 45, 15, 35)
    else:
        weights = (0, 3, 7, 90)
    return rng.choices(list(AuditStatus), weights=weights)[0]


def _response(rng: random.Random, quality: float, codes: tuple[list[str], list[str]]) -> str:
    """A plausible answer (``codes``: the scale's scored codes, best first, and its unscored
    ones): better practice gives better answers; some are not applicable."""
    scored, unscored = codes
    if unscored and rng.random() < 0.05:
        return unscored[0]
    roll = rng.random()
    if roll < quality:
        return scored[0]
    if len(scored) > 2 and roll < quality + (1 - quality) * 0.6:
        return scored[1]
    return scored[-1]


def _codes(scale: tuple[dict[str, Any], ...]) -> tuple[list[str], list[str]]:
    """A scale's scored codes, best first, and its unscored ones."""
    scored = sorted((o for o in scale if o["score"] is not None), key=lambda o: -o["score"])
    return ([str(o["code"]) for o in scored],
            [str(o["code"]) for o in scale if o["score"] is None])


def _shift(grade: Grade, step: int) -> Grade:
    return Grade(min(max(int(grade) + step, 1), 4))


def _pick_template(rng: random.Random, templates: dict[str, TemplateInfo],
                   uasc: bool) -> TemplateInfo:
    if uasc and rng.random() < 0.35:
        return templates["uasc-pathway-plan"]
    if rng.random() < 0.06:
        return templates["peer-review-kloe"]
    return templates["pathway-plan-quality"]


def _uid(rng: random.Random, audit_id: int) -> str:
    """An audit's uid: from the seed, so the same seed gives the same data, and ending in the
    audit's number, so a second run into the same database gives new uids."""
    return f"{rng.getrandbits(128):032x}"[:24] + f"{audit_id:08x}"


def _audit_rows(session: Session, rng: random.Random, ids: _Ids,
                templates: dict[str, TemplateInfo], audit_date: date, end: date) -> None:
    """Append one case, its audit and everything recorded in it to ``ids.rows``, and its
    content, digested and packed for its seal, to ``ids.sealed``."""
    rows = ids.rows
    first = {name: len(found) for name, found in rows.items()}
    category = _pick_category(rng)
    uasc = rng.random() < UASC_SHARE
    template = _pick_template(rng, templates, uasc)
    team_index = 3 if uasc and rng.random() < 0.6 else rng.randrange(len(TEAMS))
    case_id, audit_id = ids.case, ids.audit
    ids.case += 1
    ids.audit += 1
    stamp = datetime.combine(audit_date, time(10, 0))
    rows["cases"].append(dict(
        id=case_id, reference=f"{DEMO_PREFIX}{case_id:05d}", category=category, uasc=uasc,
        age_at_audit=_age(rng, category), team=TEAMS[team_index], worker=rng.choice(WORKERS),
        created_at=stamp))
    status = _status(rng, (end - audit_date).days)
    years_back = (end - audit_date).days / 365
    quality = min(max(rng.gauss(0.86 + TEAM_QUALITY[team_index] - 0.02 * years_back, 0.1),
                      0.2), 0.98)
    completion = rng.uniform(0.2, 1.0) if status == AuditStatus.DRAFT else 1.0
    responses: dict[int, str | None] = {}
    for section in template.sections:
        applies = section_applies(section.applies_when, uasc)
        for question in section.questions:
            # Statutory basics (critical questions) are missed far less often than the rest.
            chance = 1 - (1 - quality) * 0.15 if question.critical else quality
            if question.id not in ids.codes:
                ids.codes[question.id] = _codes(question.scale)
            code = _response(rng, chance, ids.codes[question.id]) \
                if applies and rng.random() < completion else None
            responses[question.id] = code
            evidence = rng.choice(EVIDENCE.get(code, EVIDENCE["P"])) if code else ""
            rows["answers"].append(dict(audit_id=audit_id, question_id=question.id,
                                        response=code, evidence=evidence, updated_at=stamp))
    suggestions = suggest_sections(template, uasc, responses)  # scored once, used twice
    section_grades: dict[int, int | None] = {}
    for section in template.sections:
        suggestion = suggestions.get(section.id)
        grade = suggestion.grade if suggestion else None
        given = grade
        if grade is not None and status != AuditStatus.DRAFT and rng.random() < 0.1:
            given = _shift(grade, rng.choice((-1, 1)))
        section_grades[section.id] = int(given) if given else None
        rows["judgements"].append(dict(
            audit_id=audit_id, section_id=section.id,
            suggested_grade=int(grade) if grade else None,
            grade=section_grades[section.id] if status != AuditStatus.DRAFT else None,
            comment="Grade adjusted: see evidence notes." if given != grade else ""))
    overall_suggestion = overall_from(template, suggestions, section_grades)
    overall = overall_suggestion
    rationale = ""
    if overall is not None and rng.random() < 0.12:
        overall = _shift(overall, rng.choice((-1, 1)))
        rationale = ("Best fit across the file is different from the arithmetic: "
                     "see strengths and areas for development.")
    if status == AuditStatus.DRAFT:
        overall, rationale = None, ""
    auditor = ids.people[rng.choice(AUDITORS)]
    rows["audits"].append(dict(
        id=audit_id, uid=_uid(rng, audit_id), case_id=case_id,
        template_id=template.id, auditor_id=auditor.id, audit_date=audit_date,
        status=status,
        suggested_grade=int(overall_suggestion) if overall_suggestion else None,
        overall_grade=int(overall) if overall else None, grade_rationale=rationale,
        strengths=rng.choice(STRENGTHS) if completion == 1.0 else "",
        areas_for_development=rng.choice(AREAS) if completion == 1.0 else "",
        young_person_voice=rng.choice(VOICES) if completion == 1.0 else "",
        returned_comment="", answered=sum(code is not None for code in responses.values()),
        applicable=sum(len(s.questions) for s in template.sections
                       if section_applies(s.applies_when, uasc)),
        created_at=stamp, updated_at=stamp,
        submitted_at=None if status == AuditStatus.DRAFT else stamp + timedelta(days=2)))
    rows["events"].append(chained_event(session, audit_id, auditor, "audit", "", "status",
                                        None, "draft", at=stamp))
    _actions(rng, rows, audit_id, template, responses, audit_date, end, status, auditor)
    # Councils moderate a sample (often 10-25 %): every moderated audit, a fifth of the closed.
    moderated = status == AuditStatus.MODERATED or (
        status == AuditStatus.CLOSED and rng.random() < 0.2)
    if moderated and overall is not None:
        _moderation(rng, ids, audit_id, overall, section_grades, audit_date, end, stamp)
    made = {name: found[first[name]:] for name, found in rows.items()}
    content = content_of(rows["audits"][-1], made["answers"], made["judgements"],
                         made["actions"], made["moderations"][0] if made["moderations"] else None,
                         made["moderated_sections"])
    ids.sealed.append((audit_id, auditor, datetime.combine(audit_date, time(12, 0)),
                       sealed(content)))


def _moderation(rng: random.Random, ids: _Ids, audit_id: int, overall: Grade,
                section_grades: dict[int, int | None], audit_date: date, end: date,
                stamp: datetime) -> None:
    """A blind moderation: the moderator's own grades, mostly the auditor's, sometimes one
    grade apart (more often lower: auditors tend to be generous), kept as final."""
    def blind(grade: Grade) -> Grade:
        return grade if rng.random() < 0.78 else _shift(grade, rng.choice((-1, -1, 1)))

    moderation_id = ids.moderation
    ids.moderation += 1
    grade = blind(overall)
    ids.rows["moderations"].append(dict(
        id=moderation_id, audit_id=audit_id, moderator_id=ids.people[rng.choice(MODERATORS)].id,
        moderated_on=min(audit_date + timedelta(days=rng.randint(7, 40)), end),
        grade=int(grade), blind_grade=int(grade), agreed=grade == overall,
        comment="" if grade == overall else "Evidence supports a different grade.",
        created_at=stamp))
    for section_id, given in section_grades.items():
        if given is not None:
            moderated = int(blind(Grade(given)))
            ids.rows["moderated_sections"].append(dict(
                moderation_id=moderation_id, section_id=section_id, blind_grade=moderated,
                grade=moderated, reason="" if moderated == given else "See the evidence."))


def _actions(rng: random.Random, rows: dict[str, list[dict[str, Any]]], audit_id: int,
             template: TemplateInfo, responses: dict[int, str | None], audit_date: date,
             end: date, status: AuditStatus, auditor: Actor) -> None:
    weak = [q for s in template.sections for q in s.questions
            if responses.get(q.id) in ("N", "P")]
    for question in rng.sample(weak, min(len(weak), rng.choice((0, 1, 1, 2, 2, 3, 4)))):
        immediate = question.critical and responses[question.id] == "N" and rng.random() < 0.5
        due = audit_date + timedelta(days=5 if immediate else rng.choice((14, 28, 42, 90)))
        action_status = ActionStatus.OPEN
        completed = None
        if status != AuditStatus.DRAFT and due < end:
            roll = rng.random()
            if roll < 0.75:
                action_status = ActionStatus.DONE
                completed = min(due + timedelta(days=rng.randint(-10, 15)), end)
            elif roll < 0.8:
                action_status = ActionStatus.CANCELLED
        rows["actions"].append(dict(
            uid=new_uid(), audit_id=audit_id, question_id=question.id,
            text=rng.choice(ACTION_TEXTS),
            owner=rng.choice(OWNERS), due_date=due,
            priority=ActionPriority.IMMEDIATE if immediate
            else rng.choice((ActionPriority.HIGH, ActionPriority.NORMAL, ActionPriority.NORMAL)),
            status=action_status, completed_on=completed, raised_by_id=auditor.id,
            closed_by_id=None if action_status == ActionStatus.OPEN else auditor.id,
            status_note={ActionStatus.DONE: "Done and recorded on the file.",
                         ActionStatus.CANCELLED: "Young person moved out of area."}
            .get(action_status, ""),
            created_at=datetime.combine(audit_date, time(11, 0))))


_TABLES = (("cases", Case), ("audits", Audit), ("answers", Answer),
           ("judgements", SectionJudgement), ("actions", Action), ("moderations", Moderation),
           ("moderated_sections", ModeratedSection), ("events", ChangeEvent))


def _demo_people(session: Session) -> dict[str, Actor]:
    """The invented auditors and moderators, each with a profile (made if need be)."""
    people = {}
    for names, role in ((AUDITORS, Role.AUDITOR), (MODERATORS, Role.MODERATOR)):
        for name in names:
            people[name] = as_actor(find_profile(session, name)
                                    or add_profile(session, name, role))
    return people


def _may_load(session: Session, actor: Actor) -> None:
    """A practice lead may load demo data; anyone may into a database with no audits."""
    if session.scalar(select(Audit.id).limit(1)) is not None:
        require(actor, Permission.LOAD_DEMO)


def _seal(session: Session, ids: _Ids) -> None:
    """Seal every audit added, as a save would, from the contents made with their rows
    (nothing is read back)."""
    for start in range(0, len(ids.sealed), BATCH):
        events, kept = [], []
        for audit_id, auditor, at, content in ids.sealed[start:start + BATCH]:
            entry, seal = sealed_values(session, audit_id, auditor, content, at=at)
            events.append(entry)
            kept.append(seal)
        insert_rows(session, cast(Table, ChangeEvent.__table__), events)
        insert_rows(session, cast(Table, AuditSeal.__table__), kept)


def generate_demo(db: Database, audits: int, actor: Actor, seed: int = 1, years: float = 2.0,
                  end: date | None = None) -> Iterator[tuple[int, int]]:
    """Add ``audits`` synthetic audits dated over ``years`` up to ``end``; yields progress.

    Everything is written in one transaction: stopping the generator early adds nothing.
    A practice lead's job, except into a database with no audits yet.
    """
    with db.transaction() as session:
        _may_load(session, actor)
    if audits < 1:
        raise UserError("The number of demo audits must be at least 1.")
    if not 0 < years <= 20:
        raise UserError("The demo period must be between 0 and 20 years.")
    end = end or date.today()
    install_shipped_templates(db)
    templates = {key: template_info(db, find_template_id(db, key))
                 for key in ("pathway-plan-quality", "uasc-pathway-plan", "peer-review-kloe")}
    rng = random.Random(seed)
    ids = _next_ids(db)
    ids.rows = {name: [] for name, _ in _TABLES}
    span = max(int(years * 365), 1)
    dates = sorted(end - timedelta(days=rng.randrange(span)) for _ in range(audits))
    with db.transaction() as session:
        _may_load(session, actor)
        ids.people = _demo_people(session)
        for done, audit_date in enumerate(dates, start=1):
            _audit_rows(session, rng, ids, templates, audit_date, end)
            if done % BATCH == 0 or done == audits:
                for name, model in _TABLES:
                    insert_rows(session, cast(Table, model.__table__), ids.rows[name])
                    ids.rows[name] = []
                if done < audits:  # the last step is sealing them into the history
                    yield done, audits
        _seal(session, ids)
        advance_id_sequences(session, ["cases", "audits", "moderations"])
        session.merge(Setting(key=DEMO_SETTING, value=True))
    yield audits, audits
