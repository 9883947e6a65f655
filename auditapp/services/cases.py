"""Cases (the young people's files, by pseudonymous reference) and importing a sample of them."""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from auditapp.errors import PermissionDeniedError, UserError, ValidationError
from auditapp.models import Audit, CareLeaverCategory, Case, Role
from auditapp.rules.permissions import Actor, Permission, require
from auditapp.services.audits.editing import add_audit
from auditapp.storage.engine import Database

REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$")
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


def parse_category(text: str) -> CareLeaverCategory:
    """A care leaver category from its name, forgiving case, hyphens and spaces."""
    wanted = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    for category in CareLeaverCategory:
        if category.value == wanted:
            return category
    known = ", ".join(c.value for c in CareLeaverCategory)
    raise ValueError(f"unknown category '{text}' (expected one of: {known})")


def check_reference(text: str) -> str:
    """A case reference, checked: short, no spaces, so that a name is not typed by mistake."""
    reference = text.strip()
    if not REFERENCE_PATTERN.match(reference):
        raise ValueError(
            f"'{reference}' is not a case reference (letters, digits, '/', '_', '.', '-', "
            "no spaces, at most 40; use the pseudonymous reference, never a name)"
        )
    return reference


def _upsert_case(session: Session, case: CaseInput, actor: Actor) -> tuple[Case, bool]:
    """Create the case, or update the one with its reference. Recording a case is part of
    starting an audit; changing the details of a case others audit is a practice lead's."""
    require(actor, Permission.START_AUDIT)
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


@dataclass(frozen=True)
class _SheetRow:
    number: int
    values: dict[str, Any]  # field -> raw cell value


def _read_rows(path: Path) -> list[tuple[int, list[Any]]]:
    """The numbered rows of a .csv file or of the first sheet of a .xlsx workbook."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return [(n, list(r)) for n, r in enumerate(csv.reader(handle), start=1)]
    if suffix in {".xlsx", ".xlsm"}:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return [(n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), 1)]
        finally:
            workbook.close()
    raise UserError(f"{path.name}: cases can be imported from .xlsx or .csv files only")


def _map_header(number: int, cells: list[Any], source: str) -> dict[str, int]:
    header = [_text(c) for c in cells]
    by_name = {alias: field for field, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    problems: list[str] = []
    for index, name in enumerate(header):
        field = by_name.get(" ".join(name.lower().split()))
        if field is None:
            if name:
                problems.append(f"row {number}, column {get_column_letter(index + 1)}: unknown "
                                f"column '{name}' (expected: {', '.join(COLUMNS)})")
        elif field in positions:
            problems.append(f"row {number}, column {get_column_letter(index + 1)}: column "
                            f"'{name}' appears twice")
        else:
            positions[field] = index
    for field in REQUIRED_COLUMNS:
        if field not in positions:
            problems.append(f"row {number}: the required column '{field}' is missing")
    if problems:
        raise ValidationError(f"{source}: the header row has problems; nothing was imported",
                              problems)
    return positions


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def _parse_flag(value: Any) -> bool:
    text = "" if value is None else str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"'{value}' is not yes or no")


def _parse_age(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError(f"'{value}' is not a whole number") from None
    if not number.is_integer() or not MIN_AGE <= number <= MAX_AGE:
        raise ValueError(f"{value} is not an age from {MIN_AGE} to {MAX_AGE}")
    return int(number)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@dataclass(frozen=True)
class _PlannedAudit:
    case: CaseInput
    audit_date: date
    auditor: str


def _parse_row(row: _SheetRow, positions: dict[str, int], default_date: date,
               default_auditor: str, problems: list[str]) -> _PlannedAudit | None:
    parsed: dict[str, Any] = {}
    parsers: dict[str, Any] = {
        "reference": lambda v: check_reference(_text(v)),
        "category": lambda v: parse_category(_text(v)),
        "uasc": _parse_flag,
        "age": _parse_age,
        "team": _text,
        "worker": _text,
        "audit_date": lambda v: default_date if v in (None, "") else _parse_date(v),
        "auditor": lambda v: _text(v) or default_auditor,
    }
    for field, parse in parsers.items():
        value = row.values.get(field)
        where = f"row {row.number}, column {get_column_letter(positions[field] + 1)} ({field})" \
            if field in positions else f"row {row.number} ({field})"
        if field in REQUIRED_COLUMNS and _text(value) == "":
            problems.append(f"{where}: missing {field}")
            continue
        try:
            parsed[field] = parse(value)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
    if not parsed.get("auditor") and "reference" in parsed:
        problems.append(f"row {row.number} (auditor): no auditor given (add an 'auditor' "
                        "column or name one for the whole import)")
    if len(parsed) < len(parsers) or not parsed.get("auditor"):
        return None
    case = CaseInput(parsed["reference"], parsed["category"], parsed["uasc"], parsed["age"],
                     parsed["team"], parsed["worker"])
    return _PlannedAudit(case, parsed["audit_date"], parsed["auditor"])


def read_case_sample(path: Path, default_date: date, default_auditor: str = ""
                     ) -> list[_PlannedAudit]:
    """Read and check every row of a sample file; any problem raises, naming row and column."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        rows = [(n, cells) for n, cells in _read_rows(path) if any(_text(c) for c in cells)]
    except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise UserError(f"{path.name} cannot be read as a spreadsheet: {exc}") from exc
    if not rows:
        raise UserError(f"{path.name} is empty: it has no header row")
    positions = _map_header(*rows[0], path.name)
    planned: list[_PlannedAudit] = []
    problems: list[str] = []
    first_row: dict[str, int] = {}
    for number, cells in rows[1:]:
        values = {f: cells[i] if i < len(cells) else None for f, i in positions.items()}
        row = _SheetRow(number, values)
        plan = _parse_row(row, positions, default_date, default_auditor, problems)
        if plan is None:
            continue
        reference = plan.case.reference
        if reference in first_row:
            problems.append(f"row {number}, column "
                            f"{get_column_letter(positions['reference'] + 1)} (reference): "
                            f"'{reference}' is already on row {first_row[reference]}")
            continue
        first_row[reference] = number
        planned.append(plan)
    if problems:
        count = len(problems)
        raise ValidationError(
            f"{path.name}: {count} problem{'s' if count > 1 else ''}; nothing was imported",
            problems)
    if not planned:
        raise UserError(f"{path.name} has a header but no cases")
    return planned


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
