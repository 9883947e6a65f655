"""Spreadsheets read a row at a time, within limits: Excel workbooks and CSV files.

openpyxl builds each row of a sheet as an XML tree before it hands it over, so one row of a
million cells (a 70 KB file) costs it nine seconds and half a gigabyte, and a damaged file
raises whatever its XML or zip layer raises. Here an ``.xlsx`` (or ``.xlsm``) workbook is
checked as an archive first (:mod:`auditapp.inputs.archives`), then its sheet is streamed
through expat a chunk at a time: memory stays flat, rows, columns and cell lengths are
bounded, and every problem is one line naming the file, the part or the sheet and cell.
openpyxl's own rules say which number formats are dates.

A CSV file is read with :mod:`csv` under the same limits.
"""

from __future__ import annotations

import csv
import math
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from auditapp.errors import UserError
from auditapp.inputs.archives import DAMAGED_ARCHIVE, ArchiveError, open_archive
from auditapp.rules.limits import CELL_CHARS, SHEET_COLUMNS, WORKBOOK_UNPACKED_BYTES

#: Excel's own widest row: a row with more cells is not from a spreadsheet.
ROW_CELLS = 16_384
_CHUNK = 64 * 1024
_WHOLE = re.compile(r"[+-]?\d+")
_INDEX = re.compile(r"\d{1,9}")
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d*)")
_OFFICE_DOCUMENT = "/officeDocument"
_SHARED_STRINGS = "/sharedStrings"
_STYLES = "/styles"


class SheetError(UserError):
    """A spreadsheet that cannot be read, or holds more than auditapp takes."""


@dataclass(frozen=True)
class SheetRow:
    """One row: its number in the sheet (or the record's number in a CSV file) and its
    values from column A on (str, int, float, bool, datetime or None), up to its last
    value."""

    number: int
    cells: tuple[Any, ...]


def column_letter(index: int) -> str:
    """The letters of the column at ``index`` (1 is A)."""
    return get_column_letter(index)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _too_long(where: str) -> SheetError:
    return SheetError(f"{where}: a cell holds more than {CELL_CHARS:,} characters (Excel's "
                      "own limit)")


def _beyond_columns(where: str) -> SheetError:
    return SheetError(f"{where}: a value beyond column {column_letter(SHEET_COLUMNS)}; at most "
                      f"{SHEET_COLUMNS} columns are read")


def _too_many_rows(source: str, max_rows: int) -> SheetError:
    return SheetError(f"{source} has more than {max_rows:,} rows; at most {max_rows:,} are "
                      "read. Split it.")


# --- XML parts --------------------------------------------------------------------------------


Start = Callable[[str, dict[str, str]], None]
End = Callable[[str], None]
Text = Callable[[str], None]


class _Dtd(Exception):
    """A part declares a DTD (entities could expand without limit): spreadsheets never do."""


def _refuse_dtd(*_args: object) -> None:
    raise _Dtd


def _parser(start: Start, end: End | None = None, text: Text | None = None
            ) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
    if end is not None:
        parser.EndElementHandler = lambda name: end(_local(name))
    if text is not None:
        parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.buffer_text = True
    return parser


class _Part:
    """One XML part of the archive, fed to an expat parser a chunk at a time."""

    def __init__(self, archive: zipfile.ZipFile, name: str, source: str) -> None:
        self.archive = archive
        self.name = name
        self.source = source

    def _damaged(self, exc: BaseException) -> SheetError:
        return SheetError(f"{self.source}: the part {self.name} is damaged "
                          f"({str(exc) or type(exc).__name__})")

    def chunks(self, parser: expat.XMLParserType) -> Iterator[None]:
        """Feed the part to ``parser``, pausing after each chunk."""
        try:
            stream: IO[bytes] = self.archive.open(self.name)
        except KeyError:
            raise SheetError(f"{self.source}: the workbook has no part {self.name}") from None
        except DAMAGED_ARCHIVE as exc:
            raise self._damaged(exc) from None
        with stream:
            while True:
                try:
                    chunk = stream.read(_CHUNK)
                except (*DAMAGED_ARCHIVE, OSError) as exc:
                    raise self._damaged(exc) from None
                try:
                    parser.Parse(chunk, not chunk)
                except _Dtd:
                    raise SheetError(f"{self.source}: the part {self.name} declares a DTD, "
                                     "which spreadsheets never do") from None
                except expat.ExpatError as exc:
                    raise SheetError(
                        f"{self.source}: the part {self.name} is not well-formed XML (line "
                        f"{exc.lineno}, column {exc.offset}: {expat.ErrorString(exc.code)})"
                    ) from None
                yield
                if not chunk:
                    return

    def parse(self, start: Start, end: End | None = None, text: Text | None = None) -> None:
        """Parse the whole part."""
        for _ in self.chunks(_parser(start, end, text)):
            pass


def _relationships(archive: zipfile.ZipFile, part: str, source: str) -> dict[str, tuple[str, str]]:
    """The relationships of ``part``: id -> (type, target part name)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    found: dict[str, tuple[str, str]] = {}
    if rels not in archive.NameToInfo:
        return found

    def start(tag: str, attrs: dict[str, str]) -> None:
        target = attrs.get("Target", "")
        if tag != "Relationship" or attrs.get("TargetMode") == "External" or not target:
            return
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(folder, target))
        found[attrs.get("Id", "")] = (attrs.get("Type", ""), path)

    _Part(archive, rels, source).parse(start)
    return found


class _SharedStrings:
    """The workbook's table of shared strings (the text of ``<t>``, phonetic runs left out)."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._text: list[str] = []
        self._length = 0
        self._collect = False
        self._phonetic = 0

    def start(self, tag: str, _attrs: dict[str, str]) -> None:
        if tag == "si":
            self._text, self._length = [], 0
        elif tag == "rPh":
            self._phonetic += 1
        elif tag == "t" and not self._phonetic:
            self._collect = True

    def end(self, tag: str) -> None:
        if tag == "t":
            self._collect = False
        elif tag == "rPh":
            self._phonetic -= 1
        elif tag == "si":
            self.strings.append("".join(self._text))

    def text(self, data: str) -> None:
        if self._collect:
            self._length += len(data)
            if self._length > CELL_CHARS:
                raise _too_long("the shared strings")
            self._text.append(data)


class _Styles:
    """Which cell styles show a number as a date."""

    def __init__(self) -> None:
        self.formats: dict[int, str] = {}
        self.cell_formats: list[int] = []
        self._in_cell_xfs = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "numFmt":
            number = _integer(attrs.get("numFmtId"))
            if number is not None:
                self.formats[number] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            self._in_cell_xfs = True
        elif tag == "xf" and self._in_cell_xfs:
            self.cell_formats.append(_integer(attrs.get("numFmtId")) or 0)

    def end(self, tag: str) -> None:
        if tag == "cellXfs":
            self._in_cell_xfs = False

    def date_styles(self) -> set[int]:
        dates = set()
        for style, number in enumerate(self.cell_formats):
            code = self.formats.get(number, BUILTIN_FORMATS.get(number, "General"))
            if is_date_format(code):
                dates.add(style)
        return dates


def _integer(text: str | None) -> int | None:
    if text is None or not _INDEX.fullmatch(text.strip()):
        return None
    return int(text)


def _column(reference: str | None) -> int | None:
    """The column number of a cell reference such as ``B7`` (None if it is not one)."""
    match = _CELL_REFERENCE.fullmatch(reference or "")
    if match is None:
        return None
    number = 0
    for letter in match.group(1):
        number = number * 26 + ord(letter) - 64
    return number


class _SheetRows:
    """Expat handlers turning a sheet's XML into :class:`SheetRow` values as it streams."""

    def __init__(self, book: Workbook, sheet: str, max_rows: int) -> None:
        self.book = book
        self.sheet = sheet
        self.max_rows = max_rows
        self.ready: list[SheetRow] = []
        self._row = 0
        self._cells: dict[int, Any] = {}
        self._cell_count = 0
        self._column = 0
        self._type = "n"
        self._style = 0
        self._text: list[str] = []
        self._length = 0
        self._collect = False
        self._inline = False
        self._phonetic = 0

    def _where(self, column: int | None = None) -> str:
        cell = f"{column_letter(min(column, ROW_CELLS))}" if column else "row "
        return f"{self.book.source} {self.sheet}!{cell}{self._row}"

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "row":
            number = _integer(attrs.get("r"))
            self._row = number if number is not None and number > self._row else self._row + 1
            if self._row > self.max_rows:
                raise _too_many_rows(f"{self.book.source} sheet '{self.sheet}'", self.max_rows)
            self._cells, self._cell_count, self._column = {}, 0, 0
        elif tag == "c":
            self._cell_count += 1
            if self._cell_count > ROW_CELLS:
                raise SheetError(f"{self._where()}: more than {ROW_CELLS:,} cells in one row")
            column = _column(attrs.get("r"))
            self._column = column if column is not None else self._column + 1
            self._type = attrs.get("t", "n")
            self._style = _integer(attrs.get("s")) or 0
            self._text, self._length = [], 0
        elif tag == "v":
            self._collect = True
        elif tag == "is":
            self._inline = True
        elif tag == "rPh":
            self._phonetic += 1
        elif tag == "t" and self._inline and not self._phonetic:
            self._collect = True

    def end(self, tag: str) -> None:
        if tag in ("v", "t"):
            self._collect = False
        elif tag == "is":
            self._inline = False
        elif tag == "rPh":
            self._phonetic -= 1
        elif tag == "c":
            self._end_cell()
        elif tag == "row":
            width = max(self._cells, default=0)
            self.ready.append(SheetRow(self._row, tuple(self._cells.get(i)
                                                        for i in range(1, width + 1))))

    def text(self, data: str) -> None:
        if self._collect:
            self._length += len(data)
            if self._length > CELL_CHARS:
                raise _too_long(self._where(self._column))
            self._text.append(data)

    def _end_cell(self) -> None:
        value = self._value("".join(self._text))
        if value is None or value == "":
            return
        if self._column > SHEET_COLUMNS:
            raise _beyond_columns(self._where(self._column))
        self._cells[self._column] = value

    def _value(self, text: str) -> Any:
        kind = self._type
        if kind == "s":
            index = _integer(text)
            strings = self.book.shared_strings
            if index is None or not 0 <= index < len(strings):
                raise SheetError(f"{self._where(self._column)}: the cell refers to a shared "
                                 "string the workbook does not have")
            return strings[index]
        if kind in ("inlineStr", "str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.fromisoformat(text.strip())
            except ValueError:
                return text
        return self._number(text.strip())

    def _number(self, text: str) -> Any:
        if not text:
            return None
        try:
            number: int | float = int(text) if _WHOLE.fullmatch(text) else float(text)
        except ValueError:
            return text
        if isinstance(number, float) and not math.isfinite(number):
            return text
        if self._style in self.book.date_styles:
            try:
                return from_excel(number, self.book.epoch)
            except (ValueError, OverflowError, TypeError):
                return number
        return number


class Workbook:
    """An Excel workbook opened for reading its sheets a row at a time (a context manager)."""

    def __init__(self, path: Path, source: str) -> None:
        self.source = source
        self.shared_strings: list[str] = []
        self.date_styles: set[int] = set()
        self.epoch = CALENDAR_WINDOWS_1900
        self._sheets: dict[str, str] = {}
        try:
            self._handle: BinaryIO = path.open("rb")
        except OSError as exc:
            raise SheetError(f"{source} cannot be read: {exc.strerror or exc}") from None
        try:
            self._archive = open_archive(self._handle, source, WORKBOOK_UNPACKED_BYTES)
        except ArchiveError as exc:
            self._handle.close()
            raise SheetError(f"{source} cannot be read as an Excel workbook: {exc}") from None
        try:
            self._read_workbook()
        except BaseException:
            self.close()
            raise

    def _read_workbook(self) -> None:
        root = _relationships(self._archive, "", self.source)
        book = next((target for kind, target in root.values()
                     if kind.endswith(_OFFICE_DOCUMENT)), "xl/workbook.xml")
        sheets: list[tuple[str, str]] = []

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "workbookPr" and attrs.get("date1904", "").lower() in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
            elif tag == "sheet":
                relation = next((v for k, v in attrs.items() if k.endswith("}id")), "")
                sheets.append((attrs.get("name", ""), relation))

        _Part(self._archive, book, self.source).parse(start)
        relations = _relationships(self._archive, book, self.source)
        for name, relation in sheets:
            if relation in relations:
                self._sheets[name] = relations[relation][1]
        for kind, target in relations.values():
            if kind.endswith(_SHARED_STRINGS):
                strings = _SharedStrings()
                _Part(self._archive, target, self.source).parse(strings.start, strings.end,
                                                                strings.text)
                self.shared_strings = strings.strings
            elif kind.endswith(_STYLES):
                styles = _Styles()
                _Part(self._archive, target, self.source).parse(styles.start, styles.end)
                self.date_styles = styles.date_styles()

    @property
    def sheet_names(self) -> list[str]:
        """The names of the sheets, in the workbook's order."""
        return list(self._sheets)

    def rows(self, sheet: str, max_rows: int) -> Iterator[SheetRow]:
        """The rows of ``sheet`` that hold anything, in order; more than ``max_rows`` rows
        (counted by row number) raise :class:`SheetError`."""
        part = self._sheets[sheet]
        handler = _SheetRows(self, sheet, max_rows)
        parser = _parser(handler.start, handler.end, handler.text)
        for _ in _Part(self._archive, part, self.source).chunks(parser):
            ready, handler.ready = handler.ready, []
            yield from ready

    def close(self) -> None:
        """Close the file."""
        self._archive.close()
        self._handle.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


# --- CSV --------------------------------------------------------------------------------------


def csv_rows(path: Path, source: str, max_rows: int) -> Iterator[SheetRow]:
    """The records of a UTF-8 CSV file (a byte-order mark allowed) as numbered rows, within
    the same limits as a sheet."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise SheetError(f"{source} cannot be read: {exc.strerror or exc}") from None
    with handle:
        reader = csv.reader(handle)
        number = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise _too_long(f"{source} row {number + 1}") from None
                raise SheetError(f"{source} row {number + 1}: {exc}") from None
            except UnicodeDecodeError:
                raise SheetError(f"{source} is not UTF-8 text (save it from the spreadsheet "
                                 f"as 'CSV UTF-8'), near row {number + 1}") from None
            except OSError as exc:
                raise SheetError(f"{source} cannot be read: {exc.strerror or exc}") from None
            number += 1
            if number > max_rows:
                raise _too_many_rows(source, max_rows)
            yield _csv_row(record, number, source)


def _csv_row(record: list[str], number: int, source: str) -> SheetRow:
    for index, cell in enumerate(record, start=1):
        if len(cell) > CELL_CHARS:
            raise _too_long(f"{source} row {number}, column {column_letter(min(index, ROW_CELLS))}")
        if index > SHEET_COLUMNS and cell.strip():
            raise _beyond_columns(f"{source} row {number}, column "
                                  f"{column_letter(min(index, ROW_CELLS))}")
    return SheetRow(number, tuple(record[:SHEET_COLUMNS]))


#: The workbook files a sheet of rows is read from (besides .csv).
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def first_sheet_rows(path: Path, source: str, what: str, max_bytes: int, max_rows: int
                     ) -> Iterator[tuple[str, SheetRow]]:
    """(sheet name, or "" in a CSV file; row) of a .csv file or of the first sheet of a
    workbook, read a row at a time within the limits; ``what`` ("a case sample") names the
    data in a refusal."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", *WORKBOOK_SUFFIXES):
        raise UserError(f"{source}: {what} can be imported from .xlsx or .csv files only")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UserError(f"{source} cannot be read: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise UserError(f"{source} is {size:,} bytes; {what} may be at most {max_bytes:,}")
    if suffix == ".csv":
        for row in csv_rows(path, source, max_rows):
            yield "", row
        return
    with Workbook(path, source) as workbook:
        if not workbook.sheet_names:
            raise UserError(f"{source} has no sheets")
        sheet = workbook.sheet_names[0]
        for row in workbook.rows(sheet, max_rows):
            yield sheet, row
