"""Spreadsheets streamed a row at a time: values as Excel means them, and every damaged or
oversized file one line naming the file and the part, sheet, row or cell."""

from __future__ import annotations

import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook

from auditapp.inputs.sheets import SheetError, Workbook, csv_rows
from auditapp.rules.limits import CELL_CHARS, SHEET_COLUMNS
from tests.builders import workbook_parts, zip_bytes

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(tmp_path: Path, rows: list[list[object]], name: str = "book.xlsx") -> Path:
    book = OpenpyxlWorkbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Cases"
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _rows(path: Path, max_rows: int = 1000) -> list[tuple[int, tuple[object, ...]]]:
    with Workbook(path, path.name) as book:
        return [(r.number, r.cells) for r in book.rows(book.sheet_names[0], max_rows)]


def _refusal(path: Path, max_rows: int = 1000) -> str:
    with pytest.raises(SheetError) as caught:
        _rows(path, max_rows)
    message = str(caught.value)
    assert message.startswith(path.name) and "\n" not in message
    return message


def _with_sheet(tmp_path: Path, xml: bytes, name: str = "made.xlsx", stored: bool = False
                ) -> Path:
    parts = workbook_parts(_workbook(tmp_path, [["x"]], "base.xlsx"))
    parts[SHEET] = xml
    path = tmp_path / name
    if stored:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            for member, data in parts.items():
                archive.writestr(member, data)
    else:
        path.write_bytes(zip_bytes(parts))
    return path


def _sheet_xml(rows: str) -> bytes:
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>" + rows.encode() + b"</sheetData></worksheet>")


def test_values_come_as_excel_means_them(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [["reference", "age", "score", "uasc", "date", "when"],
                                ["CL-1", 17, 2.5, True, date(2026, 1, 15),
                                 datetime(2026, 1, 15, 9, 30)],
                                [None, None, None, None, None, None],
                                [None, "x", None, None, None, "end"]])
    assert _rows(path) == [
        (1, ("reference", "age", "score", "uasc", "date", "when")),
        (2, ("CL-1", 17, 2.5, True, datetime(2026, 1, 15), datetime(2026, 1, 15, 9, 30))),
        (3, ()),
        (4, (None, "x", None, None, None, "end")),
    ]


def test_shared_strings_and_a_1904_workbook(tmp_path: Path) -> None:
    parts = workbook_parts(_workbook(tmp_path, [["x"]], "base.xlsx"))
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>one'
        b"</t></si><si><r><t>t</t></r><r><t>wo</t></r><rPh><t>phonetic</t></rPh></si></sst>")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.'
        b'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>")
    parts[SHEET] = _sheet_xml('<row r="1"><c r="A1" t="s"><v>1</v></c><c r="C1" t="s">'
                              '<v>0</v></c></row>')
    path = tmp_path / "shared.xlsx"
    path.write_bytes(zip_bytes(parts))
    assert _rows(path) == [(1, ("two", None, "one"))]


@pytest.mark.parametrize(("xml", "expected"), [
    (b"<worksheet><sheetData><row><c><v>1</v></row>", "is not well-formed XML (line 1"),
    (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet/>', "declares a DTD"),
    (_sheet_xml('<row r="2"><c r="B2" t="s"><v>7</v></c></row>'), "book.xlsx Cases!B2"),
    (_sheet_xml('<row r="3"><c r="AZ3" t="inlineStr"><is><t>x</t></is></c></row>'),
     f"a value beyond column {'AX'}; at most {SHEET_COLUMNS} columns are read"),
    (_sheet_xml('<row r="1"><c t="inlineStr"><is><t>' + "x" * (CELL_CHARS + 1) + "</t></is>"
                "</c></row>"), f"more than {CELL_CHARS:,} characters"),
    (_sheet_xml('<row r="1001"><c><v>1</v></c></row>'), "has more than 1,000 rows"),
])
def test_a_damaged_or_oversized_sheet_is_one_line(tmp_path: Path, xml: bytes,
                                                 expected: str) -> None:
    path = _with_sheet(tmp_path, xml, "book.xlsx")
    assert expected in _refusal(path)


def test_damaged_deflate_data_names_the_part(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [[f"CL-{i}", "eligible", i] for i in range(2000)])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start] = 0xFF  # a deflate block of the type that does not exist
    path.write_bytes(bytes(data))
    assert f"the part {SHEET} is damaged" in _refusal(path)


@pytest.mark.parametrize("broken", [b"not a zip at all", b"PK\x03\x04cut"])
def test_not_a_workbook(tmp_path: Path, broken: bytes) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(broken)
    with pytest.raises(SheetError, match="fake.xlsx cannot be read as an Excel workbook"):
        Workbook(path, path.name)


def test_a_missing_part_is_one_line(tmp_path: Path) -> None:
    parts = workbook_parts(_workbook(tmp_path, [["x"]]))
    del parts[SHEET]
    path = tmp_path / "holey.xlsx"
    path.write_bytes(zip_bytes(parts))
    assert f"the workbook has no part {SHEET}" in _refusal(path)


def test_a_row_of_a_million_cells_costs_flat_memory(tmp_path: Path) -> None:
    """The file openpyxl took nine seconds and 530 MB over: refused at the limit, in a
    streaming read whose memory does not grow with the row."""
    cells = '<c r="B1" s="0"/>' * 1_000_000
    path = _with_sheet(tmp_path, _sheet_xml(f'<row r="1">{cells}</row>'), stored=True)
    tracemalloc.start()
    try:
        message = _refusal(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "more than 16,384 cells in one row" in message
    assert peak < 5_000_000, peak


def test_csv_values_and_limits(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\ufeffreference,category\nCL-1,\"eligible, still\"\n", encoding="utf-8")
    assert [(r.number, r.cells) for r in csv_rows(path, "s.csv", 10)] == [
        (1, ("reference", "category")), (2, ("CL-1", "eligible, still"))]


@pytest.mark.parametrize(("content", "expected"), [
    (b"reference\n" + b"x" * 140_000 + b"\n", "s.csv row 2: a cell holds more than 32,767"),
    (b"reference\n\"" + b"x" * 40_000 + b"\"\n", "s.csv row 2, column A: a cell holds more"),
    (b"reference\n" + b"," * SHEET_COLUMNS + b"x\n", "s.csv row 2, column AY: a value beyond"),
    (b"reference\ncaf\xe9\n", "s.csv is not UTF-8 text"),
    (b"a\n" * 12, "s.csv has more than 10 rows"),
])
def test_a_bad_csv_is_one_line(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(content)
    with pytest.raises(SheetError) as caught:
        list(csv_rows(path, "s.csv", 10))
    assert str(caught.value).startswith(expected), str(caught.value)


def test_a_nul_in_a_csv_is_read_as_a_character(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(b"reference\nCL\x001\n")
    assert [r.cells for r in csv_rows(path, "s.csv", 10)][1] == ("CL\x001",)
