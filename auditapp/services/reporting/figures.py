"""Figures for reports: the counts behind the Excel summary and the board pack, as plain data.

Every figure starts from the same audits as ``auditapp stats``: submitted, moderated or
closed (drafts never count), with an audit date in the period, graded by their final grade
(the moderated grade where there is one). A scope may narrow that to one team or one
template; both are optional.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, case, cast, func, select
from sqlalchemy.orm import Session

from auditapp.errors import NotFoundError, UserError
from auditapp.models import (
    Action,
    Answer,
    Audit,
    Case,
    Moderation,
    Section,
    SectionJudgement,
    Template,
)
from auditapp.rules.actions import ActionState, action_state
from auditapp.rules.grades import GRADES_BEST_FIRST, NOT_GRADED, Grade
from auditapp.rules.permissions import Actor
from auditapp.rules.sections import section_applies
from auditapp.rules.wording import MONTHS, day_text
from auditapp.services.moderation import AgreementFigures, agreement_figures
from auditapp.services.reporting.stats import counted_audits, final_grade_column
from auditapp.services.templates import SectionInfo, TemplateInfo, template_info
from auditapp.services.visibility import withheld_condition
from auditapp.storage.engine import Database

#: Columns of every grade table: the four grades best first, then "Not graded".
GRADE_COLUMNS = (*(g.label for g in GRADES_BEST_FIRST), NOT_GRADED)
GOOD_OR_BETTER = (Grade.OUTSTANDING.label, Grade.GOOD.label)

#: The LGA peer challenge key lines of enquiry (domain.md 1.1), by the tag templates use.
LINES_OF_ENQUIRY = {
    "KLOE0": "Leadership and governance",
    "KLOE1": "Timely, robust pathway plans that start early enough",
    "KLOE2": "Plans tailored for unaccompanied asylum-seeking young people",
    "KLOE3": "Accommodation that meets needs and enables transition",
    "KLOE4": "Lasting relationships with family and connected people",
    "KLOE5": "An ambitious Local Offer; education, training and employment",
    "KLOE6": "Physical and mental health, and help when it is needed",
}


# --- what a report covers ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """Which audits a report counts: a period (inclusive, either end open) and optionally one
    team and one template (by its id, every version).

    ``reader`` is who the report is for: the audits whose grades are withheld from them
    (blind moderation, see :mod:`auditapp.services.visibility`) are left out of every figure
    and list, so that no count, bar or drill-down gives a grade away. None: a report for no
    one in particular (the command line, which acts as a practice lead)."""

    date_from: date | None = None
    date_to: date | None = None
    team: str | None = None
    template_key: str | None = None
    reader: Actor | None = None

    def period_text(self) -> str:
        """The period in words."""
        if self.date_from and self.date_to:
            return f"{day_text(self.date_from)} to {day_text(self.date_to)}"
        if self.date_from:
            return f"from {day_text(self.date_from)}"
        if self.date_to:
            return f"up to {day_text(self.date_to)}"
        return "all dates"

    def describe(self) -> str:
        """The period and any team or template filter, in words."""
        parts = [f"the period {self.period_text()}" if self.date_from or self.date_to
                 else "all dates"]
        if self.team is not None:
            parts.append(f"team '{self.team}'")
        if self.template_key is not None:
            parts.append(f"template '{self.template_key}'")
        return ", ".join(parts)

    def ends(self) -> tuple[date, date]:
        """The first and last day of a period that has both."""
        if self.date_from is None or self.date_to is None:
            raise ValueError("this needs a period with both ends")
        return self.date_from, self.date_to

    def previous(self) -> ReportScope:
        """The period of the same length immediately before this one (both ends needed):
        as many whole months when the period is whole months, else as many days."""
        first, last = self.ends()
        end = first - timedelta(days=1)
        if first.day == 1 and (last + timedelta(days=1)).day == 1:
            months = (last.year - first.year) * 12 + last.month - first.month + 1
            return replace(self, date_from=months_before(first, months), date_to=end)
        return replace(self, date_from=end - (last - first), date_to=end)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (following - timedelta(days=1)).day))


def list_teams(db: Database) -> list[str]:
    """Every team named on a case, for the team choice of an export."""
    with db.transaction() as session:
        return list(session.scalars(select(Case.team).where(Case.team != "").distinct()
                                    .order_by(Case.team)))


def scoped_audits(scope: ReportScope) -> Select[tuple[int]]:
    """Ids of the audits a scope counts, with Case, Template and Moderation joined. Never
    correlated, so it can filter a query over the same tables (``Answer.audit_id.in_(...)``)."""
    query = (counted_audits(scope.date_from, scope.date_to)
             .join(Case, Case.id == Audit.case_id)
             .join(Template, Template.id == Audit.template_id)
             .correlate(None))
    if scope.team is not None:
        query = query.where(Case.team == scope.team)
    if scope.template_key is not None:
        query = query.where(Template.key == scope.template_key)
    if scope.reader is not None:
        query = query.where(~withheld_condition(scope.reader))
    return query


def check_scope(db: Database, scope: ReportScope) -> int:
    """How many audits the scope counts; raises a clear error when there are none."""
    if scope.date_from and scope.date_to and scope.date_from > scope.date_to:
        raise UserError("The period starts after it ends (--from is after --to).")
    with db.transaction() as session:
        if scope.template_key is not None and session.scalar(
                select(func.count()).where(Template.key == scope.template_key)) == 0:
            raise NotFoundError(f"No template with id '{scope.template_key}'. "
                                "See 'auditapp templates list'.")
        audits = session.scalar(scoped_audits(scope).with_only_columns(func.count())) or 0
    if audits == 0:
        raise UserError(f"No audits submitted, moderated or closed in {scope.describe()}; "
                        "nothing was written.")
    return audits


# --- grade tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeTally:
    """How many of something got each grade: one row of a grade table."""

    key: str  # stable id: "all", a team, "pathway-plan-quality/S1", "KLOE1", "2026-04-01"
    label: str
    counts: Mapping[str, int]  # every name in GRADE_COLUMNS

    @property
    def total(self) -> int:
        """Everything counted in the row, graded or not."""
        return sum(self.counts.values())

    @property
    def graded(self) -> int:
        """Those with one of the four grades."""
        return self.total - self.counts[NOT_GRADED]

    @property
    def good_or_better(self) -> int:
        """Those graded Good or Outstanding."""
        return sum(self.counts[g] for g in GOOD_OR_BETTER)


@dataclass(frozen=True)
class SectionTally(GradeTally):
    """A section's grades (the auditor's section grade) across the audits it applies to."""

    template_key: str = ""
    template_title: str = ""
    section_key: str = ""
    tags: tuple[str, ...] = ()
    always_applies: bool = True


def _tally(key: str, label: str, counts: Mapping[int | None, int]) -> GradeTally:
    return GradeTally(key, label, _grade_counts(counts))


def _grade_counts(counts: Mapping[int | None, int]) -> dict[str, int]:
    by_grade = {g.label: counts.get(int(g), 0) for g in GRADES_BEST_FIRST}
    return by_grade | {NOT_GRADED: counts.get(None, 0)}


def _overall(session: Session, scope: ReportScope) -> GradeTally:
    grade = final_grade_column()
    # Group by the expression, not a label: SQLite would read "grade" as moderations.grade.
    rows = session.execute(scoped_audits(scope).with_only_columns(grade, func.count())
                           .group_by(grade)).all()
    return _tally("all", "All audits", dict(rows))


def grade_tally(db: Database, scope: ReportScope) -> GradeTally:
    """The final grades of the audits a scope counts (the same figures as ``stats``)."""
    with db.transaction() as session:
        return _overall(session, scope)


def _teams(session: Session, scope: ReportScope) -> tuple[GradeTally, ...]:
    grade = final_grade_column()
    rows = session.execute(scoped_audits(scope).with_only_columns(Case.team, grade, func.count())
                           .group_by(Case.team, grade)).all()
    by_team: dict[str, dict[int | None, int]] = defaultdict(dict)
    for team, value, count in rows:
        by_team[team][value] = count
    return tuple(_tally(team, team or "(no team)", counts)
                 for team, counts in sorted(by_team.items()))


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter, clipped to the period when the period starts or ends inside it."""

    start: date
    end: date

    @staticmethod
    def containing(day: date) -> Quarter:
        """The whole quarter that holds ``day``."""
        first = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first, 1)
        nxt = date(day.year + 1, 1, 1) if first == 10 else date(day.year, first + 3, 1)
        return Quarter(start, nxt - timedelta(days=1))

    def previous(self) -> Quarter:
        """The whole quarter before this one."""
        return Quarter.containing(self.start - timedelta(days=1))

    def clipped(self, first: date | None, last: date | None) -> Quarter:
        """This quarter cut to a period."""
        return Quarter(max(self.start, first) if first else self.start,
                       min(self.end, last) if last else self.end)

    @property
    def label(self) -> str:
        """Apr–Jun 2026, or 10 Apr–30 Jun 2026 when clipped."""
        whole = Quarter.containing(self.start)
        first = (MONTHS[self.start.month - 1] if self.start == whole.start
                 else f"{self.start.day} {MONTHS[self.start.month - 1]}")
        last = (MONTHS[self.end.month - 1] if self.end == whole.end
                else f"{self.end.day} {MONTHS[self.end.month - 1]}")
        return f"{first}\u2013{last} {self.end.year}"


def quarter_tallies(db: Database, scope: ReportScope) -> tuple[GradeTally, ...]:
    """Final grades by calendar quarter, from the first to the last quarter of the scope
    (or of its audits where the scope is open), each quarter clipped to the scope."""
    with db.transaction() as session:
        return _quarters(session, scope)


def _quarters(session: Session, scope: ReportScope) -> tuple[GradeTally, ...]:
    grade = final_grade_column()
    rows = session.execute(scoped_audits(scope)
                           .with_only_columns(Audit.audit_date, grade, func.count())
                           .group_by(Audit.audit_date, grade)).all()
    if not rows and not (scope.date_from and scope.date_to):
        return ()
    first = scope.date_from or min(r[0] for r in rows)
    last = scope.date_to or max(r[0] for r in rows)
    by_start: dict[date, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    for day, value, count in rows:
        by_start[Quarter.containing(day).start][value] += count
    quarters = []
    quarter = Quarter.containing(last)
    while quarter.end >= first:
        clipped = quarter.clipped(first, last)
        quarters.append(_tally(clipped.start.isoformat(), clipped.label,
                               by_start.get(quarter.start, {})))
        quarter = quarter.previous()
    return tuple(reversed(quarters))


# --- sections and lines of enquiry ------------------------------------------------------------


def templates_used(db: Database, scope: ReportScope) -> dict[int, TemplateInfo]:
    """Every template version the audits of a scope were done on, by id."""
    with db.transaction() as session:
        ids = session.scalars(scoped_audits(scope).with_only_columns(Audit.template_id)
                              .distinct()).all()
    return {template_id: template_info(db, template_id) for template_id in sorted(ids)}


def _sections(session: Session, scope: ReportScope,
              templates: Mapping[int, TemplateInfo]) -> tuple[SectionTally, ...]:
    rows = session.execute(
        select(SectionJudgement.section_id, Case.uasc, SectionJudgement.grade, func.count())
        .join(Audit, Audit.id == SectionJudgement.audit_id)
        .join(Case, Case.id == Audit.case_id)
        .where(SectionJudgement.audit_id.in_(scoped_audits(scope)))
        .group_by(SectionJudgement.section_id, Case.uasc, SectionJudgement.grade)).all()
    sections = {s.id: (t, s) for t in templates.values() for s in t.sections}
    counts: dict[tuple[str, str], dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    newest: dict[tuple[str, str], tuple[TemplateInfo, SectionInfo]] = {}
    for section_id, uasc, value, count in rows:
        if section_id not in sections:
            continue  # a template first used after the templates were read
        template, section = sections[section_id]
        if not section_applies(section.applies_when, uasc):
            continue
        key = (template.key, section.key)
        counts[key][value] += count
        if key not in newest or newest[key][0].version < template.version:
            newest[key] = (template, section)
    order = {(t.key, s.key): (t.key, i) for t in templates.values()
             for i, s in enumerate(t.sections)}
    result = []
    for key in sorted(counts, key=lambda k: order[k]):
        template, section = newest[key]
        result.append(SectionTally(
            f"{template.key}/{section.key}", f"{section.key} {section.title}",
            _grade_counts(counts[key]), template.key, template.title,
            section.key, section.tags, section.applies_when is None))
    return tuple(result)


def lines_of_enquiry(sections: Iterable[SectionTally]) -> tuple[GradeTally, ...]:
    """Section grades gathered by the key line of enquiry each section is tagged with; a
    section tagged with two lines counts in both."""
    return tagged_tallies(sections, LINES_OF_ENQUIRY)


def tagged_tallies(sections: Iterable[SectionTally], titles: Mapping[str, str]
                   ) -> tuple[GradeTally, ...]:
    """Section grades gathered by each tag of ``titles`` (tag to title) the sections carry;
    a section with two of the tags counts under both."""
    totals: dict[str, dict[str, int]] = {}
    for section in sections:
        for tag in section.tags:
            if tag in titles:
                row = totals.setdefault(tag, dict.fromkeys(GRADE_COLUMNS, 0))
                for name, count in section.counts.items():
                    row[name] += count
    return tuple(GradeTally(tag, f"{tag} {titles[tag]}", totals[tag]) for tag in sorted(totals))


# --- templates, moderation, actions, themes ---------------------------------------------------


@dataclass(frozen=True)
class TemplateUse:
    """How many audits of the scope used one template version."""

    key: str
    version: int
    title: str
    audits: int


@dataclass(frozen=True)
class ModerationFigures:
    """What moderation did to the audits of the scope, comparing grades."""

    audits: int
    moderated: int
    same: int  # the moderator kept the auditor's overall grade
    raised: int
    lowered: int
    #: The moderated audits by their final (moderated) grade label: a part of each overall
    #: grade count, which disclosure control needs when agreement figures are printed.
    final_grades: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionFigures:
    """The actions raised by the audits of the scope, and where they stand on ``as_at``."""

    as_at: date
    raised: int
    done_on_time: int
    done_late: int
    open_not_due: int
    overdue: int
    cancelled: int

    @property
    def done(self) -> int:
        """Completed, on time or late."""
        return self.done_on_time + self.done_late


@dataclass(frozen=True)
class QuestionTheme:
    """How one question (by template and question id, every version) was answered."""

    template_key: str
    question_key: str
    text: str
    scored: int  # answers on the scored part of the scale (not "not applicable")
    best: int  # answered with the best option (Yes)
    below_best: int  # answered below the best (No or Partly)


def _template_uses(session: Session, scope: ReportScope) -> tuple[TemplateUse, ...]:
    rows = session.execute(
        scoped_audits(scope).with_only_columns(
            Template.key, Template.version, Template.title, func.count())
        .group_by(Template.key, Template.version, Template.title)
        .order_by(Template.key, Template.version)).all()
    return tuple(TemplateUse(*row) for row in rows)


def _moderation(session: Session, scope: ReportScope) -> ModerationFigures:
    compare = case((Moderation.grade > Audit.overall_grade, 1),
                   (Moderation.grade < Audit.overall_grade, -1), else_=0)
    rows: dict[int, int] = dict(session.execute(
        scoped_audits(scope).where(Moderation.grade.is_not(None))
        .with_only_columns(compare, func.count()).group_by(compare)).all())
    audits = session.scalar(scoped_audits(scope).with_only_columns(func.count())) or 0
    finals = {grade: count for grade, count in session.execute(
        scoped_audits(scope).where(Moderation.grade.is_not(None))
        .with_only_columns(Moderation.grade, func.count()).group_by(Moderation.grade))}
    return ModerationFigures(audits, sum(rows.values()), rows.get(0, 0), rows.get(1, 0),
                             rows.get(-1, 0), {g.label: finals.get(int(g), 0) for g in Grade})


def _actions(session: Session, scope: ReportScope, as_at: date) -> ActionFigures:
    rows = session.execute(
        select(Action.status, Action.due_date, Action.completed_on)
        .where(Action.audit_id.in_(scoped_audits(scope)))).all()
    tally: dict[ActionState, int] = defaultdict(int)
    for status, due, completed in rows:
        tally[action_state(status, due, completed, as_at)] += 1
    return ActionFigures(as_at, len(rows), tally[ActionState.DONE_ON_TIME],
                         tally[ActionState.DONE_LATE], tally[ActionState.OPEN],
                         tally[ActionState.OVERDUE], tally[ActionState.CANCELLED])


def _themes(session: Session, scope: ReportScope,
            templates: Mapping[int, TemplateInfo]) -> tuple[QuestionTheme, ...]:
    rows = session.execute(
        select(Answer.question_id, Answer.response, func.count())
        .where(Answer.audit_id.in_(scoped_audits(scope)), Answer.response.is_not(None))
        .group_by(Answer.question_id, Answer.response)).all()
    questions = {q.id: (t, q) for t in templates.values() for s in t.sections
                 for q in s.questions}
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    texts: dict[tuple[str, str], tuple[int, str]] = {}
    for question_id, response, count in rows:
        if question_id not in questions:
            continue  # a template first used after the templates were read
        template, question = questions[question_id]
        option = question.option(response)
        scores = [o["score"] for o in question.scale if o["score"] is not None]
        if option is None or option["score"] is None:
            continue
        key = (template.key, question.key)
        entry = totals[key]
        entry[0] += count
        entry[1 if option["score"] == max(scores) else 2] += count
        if texts.get(key, (0, ""))[0] <= template.version:
            texts[key] = (template.version, question.text)
    return tuple(QuestionTheme(k[0], k[1], texts[k][1], *totals[k]) for k in sorted(totals))


# --- everything for one period ----------------------------------------------------------------


@dataclass(frozen=True)
class PeriodFigures:
    """Every aggregated figure of a scope that the Excel summary and the board pack show."""

    scope: ReportScope
    overall: GradeTally
    teams: tuple[GradeTally, ...]
    quarters: tuple[GradeTally, ...]
    sections: tuple[SectionTally, ...]
    templates: tuple[TemplateUse, ...]
    moderation: ModerationFigures
    actions: ActionFigures
    themes: tuple[QuestionTheme, ...]
    agreement: AgreementFigures

    @property
    def lines_of_enquiry(self) -> tuple[GradeTally, ...]:
        """Section grades by key line of enquiry."""
        return lines_of_enquiry(self.sections)


def period_figures(db: Database, scope: ReportScope, as_at: date) -> PeriodFigures:
    """Every figure of a scope, read in one transaction; actions are judged overdue as at
    ``as_at`` (normally today)."""
    templates = templates_used(db, scope)
    agreement = agreement_figures(db, scope.date_from, scope.date_to, scope.team,
                                  scope.template_key, scope.reader)
    with db.transaction() as session:
        return PeriodFigures(
            scope, _overall(session, scope), _teams(session, scope), _quarters(session, scope),
            _sections(session, scope, templates), _template_uses(session, scope),
            _moderation(session, scope), _actions(session, scope, as_at),
            _themes(session, scope, templates), agreement)


# --- the audits behind a figure -----------------------------------------------------------------


@dataclass(frozen=True)
class FigureCell:
    """One bar or cell of a chart: which audits of the scope it counts.

    ``grade`` is a grade's words (or "Not graded"); ``quarter`` the start of a calendar
    quarter; ``section`` a (template key, section key) pair or a line of enquiry tag, whose
    grade is then the section grade rather than the final grade.
    """

    grade: str | None = None
    quarter: date | None = None
    team: str | None = None
    section: tuple[str, str] | str | None = None


def _grade_condition(column: Any, grade: str) -> ColumnElement[bool]:
    if grade == NOT_GRADED:
        condition: ColumnElement[bool] = column.is_(None)
    else:
        condition = column == next(int(g) for g in GRADES_BEST_FIRST if g.label == grade)
    return condition


def audits_behind(db: Database, scope: ReportScope, cell: FigureCell) -> list[int]:
    """The ids of the audits a bar or cell of the dashboard counts, oldest first."""
    # The date is selected too: PostgreSQL orders a DISTINCT query only by what it selects.
    query = scoped_audits(scope).with_only_columns(Audit.id, Audit.audit_date) \
        .order_by(Audit.audit_date, Audit.id)
    if cell.team is not None:
        query = query.where(Case.team == cell.team)
    if cell.quarter is not None:
        end = Quarter.containing(cell.quarter).end
        query = query.where(Audit.audit_date >= cell.quarter, Audit.audit_date <= end)
    if cell.section is not None:
        query = query.join(SectionJudgement, SectionJudgement.audit_id == Audit.id) \
            .join(Section, Section.id == SectionJudgement.section_id)
        if isinstance(cell.section, tuple):
            query = query.where(Template.key == cell.section[0],
                                Section.key == cell.section[1])
        else:
            # Tags are a JSON list; match the quoted tag in its text.
            query = query.where(cast(Section.tags, String).like(f'%"{cell.section}"%'))
        if cell.grade is not None:
            query = query.where(_grade_condition(SectionJudgement.grade, cell.grade))
        query = query.distinct()
    elif cell.grade is not None:
        query = query.where(_grade_condition(final_grade_column(), cell.grade))
    with db.transaction() as session:
        return list(dict.fromkeys(audit_id for audit_id, _day in session.execute(query)))
