"""The Excel workbook of graded findings: Summary (with native charts), Audits, Answers, Actions.

The workbook is written in openpyxl's write-only mode, rows streamed from SQL, so that ten
thousand audits (600,000 answers) export in about the time openpyxl needs to write the
cells at all. Write-only sheets need their column widths before the first row, so widths
are fitted to the header and the first rows of each sheet.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.marker import DataPoint
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from auditapp import __version__
from auditapp.errors import UserError
from auditapp.rules.palette import GRADE_COLOURS, HEADER_FILL, HEADER_TEXT
from auditapp.rules.wording import day_text
from auditapp.services.integrity import STAMP_PROPERTY, chain_stamp
from auditapp.services.moderation import AgreementFigures
from auditapp.services.reporting import workbook_rows
from auditapp.services.reporting.figures import (
    GRADE_COLUMNS,
    GradeTally,
    PeriodFigures,
    ReportScope,
    check_scope,
    period_figures,
    templates_used,
)
from auditapp.storage.atomic_files import atomic_output, check_target
from auditapp.storage.engine import Database

DATE_FORMAT = "dd/mm/yyyy"
SHARE_FORMAT = "0%"
WIDTH_SAMPLE = 500  # rows read before the widths are fixed
MAX_WIDTH = 60
PROGRESS_EVERY = 2000
CHART_ROWS = 16  # rows a chart covers below its table
EXCEL_MAX_ROWS = 1_048_576


def export_workbook(db: Database, out: Path, scope: ReportScope | None = None,
                    today: date | None = None) -> Iterator[tuple[int, int]]:
    """Write the findings workbook for ``scope`` to ``out``; yields ``(rows done, total)``.

    For the UI: run the whole generator off the UI thread (it opens its own sessions);
    close it to cancel. The first step raises ``UserError`` when the scope holds no audits,
    before any file is made. No scope means every audit; ``today`` (default: today) decides
    which open actions are overdue.
    """
    out = check_target(out)
    scope = scope or ReportScope()
    today = today or date.today()
    check_scope(db, scope)
    counts = workbook_rows.row_counts(db, scope)
    check_sheet_sizes(counts)
    total = counts.total + max(1, counts.total // 5)  # the last fifth: zipping the file
    figures = period_figures(db, scope, today)
    stamp = chain_stamp(db)
    with atomic_output(out) as temporary:
        workbook = Workbook(write_only=True)
        # The history's head, for `check --against` (see services.integrity).
        properties = workbook.custom_doc_props  # type: ignore[attr-defined]  # not in the stubs
        properties.append(StringProperty(name=STAMP_PROPERTY, value=stamp.text()))
        try:
            _summary(workbook.create_sheet("Summary"), figures, today)
            yield from _data_sheets(workbook, db, scope, today, total)
            workbook.save(temporary)
        except BaseException:
            _discard(workbook)
            raise
    yield total, total


def _data_sheets(workbook: Workbook, db: Database, scope: ReportScope, today: date,
                 total: int) -> Iterator[tuple[int, int]]:
    """Stream the Audits, Answers and Actions sheets; yields progress."""
    sheets = (
        ("Audits", workbook_rows.AUDIT_HEADERS, workbook_rows.audit_rows(db, scope)),
        ("Answers", workbook_rows.ANSWER_HEADERS,
         workbook_rows.answer_rows(db, scope, templates_used(db, scope))),
        ("Actions", workbook_rows.ACTION_HEADERS, workbook_rows.action_rows(db, scope, today)),
    )
    done = 0
    for title, headers, rows in sheets:
        for written in _table(workbook.create_sheet(title), headers, rows):
            done += written
            yield done, total


def check_sheet_sizes(counts: workbook_rows.RowCounts) -> None:
    """Refuse an export whose rows would not fit in an Excel sheet."""
    for name, rows in (("audits", counts.audits), ("answers", counts.answers),
                       ("actions", counts.actions)):
        if rows > EXCEL_MAX_ROWS - 1:
            raise UserError(f"The export would have {rows:,} {name}, more than an Excel sheet "
                            f"holds ({EXCEL_MAX_ROWS - 1:,} rows). Export a shorter period, "
                            "one team or one template.")


def _discard(workbook: Workbook) -> None:
    """Delete the temporary files of a write-only workbook that will never be saved."""
    for sheet in workbook.worksheets:
        if not sheet.closed:
            sheet.close()  # ends its row stream cleanly
        # openpyxl keeps each sheet in a temporary file until saved.
        writer = sheet._writer  # type: ignore[attr-defined]
        if writer is not None and Path(writer.out).exists():
            writer.cleanup()


# --- the data sheets --------------------------------------------------------------------------


def _header_cells(sheet: WriteOnlyWorksheet, headers: Sequence[str],
                  numbers_from: int | None = None) -> list[Cell]:
    """Header cells, white on dark; those over columns of numbers are right-aligned."""
    cells = []
    for i, text in enumerate(headers):
        cell = WriteOnlyCell(sheet, text)
        cell.font = Font(bold=True, color=HEADER_TEXT)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        right = numbers_from is not None and i >= numbers_from
        cell.alignment = Alignment(vertical="center", horizontal="right" if right else None)
        cells.append(cell)
    return cells


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return 5
    return len(str(value))


def fitted_widths(rows: Iterable[Sequence[Any]], minimum: int = 6) -> list[float]:
    """Column widths (in characters) that fit the longest value of each column, capped."""
    widths: list[int] = []
    for row in rows:
        for i, value in enumerate(row):
            if i == len(widths):
                widths.append(minimum)
            widths[i] = max(widths[i], _text_width(value))
    return [min(w + 2, MAX_WIDTH) for w in widths]


# openpyxl's write-only sheet takes these attributes from Worksheet when it is made; its type
# stubs do not say so, hence the ignores below.


def _set_widths(sheet: WriteOnlyWorksheet, widths: Sequence[float]) -> None:
    dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
    for i, width in enumerate(widths, start=1):
        dimensions[get_column_letter(i)].width = width


def _print_setup(sheet: WriteOnlyWorksheet) -> None:
    """Print landscape, as wide as one page, with the header row on every page."""
    setup = sheet.page_setup  # type: ignore[attr-defined]
    setup.orientation = "landscape"
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(  # type: ignore[attr-defined]
        fitToPage=True)


def _styled(sheet: WriteOnlyWorksheet, row: Sequence[Any], overdue: int | None) -> list[Any]:
    """Dates become date cells with a UK number format; "Yes" in the Overdue column is red."""
    cells: list[Any] = []
    for i, value in enumerate(row):
        if isinstance(value, date):
            cell = WriteOnlyCell(sheet, value)  # type: ignore[arg-type]  # stubs omit date
            cell.number_format = DATE_FORMAT
            value = cell
        elif i == overdue and value == "Yes":
            cell = WriteOnlyCell(sheet, value)
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = PatternFill("solid", fgColor=GRADE_COLOURS["Inadequate"])
            value = cell
        cells.append(value)
    return cells


def _table(sheet: WriteOnlyWorksheet, headers: Sequence[str],
           rows: Iterator[tuple[Any, ...]]) -> Iterator[int]:
    """Write a header and every row; yields how many rows were written since the last yield.
    The header is frozen, filters are on and widths fit the header and the first rows."""
    sample = list(islice(rows, WIDTH_SAMPLE))
    _set_widths(sheet, fitted_widths([headers, *sample]))
    _print_setup(sheet)
    sheet.print_title_rows = "1:1"
    sheet.freeze_panes = "A2"
    sheet.append(_header_cells(sheet, headers))
    overdue = headers.index("Overdue") if "Overdue" in headers else None
    plain = overdue is None and not any(isinstance(v, date) for r in sample for v in r)
    count = 0
    for count, row in enumerate(chain(sample, rows), start=1):
        sheet.append(row if plain else _styled(sheet, row, overdue))
        if count % PROGRESS_EVERY == 0:
            yield PROGRESS_EVERY
    sheet.auto_filter.ref = (  # type: ignore[attr-defined]
        f"A1:{get_column_letter(len(headers))}{count + 1}")
    yield count % PROGRESS_EVERY


# --- the summary sheet ------------------------------------------------------------------------


class _SummaryWriter:
    """Lays out the summary's tables top to bottom, each followed by its chart."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.rows: list[list[Any]] = []
        self.charts: list[tuple[BarChart, int]] = []

    def text(self, value: str, size: float = 10, bold: bool = False) -> None:
        """A line of text in the first column."""
        cell = WriteOnlyCell(self.sheet, value)
        cell.font = Font(size=size, bold=bold)
        self.rows.append([cell])

    def blank(self, count: int = 1) -> None:
        """Empty rows."""
        self.rows.extend([] for _ in range(count))

    def header(self, values: Sequence[str]) -> int:
        """A table's header row; returns its row number."""
        self.rows.append(_header_cells(self.sheet, values, numbers_from=1))
        return len(self.rows)

    def values(self, values: Sequence[Any], share_columns: Sequence[int] = (),
               bold: bool = False) -> None:
        """A row of a table; ``share_columns`` are percentages."""
        row: list[Any] = []
        for i, value in enumerate(values):
            cell = WriteOnlyCell(self.sheet, value)
            if i in share_columns:
                cell.number_format = SHARE_FORMAT
            if bold:
                cell.font = Font(bold=True)
            row.append(cell)
        self.rows.append(row)

    def chart(self, chart: BarChart, rows: int = CHART_ROWS) -> None:
        """A chart on the next row, with ``rows`` empty rows left for it."""
        self.charts.append((chart, len(self.rows) + 1))
        self.blank(rows)

    def write(self) -> None:
        """Fit the widths, then write every row and place the charts."""
        # Titles and notes (rows of one cell) may run on past their column.
        widths = fitted_widths([[c.value for c in row] for row in self.rows if len(row) > 1])
        _set_widths(self.sheet, [max(w, 12) for w in widths])
        _print_setup(self.sheet)
        for row in self.rows:
            self.sheet.append(row)
        for chart, first_row in self.charts:
            self.sheet.add_chart(chart, f"A{first_row}")  # type: ignore[misc]


def _summary(sheet: WriteOnlyWorksheet, figures: PeriodFigures, today: date) -> None:
    scope = figures.scope
    out = _SummaryWriter(sheet)
    out.text("Case file audit findings", size=14, bold=True)
    out.text(f"Period: {scope.period_text()}. Team: {scope.team or 'all teams'}. "
             f"Template: {scope.template_key or 'all templates'}.")
    out.text("Counted: audits submitted, moderated or closed (drafts never count). Grade: the "
             "final grade, which is the moderated grade where there is one, else the auditor's.")
    out.text(f"Produced on {day_text(today)} by auditapp {__version__}; actions overdue as at "
             f"that date. Section grades are the auditor's section grades.")
    out.blank()
    _overall_table(out, figures.overall)
    _grade_table(out, ("Final grade by team",) * 2, "Team", figures.teams, horizontal=True)
    _grade_table(out, ("Final grade by quarter",) * 2, "Quarter", figures.quarters,
                 horizontal=False)
    for key in dict.fromkeys(s.template_key for s in figures.sections):
        rows = [s for s in figures.sections if s.template_key == key]
        _grade_table(out, (f"Section grades: {rows[0].template_title}",) * 2, "Section", rows,
                     horizontal=True)
    _grade_table(out, ("Section grades by key line of enquiry (a section tagged with two "
                       "lines counts in both)", "Section grades by key line of enquiry"),
                 "Line of enquiry", figures.lines_of_enquiry, horizontal=True)
    _agreement_tables(out, figures.agreement)
    out.write()


def _agreement_tables(out: _SummaryWriter, figures: AgreementFigures) -> None:
    """Moderation agreement, overall and by section (never by auditor)."""
    out.blank()
    out.text("Moderation agreement: auditor's grade against the moderator's (given blind "
             "where recorded); kappa is Cohen's, linearly weighted", bold=True)
    out.header(["", "Audits", "Moderated", "Exact agreement", "Within one grade",
                "Weighted kappa", "Moderated higher", "Moderated lower"])
    overall = figures.overall
    out.values(["All moderated audits", figures.audits, figures.moderated, overall.exact_share,
                overall.within_one_share, overall.kappa, overall.raised, overall.lowered],
               share_columns=(3, 4))
    if not figures.sections:
        return
    out.blank()
    out.text("Moderation agreement by section", bold=True)
    out.header(["Template", "Section", "Moderated", "Exact agreement", "Within one grade",
                "Weighted kappa"])
    for section in figures.sections:
        value = section.agreement
        out.values([section.template_key, f"{section.section_key} {section.title}",
                    value.pairs, value.exact_share, value.within_one_share, value.kappa],
                   share_columns=(3, 4))


def _overall_table(out: _SummaryWriter, overall: GradeTally) -> None:
    out.text(f"Audits in the period: {overall.total}", bold=True)
    first = out.header(["Final grade", "Audits", "Share"]) + 1
    for name in GRADE_COLUMNS:
        count = overall.counts[name]
        out.values([name, count, count / overall.total], share_columns=(2,))
    out.values(["Total", overall.total, 1.0], share_columns=(2,), bold=True)
    chart = _bar_chart("Audits by final grade", horizontal=False, rows=len(GRADE_COLUMNS))
    data = Reference(out.sheet, min_col=2, min_row=first - 1, max_row=first + 4)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(out.sheet, min_col=1, min_row=first, max_row=first + 4))
    series = chart.series[0]
    for i, name in enumerate(GRADE_COLUMNS):
        point = DataPoint(idx=i)
        point.graphicalProperties.solidFill = GRADE_COLOURS[name]
        series.dPt.append(point)
    chart.legend = None
    out.chart(chart)


def _grade_table(out: _SummaryWriter, titles: tuple[str, str], label: str,
                 rows: Sequence[GradeTally], horizontal: bool) -> None:
    """A table of grade counts (``titles``: the table's, the chart's) and its chart."""
    if not rows:
        return
    out.blank()
    out.text(titles[0], bold=True)
    first = out.header([label, *GRADE_COLUMNS, "Total", "Good or better"]) + 1
    for row in rows:
        share = row.good_or_better / row.graded if row.graded else None
        out.values([row.label, *(row.counts[n] for n in GRADE_COLUMNS), row.total, share],
                   share_columns=(len(GRADE_COLUMNS) + 2,))
    chart = _bar_chart(titles[1], horizontal, len(rows))
    chart.grouping = "stacked"
    chart.overlap = 100
    data = Reference(out.sheet, min_col=2, max_col=1 + len(GRADE_COLUMNS), min_row=first - 1,
                     max_row=first + len(rows) - 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(out.sheet, min_col=1, min_row=first,
                                   max_row=first + len(rows) - 1))
    for series, name in zip(chart.series, GRADE_COLUMNS, strict=True):
        series.graphicalProperties.solidFill = GRADE_COLOURS[name]
        series.graphicalProperties.line.solidFill = GRADE_COLOURS[name]
    out.chart(chart, _chart_rows(horizontal, len(rows)))


def _chart_rows(horizontal: bool, categories: int) -> int:
    return max(CHART_ROWS, 6 + 2 * categories) if horizontal else CHART_ROWS


def _bar_chart(title: str, horizontal: bool, rows: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.y_axis.title = "Audits"
    chart.y_axis.majorGridlines = None
    chart.width = 24
    chart.height = _chart_rows(horizontal, rows) * 0.5
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # first row at the top, as in the table
    return chart
