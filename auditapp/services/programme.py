"""The audit programme: how many audits each team plans per period with each template, set
line by line or imported from a sheet.

A line is keyed by its period, team and template; setting a line with the same key replaces
its planned count. Two lines of one team and template may not overlap in time, so that an
audit falls in at most one line and "completed against planned" counts it once. Changing the
programme is a practice lead's (:data:`~auditapp.rules.permissions.Permission.PLAN_AUDITS`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from auditapp.errors import NotFoundError, UserError, ValidationError
from auditapp.inputs.sheets import SheetRow, Workbook, column_letter, csv_rows
from auditapp.models import Audit, Case, PlannedAudits, Template
from auditapp.models.base import utcnow
from auditapp.rules.limits import (
    NAME_CHARS,
    PLANNED_AUDITS_MAX,
    PROGRAMME_FILE_BYTES,
    PROGRAMME_ROWS,
    Problems,
    date_problem,
    length_problem,
)
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.cases import cell_text, parse_sheet_date
from auditapp.services.reporting.stats import counted_audits
from auditapp.services.visibility import withheld_condition
from auditapp.storage.engine import Database

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
#: Import columns: the header a sheet uses (any of the names, any case) -> field.
COLUMNS: dict[str, tuple[str, ...]] = {
    "period start": ("period start", "from", "start", "date from"),
    "period end": ("period end", "to", "end", "date to"),
    "team": ("team",),
    "template key": ("template key", "template", "template id"),
    "planned": ("planned", "planned audits", "audits planned"),
}
#: How often the import reports progress, in rows read.
PROGRESS_ROWS = 200


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


@dataclass(frozen=True)
class ProgrammeImportResult:
    """What an import did."""

    lines: int
    added: int
    replaced: int


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


def _template_keys(session: Session) -> set[str]:
    return set(session.scalars(select(Template.key).distinct()))


def _stored_lines(session: Session) -> list[PlannedLine]:
    return [PlannedLine(p.date_from, p.date_to, p.team, p.template_key, p.planned)
            for p in session.scalars(select(PlannedAudits))]


def _check_line(session: Session, line: PlannedLine, others: Iterable[PlannedLine]) -> None:
    problems = line_problems(line)
    if problems:
        raise UserError(f"The {problems[0][0]}: {problems[0][1]}.")
    if line.template_key not in _template_keys(session):
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


def _store(session: Session, line: PlannedLine) -> bool:
    """Write a line (checked already); True when it is new, False when it replaced one."""
    existing = _find(session, line.key)
    if existing is None:
        session.add(PlannedAudits(date_from=line.date_from, date_to=line.date_to,
                                  team=line.team, template_key=line.template_key,
                                  planned=line.planned))
        return True
    existing.planned = line.planned
    existing.updated_at = utcnow()
    return False


# --- use cases -----------------------------------------------------------------------------


def set_planned(db: Database, line: PlannedLine, actor: Actor,
                replacing: PlannedLine | None = None) -> bool:
    """Set a line of the programme: a new one, or the planned count of the line with the
    same period, team and template. ``replacing`` (an edit that changes the period, team or
    template) is removed in the same transaction. True when a line was added."""
    require(actor, Permission.PLAN_AUDITS)
    line = PlannedLine(line.date_from, line.date_to, line.team.strip(),
                       line.template_key.strip(), line.planned)
    with db.transaction() as session:
        if replacing is not None and replacing.key != line.key:
            _remove(session, replacing)
        others = [o for o in _stored_lines(session)
                  if replacing is None or o.key != replacing.key]
        _check_line(session, line, others)
        return _store(session, line)


def _remove(session: Session, line: PlannedLine) -> None:
    date_from, date_to, team, template_key = line.key
    stored = _find(session, line.key)
    if stored is None:
        raise NotFoundError(f"No line of the programme for team '{team}', {template_key}, "
                            f"{line.period_text()}.")
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
        lines = sorted(_stored_lines(session))
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


# --- importing a programme -----------------------------------------------------------------


def _rows(path: Path, source: str) -> Iterator[tuple[str, SheetRow]]:
    """(sheet name or "", row) for a .csv file or the first sheet of a workbook, read a row
    at a time within the limits."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", *WORKBOOK_SUFFIXES):
        raise UserError(f"{source}: a programme can be imported from .xlsx or .csv files only")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(f"{source} cannot be read: {exc.strerror or exc}") from None
    if size > PROGRAMME_FILE_BYTES:
        raise UserError(f"{source} is {size:,} bytes; a programme may be at most "
                        f"{PROGRAMME_FILE_BYTES:,}")
    if suffix == ".csv":
        for row in csv_rows(path, source, PROGRAMME_ROWS):
            yield "", row
        return
    with Workbook(path, source) as workbook:
        if not workbook.sheet_names:
            raise UserError(f"{source} has no sheets")
        sheet = workbook.sheet_names[0]
        for row in workbook.rows(sheet, PROGRAMME_ROWS):
            yield sheet, row


def _place(sheet: str, row: int, column: int | None, name: str) -> str:
    """Where a cell is: "Programme!B3 (period end)" in a workbook, "row 3, column B (period
    end)" in a CSV file."""
    if column is None:
        return f"row {row} ({name})" if not sheet else f"sheet '{sheet}' row {row} ({name})"
    letter = column_letter(column + 1)
    return f"{sheet}!{letter}{row} ({name})" if sheet else f"row {row}, column {letter} ({name})"


def _one_line(text: str) -> str:
    """A problem as one line: characters a line cannot show (a newline quoted from a cell)
    written as escapes."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _map_header(sheet: str, row: SheetRow, source: str) -> dict[str, int]:
    by_name = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    problems: list[str] = []
    for index, cell in enumerate(row.cells):
        text = cell_text(cell)
        name = by_name.get(" ".join(text.lower().split()))
        where = _place(sheet, row.number, index, "header")
        if name is None:
            if text:
                problems.append(f"{where}: unknown column '{_one_line(text[:40])}' "
                                f"(expected: {', '.join(COLUMNS)})")
        elif name in positions:
            problems.append(f"{where}: column '{_one_line(text[:40])}' appears twice")
        else:
            positions[name] = index
    for name in COLUMNS:
        if name not in positions:
            problems.append(f"{_place(sheet, row.number, None, 'header')}: the column "
                            f"'{name}' is missing")
    if problems:
        raise ValidationError(f"{source}: the header row has problems; nothing was imported",
                              problems)
    return positions


def _parse_planned(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a whole number")
    text = cell_text(value)[:40]
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a whole number") from None
    if not number.is_integer():
        raise ValueError(f"{text} is not a whole number")
    if not 0 <= number <= PLANNED_AUDITS_MAX:
        raise ValueError(f"{text} audits planned: a line plans from 0 to "
                         f"{PLANNED_AUDITS_MAX:,}")
    return int(number)


def _parse_name(value: Any) -> str:
    text = cell_text(value)
    problem = length_problem("the value", text, NAME_CHARS)
    if problem:
        raise ValueError(problem)
    return text


_PARSERS: dict[str, Any] = {
    "period start": parse_sheet_date,
    "period end": parse_sheet_date,
    "team": _parse_name,
    "template key": _parse_name,
    "planned": _parse_planned,
}


@dataclass
class _ProgrammeReader:
    """Checks the rows of a programme one at a time, keeping the lines they set."""

    positions: dict[str, int]
    templates: set[str]
    stored: list[PlannedLine]
    problems: Problems = field(default_factory=Problems)
    lines: dict[tuple[date, date, str, str], tuple[PlannedLine, int]] = field(
        default_factory=dict)

    def read(self, sheet: str, row: SheetRow) -> None:
        parsed: dict[str, Any] = {}
        for name, parse in _PARSERS.items():
            index = self.positions[name]
            value = row.cells[index] if index < len(row.cells) else None
            where = _place(sheet, row.number, index, name)
            if cell_text(value) == "":
                self.problems.add(f"{where}: missing {name}")
                continue
            try:
                parsed[name] = parse(value)
            except ValueError as exc:
                self.problems.add(f"{where}: {_one_line(str(exc))}")
        if len(parsed) < len(_PARSERS):
            return
        line = PlannedLine(parsed["period start"], parsed["period end"], parsed["team"],
                           parsed["template key"], parsed["planned"])
        for name, problem in line_problems(line):
            self.problems.add(f"{_place(sheet, row.number, self.positions[name], name)}: "
                              f"{problem}")
            return
        self._check_against_others(sheet, row.number, line)

    def _check_against_others(self, sheet: str, number: int, line: PlannedLine) -> None:
        def where(name: str) -> str:
            return _place(sheet, number, self.positions[name], name)
        if line.template_key not in self.templates:
            self.problems.add(f"{where('template key')}: no template with id "
                              f"'{_one_line(line.template_key[:40])}'")
            return
        if line.key in self.lines:
            self.problems.add(f"{where('period start')}: the same period, team and template "
                              f"as row {self.lines[line.key][1]}")
            return
        clash = next(((other, row) for other, row in self.lines.values()
                      if line.overlaps(other)), None)
        if clash is not None:
            self.problems.add(f"{where('period start')}: {line.period_text()} overlaps "
                              f"{clash[0].period_text()} on row {clash[1]} for the same team "
                              "and template")
            return
        stored = next((other for other in self.stored if line.overlaps(other)), None)
        if stored is not None:
            self.problems.add(f"{where('period start')}: {line.period_text()} overlaps "
                              f"{stored.period_text()}, already in the programme for the same "
                              "team and template (remove that line first)")
            return
        self.lines[line.key] = (line, number)


def read_programme(path: Path, templates: set[str], stored: Iterable[PlannedLine] = ()
                   ) -> Iterator[int | list[PlannedLine]]:
    """Read and check every row of a programme sheet against the known template keys and
    the lines already stored: yields the number of rows read every
    :data:`PROGRESS_ROWS`, then the lines. Any problem raises, naming the file and the
    sheet and cell (or the row and column); the first
    :data:`~auditapp.rules.limits.PROBLEMS_SHOWN` are listed, the rest counted."""
    source = path.name
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    rows = ((sheet, row) for sheet, row in _rows(path, source)
            if any(cell_text(c) for c in row.cells))
    first = next(rows, None)
    if first is None:
        raise UserError(f"{source} is empty: it has no header row")
    reader = _ProgrammeReader(_map_header(*first, source), templates, list(stored))
    for count, (sheet, row) in enumerate(rows, start=1):
        reader.read(sheet, row)
        if count % PROGRESS_ROWS == 0:
            yield count
    if reader.problems:
        raise ValidationError(f"{reader.problems.summary(source)}; nothing was imported",
                              reader.problems.listed, reader.problems.more)
    if not reader.lines:
        raise UserError(f"{source} has a header but no lines")
    yield [line for line, _row in reader.lines.values()]


def import_programme_steps(db: Database, path: Path, actor: Actor
                           ) -> Iterator[tuple[int, int] | ProgrammeImportResult]:
    """Import a programme sheet, all lines or none: yields ``(rows read, 0)`` as it reads
    (the total is not known until the end), then the :class:`ProgrammeImportResult`.
    Closing the generator before the end imports nothing."""
    require(actor, Permission.PLAN_AUDITS)
    with db.transaction() as session:
        templates = _template_keys(session)
        stored = _stored_lines(session)
    lines: list[PlannedLine] = []
    for step in read_programme(path, templates, stored):
        if isinstance(step, int):
            yield step, 0
        else:
            lines = step
    added = 0
    with db.transaction() as session:
        if sorted(_stored_lines(session)) != sorted(stored):
            raise UserError("The programme changed while the sheet was read; nothing was "
                            "imported. Import it again.")
        for line in lines:
            added += _store(session, line)
    yield ProgrammeImportResult(len(lines), added, len(lines) - added)


def import_programme(db: Database, path: Path, actor: Actor) -> ProgrammeImportResult:
    """Import a programme sheet, all lines or none (see :func:`import_programme_steps`)."""
    result = None
    for step in import_programme_steps(db, path, actor):
        result = step
    assert isinstance(result, ProgrammeImportResult)
    return result
