"""The audit programme: how many audits each team plans per period with each template, set
line by line or imported from a sheet (:mod:`auditapp.services.programme_import`).

A line is keyed by its period, team and template; setting a line with the same key replaces
its planned count. Two lines of one team and template may not overlap in time, so that an
audit falls in at most one line and "completed against planned" counts it once. Changing the
programme is a practice lead's (:data:`~auditapp.rules.permissions.Permission.PLAN_AUDITS`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auditapp.errors import NotFoundError, UserError
from auditapp.models import Audit, Case, PlannedAudits, Template
from auditapp.models.base import utcnow
from auditapp.rules.limits import NAME_CHARS, PLANNED_AUDITS_MAX, date_problem, length_problem
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.reporting.stats import counted_audits
from auditapp.services.visibility import withheld_condition
from auditapp.storage.engine import Database


@dataclass(frozen=True, order=True)
class PlannedLine:
    """One line of the programme, as entered or imported."""

    date_from: date
    date_to: date
    team: str
    template_key: str
    planned: int

    @property
    def key(self) -> tuple[date, date, str, str]:
        """What tells lines apart: the period, team and template."""
        return self.date_from, self.date_to, self.team, self.template_key

    def overlaps(self, other: PlannedLine) -> bool:
        """Whether the two lines plan the same team and template for some of the same days
        (a line does not overlap itself: same key)."""
        return (self.team == other.team and self.template_key == other.template_key
                and self.key != other.key and self.date_from <= other.date_to
                and other.date_from <= self.date_to)

    def period_text(self) -> str:
        """The period as messages write it."""
        return f"{self.date_from.isoformat()} to {self.date_to.isoformat()}"


@dataclass(frozen=True)
class ProgrammeRow:
    """A line as the programme lists it, with the audits completed in its period so far
    (submitted, moderated or closed: the audits the board pack counts)."""

    date_from: date
    date_to: date
    team: str
    template_key: str
    planned: int
    completed: int

    @property
    def line(self) -> PlannedLine:
        """The line itself, without its count of completed audits."""
        return PlannedLine(self.date_from, self.date_to, self.team, self.template_key,
                           self.planned)


# --- checking a line -----------------------------------------------------------------------


def line_problems(line: PlannedLine) -> list[tuple[str, str]]:
    """What is wrong with a line on its own, as (field, problem) pairs."""
    problems = []
    for name, day in (("period start", line.date_from), ("period end", line.date_to)):
        problem = date_problem(f"the {name}", day)
        if problem:
            problems.append((name, problem))
    if line.date_from > line.date_to:
        problems.append(("period end", f"the period ends ({line.date_to.isoformat()}) before "
                                       f"it starts ({line.date_from.isoformat()})"))
    if not line.team.strip():
        problems.append(("team", "no team given"))
    elif not line.team.isprintable():
        problems.append(("team", "the team holds a character that cannot be shown"))
    problem = length_problem("the team", line.team, NAME_CHARS)
    if problem:
        problems.append(("team", problem))
    if not line.template_key.strip():
        problems.append(("template key", "no template key given"))
    if not 0 <= line.planned <= PLANNED_AUDITS_MAX:
        problems.append(("planned", f"{line.planned:,} audits planned: a line plans from 0 "
                                    f"to {PLANNED_AUDITS_MAX:,}"))
    return problems


def template_keys(session: Session) -> set[str]:
    """Every template id known."""
    return set(session.scalars(select(Template.key).distinct()))


def stored_lines(session: Session) -> list[PlannedLine]:
    """Every line of the programme."""
    return [PlannedLine(p.date_from, p.date_to, p.team, p.template_key, p.planned)
            for p in session.scalars(select(PlannedAudits))]


def _check_line(session: Session, line: PlannedLine, others: Iterable[PlannedLine]) -> None:
    problems = line_problems(line)
    if problems:
        raise UserError(f"The {problems[0][0]}: {problems[0][1]}.")
    if line.template_key not in template_keys(session):
        raise NotFoundError(f"No template with id '{line.template_key[:80]}'. "
                            "See 'auditapp templates list'.")
    clash = next((other for other in others if line.overlaps(other)), None)
    if clash is not None:
        raise UserError(f"Team '{line.team}' already has {clash.template_key} planned for "
                        f"{clash.period_text()}, which overlaps {line.period_text()}: a team's "
                        "periods for one template may not overlap.")


def _find(session: Session, key: tuple[date, date, str, str]) -> PlannedAudits | None:
    date_from, date_to, team, template_key = key
    return session.scalar(select(PlannedAudits).where(
        PlannedAudits.date_from == date_from, PlannedAudits.date_to == date_to,
        PlannedAudits.team == team, PlannedAudits.template_key == template_key))


def store_lines(session: Session, lines: Iterable[PlannedLine]) -> int:
    """Write many lines (checked already) with one read of those stored; returns how many
    were new (the rest replaced the count of a line with the same key)."""
    stored = {(p.date_from, p.date_to, p.team, p.template_key): p
              for p in session.scalars(select(PlannedAudits))}
    added = 0
    for line in lines:
        existing = stored.get(line.key)
        if existing is None:
            session.add(PlannedAudits(date_from=line.date_from, date_to=line.date_to,
                                      team=line.team, template_key=line.template_key,
                                      planned=line.planned))
            added += 1
        else:
            existing.planned = line.planned
            existing.updated_at = utcnow()
    return added


def set_planned(db: Database, line: PlannedLine, actor: Actor,
                replacing: PlannedLine | None = None) -> bool:
    """Set a line of the programme: a new one, or the planned count of the line with the
    same period, team and template. ``replacing`` (an edit that changes the period, team or
    template) is removed in the same transaction. True when a line was added."""
    require(actor, Permission.PLAN_AUDITS)
    line = _trimmed(line)
    with db.transaction() as session:
        if replacing is not None and replacing.key != line.key:
            _remove(session, replacing)
        others = [o for o in stored_lines(session)
                  if replacing is None or o.key != replacing.key]
        _check_line(session, line, others)
        return store_lines(session, [line]) == 1


def _trimmed(line: PlannedLine) -> PlannedLine:
    """The line with its team and template key as stored: without surrounding spaces."""
    return PlannedLine(line.date_from, line.date_to, line.team.strip(),
                       line.template_key.strip(), line.planned)


def _remove(session: Session, line: PlannedLine) -> None:
    stored = _find(session, _trimmed(line).key)
    if stored is None:
        raise NotFoundError(f"No line of the programme for team '{line.team.strip()}', "
                            f"{line.template_key.strip()}, {line.period_text()}.")
    session.delete(stored)
    session.flush()


def remove_planned(db: Database, line: PlannedLine, actor: Actor) -> None:
    """Remove the line with ``line``'s period, team and template (its count is not
    compared)."""
    require(actor, Permission.PLAN_AUDITS)
    with db.transaction() as session:
        _remove(session, line)


def list_programme(db: Database, as_at: date | None = None) -> list[ProgrammeRow]:
    """Every line, by period, team and template, with the audits completed in its period
    (up to ``as_at``, when given)."""
    with db.transaction() as session:
        lines = sorted(stored_lines(session))
        return [ProgrammeRow(*line.key, line.planned,
                             completed_in(session, line, as_at)) for line in lines]


def lines_starting(session: Session, first: date, last: date, team: str | None = None,
                   template_key: str | None = None) -> list[PlannedLine]:
    """The lines whose period starts from ``first`` to ``last`` (of one team and template,
    when given), by period, team and template."""
    query = select(PlannedAudits).where(PlannedAudits.date_from >= first,
                                        PlannedAudits.date_from <= last)
    if team is not None:
        query = query.where(PlannedAudits.team == team)
    if template_key is not None:
        query = query.where(PlannedAudits.template_key == template_key)
    return sorted(PlannedLine(p.date_from, p.date_to, p.team, p.template_key, p.planned)
                  for p in session.scalars(query))


def completed_in(session: Session, line: PlannedLine, as_at: date | None = None,
                 reader: Actor | None = None) -> int:
    """Audits of the line's team and template completed (submitted, moderated or closed:
    the audits every report counts) with an audit date in its period, up to ``as_at`` when
    given, leaving out those whose grades are withheld from ``reader``."""
    last = min(line.date_to, as_at) if as_at is not None else line.date_to
    query = (counted_audits(line.date_from, last)
             .join(Case, Case.id == Audit.case_id)
             .join(Template, Template.id == Audit.template_id)
             .where(Case.team == line.team, Template.key == line.template_key))
    if reader is not None:
        query = query.where(~withheld_condition(reader))
    return session.scalar(query.with_only_columns(func.count())) or 0
