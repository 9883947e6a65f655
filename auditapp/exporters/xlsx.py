"""The Excel workbook of graded findings: Summary (with native charts), Audits, Answers,
Actions, and the Manifest that says what it counted and how it was made.

The workbook is written in openpyxl's write-only mode, rows streamed from SQL, so that ten
thousand audits (600,000 answers) export in about the time openpyxl needs to write the
cells at all. Write-only sheets need their column widths before the first row, so widths
are fitted to the header and the first rows of each sheet.

Every text goes into its cell through :mod:`auditapp.rules.cells`: never a formula, nothing
a workbook cannot hold, and evidence or an action longer than a cell holds continued in the
next columns ("Evidence (continued)"), each part marked.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
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
from auditapp.exporters.xlsx_sheets import (
    Alert,
    SheetFrame,
    SheetStyles,
    add_workbook,
    part_name,
    register_styles,
    write_sheet,
)
from auditapp.rules.cells import CellText, cell_texts, cell_value, needs_care, pieces_needed
from auditapp.rules.palette import GRADE_COLOURS, HEADER_FILL, HEADER_TEXT
from auditapp.rules.wording import day_text
from auditapp.services.integrity import STAMP_PROPERTY, chain_stamp
from auditapp.services.moderation import AgreementFigures
from auditapp.services.reporting import manifest as manifests
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
MANIFEST_SHEET = "Manifest"
#: zlib's level for the workbook: on a year's Answers sheet (75 MB of XML) a third of the
#: default level's time (0.5 s against 1.2 s here) for a file 13 % bigger.
COMPRESSION = 3
#: The free-text columns continued across further cells when a text is too long for one.
LONG_TEXT_COLUMNS = {"Evidence": "evidence", "Action": "action"}


def export_workbook(db: Database, out: Path, scope: ReportScope | None = None,
                    today: date | None = None, produced_at: datetime | None = None
                    ) -> Iterator[tuple[int, int]]:
    """Write the findings workbook for ``scope`` to ``out``; yields ``(rows done, total)``.

    For the UI: run the whole generator off the UI thread (it opens its own sessions);
    close it to cancel. The first step raises ``UserError`` when the scope holds no audits,
    before any file is made. No scope means every audit; ``today`` (default: today) decides
    which open actions are overdue; ``produced_at`` (UTC; default: now) is when the workbook
    says it was produced.
    """
    out = check_target(out)
    scope = scope or ReportScope()
    today = today or date.today()
    produced_at = produced_at or manifests.now()
    check_scope(db, scope)
    counts = workbook_rows.row_counts(db, scope)
    check_sheet_sizes(counts)
    total = counts.total + max(1, counts.total // 50)  # then the rest of the workbook
    figures = period_figures(db, scope, today)
    longest = workbook_rows.longest_texts(db, scope)
    spans = {name: pieces_needed(longest[field]) for name, field in LONG_TEXT_COLUMNS.items()}
    stamp = chain_stamp(db)
    with atomic_output(out) as temporary, \
            zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED,
                            compresslevel=COMPRESSION) as archive:
        workbook = Workbook(write_only=True)
        digest = hashlib.sha256()
        # The history's head, for `check --against` (see services.integrity).
        properties = workbook.custom_doc_props  # type: ignore[attr-defined]  # not in the stubs
        properties.append(StringProperty(name=STAMP_PROPERTY, value=stamp.text()))
        try:
            _summary(workbook.create_sheet("Summary"), figures, today, produced_at, digest)
            parts = yield from _data_sheets(workbook, archive, db, scope, today, total, spans,
                                            digest)
            manifest = manifests.make_manifest(db, manifests.WORKBOOK, scope, today, None,
                                               digest.hexdigest(), produced_at)
            _manifest_sheet(workbook, manifest)
            add_workbook(workbook, archive, parts)
        except BaseException:
            _discard(workbook)
            raise
    yield total, total


def _data_sheets(workbook: Workbook, archive: zipfile.ZipFile, db: Database,
                 scope: ReportScope, today: date, total: int, spans: Mapping[str, int],
                 digest: Any) -> Generator[tuple[int, int], None, dict[str, WriteOnlyWorksheet]]:
    """Stream the Audits, Answers and Actions sheets into ``archive`` (see
    :mod:`auditapp.exporters.xlsx_sheets`), each with an empty openpyxl sheet in its place in
    ``workbook``; yields progress and returns the sheets' parts with their places."""
    sheets = (
        ("Audits", workbook_rows.AUDIT_HEADERS, workbook_rows.audit_rows(db, scope)),
        ("Answers", workbook_rows.ANSWER_HEADERS,
         workbook_rows.answer_rows(db, scope, templates_used(db, scope))),
        ("Actions", workbook_rows.ACTION_HEADERS, workbook_rows.action_rows(db, scope, today)),
    )
    styles: SheetStyles | None = None
    parts: dict[str, WriteOnlyWorksheet] = {}
    done = 0
    for title, headers, rows in sheets:
        place = workbook.create_sheet(title)
        styles = styles or register_styles(place, _header_cells(place, [title])[0],
                                           DATE_FORMAT, GRADE_COLOURS["Inadequate"])
        part = part_name(workbook)
        parts[part] = place
        for written in _table(archive, part, place, headers, rows, spans, digest, styles):
            done += written
            yield done, total
    return parts


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
        cell = _written(sheet, text)
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


def _written(sheet: WriteOnlyWorksheet, value: Any) -> Cell:
    """A cell holding ``value``, text through the one rule for cells."""
    if isinstance(value, str):
        return _stored(sheet, cell_texts(value, 1)[0])
    return WriteOnlyCell(sheet, value)


def text_cell(sheet: WriteOnlyWorksheet, value: str) -> str | Cell:
    """Text as a write-only sheet should get it, through the one rule for cells
    (:mod:`auditapp.rules.cells`): plain text as it is, anything else as a text cell."""
    safe = cell_value(value)
    if isinstance(safe, str):
        return safe
    cell = WriteOnlyCell(sheet)
    safe.store(cell)
    return cell


def _stored(sheet: WriteOnlyWorksheet, text: CellText) -> Cell:
    cell = WriteOnlyCell(sheet)
    text.store(cell)
    return cell


def _cells(row: Sequence[Any], overdue: int | None, spread: Mapping[int, int]) -> list[Any]:
    """A row's cells for :func:`~auditapp.exporters.xlsx_sheets.write_sheet`: text through the
    cell rule (spread over ``spread[i]`` cells in a long text column ``i``), "Yes" in the
    Overdue column as an alert; dates and numbers as they are."""
    cells: list[Any] = []
    for i, value in enumerate(row):
        width = spread.get(i, 1)
        if isinstance(value, str) and needs_care(value):
            parts: list[Any] = list(cell_texts(value, width))
        elif i == overdue and value == "Yes":
            parts = [Alert(value)]
        else:  # numbers, dates, nothing, and text as it is (most text)
            parts = [value]
        cells += parts
        if len(parts) < width:
            cells += [None] * (width - len(parts))
    return cells


def _spread_headers(headers: Sequence[str], spans: Mapping[str, int]
                    ) -> tuple[list[str], dict[int, int]]:
    """Headers with "(continued)" columns after each long text column that needs them, and
    how many cells each such column's text is spread over."""
    names: list[str] = []
    spread: dict[int, int] = {}
    for i, name in enumerate(headers):
        names.append(name)
        count = spans.get(name, 0)
        if count:
            spread[i] = count
            names += [f"{name} (continued{'' if n == 1 else f' {n}'})" for n in range(1, count)]
    return names, spread


def _hash_row(digest: Any, sheet: str, row: Sequence[Any]) -> None:
    digest.update(_ROW_JSON.encode([sheet, *row]).encode("ascii"))


#: What ``json.dumps(row, default=str)`` does, without making an encoder for every row.
_ROW_JSON = json.JSONEncoder(default=str, ensure_ascii=True)


def _table(archive: zipfile.ZipFile, part: str, place: WriteOnlyWorksheet,
           headers: Sequence[str], rows: Iterator[tuple[Any, ...]], spans: Mapping[str, int],
           digest: Any, styles: SheetStyles) -> Iterator[int]:
    """Write a header and every row as ``part``; yields how many rows were written since
    the last yield. The header is frozen, filters are on and widths fit the header and the
    first rows; ``place`` (the sheet's place in the workbook) gets the print titles and the
    filter's range, which the workbook names."""
    names, spread = _spread_headers(headers, spans)
    sample = list(islice(rows, WIDTH_SAMPLE))
    frame = SheetFrame(fitted_widths([names, *(_widened(r, spread) for r in sample)]),
                       [cell_texts(name, 1)[0] for name in names])
    overdue = headers.index("Overdue") if "Overdue" in headers else None

    def cells() -> Iterator[list[Any]]:
        for row in chain(sample, rows):
            _hash_row(digest, place.title, row)
            yield _cells(row, overdue, spread)

    done = count = 0
    for count in write_sheet(archive, part, frame, styles, cells()):
        if count - done >= PROGRESS_EVERY:
            yield count - done
            done = count
    yield count - done
    place.print_title_rows = "1:1"
    place.auto_filter.ref = (  # type: ignore[attr-defined]
        f"A1:{get_column_letter(len(names))}{count + 1}")


def _widened(row: Sequence[Any], spread: Mapping[int, int]) -> list[Any]:
    """A row as wide as its header, for fitting the widths: long texts fill their columns."""
    cells: list[Any] = []
    for i, value in enumerate(row):
        cells.append(value)
        cells += [value] * (spread.get(i, 1) - 1)
    return cells


# --- the manifest -------------------------------------------------------------------------------


def _manifest_sheet(workbook: Workbook, manifest: manifests.Manifest) -> None:
    """The Manifest sheet: what the workbook counted and how it was made, one fact a row,
    then every audit counted with its uid and revision; the same as JSON in the document's
    custom properties (its SHA-256 too, to tell a rebuilt workbook by)."""
    sheet = workbook.create_sheet(MANIFEST_SHEET)
    _set_widths(sheet, [22, 70, 12])
    scope = manifest.scope
    facts = [
        ("What", "Case file audit findings workbook"),
        ("auditapp", manifest.auditapp),
        ("Produced (UTC)", manifest.produced_at.isoformat(sep=" ")),
        ("Period", scope.period_text()),
        ("Team", scope.team or "all teams"),
        ("Template", scope.template_key or "all templates"),
        ("Actions overdue as at", manifest.as_at.isoformat()),
        ("Database", manifest.database),
        ("History head", f"{manifest.history_seq} {manifest.history_hash}"),
        ("Figures (SHA-256)", manifest.figures_hash),
        ("Manifest (SHA-256)", manifest.digest),
        *(("Template version", f"{t.key} version {t.version} ({t.content_hash})")
          for t in manifest.templates),
    ]
    for name, value in facts:
        sheet.append([text_cell(sheet, name), text_cell(sheet, value)])
    sheet.append([])
    sheet.append(_header_cells(sheet, ["Audit ID", "Uid", "Revision"]))
    for audit in manifest.audits:
        sheet.append([audit.id, audit.uid, audit.revision])
    properties = workbook.custom_doc_props  # type: ignore[attr-defined]  # not in the stubs
    properties.append(StringProperty(name="auditapp manifest", value=manifest.to_json()))
    properties.append(StringProperty(name="auditapp manifest sha256", value=manifest.digest))
    core = workbook.properties
    core.creator = core.lastModifiedBy = "auditapp"
    core.title = "Case file audit findings"
    core.created = core.modified = manifest.produced_at


def read_manifest(path: Path) -> manifests.Manifest:
    """The manifest of a workbook this module wrote (a :class:`UserError` for any other
    file)."""
    try:
        workbook = load_workbook(path, read_only=True)
    except (OSError, KeyError, ValueError) as exc:
        raise UserError(f"{path.name} cannot be read as an Excel workbook.") from exc
    try:
        props = {p.name: p.value
                 for p in workbook.custom_doc_props}  # type: ignore[attr-defined]
    finally:
        workbook.close()
    text = props.get("auditapp manifest")
    if not isinstance(text, str):
        raise UserError(f"{path.name} has no auditapp manifest: it was not written by "
                        "auditapp, or by an older version.")
    return manifests.Manifest.from_json(text, path.name)


# --- the summary sheet ------------------------------------------------------------------------


class _SummaryWriter:
    """Lays out the summary's tables top to bottom, each followed by its chart."""

    def __init__(self, sheet: WriteOnlyWorksheet, digest: Any) -> None:
        self.sheet = sheet
        self.digest = digest
        self.rows: list[list[Any]] = []
        self.charts: list[tuple[BarChart, int]] = []

    def text(self, value: str, size: float = 10, bold: bool = False) -> None:
        """A line of text in the first column."""
        cell = _written(self.sheet, value)
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
            cell = _written(self.sheet, value)
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
            _hash_row(self.digest, self.sheet.title, [c.value for c in row])
            self.sheet.append(row)
        for chart, first_row in self.charts:
            self.sheet.add_chart(chart, f"A{first_row}")  # type: ignore[misc]


def _summary(sheet: WriteOnlyWorksheet, figures: PeriodFigures, today: date,
             produced_at: datetime, digest: Any) -> None:
    scope = figures.scope
    out = _SummaryWriter(sheet, digest)
    out.text("Case file audit findings", size=14, bold=True)
    out.text(f"Period: {scope.period_text()}. Team: {scope.team or 'all teams'}. "
             f"Template: {scope.template_key or 'all templates'}.")
    out.text("Counted: audits submitted, moderated or closed (drafts never count). Grade: the "
             "final grade, which is the moderated grade where there is one, else the auditor's.")
    out.text(f"Produced on {day_text(produced_at.date())} at {produced_at:%H:%M} UTC by "
             f"auditapp {__version__}. Actions are counted as overdue as at {day_text(today)}. "
             "Section grades are the auditor's section grades. The Manifest sheet lists every "
             "audit counted.")
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
    out.header(["", "Audits", "Moderated", "Pairs compared (n)", "Exact agreement",
                "Within one grade", "Weighted kappa", "Moderated higher", "Moderated lower"])
    overall = figures.overall
    out.values(["All moderated audits", figures.audits, figures.moderated, overall.pairs,
                overall.exact_share, overall.within_one_share, overall.kappa, overall.raised,
                overall.lowered], share_columns=(4, 5))
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
