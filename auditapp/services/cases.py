"""Cases (the young people's files, by pseudonymous reference) and importing a sample of them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditapp.errors import PermissionDeniedError, UserError, ValidationError
from auditapp.inputs.sheets import SheetRow, column_letter, first_sheet_rows
from auditapp.models import Audit, CareLeaverCategory, Case, Role
from auditapp.rules.limits import (
    IMPORT_CASES,
    NAME_CHARS,
    REFERENCE_CHARS,
    SAMPLE_FILE_BYTES,
    SAMPLE_ROWS,
    Problems,
    date_problem,
    length_problem,
)
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.audits.editing import add_audit
from auditapp.storage.engine import Database

REFERENCE_PATTERN = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9/_.-]{{0,{REFERENCE_CHARS - 1}}}$")
MIN_AGE, MAX_AGE = 16, 25
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}

#: Import columns: the header a sheet uses (any of the names, any case) -> field.
COLUMNS: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "case reference", "case ref", "ref"),
    "category": ("category", "care leaver category", "legal status"),
    "uasc": ("uasc", "unaccompanied", "unaccompanied asylum-seeking"),
    "age": ("age", "age at audit"),
    "team": ("team",),
    "worker": ("worker", "social worker", "personal adviser", "pa"),
    "audit_date": ("audit date", "audit_date", "date"),
    "auditor": ("auditor",),
}
REQUIRED_COLUMNS = ("reference", "category")


@dataclass(frozen=True)
class CaseInput:
    """A case as a user enters or imports it."""

    reference: str
    category: CareLeaverCategory
    uasc: bool = False
    age_at_audit: int | None = None
    team: str = ""
    worker: str = ""


@dataclass(frozen=True)
class CaseRow:
    """A case as lists show it."""

    id: int
    reference: str
    category: str
    uasc: bool
    age_at_audit: int | None
    team: str
    worker: str


@dataclass(frozen=True)
class CaseImportResult:
    """What a case import did."""

    rows: int
    cases_created: int
    cases_updated: int
    audits_created: int


def _shown(text: str, limit: int = 60) -> str:
    """A value as a message quotes it: cut short when long."""
    return text if len(text) <= limit else text[:limit] + "..."


_CATEGORIES = {category.value: category for category in CareLeaverCategory}


def parse_category(text: str) -> CareLeaverCategory:
    """A care leaver category from its name, forgiving case, hyphens and spaces."""
    category = _CATEGORIES.get(text)  # as a sample writes it, most of the time
    if category is not None:
        return category
    wanted = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    if wanted in _CATEGORIES:
        return _CATEGORIES[wanted]
    known = ", ".join(c.value for c in CareLeaverCategory)
    raise ValueError(f"unknown category '{_shown(text)}' (expected one of: {known})")


def check_reference(text: str) -> str:
    """A case reference, checked: short, no spaces, so that a name is not typed by mistake."""
    reference = text.strip()
    if not REFERENCE_PATTERN.fullmatch(reference):
        raise ValueError(
            f"'{_shown(reference)}' is not a case reference (letters, digits, '/', '_', '.', "
            f"'-', no spaces, at most {REFERENCE_CHARS}; use the pseudonymous reference, "
            "never a name)"
        )
    return reference


def check_case(case: CaseInput) -> None:
    """Refuse a case whose reference, team or worker the database cannot hold."""
    try:
        check_reference(case.reference)
    except ValueError as exc:
        raise UserError(f"The case reference {exc}.") from None
    if case.age_at_audit is not None and not MIN_AGE <= case.age_at_audit <= MAX_AGE:
        raise UserError(f"An age at audit is from {MIN_AGE} to {MAX_AGE}.")
    for what, value in (("The team", case.team), ("The worker's name", case.worker)):
        problem = length_problem(what, value, NAME_CHARS)
        if problem:
            raise UserError(problem + ".")


def _upsert_case(session: Session, case: CaseInput, actor: Actor) -> tuple[Case, bool]:
    """Create the case, or update the one with its reference. Recording a case is part of
    starting an audit; changing the details of a case others audit is a practice lead's."""
    require(actor, Permission.START_AUDIT)
    check_case(case)
    existing = session.scalar(select(Case).where(Case.reference == case.reference))
    if existing is not None and actor.role != Role.PRACTICE_LEAD and session.scalar(
            select(Audit.id).where(Audit.case_id == existing.id,
                                   Audit.auditor_id != actor.id).limit(1)) is not None:
        raise PermissionDeniedError(
            f"{actor.name} ({actor.role.value}) may not change case {existing.reference}: "
            "others audit it too, so only a practice lead may.")
    if existing is None:
        existing = Case(reference=case.reference)
        session.add(existing)
        created = True
    else:
        created = False
    existing.category = case.category
    existing.uasc = case.uasc
    existing.age_at_audit = case.age_at_audit
    existing.team = case.team
    existing.worker = case.worker
    session.flush()
    return existing, created


def save_case(db: Database, case: CaseInput, actor: Actor) -> int:
    """Create a case, or update the one with the same reference; returns its id. Anyone who
    may start audits may record a case; only a practice lead may change the details of a
    case someone else audits."""
    with db.transaction() as session:
        return _upsert_case(session, case, actor)[0].id


def start_audit_for_new_case(db: Database, case: CaseInput, template_id: int, auditor: str,
                             audit_date: date, actor: Actor) -> int:
    """Save a case (created, or updated by its reference) and start a draft audit of it, in
    one transaction: if the audit is refused, the case is not saved either. Returns the
    audit's id."""
    with db.transaction() as session:
        saved, _created = _upsert_case(session, case, actor)
        return add_audit(session, saved.id, template_id, auditor, audit_date, actor)


def list_cases(db: Database) -> list[CaseRow]:
    """Every case, by reference."""
    with db.transaction() as session:
        return [
            CaseRow(c.id, c.reference, c.category.value, c.uasc, c.age_at_audit, c.team, c.worker)
            for c in session.scalars(select(Case).order_by(Case.reference))
        ]


# --- importing a sample ----------------------------------------------------------------------


def _map_header(row: SheetRow, source: str) -> dict[str, int]:
    header = [cell_text(c) for c in row.cells]
    by_name = {alias: field for field, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    problems: list[str] = []
    for index, name in enumerate(header):
        field = by_name.get(" ".join(name.lower().split()))
        where = f"row {row.number}, column {column_letter(index + 1)}"
        if field is None:
            if name:
                problems.append(f"{where}: unknown column '{name[:40]}' "
                                f"(expected: {', '.join(COLUMNS)})")
        elif field in positions:
            problems.append(f"{where}: column '{name}' appears twice")
        else:
            positions[field] = index
    for field in REQUIRED_COLUMNS:
        if field not in positions:
            problems.append(f"row {row.number}: the required column '{field}' is missing")
    if problems:
        raise ValidationError(f"{source}: the header row has problems; nothing was imported",
                              problems)
    return positions


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y")


def _date_from_text(text: str) -> date:
    iso = _ISO_DATE.fullmatch(text)
    if iso:  # without strptime, which took a third of the time of reading a sample
        try:
            return date(*map(int, iso.groups()))
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text[:40]}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def parse_sheet_date(value: Any) -> date:
    """A date from a cell: a date or datetime value, or text as YYYY-MM-DD or DD/MM/YYYY,
    within the dates auditapp takes; ValueError saying why not."""
    if isinstance(value, datetime):
        value = value.date()
    parsed = value if isinstance(value, date) else _date_from_text(str(value).strip())
    problem = date_problem("the date", parsed)
    if problem:
        raise ValueError(problem)
    return parsed


def _parse_flag(value: Any) -> bool:
    text = "" if value is None else str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"'{str(value)[:40]}' is not yes or no")


def _parse_age(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is not a whole number")
    try:
        number = float(str(value).strip()[:40])
    except ValueError:
        raise ValueError(f"'{str(value)[:40]}' is not a whole number") from None
    if not number.is_integer() or not MIN_AGE <= number <= MAX_AGE:
        raise ValueError(f"{str(value)[:40]} is not an age from {MIN_AGE} to {MAX_AGE}")
    return int(number)


def cell_text(value: Any) -> str:
    """A cell's value as text, trimmed (a whole float without its ".0")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _name(what: str) -> Any:
    """A parser of a name column (team, worker, auditor): text of at most NAME_CHARS."""
    def parse(value: Any) -> str:
        text = cell_text(value)
        problem = length_problem(f"the {what}", text, NAME_CHARS)
        if problem:
            raise ValueError(problem)
        return text
    return parse


@dataclass(frozen=True)
class _PlannedAudit:
    case: CaseInput
    audit_date: date
    auditor: str


_PARSERS: dict[str, Any] = {
    "reference": lambda v: check_reference(cell_text(v)),
    "category": lambda v: parse_category(cell_text(v)),
    "uasc": _parse_flag,
    "age": _parse_age,
    "team": _name("team"),
    "worker": _name("worker"),
    "audit_date": parse_sheet_date,
    "auditor": _name("auditor"),
}


@dataclass
class _SampleReader:
    """Checks the rows of a sample one at a time, keeping what each will import."""

    source: str
    positions: dict[str, int]
    default_date: date
    default_auditor: str
    problems: Problems = field(default_factory=Problems)
    planned: list[_PlannedAudit] = field(default_factory=list)
    first_row: dict[str, int] = field(default_factory=dict)

    def _where(self, number: int, name: str) -> str:
        if name in self.positions:
            return f"row {number}, column {column_letter(self.positions[name] + 1)} ({name})"
        return f"row {number} ({name})"

    def read(self, row: SheetRow) -> None:
        parsed: dict[str, Any] = {}
        for name, parse in _PARSERS.items():
            index = self.positions.get(name)
            value = row.cells[index] if index is not None and index < len(row.cells) else None
            if name in REQUIRED_COLUMNS and cell_text(value) == "":
                self.problems.add(f"{self._where(row.number, name)}: missing {name}")
                continue
            if name == "audit_date" and value in (None, ""):
                parsed[name] = self.default_date
                continue
            try:
                parsed[name] = parse(value)
            except ValueError as exc:
                self.problems.add(f"{self._where(row.number, name)}: {exc}")
        auditor = parsed.get("auditor") or self.default_auditor
        if not auditor and "reference" in parsed:
            self.problems.add(f"row {row.number} (auditor): no auditor given (add an 'auditor' "
                              "column or name one for the whole import)")
        if len(parsed) < len(_PARSERS) or not auditor:
            return
        reference = parsed["reference"]
        if reference in self.first_row:
            self.problems.add(f"{self._where(row.number, 'reference')}: '{reference}' is "
                              f"already on row {self.first_row[reference]}")
            return
        self.first_row[reference] = row.number
        case = CaseInput(reference, parsed["category"], parsed["uasc"], parsed["age"],
                         parsed["team"], parsed["worker"])
        self.planned.append(_PlannedAudit(case, parsed["audit_date"], auditor))


def read_case_sample(path: Path, default_date: date, default_auditor: str = ""
                     ) -> list[_PlannedAudit]:
    """Read and check every row of a sample file; any problem raises, naming the file, the
    row and the column (the first :data:`~auditapp.rules.limits.PROBLEMS_SHOWN` listed, the
    rest counted)."""
    source = path.name
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    default_problem = date_problem("--date", default_date) or length_problem(
        "the auditor", default_auditor, NAME_CHARS)
    if default_problem:
        raise UserError(default_problem)
    rows = (row for _sheet, row in first_sheet_rows(path, source, "a case sample",
                                                    SAMPLE_FILE_BYTES, SAMPLE_ROWS)
            if any(cell_text(c) for c in row.cells))
    header = next(rows, None)
    if header is None:
        raise UserError(f"{source} is empty: it has no header row")
    reader = _SampleReader(source, _map_header(header, source), default_date,
                           default_auditor.strip())
    for row in rows:
        reader.read(row)
    if reader.problems:
        raise ValidationError(f"{reader.problems.summary(source)}; nothing was imported",
                              reader.problems.listed, reader.problems.more)
    if not reader.planned:
        raise UserError(f"{source} has a header but no cases")
    if len(reader.planned) > IMPORT_CASES:
        raise UserError(f"{source} holds {len(reader.planned):,} cases; one import may add at "
                        f"most {IMPORT_CASES:,}. Split the sample; nothing was imported.")
    return reader.planned


def import_cases(db: Database, path: Path, template_id: int, actor: Actor,
                 default_auditor: str = "", default_date: date | None = None
                 ) -> CaseImportResult:
    """Create the cases of a sample file and a draft audit of each; all rows or none."""
    require(actor, Permission.IMPORT_CASES)
    planned = read_case_sample(path, default_date or date.today(), default_auditor)
    created = updated = 0
    with db.transaction() as session:
        for plan in planned:
            case, is_new = _upsert_case(session, plan.case, actor)
            created += is_new
            updated += not is_new
            add_audit(session, case.id, template_id, plan.auditor, plan.audit_date, actor)
    return CaseImportResult(len(planned), created, updated, len(planned))
