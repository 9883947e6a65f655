"""The figures of the board pack and which of them are withheld, as plain data.

The pack is aggregate only: counts of audits, section grades, answers and actions, with
template and question wording. Everything it shows as a count or a percentage is registered
in one :class:`DisclosureModel`, with every sum that ties figures together, including sums
across tables (quarters that make up the period, sections that make up a line of enquiry,
template versions that make up the total), so suppression holds across the whole pack.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from auditapp.errors import UserError
from auditapp.rules.actions import ActionState
from auditapp.rules.grades import NOT_GRADED, Grade
from auditapp.rules.statistics import wilson_interval
from auditapp.rules.suppression import (
    DETAIL,
    HEADLINE,
    KEY_FIGURE,
    TOTALS,
    DisclosureModel,
    Key,
    Protection,
)
from auditapp.services.reporting import manifest, programme_figures
from auditapp.services.reporting.board_findings import (
    Findings,
    add_findings,
    add_roll_up,
    read_findings,
)
from auditapp.services.reporting.figures import (
    GOOD_OR_BETTER,
    GRADE_COLUMNS,
    GradeTally,
    PeriodFigures,
    Quarter,
    QuestionTheme,
    ReportScope,
    SectionTally,
    check_scope,
    grade_tally,
    lines_of_enquiry,
    months_before,
    period_figures,
    quarter_tallies,
)
from auditapp.storage.engine import Database

TREND_QUARTERS = 8
THEMES = 10
HIGHLIGHTS = 3
BANDS = ("gob", "ri", "inadequate")
#: What a share's interval means, said once to a board beside the first one.
INTERVAL_WORDS = ("The interval is the range the share would likely fall in with another "
                  "sample of the same size: a difference smaller than it may be chance.")


@dataclass(frozen=True)
class TemplateSummary:
    """A template used in the period (every version), with how many audits used it."""

    key: str
    title: str
    versions: tuple[int, ...]
    audits: int


@dataclass(frozen=True)
class BoardFigures:
    """Everything the board pack reports, before suppression.

    Sections, lines of enquiry and templates are given only for templates used in at least
    ``threshold`` audits: below that, every figure of a template's sections would be withheld,
    and its few audits would be the difference between two published totals."""

    current: PeriodFigures
    #: The previous period of the same length and its grades; None for a pack for release,
    #: which counts no audit outside its own period (see :mod:`releases`).
    previous_scope: ReportScope | None
    previous: GradeTally | None
    trend: tuple[GradeTally, ...]  # up to eight quarters, ending with the period's last
    sections: tuple[SectionTally, ...]
    lines_of_enquiry: tuple[GradeTally, ...]
    templates: tuple[TemplateSummary, ...]
    other_templates: int  # audits on templates used too little to break down
    themes: tuple[QuestionTheme, ...]  # most often answered No or Partly, at least threshold
    strengths: tuple[QuestionTheme, ...]  # most often answered Yes (wording only is shown)
    threshold: int
    #: By priority, cohort, indicator and action breakdowns (see :mod:`board_findings`).
    findings: Findings | None = None
    #: Completed against planned, and the next period's programme.
    programme: programme_figures.ProgrammeFigures | None = None

    @property
    def scope(self) -> ReportScope:
        """The period reported on."""
        return self.current.scope

    @property
    def counted_scopes(self) -> tuple[ReportScope, ...]:
        """Every scope besides the period whose audits a figure counts: the previous period
        and the trend's quarters."""
        return tuple(s for s in (self.previous_scope, self.trend_scope) if s is not None)

    @property
    def trend_scope(self) -> ReportScope | None:
        """The days the trend's quarters cover."""
        if not self.trend:
            return None
        scope = self.scope
        return ReportScope(date.fromisoformat(self.trend[0].key), scope.ends()[1], scope.team,
                           scope.template_key, scope.reader)


def _template_summaries(current: PeriodFigures) -> list[TemplateSummary]:
    summaries: dict[str, TemplateSummary] = {}
    for use in current.templates:
        known = summaries.get(use.key)
        summaries[use.key] = TemplateSummary(
            use.key, use.title, (*(known.versions if known else ()), use.version),
            use.audits + (known.audits if known else 0))
    return list(summaries.values())


def default_period(today: date, date_from: date | None, date_to: date | None
                   ) -> ReportScope:
    """The board period: as given; an open start is six months before the end (the end
    defaults to today), so that 30 Jun gives 1 Jan to 30 Jun."""
    end = date_to or today
    return ReportScope(date_from or months_before(end + timedelta(days=1), 6), end)


def board_figures(db: Database, scope: ReportScope, threshold: int, as_at: date,
                  own_period_only: bool = False) -> BoardFigures:
    """Read every figure of the board pack for ``scope`` (a period with both ends).

    ``own_period_only`` (a pack for release): no previous period, and the trend's quarters
    from the one the period starts in, so that the pack counts no audit of an earlier period
    (beyond the start of its first quarter: a period that does not start on a quarter day
    counts that quarter's earlier days too, and the release register sees them).

    Raises ``UserError`` when the period holds no audits, or fewer than ``threshold``: every
    figure would then be withheld."""
    audits = check_scope(db, scope)
    if audits < threshold:
        raise UserError(f"Only {audits} audits in {scope.describe()}: fewer than the "
                        f"suppression threshold of {threshold}, so a board pack would withhold "
                        "every figure. Choose a longer period.")
    last = scope.ends()[1]
    current = period_figures(db, scope, as_at)
    first = Quarter.containing(last)
    for _ in range(TREND_QUARTERS - 1):
        if own_period_only and first.start <= scope.ends()[0]:
            break
        first = first.previous()
    trend = quarter_tallies(db, ReportScope(first.start, last, scope.team, scope.template_key,
                                            reader=scope.reader))
    while trend and trend[0].total == 0:
        trend = trend[1:]
    templates = _template_summaries(current)
    shown = [t for t in templates if t.audits >= threshold]
    keys = {t.key for t in shown}
    sections = tuple(s for s in current.sections if s.template_key in keys)
    scored = [t for t in current.themes if t.scored >= threshold]
    previous = None if own_period_only else scope.previous()
    return _affordable(BoardFigures(
        current, previous, grade_tally(db, previous) if previous else None, trend, sections,
        lines_of_enquiry(sections), tuple(shown), sum(t.audits for t in templates) - sum(
            t.audits for t in shown),
        tuple(sorted((t for t in scored if t.below_best >= threshold),
                     key=lambda t: (-t.below_best, t.template_key, t.question_key))[:THEMES]),
        tuple(sorted(scored, key=lambda t: (-t.best / t.scored, t.template_key,
                                            t.question_key))[:HIGHLIGHTS]),
        threshold, read_findings(db, scope, as_at, sections, keys),
        programme_figures.programme_figures(db, scope, as_at)))


def _affordable(figures: BoardFigures) -> BoardFigures:
    """The figures with only the breakdowns (cohorts, actions by age and by priority) that
    cost no headline figure: a breakdown is left out where protecting its small counts
    would withhold a headline or key figure shown without it (three age bands each with
    fewer than 5 audits Good or better would pin the share Good or better). A board reads
    the headline; domain.md 8.10 asks for a cohort split only where counts allow.

    Each breakdown is judged on a small model of its own: the figures it adds up to (the
    period's grades, or the actions by state) and its own rows; protecting the whole pack
    with every breakdown at each trial took a minute for a 60-audit pack. The choice only
    decides what is printed: whatever is printed, the pack's one model protects it all."""
    findings = figures.findings
    if findings is None:
        return figures
    empty = replace(findings, priorities=(), cohorts=(), indicators=(), actions_by_age=(),
                    actions_by_priority=())
    trials = [*((c.key, replace(empty, cohorts=(c,))) for c in findings.cohorts),
              ("actions_age", replace(empty, actions_by_age=findings.actions_by_age)),
              ("actions_priority",
               replace(empty, actions_by_priority=findings.actions_by_priority))]
    left_out = tuple(name for name, trial in trials
                     if not _costs_nothing(figures.current, trial, figures.threshold))
    if not left_out:
        return figures
    return replace(figures, findings=replace(
        findings, cohorts=tuple(c for c in findings.cohorts if c.key not in left_out),
        actions_by_age=() if "actions_age" in left_out else findings.actions_by_age,
        actions_by_priority=() if "actions_priority" in left_out
        else findings.actions_by_priority, left_out=left_out))


def _costs_nothing(current: PeriodFigures, breakdown: Findings, threshold: int) -> bool:
    """Whether a breakdown, protected with the headline figures it adds up to, leaves every
    one of them that is shown without it shown."""
    base = DisclosureModel(threshold)
    _add_overall(base, current.overall)
    _add_moderation_and_actions(base, current)
    protection = base.protect()
    headline = [k for k, p in base.priority.items() if p >= HEADLINE and protection.shown(k)]
    model = DisclosureModel(threshold)
    _add_overall(model, current.overall)
    _add_moderation_and_actions(model, current)
    add_findings(model, breakdown, _add_bands, {})
    protected = model.protect()
    return all(protected.shown(k) for k in headline)


# --- the disclosure model ---------------------------------------------------------------------


def _add_overall(model: DisclosureModel, tally: GradeTally) -> None:
    """The period's final grades: each grade and the total, headline; Good or better, the
    summary's first share, a key figure."""
    for grade in GRADE_COLUMNS:
        model.add(("overall", grade), tally.counts[grade], HEADLINE)
    model.add(("overall", "total"), tally.total, HEADLINE)
    model.add_sum(("overall", "total"), [("overall", g) for g in GRADE_COLUMNS])
    model.add(("overall", "gob"), tally.good_or_better, KEY_FIGURE)
    model.add_sum(("overall", "gob"), [("overall", g) for g in GOOD_OR_BETTER])


def _add_bands(model: DisclosureModel, prefix: tuple[str, ...], tally: GradeTally,
               priority: int = DETAIL, shown: bool = True) -> None:
    """A row of a detail table: Good or better, Requires improvement and Inadequate with
    their total (the graded audits). Outstanding is not shown apart from Good: it is rare,
    and would be withheld in most rows. A row not shown still takes part in the sums."""
    bands = dict(zip(BANDS, band_counts(tally), strict=True))
    for key, count in [*((b, c) for b, c in bands.items()), ("total", tally.graded)]:
        if not shown:
            model.add_unshown((*prefix, key), count)
        else:
            model.add((*prefix, key), count, priority + (key == "total"))
    model.add_sum((*prefix, "total"), [(*prefix, b) for b in BANDS])


def band_counts(tally: GradeTally) -> tuple[int, int, int]:
    """Good or better, Requires improvement and Inadequate counts of a row."""
    return (tally.good_or_better, tally.counts[Grade.REQUIRES_IMPROVEMENT.label],
            tally.counts[Grade.INADEQUATE.label])


def _covering(trend: Sequence[GradeTally], scope: ReportScope, trend_end: date
              ) -> list[str] | None:
    """Keys of the trend quarters that exactly make up a period, if any do."""
    first, last = scope.ends()
    keys = [t.key for t in trend if first <= date.fromisoformat(t.key) <= last]
    if not keys or keys[0] != first.isoformat():
        return None
    last_end = min(Quarter.containing(date.fromisoformat(keys[-1])).end, trend_end)
    return keys if last_end == last else None


def disclosure_model(figures: BoardFigures) -> DisclosureModel:
    """Every figure the pack shows, and every sum between them."""
    model = DisclosureModel(figures.threshold)
    _add_overall(model, figures.current.overall)
    if figures.previous is not None:
        model.add(("previous", "total"), figures.previous.total, HEADLINE)
        model.add(("previous", "gob"), figures.previous.good_or_better, HEADLINE)
    for quarter in figures.trend:
        _add_bands(model, ("quarter", quarter.key), quarter, TOTALS)
        model.add_unshown(("quarter", quarter.key, NOT_GRADED), quarter.counts[NOT_GRADED])
        model.add_unshown(("quarter", quarter.key, "audits"), quarter.total)
        model.add_sum(("quarter", quarter.key, "audits"),
                      [("quarter", quarter.key, "total"), ("quarter", quarter.key, NOT_GRADED)])
    _link_periods(model, figures)
    for section in figures.sections:
        # Sections are kept in preference to the lines of enquiry built from them: the roll-up
        # gives way first when a small count must be protected across the two tables.
        _add_bands(model, ("section", section.key), section, TOTALS)
    for line in figures.lines_of_enquiry:
        add_roll_up(model, "kloe", line,
                    [s.key for s in figures.sections if line.key in s.tags])
    _add_templates(model, figures)
    if figures.programme is not None:
        programme_figures.add_to_model(model, figures.programme,
                                       [t.key for t in figures.templates])
    _add_moderation_and_actions(model, figures.current)
    # The audits counted, now and before: the headline, and the manifest lists the audits.
    for total in (("overall", "total"), ("previous", "total")):
        if total in model.values and model.values[total] >= figures.threshold:
            model.keep(total)
    for theme in figures.themes:
        model.add(("theme", theme.template_key, theme.question_key, "scored"), theme.scored)
        model.add(("theme", theme.template_key, theme.question_key, "below"), theme.below_best)
    if figures.findings is not None:
        add_findings(model, figures.findings, _add_bands, {
            line.key: [s.key for s in figures.sections if line.key in s.tags]
            for line in figures.findings.priorities})
    return model


def _link_periods(model: DisclosureModel, figures: BoardFigures) -> None:
    """The quarters of the trend add up to the period (and the previous period) when the
    periods start and end on quarter boundaries."""
    for name, scope in (("overall", figures.scope), ("previous", figures.previous_scope)):
        if scope is None:
            continue
        keys = _covering(figures.trend, scope, figures.scope.ends()[1])
        if not keys:
            continue
        model.add_sum((name, "total"), [("quarter", k, "audits") for k in keys])
        model.add_sum((name, "gob"), [("quarter", k, "gob") for k in keys])
        if name == "overall":
            for band, grade in (("ri", Grade.REQUIRES_IMPROVEMENT.label),
                                ("inadequate", Grade.INADEQUATE.label)):
                model.add_sum((name, grade), [("quarter", k, band) for k in keys])


def _add_templates(model: DisclosureModel, figures: BoardFigures) -> None:
    for template in figures.templates:
        model.add(("template", template.key), template.audits, TOTALS)
    # Not printed, but the total less the listed templates gives it: protected like a count.
    model.add_implicit(("template", None), figures.other_templates)
    model.add_sum(("overall", "total"),
                  [*(("template", t.key) for t in figures.templates), ("template", None)])
    for section in figures.sections:
        audits = model.values[("template", section.template_key)]
        # Submitting an audit needs a grade for every section that applies, so a reader may
        # take a section's graded count as its template's audits: tie them when they agree.
        if section.always_applies and section.graded == audits:
            model.add_sum(("section", section.key, "total"), [("template", section.template_key)])


def _add_moderation_and_actions(model: DisclosureModel, current: PeriodFigures) -> None:
    moderation = current.moderation
    parts = {"same": moderation.same, "raised": moderation.raised,
             "lowered": moderation.lowered}
    model.add(("moderation", "moderated"), moderation.moderated, HEADLINE)
    for name, value in parts.items():
        model.add(("moderation", name), value)
    model.add_sum(("moderation", "moderated"), [("moderation", n) for n in parts])
    actions = current.actions
    states = {ActionState.DONE_ON_TIME: actions.done_on_time,
              ActionState.DONE_LATE: actions.done_late, ActionState.OPEN: actions.open_not_due,
              ActionState.OVERDUE: actions.overdue, ActionState.CANCELLED: actions.cancelled}
    model.add(("actions", "raised"), actions.raised, HEADLINE)
    model.add(("actions", "done"), actions.done, TOTALS)
    for name, value in states.items():
        model.add(("actions", name), value)
    model.add_sum(("actions", "done"), [("actions", ActionState.DONE_ON_TIME),
                                        ("actions", ActionState.DONE_LATE)])
    model.add_sum(("actions", "raised"), [("actions", n) for n in states])


@dataclass(frozen=True)
class BoardPack:
    """The figures and the suppression decided for them: what the PDF renders."""

    figures: BoardFigures
    protection: Protection

    def count(self, *key: object) -> str:
        """A figure as printed."""
        return self.protection.count(key)

    def share(self, part: Key, whole: Key) -> str:
        """A percentage as printed."""
        return self.protection.share(part, whole)

    def interval(self, part: Key, whole: Key) -> str:
        """A shown share's Wilson 95 % interval and n, "95% interval 26–35%, n = 440";
        "" for a withheld share, whose interval and n would give its counts away."""
        if self.protection.share_value(part, whole) is None:
            return ""
        successes, trials = self.protection.values[part], self.protection.values[whole]
        interval = wilson_interval(successes, trials)
        return (f"95% interval {round(100 * interval.lower)}–"
                f"{round(100 * interval.upper)}%, n = {trials:,}")

    def share_with_interval(self, part: Key, whole: Key) -> str:
        """A share as printed with its :meth:`interval` where it is shown: "30% (95%
        interval 26–35%, n = 440)". Both editions print a headline share this way."""
        interval = self.interval(part, whole)
        return f"{self.share(part, whole)} ({interval})" if interval else self.share(part, whole)

    def withheld(self) -> Iterator[Key]:
        """Every figure not shown as its number."""
        yield from self.protection.primary
        yield from self.protection.secondary

    def agreement_printed(self) -> bool:
        """Whether the overall agreement figures (shares and kappa) may be printed.

        They are computed from the table of pairs of grades (the auditor's, the moderator's)
        of the moderated audits, which a kappa over few pairs all but gives away. So they
        are printed only where a reader who knew that whole table could narrow no withheld
        count (:meth:`Protection.hides_nothing_of`): the moderated, kept, raised and lowered
        counts printed as numbers, and the moderated audits with each final grade no more
        than the least the printed symbol of that grade's count allows."""
        moderation = self.figures.current.moderation
        return self.figures.current.agreement.overall.pairs >= self.figures.threshold and \
            self.protection.hides_nothing_of(
                [("moderation", n) for n in ("moderated", "same", "raised", "lowered")],
                {("overall", grade): count for grade, count in moderation.final_grades.items()})

    def section_agreement_printed(self, template_key: str, section_key: str, pairs: int
                                  ) -> bool:
        """Whether a section's kappa may be printed: its pairs are some of the section's
        grades, so only where enough pairs and every count of the section's row is printed
        as its number (the section's moderated grades are printed nowhere)."""
        row = [("section", f"{template_key}/{section_key}", band) for band in (*BANDS, "total")]
        return pairs >= self.figures.threshold and \
            all(k in self.protection.values for k in row) and \
            self.protection.hides_nothing_of(row, {})


def board_pack(figures: BoardFigures) -> BoardPack:
    """Decide the suppressions for a set of board figures."""
    return BoardPack(figures, disclosure_model(figures).protect())


def _printed_figures(pack: BoardPack) -> dict[str, str]:
    """Every figure the pack prints, as printed: the counts of the disclosure model and the
    programme's planned counts."""
    printed = {repr(k): pack.protection.count(k) for k in pack.protection.values
               if k not in pack.protection.unprinted}
    printed.update(programme_figures.printed_plans(pack.figures.programme))
    return printed


def pack_manifest(db: Database, scope: ReportScope, today: date, figures: BoardFigures,
                  pack: BoardPack, produced_at: datetime) -> manifest.Manifest:
    """The manifest of a pack: its scope, audits and the hash of every figure as printed. The
    PDF and the Word edition share it, so the two editions of one period are one release."""
    return manifest.make_manifest(
        db, manifest.BOARD_PACK, scope, today, figures.threshold,
        manifest.figures_hash(_printed_figures(pack)),
        produced_at, extra_scopes=figures.counted_scopes)
