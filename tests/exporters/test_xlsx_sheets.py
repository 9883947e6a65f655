"""The data sheets' own SpreadsheetML writer, held to openpyxl: any row of values written by
both, read back by openpyxl, gives the same cells (values, types, quoted text, date formats),
and no text becomes markup or a formula."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from auditapp.errors import UserError
from auditapp.exporters.xlsx import DATE_FORMAT, export_workbook
from auditapp.exporters.xlsx_sheets import (
    Alert,
    SheetFrame,
    add_workbook,
    part_name,
    register_styles,
    write_sheet,
)
from auditapp.rules.cells import CellText, cell_value, needs_care
from auditapp.services.reporting.figures import ReportScope
from auditapp.storage.engine import Database

RED = "D73027"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML = "http://www.w3.org/XML/1998/namespace"
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
VALUE = st.one_of(
    st.none(), TEXT.map(cell_value), TEXT.filter(lambda t: not needs_care(t)).map(Alert),
    st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=date(1900, 1, 1)), st.booleans())
INJECTION = ['</t></is></c><c r="A9"><f>1+1</f></c>', "]]><x/>", "a & b < c > d", " spaced ",
             "\n", "=SUM(A1:A2)", "&amp;"]


def _ours(path: Path, rows: Sequence[Sequence[Any]], columns: int) -> None:
    workbook = Workbook(write_only=True)
    place = workbook.create_sheet("Data")
    header = WriteOnlyCell(place, "x")
    header.font = Font(bold=True)
    styles = register_styles(place, header, DATE_FORMAT, RED)
    part = part_name(workbook)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        frame = SheetFrame([10.0] * columns, [f"Column {i}" for i in range(columns)])
        counts = list(write_sheet(archive, part, frame, styles, rows))
        assert counts[-1] == len(rows)
        add_workbook(workbook, archive, {part: place})


def _openpyxl_cell(sheet: Any, value: Any) -> Any:
    """What the exporter would have written through openpyxl for ``value``."""
    cell = WriteOnlyCell(sheet)
    if isinstance(value, CellText):
        value.store(cell)
    elif isinstance(value, Alert):
        cell.value = value.text
        cell.font = Font(bold=True, color="FFFFFF")
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        return value
    return cell


def _theirs(path: Path, rows: Sequence[Sequence[Any]], columns: int) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append([f"Column {i}" for i in range(columns)])
    for row in rows:
        sheet.append([_openpyxl_cell(sheet, value) for value in row])
    workbook.save(path)


def _cells(path: Path) -> dict[str, tuple[Any, ...]]:
    """Every cell below the header that holds something, by its place. (openpyxl writes an
    empty text as an empty cell, which reads back as nothing; the writer writes no cell.)"""
    sheet = load_workbook(path)["Data"]
    return {c.coordinate: (c.value, c.data_type, c.quotePrefix,
                           c.number_format if c.is_date else None, c.font.b)
            for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None}


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(VALUE, min_size=1, max_size=6), min_size=1, max_size=12))
@example([[cell_value(text) for text in INJECTION]])
def test_any_rows_read_back_as_openpyxl_writes_them(
        tmp_path_factory: pytest.TempPathFactory, rows: list[list[Any]]) -> None:
    folder = tmp_path_factory.mktemp("sheets")
    columns = max(len(row) for row in rows)
    _ours(folder / "ours.xlsx", rows, columns)
    _theirs(folder / "theirs.xlsx", rows, columns)
    ours, theirs = _cells(folder / "ours.xlsx"), _cells(folder / "theirs.xlsx")
    assert ours == theirs
    assert not any(c[1] in ("f", "e") for c in ours.values())


def test_injected_markup_stays_text_and_the_header_is_styled(tmp_path: Path) -> None:
    rows = [[cell_value(text), Alert("Yes"), date(2026, 3, 2), 7] for text in INJECTION]
    _ours(tmp_path / "ours.xlsx", rows, 4)
    sheet = load_workbook(tmp_path / "ours.xlsx")["Data"]
    assert [c.value for c in sheet["A"][1:]] == INJECTION
    assert [c.value for c in sheet[1]] == [f"Column {i}" for i in range(4)]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:D{len(INJECTION) + 1}"
    assert sheet["B2"].fill.fgColor.rgb.endswith(RED) and sheet["B2"].font.b
    assert sheet["C2"].number_format == DATE_FORMAT and sheet["C2"].is_date
    assert sheet["A7"].quotePrefix and sheet["A7"].data_type == "s"  # "=SUM(A1:A2)"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # Excel (unlike openpyxl) drops a text's outer spaces unless the XML says to keep them.
    with zipfile.ZipFile(tmp_path / "ours.xlsx") as archive:
        texts = etree.fromstring(archive.read("xl/worksheets/sheet1.xml")).iter(f"{{{MAIN}}}t")
    kept = {t.text: t.get(f"{{{XML}}}space") for t in texts}
    assert kept[" spaced "] == kept["\n"] == "preserve" and kept["&amp;"] is None


def test_a_sheet_too_big_for_a_zip_without_zip64_is_one_clear_refusal(
        tmp_path: Path, demo_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    # A part over 2 GiB needs Zip64, which zipfile must be told of before writing; the limit
    # is lowered here to reach that case with a small database.
    out = tmp_path / "findings.xlsx"
    out.write_bytes(b"last month's export")
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 200_000)
    with pytest.raises(UserError, match="too long for one workbook"):
        list(export_workbook(demo_db, out, ReportScope(), date(2026, 6, 30)))
    assert sorted(tmp_path.iterdir()) == [out]
    assert out.read_bytes() == b"last month's export"
