"""Checklist templates authored in Excel, in the style of spreadsheet form tools (XLSForm).

A workbook has up to three sheets, each with a header row:

``settings`` (one row)
    ``id``, ``title``, ``description``, ``good``, ``requires_improvement``
``checklist`` (one row per section or question, in order)
    ``type`` (``section`` or ``question``), ``id``, ``text`` (a section's title or a
    question's text), ``description`` (sections), ``guidance`` (questions), ``critical``,
    ``limiting``, ``applies_when``, ``scale``, ``evidence_required``, ``tags``; a question
    belongs to the section row above it. Lists are comma-separated; flags are yes/no.
``scales`` (optional; one row per answer option)
    ``scale``, ``code``, ``label``, ``score``
``indicators`` (optional; one row per indicator)
    ``id``, ``title``, ``kind``, ``question``, ``counts``, ``categories``, ``uasc`` (yes, no
    or blank for everyone), ``ages``, ``target``, ``min_n``

The rows become the same data as a YAML template and pass through the same validation, so
the rules and messages are the same; each problem names the sheet, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from auditapp.checklists.format import TemplateSpec, validate_template
from auditapp.errors import ValidationError
from auditapp.inputs.sheets import SheetError, Workbook, column_letter
from auditapp.rules.cells import cell_texts
from auditapp.rules.limits import TEMPLATE_SHEET_ROWS, Problems

SETTINGS_COLUMNS = ("id", "title", "description", "good", "requires_improvement")
CHECKLIST_COLUMNS = ("type", "id", "text", "description", "guidance", "critical", "limiting",
                     "applies_when", "scale", "evidence_required", "tags")
SCALE_COLUMNS = ("scale", "code", "label", "score")
INDICATOR_COLUMNS = ("id", "title", "kind", "question", "counts", "categories", "uasc", "ages",
                     "target", "min_n")
#: Indicator columns that go under the indicator's ``eligible``.
ELIGIBLE_COLUMNS = ("categories", "uasc", "ages")
FLAG_WORDS = {"yes": True, "y": True, "true": True, "1": True,
              "no": False, "n": False, "false": False, "0": False}
#: Which checklist column feeds which field of a section or a question.
SECTION_FIELDS = {"id": "id", "text": "title", "description": "description",
                  "limiting": "limiting", "applies_when": "applies_when", "tags": "tags"}
QUESTION_FIELDS = {"id": "id", "text": "text", "guidance": "guidance", "critical": "critical",
                   "scale": "scale", "evidence_required": "evidence_required", "tags": "tags"}


@dataclass
class _Located:
    """Template data built from rows, and where each value came from."""

    source: str
    data: dict[str, Any] = field(default_factory=dict)
    cells: dict[tuple[Any, ...], str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def locate(self, path: tuple[Any, ...]) -> str:
        while path not in self.cells and path:
            path = path[:-1]
        return f"{self.source} {self.cells.get(path, '')}".rstrip()


LIST_COLUMNS = ("tags", "evidence_required", "counts", "categories", "ages")
NUMBER_COLUMNS = ("score", "good", "requires_improvement", "target", "min_n")
FLAG_COLUMNS = ("critical", "limiting", "uasc")


def _cell_value(value: Any, column: str) -> Any:
    """A cell as template data: flags from yes/no, lists from commas, blanks dropped, text
    trimmed."""
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
        if column in FLAG_COLUMNS and value.lower() in FLAG_WORDS:
            return FLAG_WORDS[value.lower()]
        if column in LIST_COLUMNS:
            return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int | float) and not isinstance(value, bool) \
            and column not in NUMBER_COLUMNS:  # an id typed as 3 in Excel is the text "3"
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        return [text] if column in LIST_COLUMNS else text
    return value


Rows = list[tuple[int, dict[str, tuple[Any, str]]]]


def _rows(book: Workbook, sheet: str | None, columns: tuple[str, ...], located: _Located
          ) -> Rows:
    """Numbered rows of a sheet as {column: (value, cell reference)}; header checked."""
    if sheet is None:
        return []
    rows = book.rows(sheet, TEMPLATE_SHEET_ROWS)
    first = next(rows, None)
    if first is None:
        return []
    header = [str(c).strip().lower() if c is not None else "" for c in first.cells]
    for index, name in enumerate(header):
        if name and name not in columns:
            located.problems.append(
                f"{located.source} {sheet}!{column_letter(index + 1)}{first.number}: unknown "
                f"column '{name[:40]}' (expected: {', '.join(columns)})")
    result = []
    for row in rows:
        values = {}
        for index, name in enumerate(header):
            if name in columns and index < len(row.cells):
                value = _cell_value(row.cells[index], name)
                if value is not None:
                    values[name] = (value, f"{sheet}!{column_letter(index + 1)}{row.number}")
        if values:
            result.append((row.number, values))
    return result


def _read_settings(rows: Rows, sheet: str | None, located: _Located) -> None:
    if sheet is None:
        located.problems.append(f"{located.source}: the workbook has no 'settings' sheet")
        return
    if not rows:
        located.problems.append(f"{located.source} {sheet}!A2: the settings row is empty")
        return
    number, values = rows[0]
    located.cells[()] = f"{sheet}!A{number}"
    for name, (value, cell) in values.items():
        if name in ("good", "requires_improvement"):
            located.data.setdefault("grading", {})[name] = value
            located.cells[("grading", name)] = cell
            located.cells.setdefault(("grading",), cell)
        else:
            located.data[name] = value
            located.cells[(name,)] = cell


def _read_scales(rows: Rows, located: _Located) -> None:
    scales: dict[str, list[dict[str, Any]]] = {}
    for _number, values in rows:
        name = str(values.get("scale", ("", ""))[0])
        options = scales.setdefault(name, [])
        path = ("scales", name, len(options))
        options.append({k: v for k, (v, _c) in values.items() if k != "scale"})
        for key, (_v, cell) in values.items():
            located.cells[(*path, key)] = cell
        located.cells.setdefault(("scales", name), values.get("scale", ("", ""))[1])
    if scales:
        located.data["scales"] = scales


def _read_indicators(rows: Rows, located: _Located) -> None:
    indicators: list[dict[str, Any]] = []
    for _number, values in rows:
        path: tuple[Any, ...] = ("indicators", len(indicators))
        indicator: dict[str, Any] = {}
        for name, (value, cell) in values.items():
            where = (*path, "eligible", name) if name in ELIGIBLE_COLUMNS else (*path, name)
            target = indicator.setdefault("eligible", {}) if name in ELIGIBLE_COLUMNS \
                else indicator
            target[name] = value
            located.cells[where] = cell
            located.cells.setdefault(where[:-1], cell)
        indicators.append(indicator)
    if indicators:
        located.data["indicators"] = indicators


def _read_checklist(rows: Rows, sheet: str | None, located: _Located) -> None:
    if sheet is None:
        located.problems.append(f"{located.source}: the workbook has no 'checklist' sheet")
        return
    sections: list[dict[str, Any]] = []
    for number, values in rows:
        kind = str(values.get("type", ("", ""))[0]).lower()
        if kind == "section":
            path: tuple[Any, ...] = ("sections", len(sections))
            section: dict[str, Any] = {"questions": []}
            _copy(values, SECTION_FIELDS, section, path, located)
            located.cells[path] = f"{sheet}!A{number}"
            located.cells[(*path, "questions")] = f"{sheet}!A{number}"
            sections.append(section)
        elif kind == "question":
            if not sections:
                located.problems.append(f"{located.source} {sheet}!A{number}: a question "
                                        "comes before any section")
                continue
            questions = sections[-1]["questions"]
            path = ("sections", len(sections) - 1, "questions", len(questions))
            question: dict[str, Any] = {}
            _copy(values, QUESTION_FIELDS, question, path, located)
            located.cells[path] = f"{sheet}!A{number}"
            questions.append(question)
        else:
            located.problems.append(f"{located.source} {sheet}!A{number}: type must be "
                                    f"'section' or 'question', not '{kind[:40] or 'blank'}'")
    located.data["sections"] = sections
    located.cells[("sections",)] = f"{sheet}!A1"


def _copy(values: dict[str, tuple[Any, str]], fields: dict[str, str], target: dict[str, Any],
          path: tuple[Any, ...], located: _Located) -> None:
    for column, (value, cell) in values.items():
        if column == "type":
            continue
        name = fields.get(column)
        if name is None:
            located.problems.append(f"{located.source} {cell}: '{column}' does not apply to "
                                    f"a {'section' if 'questions' in target else 'question'}")
            continue
        target[name] = value
        located.cells[(*path, name)] = cell


def load_template_workbook(path: Path) -> TemplateSpec:
    """Read and validate a template workbook; every problem names sheet, row and column."""
    source = path.name
    located = _Located(source)
    try:
        with Workbook(path, source) as book:
            sheets = {name.lower(): name for name in book.sheet_names}
            settings, scales, checklist, indicators = (
                sheets.get(n) for n in ("settings", "scales", "checklist", "indicators"))
            _read_settings(_rows(book, settings, SETTINGS_COLUMNS, located), settings, located)
            _read_scales(_rows(book, scales, SCALE_COLUMNS, located), located)
            _read_checklist(_rows(book, checklist, CHECKLIST_COLUMNS, located), checklist,
                            located)
            _read_indicators(_rows(book, indicators, INDICATOR_COLUMNS, located), located)
    except SheetError as exc:
        raise ValidationError(f"{source} cannot be read as an Excel workbook",
                              [str(exc)]) from None
    try:
        spec = validate_template(located.data, located.locate, source)
    except ValidationError as exc:
        problems = Problems()
        problems.extend(located.problems + exc.problems)
        problems.more += exc.more
        raise ValidationError(f"{problems.summary(source)} in the template", problems.listed,
                              problems.more) from None
    if located.problems:
        problems = Problems()
        problems.extend(located.problems)
        raise ValidationError(f"{problems.summary(source)} in the template", problems.listed,
                              problems.more)
    return spec


# --- writing ---------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5FA8")
SECTION_FILL = PatternFill("solid", fgColor="DCE6F1")


def _append(sheet: Worksheet, values: list[Any], row: int | None = None) -> int:
    """Add a row (below the last, unless ``row`` says where); text goes in through the one
    rule for cells (never a formula; a text longer than a cell holds is cut with a marker
    saying so). Returns the row's number."""
    row = row or sheet.max_row + 1
    for column, value in enumerate(values, start=1):
        if value is None:
            continue
        cell = sheet.cell(row=row, column=column)
        assert isinstance(cell, Cell)  # a new sheet has no merged cells
        if isinstance(value, str):
            cell_texts(value, 1)[0].store(cell)
        else:
            cell.value = value
    return row


def _sheet(workbook: openpyxl.Workbook, title: str, columns: tuple[str, ...],
           widths: dict[str, int]) -> Worksheet:
    sheet: Worksheet = workbook.create_sheet(title)
    _append(sheet, list(columns), row=1)
    for index, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 14)
    sheet.freeze_panes = "A2"
    return sheet


def _yes_no(flag: bool) -> str:
    return "yes" if flag else ""


def write_template_workbook(spec: TemplateSpec, path: Path) -> None:
    """Write a template as an Excel workbook that :func:`load_template_workbook` reads back."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.worksheets[0])
    settings = _sheet(workbook, "settings", SETTINGS_COLUMNS,
                      {"title": 50, "description": 80, "good": 8})
    _append(settings, [spec.key, spec.title, spec.description, spec.grading.good,
                       spec.grading.requires_improvement])
    checklist = _sheet(workbook, "checklist", CHECKLIST_COLUMNS,
                       {"type": 10, "id": 8, "text": 70, "description": 40, "guidance": 70,
                        "tags": 24, "evidence_required": 16})
    wrap = Alignment(wrap_text=True, vertical="top")
    for section in spec.sections:
        row = _append(checklist, ["section", section.key, section.title, section.description,
                                  None, None, _yes_no(section.limiting), section.applies_when,
                                  None, None, ", ".join(section.tags)])
        for cell in checklist[row]:
            cell.fill = SECTION_FILL
        for question in section.questions:
            row = _append(checklist, ["question", question.key, question.text, None,
                                      question.guidance, _yes_no(question.critical), None, None,
                                      spec.scale_name(question.scale),
                                      ", ".join(question.evidence_required),
                                      ", ".join(question.tags)])
            for cell in checklist[row]:
                cell.alignment = wrap
    checklist.auto_filter.ref = checklist.dimensions
    scales = _sheet(workbook, "scales", SCALE_COLUMNS, {"label": 30})
    for name, options in spec.scales.items():
        for option in options:
            _append(scales, [name, option.code, option.label, option.score])
    if spec.indicators:
        _write_indicators(workbook, spec)
    workbook.save(path)


def _write_indicators(workbook: openpyxl.Workbook, spec: TemplateSpec) -> None:
    sheet = _sheet(workbook, "indicators", INDICATOR_COLUMNS,
                   {"id": 20, "title": 50, "counts": 10, "categories": 24})
    for indicator in spec.indicators:
        eligible = indicator.eligibility
        _append(sheet, [indicator.key, indicator.title, indicator.kind, indicator.question,
                        ", ".join(indicator.counts), ", ".join(eligible.categories),
                        None if eligible.uasc is None else "yes" if eligible.uasc else "no",
                        ", ".join(eligible.ages), indicator.target, indicator.min_n])
