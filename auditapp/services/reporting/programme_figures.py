"""Completed against planned: the audit programme's lines for a board period, with the audits
completed and the drafts past their due date, and the lines of the period after it.

A line counts for a period when its own period lies inside the report's (a quarter's line in
a half-year report); its completed audits are those every report counts (submitted,
moderated or closed, :func:`~auditapp.services.reporting.stats.counted_audits`) with an audit
date in the line's period, of its team and template. A draft is past its due date when its
audit date falls in a line's period and it is still a draft after the line's last day, at
the report's date. Lines of one team and template are summed over the period.

Completed and overdue counts are counts of young people's audits: the pack registers them in
its disclosure model (:func:`add_to_model`), tied to the template totals they are part of.
Planned counts are about the council's work, not about young people, and are printed as
they are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auditapp.models import Audit, AuditStatus, Case, Template
from auditapp.rules.suppression import HEADLINE, TOTALS, DisclosureModel
from auditapp.services.programme import PlannedLine, completed_in, lines_starting
from auditapp.services.reporting.figures import ReportScope, months_before
from auditapp.storage.engine import Database

COMPLETED, OVERDUE = "completed", "overdue"


@dataclass(frozen=True)
class ProgrammeTally:
    """One team and template over the report's period: audits planned, completed, and
    drafts past their due date."""

    team: str
    template_key: str
    title: str
    planned: int
    completed: int
    overdue: int

    def key(self, figure: str) -> tuple[str, str, str, str]:
        """The disclosure model's key of one of its counts (completed or overdue)."""
        return ("programme", self.team, self.template_key, figure)


@dataclass(frozen=True)
class ProgrammeFigures:
    """The programme as a board pack reports it."""

    tallies: tuple[ProgrammeTally, ...]
    next_period: tuple[date, date]
    next_lines: tuple[PlannedLine, ...]
    titles: dict[str, str]

    @property
    def planned(self) -> int:
        """Audits planned for the period, every line."""
        return sum(t.planned for t in self.tallies)

    @property
    def completed(self) -> int:
        """Audits of the programme's teams and templates completed in its lines' periods."""
        return sum(t.completed for t in self.tallies)

    @property
    def overdue(self) -> int:
        """Drafts past their due date."""
        return sum(t.overdue for t in self.tallies)


def following_period(scope: ReportScope) -> tuple[date, date]:
    """The period of the same length immediately after the report's: as many whole months
    when it is whole months, else as many days (the mirror of ``ReportScope.previous``)."""
    first, last = scope.ends()
    start = last + timedelta(days=1)
    if first.day == 1 and start.day == 1:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        return start, months_before(start, -months) - timedelta(days=1)
    return start, start + (last - first)


def _overdue(session: Session, line: PlannedLine, as_at: date) -> int:
    if as_at <= line.date_to:
        return 0
    return session.scalar(
        select(func.count(Audit.id)).join(Case, Case.id == Audit.case_id)
        .join(Template, Template.id == Audit.template_id)
        .where(Audit.status == AuditStatus.DRAFT, Case.team == line.team,
               Template.key == line.template_key, Audit.audit_date >= line.date_from,
               Audit.audit_date <= line.date_to)) or 0


def _titles(session: Session, keys: set[str]) -> dict[str, str]:
    """The newest title of each template key."""
    rows = session.execute(select(Template.key, Template.title)
                           .where(Template.key.in_(keys)).order_by(Template.version)).all()
    return {key: title for key, title in rows}


def programme_figures(db: Database, scope: ReportScope, as_at: date) -> ProgrammeFigures:
    """The programme's lines inside ``scope``'s period (and team and template, when the scope
    names them), and those of the period after it."""
    first, last = scope.ends()
    following = following_period(scope)
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    with db.transaction() as session:
        for line in lines_starting(session, first, last, scope.team, scope.template_key):
            if line.date_to > last:
                continue
            row = sums[(line.team, line.template_key)]
            row[0] += line.planned
            row[1] += completed_in(session, line, reader=scope.reader)
            row[2] += _overdue(session, line, as_at)
        next_lines = tuple(lines_starting(session, *following, scope.team,
                                          scope.template_key))
        titles = _titles(session, {k for _, k in sums} | {n.template_key for n in next_lines})
    tallies = tuple(ProgrammeTally(team, key, titles.get(key, key), *counts)
                    for (team, key), counts in sorted(sums.items()))
    return ProgrammeFigures(tallies, following, next_lines, titles)


def printed_plans(programme: ProgrammeFigures | None) -> dict[str, str]:
    """The planned counts a pack prints (not in the disclosure model: they are not about
    young people), keyed for the pack's figures hash, so that a pack whose programme changed
    since it was released is not taken for that release rebuilt. Empty without a programme,
    so that the hash of a pack with none is what it was before programmes."""
    if programme is None:
        return {}
    plans = {repr(("planned", t.team, t.template_key)): str(t.planned)
             for t in programme.tallies}
    plans |= {repr(("next", *line.key)): str(line.planned) for line in programme.next_lines}
    return plans


def add_to_model(model: DisclosureModel, programme: ProgrammeFigures,
                 shown_templates: Sequence[str]) -> None:
    """Register the completed and overdue counts, their totals, and the sums that tie each
    template's completed audits to its audits in the pack (the rest, audits of teams or
    periods the programme does not plan, is implied and protected like a count). A template
    the pack does not break down is tied to the audits of "other templates"."""
    if not programme.tallies:
        return
    for tally in programme.tallies:
        model.add(tally.key(COMPLETED), tally.completed)
        model.add(tally.key(OVERDUE), tally.overdue)
    for figure, priority in ((COMPLETED, HEADLINE), (OVERDUE, TOTALS)):
        model.add(("programme", figure), sum(t.completed if figure == COMPLETED else t.overdue
                                             for t in programme.tallies), priority)
        model.add_sum(("programme", figure), [t.key(figure) for t in programme.tallies])
    groups: dict[str | None, list[ProgrammeTally]] = defaultdict(list)
    for tally in programme.tallies:
        groups[tally.template_key if tally.template_key in shown_templates else None].append(
            tally)
    for template, tallies in groups.items():
        parts = [t.key(COMPLETED) for t in tallies]
        rest = ("programme", "unplanned", template)
        model.add_implicit(rest, model.values[("template", template)] - sum(
            t.completed for t in tallies))
        model.add_sum(("template", template), [*parts, rest])
