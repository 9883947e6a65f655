"""The findings workbook's data sheets (Audits, Answers, Actions), written as SpreadsheetML
text straight into the workbook's zip file.

A year of audits is a million cells. openpyxl makes an object of every cell and writes it
element by element through lxml, which takes about ten seconds here; these sheets are plain
tables with four kinds of cell, so their XML is written here as text, a row at a time,
compressed as it goes. The rest of the workbook (the summary with its charts, the manifest,
styles and the workbook's own parts) is openpyxl's: the styles these sheets use are
registered with the openpyxl workbook (:func:`register_styles`), and each data sheet has an
empty openpyxl sheet in its place, whose part this module's replaces
(:func:`auditapp.exporters.xlsx.export_workbook`).

The cells are what openpyxl writes for the same values: text as inline strings, numbers,
dates as day numbers with a date style. Text reaches this module through the cell rule
(:mod:`auditapp.rules.cells`): a plain string needs no care, a :class:`CellText` is stored
as text, marked as quoted text where it starts like a formula. Nothing written here is ever
a formula.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from auditapp.errors import UserError
from auditapp.rules.cells import CellText

#: Rows rendered before they are handed to the compressor together.
ROWS_PER_WRITE = 500
#: The rest of the workbook is kept in memory up to this size while it is copied in.
SPOOL_BYTES = 16 * 2**20
_PAPER_A4 = 9


@dataclass(frozen=True)
class SheetStyles:
    """Indexes of the workbook's cell formats (``s=`` in SpreadsheetML) the data sheets use."""

    header: int
    date: int
    quoted: int
    alert: int


@dataclass(frozen=True, slots=True)
class Alert:
    """Text shown as an alert: bold white on red (an overdue action's "Yes")."""

    text: str


def register_styles(sheet: WriteOnlyWorksheet, header: Cell, date_format: str,
                    alert_fill: str) -> SheetStyles:
    """Register with ``sheet``'s openpyxl workbook the formats the data sheets use, taking the
    header's from ``header`` (a styled cell), and give their indexes."""
    dated = WriteOnlyCell(sheet)
    dated.number_format = date_format
    quoted = WriteOnlyCell(sheet)
    quoted.quotePrefix = True
    alert = WriteOnlyCell(sheet)
    alert.font = Font(bold=True, color="FFFFFF")
    alert.fill = PatternFill("solid", fgColor=alert_fill)
    return SheetStyles(header.style_id, dated.style_id, quoted.style_id, alert.style_id)


def _escaped(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _text(ref: str, text: str, style: int | None = None) -> str:
    """An inline string cell, its spaces kept where it starts or ends with them (as openpyxl
    writes it); no cell for no text."""
    if not text:
        return ""
    styled = "" if style is None else f' s="{style}"'
    space = _PRESERVE if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t{space}>{_escaped(text)}</t></is></c>'


_PRESERVE = ' xml:space="preserve"'


class RowRenderer:
    """Renders rows of values (text, :class:`CellText`, :class:`Alert`, numbers, dates, None)
    as SpreadsheetML ``<row>`` elements."""

    def __init__(self, styles: SheetStyles, columns: int) -> None:
        self.styles = styles
        self.letters = [get_column_letter(i) for i in range(1, columns + 1)]

    def row(self, number: int, values: Sequence[Any]) -> str:
        """Row ``number`` (from 1) holding ``values`` from column A; None and "" leave a cell
        empty."""
        at = str(number)
        parts = [f'<row r="{at}">']
        for letter, value in zip(self.letters, values, strict=False):
            if value is None or value == "":
                continue
            if type(value) is str:  # most cells: plain text, written here for speed
                if "&" in value or "<" in value or ">" in value:
                    value = _escaped(value)
                space = _PRESERVE if value[:1].isspace() or value[-1:].isspace() else ""
                parts.append(f'<c r="{letter}{at}" t="inlineStr"><is><t{space}>{value}</t>'
                             '</is></c>')
            else:
                parts.append(self._cell(letter + at, value))
        parts.append("</row>")
        return "".join(parts)

    def _cell(self, ref: str, value: Any) -> str:
        kind = type(value)
        if kind is str:
            return _text(ref, value)
        if kind is CellText:
            return _text(ref, value.text, self.styles.quoted if value.formula_like else None)
        if kind is bool:
            return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        if kind is int:
            return f'<c r="{ref}" t="n"><v>{value}</v></c>'
        if kind is float:
            return f'<c r="{ref}" t="n"><v>{value:.16g}</v></c>'
        if kind is date or kind is datetime:
            return f'<c r="{ref}" s="{self.styles.date}" t="n"><v>{to_excel(value)}</v></c>'  # type: ignore[no-untyped-call]
        if kind is Alert:
            return _text(ref, value.text, self.styles.alert)
        if isinstance(value, str):
            return _text(ref, value)
        raise TypeError(f"A data sheet cannot hold {kind.__name__} ({ref})")


@dataclass(frozen=True)
class SheetFrame:
    """What a data sheet shows besides its rows: column widths and the header's texts (already
    through the cell rule)."""

    widths: Sequence[float]
    header: Sequence[str | CellText]


def _head(frame: SheetFrame, renderer: RowRenderer) -> str:
    cols = "".join(f'<col min="{i}" max="{i}" width="{width:g}" customWidth="1"/>'
                   for i, width in enumerate(frame.widths, start=1))
    header = "".join(
        _text(f"{letter}1", text.text if isinstance(text, CellText) else text,
              renderer.styles.header)
        for letter, text in zip(renderer.letters, frame.header, strict=True))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/>'
        '<pageSetUpPr fitToPage="1"/></sheetPr>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        '</sheetView></sheetViews>'
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
        f'<cols>{cols}</cols><sheetData><row r="1">{header}</row>')


def _tail(columns: int, rows: int) -> str:
    return (
        f'</sheetData><autoFilter ref="A1:{get_column_letter(columns)}{rows}"/>'
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
        'footer="0.5"/>'
        f'<pageSetup paperSize="{_PAPER_A4}" orientation="landscape" fitToWidth="1" '
        'fitToHeight="0"/></worksheet>')


def write_sheet(archive: zipfile.ZipFile, part: str, frame: SheetFrame, styles: SheetStyles,
                rows: Iterable[Sequence[Any]]) -> Iterator[int]:
    """Write the sheet ``part`` (``xl/worksheets/sheetN.xml``) into ``archive``: the frame's
    header, frozen, filtered and printed landscape one page wide, then ``rows`` from row 2.
    Yields the number of rows written so far every :data:`ROWS_PER_WRITE` rows and once at
    the end; the last number is the sheet's rows below the header."""
    renderer = RowRenderer(styles, len(frame.widths))
    count = 0
    try:
        with archive.open(part, "w") as stream:
            stream.write(_head(frame, renderer).encode())
            batch: list[str] = []
            for count, values in enumerate(rows, start=1):
                batch.append(renderer.row(count + 1, values))
                if len(batch) == ROWS_PER_WRITE:
                    _flush(stream, batch)
                    yield count
            _flush(stream, batch)
            stream.write(_tail(len(frame.widths), count + 1).encode())
    except RuntimeError as exc:  # zipfile: the part grew past 2 GiB (a zip without Zip64)
        if "too large" not in str(exc):
            raise
        raise UserError("The export's text is too long for one workbook. Export a shorter "
                        "period, one team or one template.") from exc
    yield count


def _flush(stream: IO[bytes], batch: list[str]) -> None:
    stream.write("".join(batch).encode())
    batch.clear()


def add_workbook(workbook: Workbook, archive: zipfile.ZipFile,
                 parts: Mapping[str, WriteOnlyWorksheet]) -> None:
    """Save the openpyxl ``workbook`` (everything but the data sheets' rows) and copy its parts
    into ``archive``, but for the empty sheets that stand in for the data sheets written
    there (``parts``: each data sheet's part and the sheet in its place)."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as skeleton:
        workbook.save(skeleton)
        for part, place in parts.items():
            if place.path != "/" + part:  # openpyxl numbers the parts in the sheets' order
                raise RuntimeError(f"openpyxl wrote sheet {place.title} as {place.path}, "
                                   f"not {part}")
        skeleton.seek(0)
        with zipfile.ZipFile(skeleton) as source:
            for info in source.infolist():
                if info.filename not in parts:
                    archive.writestr(info, source.read(info))


def part_name(workbook: Workbook) -> str:
    """The part openpyxl will write the workbook's last sheet to."""
    return f"xl/worksheets/sheet{len(workbook.worksheets)}.xml"
