"""Importing an audit programme from a sheet (.xlsx or .csv), all lines or none.

Columns (any order, any case): period start, period end, team, template key, planned. The
sheet is read a row at a time within limits (:mod:`auditapp.inputs.sheets`), as a case
sample is; every problem is located by sheet and cell (a workbook) or by row and column (a
CSV file), the first :data:`~auditapp.rules.limits.PROBLEMS_SHOWN` listed and the rest
counted, and nothing is imported unless every row is good. Kept apart from
:mod:`auditapp.services.programme` so that listing the programme loads no spreadsheet reader.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from auditapp.errors import UserError, ValidationError
from auditapp.inputs.sheets import SheetRow, column_letter, first_sheet_rows
from auditapp.rules.limits import (
    NAME_CHARS,
    PLANNED_AUDITS_MAX,
    PROGRAMME_FILE_BYTES,
    PROGRAMME_ROWS,
    Problems,
    length_problem,
)
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.cases import cell_text, parse_sheet_date
from auditapp.services.programme import (
    PlannedLine,
    line_problems,
    store_lines,
    stored_lines,
    template_keys,
)
from auditapp.storage.engine import Database


@dataclass(frozen=True)
class ProgrammeImportResult:
    """What an import did."""

    lines: int
    added: int
    replaced: int


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


class _Periods:
    """The periods already taken by each team and template, kept sorted by start. Periods
    held never overlap, so a new one overlaps some held period only if it overlaps the one
    just before where it would go or the one just after: two look-ups, whatever the count
    (checking every pair took 23 s for 10,000 rows)."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str], list[tuple[date, date, int]]] = defaultdict(list)

    def clash(self, line: PlannedLine) -> tuple[date, date, int] | None:
        """The held period ``line`` overlaps (with the row it came from), if any; a period
        the same as ``line``'s is not a clash (the line replaces it)."""
        held = self._held[(line.team, line.template_key)]
        index = bisect_left(held, (line.date_from,))
        for neighbour in held[max(index - 1, 0):index + 1]:
            start, end, _row = neighbour
            if (start, end) != (line.date_from, line.date_to) and \
                    start <= line.date_to and line.date_from <= end:
                return neighbour
        return None

    def add(self, line: PlannedLine, row: int = 0) -> None:
        """Hold ``line``'s period (it overlaps none held)."""
        insort(self._held[(line.team, line.template_key)], (line.date_from, line.date_to, row))


@dataclass
class _ProgrammeReader:
    """Checks the rows of a programme one at a time, keeping the lines they set."""

    positions: dict[str, int]
    templates: set[str]
    stored: _Periods
    problems: Problems = field(default_factory=Problems)
    lines: dict[tuple[date, date, str, str], tuple[PlannedLine, int]] = field(
        default_factory=dict)
    taken: _Periods = field(default_factory=_Periods)

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
        clash = self.taken.clash(line)
        if clash is not None:
            self.problems.add(f"{where('period start')}: {line.period_text()} overlaps "
                              f"{_period(clash)} on row {clash[2]} for the same team and "
                              "template")
            return
        stored = self.stored.clash(line)
        if stored is not None:
            self.problems.add(f"{where('period start')}: {line.period_text()} overlaps "
                              f"{_period(stored)}, already in the programme for the same "
                              "team and template (remove that line first)")
            return
        self.lines[line.key] = (line, number)
        self.taken.add(line, number)


def _period(held: tuple[date, date, int]) -> str:
    return f"{held[0].isoformat()} to {held[1].isoformat()}"


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
    read = first_sheet_rows(path, source, "a programme", PROGRAMME_FILE_BYTES, PROGRAMME_ROWS)
    rows = ((sheet, row) for sheet, row in read if any(cell_text(c) for c in row.cells))
    first = next(rows, None)
    if first is None:
        raise UserError(f"{source} is empty: it has no header row")
    held = _Periods()
    for line in stored:
        held.add(line)
    reader = _ProgrammeReader(_map_header(*first, source), templates, held)
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
        templates = template_keys(session)
        stored = stored_lines(session)
    lines: list[PlannedLine] = []
    for step in read_programme(path, templates, stored):
        if isinstance(step, int):
            yield step, 0
        else:
            lines = step
    with db.transaction() as session:
        if sorted(stored_lines(session)) != sorted(stored):
            raise UserError("The programme changed while the sheet was read; nothing was "
                            "imported. Import it again.")
        added = store_lines(session, lines)
    yield ProgrammeImportResult(len(lines), added, len(lines) - added)


def import_programme(db: Database, path: Path, actor: Actor) -> ProgrammeImportResult:
    """Import a programme sheet, all lines or none (see :func:`import_programme_steps`)."""
    result = None
    for step in import_programme_steps(db, path, actor):
        result = step
    assert isinstance(result, ProgrammeImportResult)
    return result
