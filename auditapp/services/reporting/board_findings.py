"""The board pack's findings where the board looks for them, as plain data, and their place
in the disclosure model.

- Section grades gathered by the Leaving Care Strategy's six priorities (the sections' SP1-SP6
  tags), as lines of enquiry gather them by KLOE.
- Final grades by cohort: care leaver category, unaccompanied or not, and age band at audit.
- The indicators the templates declare (:mod:`auditapp.rules.indicators`): compliance, and
  the voice of young people (counts of answers, never anything written).
- Actions by the young person's age band and by the action's priority.

Every figure printed goes into the pack's one :class:`DisclosureModel` with every sum that
ties it to the rest of the pack (a cohort's rows add up to the period's grade counts; actions
by age add up to the actions by state; a priority is the sum of its sections; an indicator
counting everyone's best answers is a theme's figures again), so the suppression that
protects the rest of the pack protects these tables too, and the attacker test reads them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auditapp.checklists.format import IndicatorSpec, TemplateSpec
from auditapp.models import Action, Answer, Audit, Case, Question, Template
from auditapp.models.enums import ActionPriority, CareLeaverCategory
from auditapp.rules.actions import ActionState, action_state
from auditapp.rules.grades import GRADES_BEST_FIRST, NOT_GRADED, Grade
from auditapp.rules.indicators import (
    AGE_BANDS,
    OTHER_AGE,
    TOO_FEW,
    IndicatorResult,
    age_band,
    counts_answer,
    judgement,
)
from auditapp.rules.suppression import TOTALS, DisclosureModel, Protection
from auditapp.services.reporting.figures import (
    GRADE_COLUMNS,
    GradeTally,
    ReportScope,
    SectionTally,
    scoped_audits,
    tagged_tallies,
)
from auditapp.services.reporting.stats import final_grade_column
from auditapp.services.templates import template_spec
from auditapp.storage.engine import Database

#: The Leaving Care Strategy's six priorities (domain.md 1.2), by the tag templates use.
STRATEGIC_PRIORITIES = {
    "SP1": "Family and connections",
    "SP2": "Safe and affordable homes",
    "SP3": "Education, training and employment",
    "SP4": "Health and wellbeing",
    "SP5": "Unaccompanied asylum-seeking young people",
    "SP6": "Engagement and participation",
}
#: The cohorts, each a dimension of the young people's cases, in the order printed.
COHORTS = {"category": "Care leaver category", "uasc": "Unaccompanied asylum-seeking",
           "age": "Age at audit"}
#: The breakdowns that may be left out, in words ("Not split by ...").
BREAKDOWNS = {"category": "care leaver category", "uasc": "unaccompanied status",
              "age": "age band", "actions_age": "age band", "actions_priority": "priority"}
UASC_ROWS = {"uasc": "Unaccompanied asylum-seeking", "other": "Not unaccompanied"}
#: The action states, in the order printed (every action is in exactly one).
ACTION_STATES = (ActionState.DONE_ON_TIME, ActionState.DONE_LATE, ActionState.OPEN,
                 ActionState.OVERDUE, ActionState.CANCELLED)
RI, INADEQUATE = Grade.REQUIRES_IMPROVEMENT.label, Grade.INADEQUATE.label


@dataclass(frozen=True)
class Cohort:
    """Final grades split one way: one row per category, status or age band."""

    key: str
    title: str
    rows: tuple[GradeTally, ...]


@dataclass(frozen=True)
class IndicatorFigure:
    """One template's indicator over the audits of the period (every version of the
    template, each counted by its own definition)."""

    template_key: str
    template_title: str
    key: str
    title: str
    kind: str
    question: str
    eligible: str  # who is eligible, in words ("" for everyone)
    counts: tuple[str, ...]
    result: IndicatorResult

    @property
    def figure_key(self) -> tuple[str, str, str]:
        """The prefix of its keys in the disclosure model."""
        return ("indicator", self.template_key, self.key)


@dataclass(frozen=True)
class ActionRow:
    """Actions of one age band or one priority, by where they stand."""

    key: str
    label: str
    states: Mapping[ActionState, int]

    @property
    def raised(self) -> int:
        """Every action of the row."""
        return sum(self.states.values())


@dataclass(frozen=True)
class Findings:
    """The board pack's findings beyond the overall grades (see the module's docstring)."""

    priorities: tuple[GradeTally, ...]
    cohorts: tuple[Cohort, ...]
    indicators: tuple[IndicatorFigure, ...]
    actions_by_age: tuple[ActionRow, ...]
    actions_by_priority: tuple[ActionRow, ...]
    #: Breakdowns not printed because protecting them would withhold a headline figure: a
    #: cohort's key, "actions_age" or "actions_priority".
    left_out: tuple[str, ...] = ()


# --- reading the figures ----------------------------------------------------------------------


def priority_tallies(sections: Iterable[SectionTally]) -> tuple[GradeTally, ...]:
    """Section grades gathered by the strategic priority each section is tagged with; a
    section tagged with two priorities counts in both."""
    return tagged_tallies(sections, STRATEGIC_PRIORITIES)


def _cohorts(session: Session, scope: ReportScope) -> tuple[Cohort, ...]:
    grade = final_grade_column()
    rows = session.execute(scoped_audits(scope).with_only_columns(
        Case.category, Case.uasc, Case.age_at_audit, grade, func.count())
        .group_by(Case.category, Case.uasc, Case.age_at_audit, grade)).all()
    by: dict[str, dict[str, dict[str, int]]] = {
        "category": {c.value: dict.fromkeys(GRADE_COLUMNS, 0) for c in CareLeaverCategory},
        "uasc": {key: dict.fromkeys(GRADE_COLUMNS, 0) for key in UASC_ROWS},
        "age": {band: dict.fromkeys(GRADE_COLUMNS, 0) for band in (*AGE_BANDS, OTHER_AGE)}}
    labels = {int(g): g.label for g in GRADES_BEST_FIRST}
    for category, uasc, age, value, count in rows:
        column = labels.get(value, NOT_GRADED) if value is not None else NOT_GRADED
        by["category"][CareLeaverCategory(category).value][column] += count
        by["uasc"]["uasc" if uasc else "other"][column] += count
        by["age"][age_band(age)][column] += count
    names = {"category": {c.value: c.value.capitalize() for c in CareLeaverCategory},
             "uasc": UASC_ROWS,
             "age": {band: band if band in AGE_BANDS else band.capitalize()
                     for band in (*AGE_BANDS, OTHER_AGE)}}
    return tuple(
        Cohort(dimension, title, tuple(
            GradeTally(key, names[dimension][key], counts)
            for key, counts in by[dimension].items()
            # A row no audit falls in is printed only where it is one of the legal
            # categories or bands; "other or not recorded" only when there is one.
            if key != OTHER_AGE or sum(counts.values()) > 0))
        for dimension, title in COHORTS.items())


def _indicator_answers(session: Session, scope: ReportScope, questions: Iterable[str]
                       ) -> list[tuple[int, str, str | None, str, bool, int | None, int]]:
    rows = session.execute(
        select(Audit.template_id, Question.key, Answer.response, Case.category, Case.uasc,
               Case.age_at_audit, func.count())
        .join(Audit, Audit.id == Answer.audit_id)
        .join(Case, Case.id == Audit.case_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.audit_id.in_(scoped_audits(scope)), Question.key.in_(sorted(questions)))
        .group_by(Audit.template_id, Question.key, Answer.response, Case.category, Case.uasc,
                  Case.age_at_audit)).all()
    return [(t, q, r, CareLeaverCategory(c).value, bool(u), a, n)
            for t, q, r, c, u, a, n in rows]


def _score(spec: TemplateSpec, question: str, code: str | None) -> float | None:
    for section in spec.sections:
        for q in section.questions:
            if q.key == question:
                return next((o.score for o in q.scale if o.code == code), None)
    return None


def _indicators(session: Session, scope: ReportScope, versions: Mapping[int, tuple[str, int]],
                specs: Mapping[int, TemplateSpec]) -> tuple[IndicatorFigure, ...]:
    """Every indicator of the templates used (``versions``: template id to key and version;
    ``specs``: each version's definition), each version's answers counted by that version's
    definition, titled by the newest."""
    questions = {i.question for spec in specs.values() for i in spec.indicators}
    if not questions:
        return ()
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for tid, question, response, category, uasc, age, count in _indicator_answers(
            session, scope, questions):
        spec = specs.get(tid)
        if spec is None:
            continue
        for indicator in spec.indicators:
            if indicator.question != question or \
                    not indicator.eligibility.admits(category, uasc, age):
                continue
            answered, counted = counts_answer(response, _score(spec, question, response),
                                              indicator.counts)
            entry = totals[(spec.key, indicator.key)]
            entry[0] += count * answered
            entry[1] += count * counted
    newest: dict[tuple[str, str], tuple[int, TemplateSpec, IndicatorSpec]] = {}
    order: dict[tuple[str, str], tuple[str, int]] = {}
    for tid in sorted(specs, key=lambda t: versions[t][1]):
        spec = specs[tid]
        for position, indicator in enumerate(spec.indicators):
            newest[(spec.key, indicator.key)] = (versions[tid][1], spec, indicator)
            order[(spec.key, indicator.key)] = (spec.key, position)
    figures = []
    for key in sorted(newest, key=lambda k: order[k]):
        _version, spec, indicator = newest[key]
        n, count = totals.get(key, [0, 0])
        figures.append(IndicatorFigure(
            spec.key, spec.title, indicator.key, indicator.title, indicator.kind,
            indicator.question, indicator.eligibility.describe(), indicator.counts,
            IndicatorResult(count, n, indicator.target, indicator.min_n)))
    return tuple(figures)


def _actions(session: Session, scope: ReportScope, as_at: date
             ) -> tuple[tuple[ActionRow, ...], tuple[ActionRow, ...]]:
    rows = session.execute(
        select(Action.status, Action.due_date, Action.completed_on, Action.priority,
               Case.age_at_audit)
        .join(Audit, Audit.id == Action.audit_id)
        .join(Case, Case.id == Audit.case_id)
        .where(Action.audit_id.in_(scoped_audits(scope)))).all()
    by_age = {band: dict.fromkeys(ACTION_STATES, 0) for band in (*AGE_BANDS, OTHER_AGE)}
    by_priority = {p.value: dict.fromkeys(ACTION_STATES, 0) for p in ActionPriority}
    for status, due, completed, priority, age in rows:
        state = action_state(status, due, completed, as_at)
        by_age[age_band(age)][state] += 1
        by_priority[ActionPriority(priority).value][state] += 1
    ages = tuple(ActionRow(band, band if band in AGE_BANDS else band.capitalize(), states)
                 for band, states in by_age.items()
                 if band != OTHER_AGE or sum(states.values()) > 0)
    priorities = tuple(ActionRow(p, p.capitalize(), states) for p, states in by_priority.items())
    return ages, priorities


def read_findings(db: Database, scope: ReportScope, as_at: date,
                  sections: Sequence[SectionTally], template_keys: Iterable[str]
                  ) -> Findings:
    """The findings of a period: priorities from ``sections`` (those the pack breaks down),
    indicators of the templates in ``template_keys`` (those used often enough to break
    down), cohorts and actions over every audit of the scope."""
    keys = set(template_keys)
    with db.transaction() as session:
        versions = {tid: (key, version) for tid, key, version in session.execute(
            select(Audit.template_id, Template.key, Template.version)
            .join(Template, Template.id == Audit.template_id)
            .where(Audit.id.in_(scoped_audits(scope))).distinct()) if key in keys}
    specs = {tid: template_spec(db, tid) for tid in versions}
    with db.transaction() as session:
        indicators = _indicators(session, scope, versions, specs)
        cohorts = _cohorts(session, scope)
        by_age, by_priority = _actions(session, scope, as_at)
    return Findings(priority_tallies(sections), cohorts, indicators, by_age, by_priority)


# --- the disclosure model ---------------------------------------------------------------------


def add_findings(model: DisclosureModel, findings: Findings,
                 add_bands: Callable[[DisclosureModel, tuple[str, ...], GradeTally], None],
                 section_keys: Mapping[str, Sequence[str]]) -> None:
    """Every figure of the findings, and every sum tying them to the rest of the pack
    (``add_bands`` adds a row of bands as the pack's other grade tables do;
    ``section_keys``: the sections each priority gathers)."""
    for line in findings.priorities:
        add_roll_up(model, "priority", line, section_keys.get(line.key, ()))
    for cohort in findings.cohorts:
        for row in cohort.rows:
            add_bands(model, ("cohort", cohort.key, row.key), row)
        # Every audit is in exactly one row of each cohort: its rows add up to the period's.
        for band, overall in (("gob", "gob"), ("ri", RI), ("inadequate", INADEQUATE)):
            model.add_sum(("overall", overall),
                          [("cohort", cohort.key, row.key, band) for row in cohort.rows])
    for indicator in findings.indicators:
        _add_indicator(model, indicator)
    for name, rows in (("actions_age", findings.actions_by_age),
                       ("actions_priority", findings.actions_by_priority)):
        _add_action_rows(model, name, rows)


def add_roll_up(model: DisclosureModel, kind: str, line: GradeTally,
                sections: Sequence[str]) -> None:
    """A line of enquiry or a strategic priority (``kind``): Good or better and below Good,
    each the sum over the sections tagged with it. Requires improvement and Inadequate are
    not told apart here: across templates their small counts would withhold most of the
    table, and the section tables show them."""
    prefix = (kind, line.key)
    model.add((*prefix, "gob"), line.good_or_better)
    model.add((*prefix, "below"), line.graded - line.good_or_better)
    model.add((*prefix, "total"), line.graded, TOTALS)
    model.add_sum((*prefix, "total"), [(*prefix, "gob"), (*prefix, "below")])
    model.add_sum((*prefix, "gob"), [("section", s, "gob") for s in sections])
    model.add_sum((*prefix, "below"), [("section", s, band) for s in sections
                                       for band in ("ri", "inadequate")])


def _add_indicator(model: DisclosureModel, indicator: IndicatorFigure) -> None:
    """n and the count are printed; what the share leaves over is implied. Where the
    indicator counts everyone's best answers to a question the themes list, its figures are
    that theme's again: tied, since a reader of the template can see it."""
    prefix = indicator.figure_key
    result = indicator.result
    model.add((*prefix, "n"), result.n, TOTALS)
    model.add((*prefix, "met"), result.count)
    model.add_implicit((*prefix, "not"), result.n - result.count)
    model.add_sum((*prefix, "n"), [(*prefix, "met"), (*prefix, "not")])
    theme = ("theme", indicator.template_key, indicator.question)
    if (*theme, "scored") in model.values and not indicator.eligible \
            and model.values[(*theme, "scored")] == result.n \
            and model.values[(*theme, "below")] == result.n - result.count:
        model.add_sum((*theme, "scored"), [(*prefix, "met"), (*theme, "below")])
        model.add_sum((*prefix, "not"), [(*theme, "below")])


def _add_action_rows(model: DisclosureModel, name: str, rows: Sequence[ActionRow]) -> None:
    """A table of actions by row and state; each state's column adds up to the pack's
    count of actions in that state."""
    for row in rows:
        prefix = (name, row.key)
        for state in ACTION_STATES:
            model.add((*prefix, state), row.states[state])
        model.add((*prefix, "raised"), row.raised, TOTALS)
        model.add_sum((*prefix, "raised"), [(*prefix, s) for s in ACTION_STATES])
    for state in ACTION_STATES:
        if rows:  # a breakdown left out adds nothing
            model.add_sum(("actions", state), [(name, row.key, state) for row in rows])


# --- what is printed --------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorCells:
    """An indicator as both editions print it."""

    n: str
    met: str
    share: str  # "58%", or the symbol of a withheld count it rests on
    interval: str  # "32–81%", "" where the share is not shown
    target: str  # "90%", "" without a target
    judgement: str  # "met", "not met", "too few to judge", "withheld" or ""


WITHHELD_JUDGEMENT = "withheld"


def left_out_words(findings: Findings, names: Iterable[str], what: str) -> str:
    """Why a breakdown is missing ("" when none of ``names`` is left out)."""
    missing = [BREAKDOWNS[n] for n in names if n in findings.left_out]
    if not missing:
        return ""
    return (f"{what} not split by {' or by '.join(missing)}: with these numbers the split "
            "would withhold the headline figures (or give small numbers away), so it is "
            "left out.")


def indicator_cells(protection: Protection, indicator: IndicatorFigure) -> IndicatorCells:
    """The printed cells of an indicator. Its judgement against the target is printed only
    where it follows from figures printed as numbers (or, for "too few to judge", from an n
    printed as <N below the indicator's least n): met or not met would otherwise bound a
    withheld count."""
    n_key, met_key = (*indicator.figure_key, "n"), (*indicator.figure_key, "met")
    result = indicator.result
    share = protection.share(met_key, n_key)
    interval = ""
    judged = judgement(result)
    if protection.share_value(met_key, n_key) is not None:
        bounds = result.interval
        assert bounds is not None
        interval = f"{round(100 * bounds.lower)}\u2013{round(100 * bounds.upper)}%"
    elif protection.shown(n_key) and result.too_few:
        pass  # n printed as its number: too few to judge follows from it
    elif protection.count(n_key).startswith("<") and result.min_n >= protection.threshold:
        judged = TOO_FEW
    else:
        judged = WITHHELD_JUDGEMENT if judged else ""
    target = "" if result.target is None else f"{result.target:g}%"
    return IndicatorCells(protection.count(n_key), protection.count(met_key), share,
                          interval, target, judged)


def agreement_share(part: int, whole: int, threshold: int) -> str:
    """A share of the moderated pairs, unless it would let a count below the threshold be
    worked out: then it is left out (a dash, as the key says)."""
    if whole == 0:
        return "\u2013"
    rest = whole - part
    if 0 < part < threshold or 0 < rest < threshold:
        return "\u2013"
    return f"{round(100 * part / whole)}%"


def kappa_text(value: float | None, pairs: int, threshold: int, printed: bool) -> str:
    """Kappa always with the number of audits it rests on ("0.62 (n = 40)"); left out (a
    dash) below N, with "n <N", or where it would narrow a withheld count."""
    if value is None or not pairs:
        return "\u2013"
    if pairs < threshold:
        return f"\u2013 (n <{threshold})"
    if not printed:
        return "\u2013"
    return f"{value:.2f} (n = {pairs:,})"
